"""lgamma, digamma, erfinv and i0, which numpy lacks: computed in float64 by PyTorch's algorithms (its
ATen Math.h: digamma's reflection, recurrence and asymptotic series; erfinv's rational guess and two Newton
steps) and rounded once to the input's dtype (digamma of float32 in float32, as PyTorch's float version),
so values agree with PyTorch's to a few ulps."""
from __future__ import annotations

import math

import numpy as np

from ember import _special_series as series
from ember._special_series import ERFINV_A, ERFINV_B, ERFINV_C, ERFINV_D, PSI_10, PSI_SERIES

from .erf import erf as _erf
from .erf import rounded_once

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


_lgamma_each = np.frompyfunc(series.lgamma, 1, 1)


def _lgamma(x):
    return np.asarray(_lgamma_each(x), dtype=np.float64)


def _lanczos_sum(x, below_five):
    """m_lgamma's lanczos_sum: its rational function as a polynomial in x (`below_five`) or else in 1 / x,
    dividing by x at each step as it does."""
    numerator, denominator = np.zeros_like(x), np.zeros_like(x)
    pairs = zip(series.LGAMMA_LANCZOS_NUM, series.LGAMMA_LANCZOS_DEN)
    for top, bottom in reversed(list(pairs)) if below_five else pairs:
        if below_five:
            numerator, denominator = numerator * x + top, denominator * x + bottom
        else:
            numerator, denominator = numerator / x + top, denominator / x + bottom
    return numerator / denominator


def lgamma_positive(x):
    """lgamma of float64 x > 0 (or +inf) by math.lgamma's formula (CPython's m_lgamma) over the whole array,
    where calling math.lgamma on each element would cost more than the rest of a kernel (igamma's); numpy's
    log makes it differ from math.lgamma by a few ulps at times."""
    total = np.empty_like(x)
    for below_five in (True, False):
        chosen = np.flatnonzero((x < 5) == below_five)
        total[chosen] = _lanczos_sum(x.take(chosen), below_five)
    result = np.log(total) - series.LGAMMA_LANCZOS_G
    result += (x - 0.5) * (np.log(x + series.LGAMMA_LANCZOS_G_MINUS_HALF) - 1)
    result[(x == 1) | (x == 2)] = 0.0
    tiny = x < 1e-20
    result[tiny] = -np.log(x[tiny])
    result[np.isinf(x)] = np.inf
    return result


def _digamma_positive(x):
    """digamma of x > 0 (or +inf, NaN): the recurrence up to 10, then the asymptotic series."""
    result = np.zeros_like(x)
    for _ in range(10):
        below = x < 10
        result = np.where(below, result - 1 / x, result)
        x = np.where(below, x + 1, x)
    z = 1 / (x * x)
    series = np.zeros_like(x)
    for coefficient in PSI_SERIES:
        series = series * z + coefficient
    series = np.where(x < 1e17, z * series, 0.0)
    return np.where(x == 10, result + PSI_10, result + np.log(x) - 0.5 / x - series)


def _digamma(x):
    """PyTorch's calc_digamma: -inf at +0 (+inf at -0), NaN at the negative integers, and for other x < 0
    the reflection digamma(1 - x) - pi / tan(pi r), r the fractional part of x."""
    negative = x < 0
    result = _digamma_positive(np.where(negative, 1 - x, x))
    fraction = x - np.trunc(x)
    reflection = (math.pi / np.tan(math.pi * fraction.astype(np.float64))).astype(x.dtype)  # in float64
    result = np.where(negative, result - reflection, result)
    result = np.where(negative & (fraction == 0), np.nan, result)
    return np.where(x == 0, np.copysign(np.inf, -x), result)


def _polynomial(coefficients, z):
    """sum of coefficients[i] z^i by Horner's rule."""
    result = np.zeros_like(z)
    for coefficient in reversed(coefficients):
        result = result * z + coefficient
    return result


def _erfinv(y):
    """PyTorch's calc_erfinv: a rational guess (central |y| <= 0.7, tail beyond), two Newton steps on erf."""
    y_abs = np.abs(y)
    square = y * y
    central = y * _polynomial(ERFINV_A, square) / (_polynomial(ERFINV_B, square) * square + 1)
    z = np.sqrt(-np.log((1 - y_abs) / 2))
    tail = np.copysign(_polynomial(ERFINV_C, z), y) / (_polynomial(ERFINV_D, z) * z + 1)
    x = np.where(y_abs <= 0.7, central, tail)
    for _ in range(2):
        x = x - (_erf(x) - y) / (_TWO_OVER_SQRT_PI * np.exp(-x * x))
    x = np.where(y_abs == 1, np.copysign(np.inf, y), x)
    return np.where(y_abs > 1, np.nan, x)


def _i0(x):
    """The modified Bessel function I0 (numpy's Chebyshev series, Cephes', as PyTorch's; NaN at +-inf as
    PyTorch's)."""
    return np.i0(x)


lgamma = rounded_once("lgamma", _lgamma)
digamma = rounded_once("digamma", _digamma, narrow_in_float32=True)
erfinv = rounded_once("erfinv", _erfinv)
i0 = rounded_once("i0", _i0)
