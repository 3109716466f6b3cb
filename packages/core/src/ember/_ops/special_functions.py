"""torch.special's functions that ember has no other name for (i0e, i1, i1e, entr, erfcx, log_ndtr,
ndtri, xlog1py, zeta, modified_bessel_i0/i1, spherical_bessel_j0), declared as registry entries (their
grad_fn classes are PyTorch's ``Special...Backward0``) and
composed from ember ops as PyTorch's ATen Math.h computes them; the Bessel series are Cephes' Chebyshev
expansions (`ember._special_series`)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _special_series as series
from .._special_series import I0E_A, I0E_B, I1E_A, I1E_B
from .hurwitz_zeta import zeta
from .pointwise import where
from .registry import Binary, Unary, build, build_binary, in_float32

_SQRT1_2 = math.sqrt(0.5)
_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)
_ERFCX_ASYMPTOTIC = 26.0  # beyond, erfc underflows in float64: erfcx's asymptotic series instead


def _chebyshev(y, coefficients):
    """Cephes' chbevl: the Chebyshev series `coefficients` (highest order first) at y / 2."""
    b0, b1, b2 = y * 0 + coefficients[0], y * 0, y * 0
    for coefficient in coefficients[1:]:
        b2, b1 = b1, b0
        b0 = y * b1 - b2 + coefficient
    return 0.5 * (b0 - b2)


def _bessel(x, small, large, times_x: bool):
    """exp(-|x|) times I0 or I1 of |x|: Cephes' series `small` on [0, 8] (times |x| for I1), `large` beyond."""
    x = x.abs()
    near = _chebyshev(x / 2 - 2, small)
    return where(x <= 8, near * x if times_x else near, _chebyshev(32 / x - 2, large) / x.sqrt())


def _odd(x, magnitude):
    return where(x < 0, -magnitude, magnitude)


def i0e(x):
    return in_float32(lambda x: _bessel(x, I0E_A, I0E_B, False), x)


def i1e(x):
    return in_float32(lambda x: _odd(x, _bessel(x, I1E_A, I1E_B, True)), x)


def modified_bessel_i1(x):
    return _odd(x, _bessel(x, I1E_A, I1E_B, True) * x.abs().exp())


def i1(x):
    return in_float32(modified_bessel_i1, x)


def modified_bessel_i0(x):
    return _bessel(x, I0E_A, I0E_B, False) * x.abs().exp()


# spherical_bessel_j0's Taylor series in x² below |x| = 1/2 (sin(x) / x loses digits there), lowest first
_SINC_SERIES = (1.0, -1 / 6, 1 / 120, -1 / 5040, 1 / 362880, -1 / 39916800, 1 / 6227020800)


def spherical_bessel_j0(x):
    """PyTorch's spherical_bessel_j0: 0 at infinity, the series below 1/2, sin(x) / x beyond."""
    square = x * x
    series = x * 0 + _SINC_SERIES[-1]
    for coefficient in _SINC_SERIES[-2::-1]:
        series = series * square + coefficient
    return where(x.isinf(), 0.0, where(x.abs() < 0.5, series, x.sin() / x))


def _in_float64(formula, x):
    """`formula(x)` computed in float64 and rounded once to x's dtype."""
    return formula(x.double()).to(x.dtype)


def _erfcx(x):
    """exp(x²) erfc(x): exp(x²) split at x rounded to 1/16 (no error from rounding x²) times erfc below
    26, the asymptotic series 1 / (x sqrt(pi)) (1 - 1/(2x²) + 3/(2x²)² ... to the 8th power) beyond;
    2 exp(x²) - erfcx(-x) for x < 0."""
    a = x.abs()
    s = (a * 16).trunc() / 16
    exp_square = where(a < 27, (s * s).exp() * ((a - s) * (a + s)).exp(), math.inf)  # overflows beyond 26.7
    z = 1 / (2 * a * a)
    series = 1 - 15 * z
    for odd in (13, 11, 9, 7, 5, 3, 1):
        series = 1 - odd * z * series
    series = series / (a * _SQRT_PI)
    positive = where(a < _ERFCX_ASYMPTOTIC, exp_square * a.erfc(), series)
    return where(x < 0, 2 * exp_square - positive, positive)


def erfcx(x):
    return _in_float64(_erfcx, x)


def _log_ndtr(x):
    """PyTorch's calc_log_ndtr: log(erfcx(-t) / 2) - t² below -1 (t = x / sqrt(2)), else log1p(-erfc(t) / 2)."""
    t = x * _SQRT1_2
    return where(x < -1, (_erfcx(-t) / 2).log() - t * t, (-t.erfc() / 2).log1p())


def _polynomial(x, coefficients):
    """Cephes' polevl: the polynomial with `coefficients` (highest power first) at x, by Horner's rule."""
    result = x * 0 + coefficients[0]
    for coefficient in coefficients[1:]:
        result = result * x + coefficient
    return result


_EXP_MINUS_2 = 0.13533528323661269189


