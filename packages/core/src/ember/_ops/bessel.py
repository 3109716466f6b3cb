"""torch.special's Bessel functions of the first and second kind (bessel_j0, bessel_j1, bessel_y0,
bessel_y1), the modified ones of the second kind (modified_bessel_k0/k1, and scaled by exp(x)) and the Airy
function airy_ai, composed from ember ops as PyTorch's ATen Math.h computes them (Cephes' rational and
Chebyshev approximations, `ember._bessel_series`), in the input's floating dtype. PyTorch declares no
derivative of any of them: they are registry entries whose results never require grad."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _bessel_series as s
from .._tensor import Tensor
from .pointwise import where
from .registry import Unary, build
from .special_functions import _chebyshev, _polynomial, modified_bessel_i0, modified_bessel_i1

_TWO_OVER_PI = 0.636619772367581343075535053490057448
_SQRT_TWO_OVER_PI = 0.797884560802865355879892119868763737
_QUARTER_PI = 0.785398163397448309615660845819875721
_THREE_QUARTER_PI = 2.356194490192344928846982537459627163
_J0_ZEROS_SQUARED = (5.78318596294678452118e+00, 3.04712623436620863991e+01)
_J1_ZEROS_SQUARED = (1.46819706421238932572e+01, 4.92184563216946036703e+01)
_INV_SQRT_PI = 5.64189583547756286948e-01


def _asymptotic(x: Tensor, w: Tensor, pp, pq, qp, qq, phase: float, second_kind: bool) -> Tensor:
    """sqrt(2 / (pi x)) (P cos(x - phase) - 5/x Q sin(x - phase)) for J, with sin and cos exchanged (and
    the sign) for Y: Cephes' form beyond 5, P and Q rational functions of `w` = 25 / x²."""
    p = _polynomial(w, pp) / _polynomial(w, pq)
    q = 5 / x * (_polynomial(w, qp) / _polynomial(w, qq))
    angle = x - phase
    if second_kind:
        value = p * angle.sin() + q * angle.cos()
    else:
        value = p * angle.cos() - q * angle.sin()
    return value * _SQRT_TWO_OVER_PI / x.sqrt()


def bessel_j0(x: Tensor) -> Tensor:
    x = x.abs()
    z = x * x
    small = (z - _J0_ZEROS_SQUARED[0]) * (z - _J0_ZEROS_SQUARED[1]) * _polynomial(z, s.J0_RP) / \
        _polynomial(z, s.J0_RQ)
    small = where(x < 1e-5, 1 - z / 4, small)
    large = _asymptotic(x, 25 / z, s.J0_PP, s.J0_PQ, s.J0_QP, s.J0_QQ, _QUARTER_PI, False)
    return where(x <= 5, small, large)


def _j1_positive(x: Tensor) -> Tensor:
    z = x * x
    small = _polynomial(z, s.J1_RP) / _polynomial(z, s.J1_RQ) * x * (z - _J1_ZEROS_SQUARED[0]) * \
        (z - _J1_ZEROS_SQUARED[1])
    large = _asymptotic(x, 5 / x * (5 / x), s.J1_PP, s.J1_PQ, s.J1_QP, s.J1_QQ, _THREE_QUARTER_PI, False)
    return where(x <= 5, small, large)


def bessel_j1(x: Tensor) -> Tensor:
    magnitude = _j1_positive(x.abs())
    return where(x < 0, -magnitude, magnitude)


def _second_kind_edges(x: Tensor, value: Tensor) -> Tensor:
    """-inf at 0, NaN below."""
    return where(x == 0, -math.inf, where(x < 0, math.nan, value))


def bessel_y0(x: Tensor) -> Tensor:
    z = x * x
    small = _polynomial(z, s.Y0_YP) / _polynomial(z, s.Y0_YQ) + _TWO_OVER_PI * x.log() * bessel_j0(x)
    large = _asymptotic(x, 25 / z, s.J0_PP, s.J0_PQ, s.J0_QP, s.J0_QQ, _QUARTER_PI, True)
    return where(x <= 5, _second_kind_edges(x, small), large)


