"""igamma and igammac, the regularized lower and upper incomplete gamma functions P(a, x) and Q(a, x), which
numpy lacks: PyTorch's calc_igamma/calc_igammac (its ATen Math.h, after SciPy's igam.c) over whole arrays
in float64, each element taking the branch PyTorch's takes (Temme's uniform asymptotic expansion where
a ~ x is large, the power series, the continued fraction, the series of Q for small x), every loop running
until its last element has converged; rounded once to the operands' dtype."""
from __future__ import annotations

import math

import numpy as np

from ember import _igamma_series as igs

from .erf import erfc as _erfc
from .layout import laid_out
from .special import _lgamma

_MACHEP, _BIG = igs.MACHEP["double"], igs.BIG["double"]
_BIGINV = 1 / _BIG
_D = np.array(igs.ASYMPTOTIC_D)


def _log1pmx(x):
    return np.log1p(x) - x


def _lgamma1p(a):
    """lgamma(1 + a), by its Taylor series near a = 0 (where math.lgamma loses digits C's lgamma keeps)."""
    near = np.abs(a) < igs.LGAMMA1P_RADIUS
    taylor = np.zeros_like(a)
    for coefficient in reversed(igs.LGAMMA1P_TAYLOR):
        taylor = (taylor + coefficient) * a
    return np.where(near, taylor, _lgamma(np.where(near, 1.0, 1 + a)))


def _rational(x, numerator, denominator):
    """Boost's ratevl: numerator(x) / denominator(x), coefficients highest power first, evaluated in 1 / x
    where |x| > 1 (the degrees are equal)."""
    inverse = np.abs(x) > 1
    y = np.where(inverse, 1 / np.where(inverse, x, 1.0), x)
    top, bottom = np.zeros_like(x), np.zeros_like(x)
    for k in range(len(numerator)):
        top = top * y + np.where(inverse, numerator[-1 - k], numerator[k])
        bottom = bottom * y + np.where(inverse, denominator[-1 - k], denominator[k])
    return top / bottom


def _prefactor(a, x, narrow):
    """x^a e^-x / Gamma(a): from logarithms where x is far from a (0 where that underflows: below float's
    exp range when `narrow`, as PyTorch's float version), else by the Lanczos approximation."""
    far = np.abs(a - x) > 0.4 * np.abs(a)
    lgamma_a = np.zeros_like(a)
    lgamma_a[far] = _lgamma(a[far])
    logged = a * np.log(x) - x - lgamma_a
    fac = a + igs.LANCZOS_G - 0.5
    scale = np.sqrt(fac / math.e) / _rational(a, igs.LANCZOS_NUM, igs.LANCZOS_DENOM)
    moderate = (a < 200) & (x < 200)
    numfac = (x - a - igs.LANCZOS_G + 0.5) / fac
    near = scale * np.where(moderate, np.exp(a - x) * (x / fac) ** a,
                            np.exp(a * _log1pmx(numfac) + x * (0.5 - igs.LANCZOS_G) / fac))
    return np.where(far, np.where(logged < -igs.MAXLOG["float" if narrow else "double"], 0.0, np.exp(logged)), near)


def _iterate(step, **state):
    """Run ``step(s)`` at most MAX_ITERATIONS times on the elements still running: `s` holds the arrays of
    `state` (all of one length) for those elements only, which `step` updates in place, returning the mask
    of those that have not converged; the converged ones are set aside, so a step costs what is left. The
    arrays' final values, in their first order."""
    final = {name: value.copy() for name, value in state.items()}
    index = np.arange(len(next(iter(state.values()))))
    for _ in range(igs.MAX_ITERATIONS):
        if not index.size:
            break
        running = step(state)
        if not running.all():
            done = index[~running]
            for name, value in state.items():
                final[name][done] = value[~running]
                state[name] = value[running]
            index = index[running]
    for name, value in state.items():
        final[name][index] = value
    return final


def _series_step(s):
    s["r"] += 1
    s["c"] *= s["x"] / s["r"]
    s["total"] += s["c"]
    return ~(s["c"] <= _MACHEP * s["total"])


def _lower_series(a, x, narrow):
    """P(a, x) by its power series (DLMF 8.11.4)."""
    total = _iterate(_series_step, x=x, r=a.copy(), c=np.ones_like(a), total=np.ones_like(a))["total"]
    prefactor = _prefactor(a, x, narrow)
    return np.where(prefactor == 0, 0.0, total * prefactor / a)


