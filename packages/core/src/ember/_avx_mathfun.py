"""float32 ``log256_ps`` and ``sincos256_ps`` of ATen's ``avx_mathfun.h`` (Cephes polynomials), step for step as
PyTorch's AVX2 build computes them, fused multiply-adds included: PyTorch's float ``normal_`` of 16 or more
elements is Box-Muller over these, so its values need them bit for bit.
"""
from __future__ import annotations

import numpy as np

_F = np.float32
_LOG_P = (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1,
          -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)
_COS_P = (2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002)
_SIN_P = (-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1)
_MINUS_DP = (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8)


def fma(a, b, c) -> np.ndarray:
    """float32 a * b + c rounded once (the product is exact in float64)."""
    return (np.asarray(a, np.float64) * np.asarray(b, np.float64) + np.asarray(c, np.float64)).astype(_F)


def _horner(x: np.ndarray, coefficients) -> np.ndarray:
    y = np.full_like(x, _F(coefficients[0]))
    for c in coefficients[1:]:
        y = fma(y, x, _F(c))
    return y


def log256_ps(x: np.ndarray) -> np.ndarray:
    """Natural log of positive float32 `x` (NaN for x <= 0)."""
    invalid = ~(x > 0)
    x = np.maximum(x, np.array(0x00800000, np.int32).view(_F))
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(_F) + _F(1)
    x = ((bits & ~0x7F800000) | np.array(0.5, _F).view(np.int32)).view(_F)
    small = x < _F(0.707106781186547524)
    x = (x - _F(1)) + np.where(small, x, _F(0))
    e = e - small.astype(_F)
    z = x * x
    y = _horner(x, _LOG_P) * x
    y = fma(y, z, e * _F(-2.12194440e-4))
    y = fma(z, _F(-0.5), y)
    x = fma(e, _F(0.693359375), x + y)
    return np.where(invalid, _F(np.nan), x)


def sincos256_ps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sin, cos) of float32 `x`."""
    sin_negative = np.signbit(x)
    x = np.abs(x)
    j = (x * _F(1.27323954473516)).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_F)
    for dp in _MINUS_DP:
        x = fma(y, _F(dp), x)
    sin_negative = sin_negative ^ ((j & 4) != 0)
    cos_negative = (~(j - 2) & 4) != 0
    sine_first = (j & 2) == 0
    z = x * x
    cosine = _horner(z, _COS_P) * z
    cosine = fma(cosine, z, -(z * _F(0.5))) + _F(1)
    sine = fma(_horner(z, _SIN_P) * z, x, x)
    sin, cos = np.where(sine_first, sine, cosine), np.where(sine_first, cosine, sine)
    return np.where(sin_negative, -sin, sin), np.where(cos_negative, -cos, cos)
