"""float32 ``log256_ps`` and ``sincos256_ps`` of ATen's ``avx_mathfun.h`` (Cephes polynomials), step for step as
PyTorch's AVX2 build computes them, fused multiply-adds included: PyTorch's float ``normal_`` of 16 or more
elements is Box-Muller over these, so its values need them bit for bit. Each fused step makes the exact product
and the sum in float64 and rounds the sum once to float32; a polynomial's variable is held in float64 (its
float32 values, exactly) so that each step is three same-precision numpy calls, the cost of a small draw.
"""
from __future__ import annotations

import numpy as np

_F, _D = np.float32, np.float64
_LOG_P = tuple(_F(c) for c in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                               1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                               3.3333331174E-1))
# cos's and sin's coefficients side by side (a column each): both polynomials of z in one array of two rows
_SINCOS_P = tuple(np.array([[c], [s]], _D) for c, s in zip(
    (_F(2.443315711809948E-005), _F(-1.388731625493765E-003), _F(4.166664568298827E-002)),
    (_F(-1.9515295891E-4), _F(8.3321608736E-3), _F(-1.6666654611E-1))))
_MINUS_DP = tuple(_D(_F(c)) for c in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8))
_SIGN_BIT = np.int32(-1 << 31)


def fma(a: np.ndarray, b, c) -> np.ndarray:
    """float32 a * b + c rounded once, for float32 `a` and numbers `b` and `c`."""
    return _fused(a, _D(b), c)


def _fused(a: np.ndarray, wide_b, c) -> np.ndarray:
    """float32 a * b + c rounded once, `wide_b` a float64 holding float32 values: the product is exact in
    float64, the sum is made in float64 and rounded to float32 (no casting loop: numpy's cheapest calls)."""
    wide = a * wide_b
    wide += c
    return wide.astype(_F)


def _horner(wide_x: np.ndarray, coefficients) -> np.ndarray:
    """The polynomial at `wide_x` (float32 values held in float64) by fused steps from its leading coefficient
    (coefficients that are columns evaluate a polynomial per row)."""
    y = _fused(wide_x, coefficients[0], coefficients[1])
    for c in coefficients[2:]:
        y = _fused(y, wide_x, c)
    return y


def log256_ps(x: np.ndarray) -> np.ndarray:
    """Natural log of float32 `x`, normal and positive (as Box-Muller's 1 - u: the clamp to the smallest normal
    and the NaN for x <= 0 of the AVX code never act on it)."""
    x, e = np.frexp(x)  # the mantissa with the exponent bits of 0.5 and the exponent + 1, as the bit masks make them
    e = e.astype(_F)
    small = x < _F(0.707106781186547524)
    x = (x - _F(1)) + x * small
    e -= small
    wide_x = x.astype(_D)
    z = (wide_x * wide_x).astype(_F)
    y = _horner(wide_x, _LOG_P)
    y = (y * wide_x).astype(_F)
    y = _fused(y, z.astype(_D), e * _F(-2.12194440e-4))
    y = _fused(z, _D(-0.5), y) + x
    return _fused(e, _D(0.693359375), y)


def sincos256_ps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sin, cos) of float32 `x` >= 0 (as Box-Muller's angles; the polynomials swapped and the signs set with bit
    masks, as the AVX code)."""
    shape, x = x.shape, x.reshape(-1)
    j = (x * _F(1.27323954473516)).astype(np.int32)
    j += 1
    j &= ~1
    wide_j = j.astype(_D)
    for dp in _MINUS_DP:
        x = _fused(wide_j, dp, x)
    sign = (j << 29) & _SIGN_BIT
    cos_sign = ((j + 2) << 29) & _SIGN_BIT  # bit 2 of j + 2 is that of ~(j - 2)
    cosine_first = (j << 30) >> 31  # all bits set where the polynomials swap
    wide_x = x.astype(_D)
    z = (wide_x * wide_x).astype(_F)
    wide_z = z.astype(_D)
    polynomials = _horner(wide_z, _SINCOS_P)
    polynomials = (polynomials * wide_z).astype(_F)
    cosine, sine = polynomials
    cosine = _fused(cosine, wide_z, z * _F(-0.5)) + _F(1)
    sine = _fused(sine, wide_x, x)
    sine_bits, cosine_bits = sine.view(np.int32), cosine.view(np.int32)
    swap = (sine_bits ^ cosine_bits) & cosine_first
    sine_bits ^= swap
    cosine_bits ^= swap
    sine_bits ^= sign
    cosine_bits ^= cos_sign
    return sine.reshape(shape), cosine.reshape(shape)