def _upper_series_step(s):
    s["n"] += 1
    s["fac"] *= -s["x"] / s["n"]
    term = s["fac"] / (s["a"] + s["n"])
    s["total"] += term
    return ~(np.abs(term) <= _MACHEP * np.abs(s["total"]))


def _upper_series(a, x, narrow):
    """Q(a, x) for small x by DLMF 8.7.3, which avoids the cancellation of 1 - P; lgamma(1 + a) of 1 + a
    rounded as PyTorch's (in float when `narrow`)."""
    total = _iterate(_upper_series_step, a=a, x=x, n=np.zeros_like(a), fac=np.ones_like(a),
                     total=np.zeros_like(a))["total"]
    log_x = np.log(x)
    rounded = (1 + a).astype(np.float32 if narrow else np.float64) - 1.0
    return -np.expm1(a * log_x - _lgamma1p(rounded)) - np.exp(a * log_x - _lgamma(a)) * total


def _continued_fraction_step(s):
    s["c"] += 1
    s["y"] += 1
    s["z"] += 2
    yc = s["y"] * s["c"]
    pk = s["pkm1"] * s["z"] - s["pkm2"] * yc
    qk = s["qkm1"] * s["z"] - s["qkm2"] * yc
    nonzero = qk != 0
    r = pk / np.where(nonzero, qk, 1.0)
    change = np.where(nonzero, np.abs((s["answer"] - r) / r), 1.0)
    s["answer"] = np.where(nonzero, r, s["answer"])
    scale = np.where(np.abs(pk) > _BIG, _BIGINV, 1.0)
    s["pkm2"], s["pkm1"] = s["pkm1"] * scale, pk * scale
    s["qkm2"], s["qkm1"] = s["qkm1"] * scale, qk * scale
    return ~(change <= _MACHEP)


def _upper_continued_fraction(a, x, narrow):
    """Q(a, x) by its continued fraction (DLMF 8.9.2), rescaled when its terms grow past BIG."""
    y = 1 - a
    z = x + y + 1
    answer = _iterate(_continued_fraction_step, c=np.zeros_like(a), y=y, z=z, pkm2=np.ones_like(a), qkm2=x.copy(),
                      pkm1=x + 1, qkm1=z * x, answer=(x + 1) / (z * x))["answer"]
    prefactor = _prefactor(a, x, narrow)
    return np.where(prefactor == 0, 0.0, answer * prefactor)


def _asymptotic(a, x, lower):
    """P (`lower`) or Q by Temme's uniform asymptotic expansion in 1 / a (DLMF 8.12.3, 8.12.4), where a is
    large and x near it: the sum of its terms until one grows or stops adding to the sum."""
    sign = -1.0 if lower else 1.0
    sigma = (x - a) / a
    eta = np.sign(sigma) * np.sqrt(-2 * _log1pmx(sigma))
    result = 0.5 * _erfc(sign * eta * np.sqrt(a / 2))
    powers = np.ones((_D.shape[1],) + a.shape)
    for n in range(1, _D.shape[1]):
        powers[n] = powers[n - 1] * eta
    total, afac = np.zeros_like(a), np.ones_like(a)
    previous = np.full_like(a, np.inf)
    summing = np.ones(a.shape, dtype=bool)
    for k in range(_D.shape[0]):
        if not summing.any():
            break
        ck = np.full_like(a, _D[k, 0])
        adding = summing.copy()
        for n in range(1, _D.shape[1]):
            if not adding.any():
                break
            term = _D[k, n] * powers[n]
            np.add(ck, term, out=ck, where=adding)
            adding &= ~(np.abs(term) < _MACHEP * np.abs(ck))
        term = ck * afac
        size = np.abs(term)
        summing &= ~(size > previous)
        total = np.where(summing, total + term, total)
        summing &= ~(size < _MACHEP * np.abs(total))
        previous, afac = size, afac / a
    return result + sign * np.exp(-0.5 * a * eta * eta) * total / np.sqrt(2 * igs.PI_FLOAT * a)


