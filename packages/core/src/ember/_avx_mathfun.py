"""float32 ``log256_ps`` and ``sincos256_ps`` of ATen's ``avx_mathfun.h`` (Cephes polynomials), step for step as
PyTorch's AVX2 build computes them, fused multiply-adds included: PyTorch's float ``normal_`` of 16 or more
elements is Box-Muller over these, so its values need them bit for bit. Each fused step rounds a float64 result
(exact product, one rounding of the sum) once to float32, into preallocated arrays.
"""
from __future__ import annotations

import numpy as np

_F, _D = np.float32, np.float64
_LOG_P = tuple(_F(c) for c in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                               1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                               3.3333331174E-1))
_COS_P = tuple(_F(c) for c in (2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002))
_SIN_P = tuple(_F(c) for c in (-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1))
_MINUS_DP = tuple(_F(c) for c in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8))
_HALF_BITS = np.array(0.5, _F).view(np.int32)


def fma(a, b, c) -> np.ndarray:
    """float32 a * b + c rounded once (the product is exact in float64)."""
    wide = np.multiply(a, b, dtype=_D)
    wide += c
    return wide.astype(_F)


def _fma_into(a, b, c, out: np.ndarray, wide: np.ndarray) -> np.ndarray:
    """`fma` written into the float32 `out` through the float64 scratch `wide` (both of the result's shape):
    the sum is made in float64 and rounded as it is stored."""
    np.multiply(a, b, out=wide, dtype=_D)
    np.add(wide, c, out=out, casting="same_kind")
    return out


def _horner(x: np.ndarray, coefficients, wide: np.ndarray) -> np.ndarray:
    """The polynomial at float32 `x` by fused steps from its leading coefficient."""
    y = _fma_into(x, coefficients[0], coefficients[1], np.empty_like(x), wide)
    for c in coefficients[2:]:
        _fma_into(y, x, c, y, wide)
    return y


def log256_ps(x: np.ndarray) -> np.ndarray:
    """Natural log of float32 `x`, normal and positive (as Box-Muller's 1 - u: the clamp to the smallest normal
    and the NaN for x <= 0 of the AVX code never act on it)."""
    bits = x.view(np.int32).copy()
    e = np.subtract(bits >> 23, 0x7E, dtype=_F)  # the exponent + 1
    bits &= ~0x7F800000
    bits |= _HALF_BITS
    x = bits.view(_F)
    small = x < _F(0.707106781186547524)
    x = (x - _F(1)) + x * small
    e -= small
    wide = np.empty(x.shape, _D)
    z = x * x
    y = _horner(x, _LOG_P, wide)
    y *= x
    _fma_into(y, z, e * _F(-2.12194440e-4), y, wide)
    _fma_into(z, _F(-0.5), y, y, wide)
    y += x
    _fma_into(e, _F(0.693359375), y, y, wide)
    return y


def sincos256_ps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sin, cos) of float32 `x` >= 0 (as Box-Muller's angles; the polynomials swapped and the signs set with bit
    masks, as the AVX code)."""
    j = (x * _F(1.27323954473516)).astype(np.int32)
    x = x.copy()
    j += 1
    j &= ~1
    y = j.astype(_F)
    wide = np.empty(x.shape, _D)
    for dp in _MINUS_DP:
        _fma_into(y, dp, x, x, wide)
    sign = (j & 4) << 29
    cos_sign = (~(j - 2) & 4) << 29
    cosine_first = ((j & 2) >> 1) * -1  # all bits set where the polynomials swap
    z = x * x
    cosine = _horner(z, _COS_P, wide)
    cosine *= z
    _fma_into(cosine, z, -(z * _F(0.5)), cosine, wide)
    cosine += _F(1)
    sine = _horner(z, _SIN_P, wide)
    sine *= z
    _fma_into(sine, x, x, sine, wide)
    sine_bits, cosine_bits = sine.view(np.int32), cosine.view(np.int32)
    swap = (sine_bits ^ cosine_bits) & cosine_first
    sine_bits ^= swap
    cosine_bits ^= swap
    sine_bits ^= sign
    cosine_bits ^= cos_sign
    return sine, cosine