def _ndtri(p):
    """PyTorch's calc_ndtri (Cephes): a rational function of p - 1/2 in the middle, of 1 / sqrt(-2 log y)
    in the tails (y the nearer of p, 1 - p); -inf at 0, inf at 1, NaN outside [0, 1]."""
    upper = p > 1 - _EXP_MINUS_2
    y = where(upper, 1 - p, p)
    centre = p - 0.5
    square = centre * centre
    middle = (centre + centre * (square * _polynomial(square, series.NDTRI_P0) / _polynomial(square, series.NDTRI_Q0)))
    x = (-2 * y.log()).sqrt()
    z = 1 / x
    near = z * _polynomial(z, series.NDTRI_P1) / _polynomial(z, series.NDTRI_Q1)
    far = z * _polynomial(z, series.NDTRI_P2) / _polynomial(z, series.NDTRI_Q2)
    tail = x - x.log() / x - where(x < 8, near, far)
    result = where(y > _EXP_MINUS_2, middle * math.sqrt(2 * math.pi), where(upper, tail, -tail))
    result = where((p < 0) | (p > 1), math.nan, result)
    return where(p == 0, -math.inf, where(p == 1, math.inf, result))


def _entr(x):
    """-x log(x), 0 at 0, -inf below 0 (NaN stays NaN)."""
    return where(x > 0, -x * x.log(), where(x == 0, 0.0, where(x < 0, -math.inf, x)))


def _xlog1py(a, b):
    return (a * b.log1p()).masked_fill((a == 0) & (b == b), 0.0)  # 0 * log1p(y) is 0 unless y is NaN


def _safe(x):
    """x, with its zeros (and anything within eps of 0) moved to eps: PyTorch's i1/i1e backward evaluate
    their formula there, so that no gradient of the branch `where` discards is NaN."""
    eps = float(np.finfo(x.dtype.numpy).eps)
    return where(x.abs() > eps, x, eps), x.abs() > eps


def _i1_backward(g, x, y):
    safe, not_tiny = _safe(x)
    return g * where(not_tiny, safe.i0() - y * (1 / safe), 0.5)


def _i1e_backward(g, x, y):
    safe, not_tiny = _safe(x)
    return g * where(not_tiny, FUNCTIONS["i0e"](safe) - y * (safe.sgn() + 1 / safe), 0.5)


SPECIAL: tuple[Unary, ...] = (
    Unary("i0e", lambda g, x, y: g * (FUNCTIONS["i1e"](x) - x.sgn() * y), ("input", "result"), compose=i0e,
          grad_fn="SpecialI0EBackward0", domain="any"),
    Unary("i1", _i1_backward, ("input", "result"), compose=i1, grad_fn="SpecialI1Backward0", domain="any"),
    Unary("i1e", _i1e_backward, ("input", "result"), compose=i1e, grad_fn="SpecialI1EBackward0", domain="any"),
    Unary("entr", lambda g, x: g * -(1 + x.log()), ("input",), compose=lambda x: in_float32(_entr, x),
          grad_fn="SpecialEntrBackward0", domain="positive"),
    Unary("erfcx", lambda g, x, y: g * (2 * x * y - 2 / _SQRT_PI), ("input", "result"), compose=erfcx,
          grad_fn="SpecialErfcxBackward0", refuses=("float16",), domain="any"),
    Unary("log_ndtr", lambda g, x, y: g / _SQRT_2PI * (-(y + x * x / 2)).exp(), ("input", "result"),
          compose=lambda x: _in_float64(_log_ndtr, x), grad_fn="SpecialLogNdtrBackward0", refuses=("float16",),
          domain="any"),
    Unary("ndtri", lambda g, x, y: g * math.sqrt(2 * math.pi) * (y * y / 2).exp(), ("input", "result"),
          compose=_ndtri, grad_fn="SpecialNdtriBackward0", refuses=("float16",), domain="unit"),
    # PyTorch declares no derivative of these: their results never require grad
    Unary("modified_bessel_i0", compose=modified_bessel_i0, differentiable=False, refuses=("float16",),
          domain="any"),
    Unary("modified_bessel_i1", compose=modified_bessel_i1,
          differentiable=False, refuses=("float16",), domain="any"),
    Unary("spherical_bessel_j0", compose=spherical_bessel_j0, differentiable=False, refuses=("float16",),
          domain="any"),
)
FUNCTIONS: dict[str, Any]
NODES: dict[str, type]
FUNCTIONS, NODES = build(SPECIAL)

XLOG1PY = Binary(
    "xlog1py", (lambda g, a, b, r: FUNCTIONS["xlog1py"](g, b).masked_fill((a == 0) & (b <= -1), 0.0),
                lambda g, a, b, r: g * a / (b + 1)),
    ("SpecialXlog1PyBackward0", "SpecialXlog1PyBackward2", "SpecialXlog1PyBackward1"), dtypes="float",
    compose=lambda a, b: in_float32(_xlog1py, a, b), in_place=False, reference=lambda a, b: a * np.log1p(b),
    domains=("real", "positive"))


def _refused_zeta_gradient(g, x, q, r):
    raise NotImplementedError("the derivative for 'zeta' is not implemented.")


ZETA = Binary(
    "zeta", (_refused_zeta_gradient, lambda g, x, q, r: g * -x * FUNCTIONS["zeta"](x + 1, q)),
    ("SpecialZetaBackward0", "SpecialZetaBackward2", "SpecialZetaBackward1"), dtypes="float",
    compose=lambda x, q: _in_float64(lambda x: zeta(x, q.double()), x), refuses=("float16",), in_place=False)
_BINARY_FUNCTIONS, _BINARY_NODES = build_binary((XLOG1PY, ZETA))
FUNCTIONS.update(_BINARY_FUNCTIONS)
NODES.update(_BINARY_NODES)