def bessel_y1(x: Tensor) -> Tensor:
    z = x * x
    small = x * (_polynomial(z, s.Y1_YP) / _polynomial(z, s.Y1_YQ)) + \
        _TWO_OVER_PI * (_j1_positive(x) * x.log() - 1 / x)
    large = _asymptotic(x, 5 / x * (5 / x), s.J1_PP, s.J1_PQ, s.J1_QP, s.J1_QQ, _THREE_QUARTER_PI, True)
    return where(x <= 5, _second_kind_edges(x, small), large)


def _modified_k(x: Tensor, order: int, scaled: bool) -> Tensor:
    """K0 or K1 (times exp(x) when `scaled`): Cephes' Chebyshev series in x² - 2 up to 2 (with the log term
    over I0 or I1), in 8/x - 2 beyond; inf at 0, NaN below."""
    if order == 0:
        small = _chebyshev(x * x - 2, s.K0_A) - (0.5 * x).log() * modified_bessel_i0(x)
    else:
        small = (0.5 * x).log() * modified_bessel_i1(x) + _chebyshev(x * x - 2, s.K1_A) / x
    tail = _chebyshev(8 / x - 2, s.K0_B if order == 0 else s.K1_B)
    if scaled:
        small, large = small * x.exp(), tail / x.sqrt()
    else:
        large = (-x).exp() * tail / x.sqrt()
    return where(x == 0, math.inf, where(x < 0, math.nan, where(x <= 2, small, large)))


def _airy_series(x: Tensor) -> Tensor:
    """Ai by its Maclaurin series, the two power series f and g summed until a term of f falls below the
    dtype's epsilon relative to f (each element stopping where PyTorch's loop does)."""
    eps = float(np.finfo(x.dtype.numpy).eps)
    f, g, m, n = x * 0 + 1, x, x * 0 + 1, x
    z = x * x * x
    active = x == x
    k = 1.0
    while bool(active.any()):
        m_next = m * z / (k + 1)
        n_next = n * z / (k + 2)
        m_next = m_next / (k + 2)
        n_next = n_next / (k + 3)
        k += 3
        m, n = where(active, m_next, m), where(active, n_next, n)
        f, g = where(active, f + m, f), where(active, g + n, g)
        active = active & ((m / f).abs() > eps)
    return 0.355028053887817239260 * f - 0.258819403792806798405 * g


def airy_ai(x: Tensor) -> Tensor:
    """PyTorch's airy_ai: the oscillating asymptotic form below -2.09, the decaying one from 2.09 (0 past
    103.892), the Maclaurin series between; NaN at both infinities."""
    root = (-x).sqrt()
    zeta = -2 * x * root / 3
    z = 1 / zeta
    z2 = z * z
    t = zeta + 0.25 * math.pi
    f = 1 + z2 * _polynomial(z2, s.AIRY_AFN) / _polynomial(z2, s.AIRY_AFD)
    g = z * _polynomial(z2, s.AIRY_AGN) / _polynomial(z2, s.AIRY_AGD)
    negative = _INV_SQRT_PI / root.sqrt() * (t.sin() * f - t.cos() * g)
    up = 2 * x * x.sqrt() / 3
    positive = _INV_SQRT_PI * (_polynomial(1 / up, s.AIRY_AN) / _polynomial(1 / up, s.AIRY_AD)) / \
        (2 * x.sqrt().sqrt() * up.exp())
    near = (x >= -2.09) & (x < 2.09)
    series = _airy_series(where(near | (x != x), x, 0.0))
    value = where(x < -2.09, negative, where(x >= 2.09, positive, series))
    return where(x.isinf(), math.nan, where(x > 103.892, 0.0, value))


def _entry(name: str, compose) -> Unary:
    return Unary(name, compose=compose, differentiable=False, refuses=("float16",), domain="any")


BESSEL: tuple[Unary, ...] = (
    _entry("bessel_j0", bessel_j0), _entry("bessel_j1", bessel_j1), _entry("bessel_y0", bessel_y0),
    _entry("bessel_y1", bessel_y1), _entry("modified_bessel_k0", lambda x: _modified_k(x, 0, False)),
    _entry("modified_bessel_k1", lambda x: _modified_k(x, 1, False)),
    _entry("scaled_modified_bessel_k0", lambda x: _modified_k(x, 0, True)),
    _entry("scaled_modified_bessel_k1", lambda x: _modified_k(x, 1, True)), _entry("airy_ai", airy_ai),
)
FUNCTIONS: dict[str, Any]
FUNCTIONS, _ = build(BESSEL)