def _asymptotic_regime(a, x):
    """Where a ~ x is large enough for the uniform expansion."""
    ratio = np.abs(x - a) / a
    return (((a > igs.SMALL) & (a < igs.LARGE) & (ratio < igs.SMALL_RATIO))
            | ((a > igs.LARGE) & (ratio < igs.LARGE_RATIO / np.sqrt(a))))


def _by_branch(a, x, branches, default):
    """`default` everywhere, and ``compute(a, x)`` on the elements each mask of `branches` ((mask, compute)
    pairs, the first matching one counting) selects."""
    result = np.broadcast_to(np.asarray(default, dtype=np.float64), a.shape).copy()
    taken = np.zeros(a.shape, dtype=bool)
    for mask, compute in branches:
        chosen = mask & ~taken
        if chosen.any():
            result[chosen] = compute(a[chosen], x[chosen])
        taken |= chosen
    return result


def _boundaries(a, x, at_zero_a, at_zero_x, at_infinite_a, at_infinite_x):
    """PyTorch's values on the edges of the domain (SciPy's), in its order of tests: NaN for a negative
    operand, for a = x = 0 and for a = x = inf (a NaN operand gives NaN unless a test before it decides:
    igamma(NaN, 0) is 0); and the mask of the interior, where the series decide."""
    value = np.full(a.shape, np.nan)
    value = np.where(np.isinf(x), at_infinite_x, value)
    value = np.where(np.isinf(a), np.where(np.isinf(x), np.nan, at_infinite_a), value)
    value = np.where(x == 0, at_zero_x, value)
    value = np.where(a == 0, np.where(x > 0, at_zero_a, np.nan), value)
    value = np.where((x < 0) | (a < 0), np.nan, value)
    interior = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    return value, interior


def _upper_interior(a, x, narrow):
    """calc_igammac's choice of method inside the domain."""
    def one_minus_lower(a, x):
        return 1 - _lower_series(a, x, narrow)
    small_x = x <= 0.5
    series_is_stable = np.where(small_x, -0.4 / np.log(np.where(small_x, x, 0.5)) < a, x * 1.1 < a)
    return _by_branch(a, x, (
        (_asymptotic_regime(a, x), lambda a, x: _asymptotic(a, x, lower=False)),
        ((x > 1.1) & (x < a), one_minus_lower),
        (x > 1.1, lambda a, x: _upper_continued_fraction(a, x, narrow)),
        (series_is_stable, one_minus_lower),
        (np.ones(a.shape, dtype=bool), lambda a, x: _upper_series(a, x, narrow)),
    ), np.nan)


def _lower(a, x, narrow):
    value, interior = _boundaries(a, x, 1.0, 0.0, 0.0, 1.0)
    return _by_branch(a, x, (
        (interior & _asymptotic_regime(a, x), lambda a, x: _asymptotic(a, x, lower=True)),
        (interior & (x > 1) & (x > a), lambda a, x: 1 - _upper_interior(a, x, narrow)),
        (interior, lambda a, x: _lower_series(a, x, narrow)),
    ), value)


def _upper(a, x, narrow):
    value, interior = _boundaries(a, x, 0.0, 1.0, 1.0, 0.0)
    return _by_branch(a, x, ((interior, lambda a, x: _upper_interior(a, x, narrow)),), value)


def _rounded_once(name: str, compute):
    """The kernel `name` ``f(a, b, out=None)``: `compute` on the operands (buffers or Python numbers) in
    float64, broadcast, rounded once to their dtype or written into `out`; float32 and float16 operands
    with float's underflow and rounding of 1 + a, as PyTorch's float version (float16 computes in float)."""
    def kernel(a, b, out=None):
        dtype = (a if isinstance(a, np.ndarray) else b).dtype
        with np.errstate(all="ignore"):  # a number is rounded to the buffer's dtype first (1e39 to inf)
            wide_a, wide_b = np.broadcast_arrays(*(np.asarray(o, dtype=dtype).astype(np.float64) for o in (a, b)))
            result = compute(wide_a.copy(), wide_b.copy(), dtype != np.float64)
            if out is not None:
                np.copyto(out, result, casting="unsafe")
                return out
            return laid_out(result.astype(dtype), a, b)
    kernel.__name__ = kernel.__qualname__ = name
    kernel.__doc__ = f"Elementwise {name}(a, x), broadcasting, rounded once to the operands' dtype."
    return kernel


igamma = _rounded_once("igamma", _lower)
igammac = _rounded_once("igammac", _upper)
