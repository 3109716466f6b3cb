"""erf and erfc to full float64 accuracy, vectorized (numpy has no erf): W. J. Cody's rational Chebyshev
approximations (Math. Comp. 23, 1969; netlib specfun CALERF), on three ranges of |x|."""
from __future__ import annotations

import numpy as np

_SMALL = 0.46875  # below: erf(x) = x P(x^2) / Q(x^2)
_MIDDLE = 4.0  # below: erfc(|x|) = exp(-x^2) P(|x|) / Q(|x|); above: an expansion in 1 / x^2
_BIG = 27.3  # above: erfc(|x|) underflows to 0 in float64

_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03,
      1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
      8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
      2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
      3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
      6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
      2.33520497626869185e-3)
_ONE_OVER_SQRT_PI = 5.6418958354775628695e-1


def _ratio(num, den, z):
    """Cody's num(z) / den(z): the highest coefficient of `num` is its last, `den` is monic."""
    top, bottom = num[-1] * z, z
    for a, b in zip(num[:len(den) - 1], den[:-1], strict=True):
        top = (top + a) * z
        bottom = (bottom + b) * z
    return (top + num[len(den) - 1]) / (bottom + den[-1])


def _exp_minus_square(y):
    """exp(-y^2), as exp(-s^2) exp(-(y - s)(y + s)) with s = y rounded down to 1/16: no cancellation."""
    s = np.trunc(y * 16.0) / 16.0
    return np.exp(-s * s) * np.exp(-(y - s) * (y + s))


def _erfc_of_abs(y):
    """erfc(y) for float64 `y` >= _SMALL (NaN for NaN)."""
    result = np.zeros_like(y)
    middle = y <= _MIDDLE
    ym = y[middle]
    result[middle] = _exp_minus_square(ym) * _ratio(_C, _D, ym)
    tail = (y > _MIDDLE) & (y < _BIG)
    yt = y[tail]
    z = 1.0 / (yt * yt)
    result[tail] = _exp_minus_square(yt) * (_ONE_OVER_SQRT_PI - z * _ratio(_P, _Q, z)) / yt
    result[np.isnan(y)] = np.nan
    return result


def _compute(x, complement: bool):
    """erf(x) (or erfc(x) when `complement`) in float64."""
    x = np.asarray(x, dtype=np.float64)
    y = np.abs(x)
    small = y <= _SMALL
    result = np.empty_like(x)
    xs = x[small]
    erf_small = xs * _ratio(_A, _B, xs * xs)
    result[small] = 1.0 - erf_small if complement else erf_small
    large = ~small
    xl = x[large]
    tail = _erfc_of_abs(y[large])  # erfc(|x|)
    negative = xl < 0
    if complement:
        result[large] = np.where(negative, 2.0 - tail, tail)
    else:
        result[large] = np.where(negative, tail - 1.0, 1.0 - tail)
    return result


def rounded_once(name: str, compute, narrow_in_float32: bool = False):
    """The kernel `name`: `compute` on the input in float64 (without floating-point warnings), rounded
    once to the input's dtype (or written into `out`); with `narrow_in_float32`, float32 and float16 are
    computed in float32, as PyTorch's float version of an algorithm is."""
    def kernel(x, out=None):
        wide = not narrow_in_float32 or x.dtype == np.float64
        with np.errstate(all="ignore"):
            result = compute(np.asarray(x, dtype=np.float64 if wide else np.float32))
            if out is None:
                return np.asarray(result).astype(x.dtype, copy=False)
            np.copyto(out, result, casting="unsafe")
        return out
    kernel.__name__ = kernel.__qualname__ = name
    kernel.__doc__ = f"Elementwise {name}, rounded once to `x`'s dtype."
    return kernel


erf = rounded_once("erf", lambda x: _compute(x, complement=False))
erfc = rounded_once("erfc", lambda x: _compute(x, complement=True))
