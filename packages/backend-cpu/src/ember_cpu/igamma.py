"""igamma and igammac, the regularized lower and upper incomplete gamma functions P(a, x) and Q(a, x), which
numpy lacks: PyTorch's calc_igamma/calc_igammac (its ATen Math.h, after SciPy's igam.c) over whole arrays
in float64, each element taking the branch PyTorch's takes (Temme's uniform asymptotic expansion where
a ~ x is large, the power series, the continued fraction, the series of Q for small x) and, for float32 and
float16 operands, stopping where PyTorch's float version stops (at float's epsilon), each series
iterated over cache-sized chunks of the elements still converging and each formula over cache-sized slices
(numpy's cost is in its passes over memory); rounded once to the operands' dtype."""
from __future__ import annotations

import math
from functools import partial

import numpy as np

from ember import _igamma_series as igs

from .erf import erfc as _erfc
from .layout import laid_out
from .special import lgamma_positive

_BIG = igs.BIG["double"]
_BIGINV = 1 / _BIG
_CHUNK = 1 << 15  # elements a series is iterated on at a time
_SLICE = 1 << 15  # elements a formula is computed on at a time
_D = np.array(igs.ASYMPTOTIC_D)


def _log1pmx(x):
    return np.log1p(x) - x


def _lgamma1p(a):
    """lgamma(1 + a), by its Taylor series near a = 0 (where math.lgamma loses digits C's lgamma keeps)."""
    near = np.abs(a) < igs.LGAMMA1P_RADIUS
    taylor = np.zeros_like(a)
    for coefficient in reversed(igs.LGAMMA1P_TAYLOR):
        taylor = (taylor + coefficient) * a
    return np.where(near, taylor, lgamma_positive(np.where(near, 1.0, 1 + a)))


def _rational(x, numerator, denominator):
    """Boost's ratevl: numerator(x) / denominator(x), coefficients highest power first, evaluated in 1 / x
    where |x| > 1 (the degrees are equal)."""
    result = np.empty_like(x)
    for inverse in (False, True):
        chosen = np.flatnonzero((np.abs(x) > 1) == inverse)
        y = 1 / x.take(chosen) if inverse else x.take(chosen)
        top, bottom = np.zeros_like(y), np.zeros_like(y)
        for k in range(len(numerator)):
            power = -1 - k if inverse else k
            top = top * y + numerator[power]
            bottom = bottom * y + denominator[power]
        result[chosen] = top / bottom
    return result


def _sliced(compute):
    """`compute`, elementwise on 1-D arrays (and options by keyword), run _SLICE elements at a time so that
    the arrays numpy makes along the way stay in the cache."""
    def sliced(*arrays, **options):
        if arrays[0].size <= _SLICE:
            return compute(*arrays, **options)
        return np.concatenate([compute(*(array[start:start + _SLICE] for array in arrays), **options)
                               for start in range(0, arrays[0].size, _SLICE)])
    sliced.__name__ = sliced.__qualname__ = compute.__name__
    sliced.__doc__ = compute.__doc__
    return sliced


def _fill(result, mask, compute, a, x):
    """``result[mask] = compute(a[mask], x[mask])``, through the indices of `mask` (numpy's boolean indexing
    costs several times more)."""
    chosen = np.flatnonzero(mask)
    if chosen.size:
        result[chosen] = compute(a.take(chosen), x.take(chosen))


@_sliced
def _logged_prefactor(a, x, narrow):
    """x^a e^-x / Gamma(a) from logarithms, 0 where that underflows (below float's exp range when `narrow`,
    as PyTorch's float version)."""
    logged = a * np.log(x) - x - lgamma_positive(a)
    return np.where(logged < -igs.MAXLOG["float" if narrow else "double"], 0.0, np.exp(logged))


@_sliced
def _lanczos_prefactor(a, x):
    """x^a e^-x / Gamma(a) by the Lanczos approximation, for x near a."""
    fac = a + igs.LANCZOS_G - 0.5
    scale = np.sqrt(fac / math.e) / _rational(a, igs.LANCZOS_NUM, igs.LANCZOS_DENOM)
    moderate = (a < 200) & (x < 200)
    numfac = (x - a - igs.LANCZOS_G + 0.5) / fac
    return scale * np.where(moderate, np.exp(a - x) * (x / fac) ** a,
                            np.exp(a * _log1pmx(numfac) + x * (0.5 - igs.LANCZOS_G) / fac))


def _prefactor(a, x, narrow):
    """x^a e^-x / Gamma(a): from logarithms where x is far from a, else by the Lanczos approximation."""
    result = np.empty_like(a)
    far = np.abs(a - x) > 0.4 * np.abs(a)
    _fill(result, far, lambda a, x: _logged_prefactor(a, x, narrow=narrow), a, x)
    _fill(result, ~far, _lanczos_prefactor, a, x)
    return result


def _entering(initial, start, stop):
    """Elements start to stop of an initial state: an array, or a number for all."""
    return initial[start:stop] if isinstance(initial, np.ndarray) else np.full(stop - start, initial)


def _iterate(step, value, **state):
    """Run ``step(s)`` up to MAX_ITERATIONS times on each element: `s` holds the arrays of `state` (of one
    length; a number stands for an array of it) for at most _CHUNK elements, which `step` updates in place,
    returning the mask of those that have converged, whose `value` it no longer changes. The converged leave
    once they are a quarter of the chunk (or one has run out of steps), and elements still to come take their
    places, so that the chunk stays full and in the cache; after the last has entered, the chunk shrinks, so
    that a step costs about what is left. The final `value` of each element."""
    size = max(np.size(array) for array in state.values())
    final = np.empty(size, dtype=np.result_type(state[value]))
    entered = min(size, _CHUNK)
    running = {name: np.array(_entering(array, 0, entered), dtype=np.result_type(array))
               for name, array in state.items()}
    index, birth = np.arange(entered), np.zeros(entered, dtype=np.intp)  # each slot's element and first step
    iteration = oldest = 0
    while index.size:
        done = step(running)
        iteration += 1
        expiring = iteration - igs.MAX_ITERATIONS >= oldest
        if expiring:
            done |= birth <= iteration - igs.MAX_ITERATIONS
        finished = np.count_nonzero(done)
        if not finished or not (expiring or 4 * finished >= index.size):
            continue
        leaving = np.flatnonzero(done)
        final[index.take(leaving)] = running[value].take(leaving)
        fresh = min(leaving.size, size - entered)
        if fresh:
            slots = leaving[:fresh]
            for name, array in running.items():
                array[slots] = _entering(state[name], entered, entered + fresh)
            index[slots] = np.arange(entered, entered + fresh)
            birth[slots] = iteration
            entered += fresh
        if fresh < leaving.size:
            kept = np.ones(index.size, dtype=bool)
            kept[leaving[fresh:]] = False
            keep = np.flatnonzero(kept)
            running = {name: array.take(keep) for name, array in running.items()}
            index, birth = index.take(keep), birth.take(keep)
        oldest = birth.min(initial=iteration)
    return final


def _machep(narrow):
    """The relative size of the last term the series and the continued fraction add: float's when `narrow`,
    as PyTorch's float version stops (and the OpenCL kernels), double's otherwise."""
    return igs.MACHEP["float" if narrow else "double"]


def _series_step(s, machep):
    r, c, total = s["r"], s["c"], s["total"]
    r += 1
    c *= np.divide(s["x"], r)
    total += c
    done = c <= np.multiply(total, machep)
    np.copyto(c, 0.0, where=done)  # the total then stays
    return done


def _lower_series(a, x, narrow):
    """P(a, x) by its power series (DLMF 8.11.4)."""
    total = _iterate(partial(_series_step, machep=_machep(narrow)), "total", x=x, r=a, c=1.0, total=1.0)
    prefactor = _prefactor(a, x, narrow)
    return np.where(prefactor == 0, 0.0, total * prefactor / a)


def _upper_series_step(s, machep):
    s["n"] += 1
    s["fac"] *= -s["x"] / s["n"]
    term = s["fac"] / (s["a"] + s["n"])
    s["total"] += term
    done = np.abs(term) <= machep * np.abs(s["total"])
    np.copyto(s["fac"], 0.0, where=done)  # the total then stays
    return done


def _upper_series(a, x, narrow):
    """Q(a, x) for small x by DLMF 8.7.3, which avoids the cancellation of 1 - P; lgamma(1 + a) of 1 + a
    rounded as PyTorch's (in float when `narrow`)."""
    total = _iterate(partial(_upper_series_step, machep=_machep(narrow)), "total", a=a, x=x, n=0.0, fac=1.0,
                     total=0.0)
    return _upper_series_value(a, x, total, narrow=narrow)


@_sliced
def _upper_series_value(a, x, total, narrow):
    """Q(a, x) from the series' `total`."""
    log_x = np.log(x)
    rounded = (1 + a).astype(np.float32 if narrow else np.float64) - 1.0
    return -np.expm1(a * log_x - _lgamma1p(rounded)) - np.exp(a * log_x - lgamma_positive(a)) * total


def _continued_fraction_step(s, machep):
    """One step of the continued fraction, the arrays it drops (pkm2, qkm2) reused as scratch."""
    c, y, z, done = s["c"], s["y"], s["z"], s["done"]
    c += 1
    y += 1
    z += 2
    yc = y * c
    pk = s["pkm1"] * z
    pk -= np.multiply(s["pkm2"], yc, out=s["pkm2"])
    qk = s["qkm1"] * z
    qk -= np.multiply(s["qkm2"], yc, out=yc)
    r = pk / qk
    change = np.subtract(s["answer"], r, out=s["qkm2"])
    change /= r
    converged = np.abs(change, out=change) <= machep  # never where qk = 0 (r is inf or NaN)
    np.copyto(s["answer"], r, where=np.greater(qk != 0, done))
    s["pkm2"], s["pkm1"], s["qkm2"], s["qkm1"] = s["pkm1"], pk, s["qkm1"], qk
    big = np.abs(pk, out=r) > _BIG
    if big.any():
        for name in ("pkm2", "pkm1", "qkm2", "qkm1"):
            np.multiply(s[name], _BIGINV, out=s[name], where=big)
    done |= converged
    return done


def _upper_continued_fraction(a, x, narrow):
    """Q(a, x) by its continued fraction (DLMF 8.9.2), rescaled when its terms grow past BIG."""
    y = 1 - a
    z = x + y + 1
    answer = _iterate(partial(_continued_fraction_step, machep=_machep(narrow)), "answer", c=0.0, y=y, z=z,
                      pkm2=1.0, qkm2=x, pkm1=x + 1, qkm1=z * x, answer=(x + 1) / (z * x), done=False)
    prefactor = _prefactor(a, x, narrow)
    return np.where(prefactor == 0, 0.0, answer * prefactor)


@_sliced
def _asymptotic(a, x, lower, narrow):
    """P (`lower`) or Q by Temme's uniform asymptotic expansion in 1 / a (DLMF 8.12.3, 8.12.4), where a is
    large and x near it: the sum of its terms until one grows or stops adding to the sum."""
    machep = _machep(narrow)
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
            adding &= ~(np.abs(term) < machep * np.abs(ck))
        term = ck * afac
        size = np.abs(term)
        summing &= ~(size > previous)
        total = np.where(summing, total + term, total)
        summing &= ~(size < machep * np.abs(total))
        previous, afac = size, afac / a
    return result + sign * np.exp(-0.5 * a * eta * eta) * total / np.sqrt(2 * igs.PI_FLOAT * a)


def _asymptotic_regime(a, x):
    """Where a ~ x is large enough for the uniform expansion (decided only where a is past SMALL)."""
    regime = a > igs.SMALL
    large = np.flatnonzero(regime)
    a, x = a.take(large), x.take(large)
    ratio = np.abs(x - a) / a
    regime[large] = (((a < igs.LARGE) & (ratio < igs.SMALL_RATIO))
                     | ((a > igs.LARGE) & (ratio < igs.LARGE_RATIO / np.sqrt(a))))
    return regime


def _edges(a, x, lower):
    """PyTorch's values of P (`lower`) or Q on the edges of the domain (SciPy's), in its order of tests: NaN
    for a negative operand, for a = x = 0 and for a = x = inf (a NaN operand gives NaN unless a test before
    it decides: igamma(NaN, 0) is 0)."""
    at_zero_a, at_zero_x, at_infinite_a, at_infinite_x = (1.0, 0.0, 0.0, 1.0) if lower else (0.0, 1.0, 1.0, 0.0)
    value = np.full(a.shape, np.nan)
    value = np.where(np.isinf(x), at_infinite_x, value)
    value = np.where(np.isinf(a), np.where(np.isinf(x), np.nan, at_infinite_a), value)
    value = np.where(x == 0, at_zero_x, value)
    value = np.where(a == 0, np.where(x > 0, at_zero_a, np.nan), value)
    return np.where((x < 0) | (a < 0), np.nan, value)


# The methods PyTorch's calc_igamma and calc_igammac choose among, as codes: each _COMPLEMENT added to a
# code stands for one 1 - value (calc_igamma takes 1 - calc_igammac where x > 1 and x > a, which in turn may
# take 1 - the power series).
_EDGE, _ASYMPTOTIC, _POWER_SERIES, _CONTINUED_FRACTION, _UPPER_SERIES = range(5)
_COMPLEMENT = 8


def _upper_methods(a, x):
    """calc_igammac's choice inside the domain: the asymptotic expansion, 1 - the power series, the
    continued fraction or the series of Q for small x."""
    small_x = x <= 0.5
    series_is_stable = np.where(small_x, -0.4 / np.log(np.where(small_x, x, 0.5)) < a, x * 1.1 < a)
    method = np.where(series_is_stable, _COMPLEMENT + _POWER_SERIES, _UPPER_SERIES)
    method = np.where(x > 1.1, np.where(x < a, _COMPLEMENT + _POWER_SERIES, _CONTINUED_FRACTION), method)
    return np.where(_asymptotic_regime(a, x), _ASYMPTOTIC, method)


@_sliced
def _methods(a, x, lower):
    """The method of each element, of P (`lower`, calc_igamma's choice) or Q."""
    if lower:  # 1 - calc_igammac's value where x > 1 and x > a: there x > a rules out its power series
        upper = np.where(x > 1.1, _COMPLEMENT + _CONTINUED_FRACTION, _COMPLEMENT + _UPPER_SERIES)
        method = np.where((x > 1) & (x > a), upper, _POWER_SERIES)
        method = np.where(_asymptotic_regime(a, x), _ASYMPTOTIC, method)
    else:
        method = _upper_methods(a, x)
    interior = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    return np.where(interior, method, _EDGE).astype(np.int8)


def _by_method(a, x, method, lower, narrow):
    """P (`lower`) or Q of elements that share `method`."""
    complements, method = divmod(int(method), _COMPLEMENT)
    if method == _EDGE:
        return _edges(a, x, lower)
    if method == _ASYMPTOTIC:
        value = _asymptotic(a, x, lower=lower, narrow=narrow)
    elif method == _POWER_SERIES:
        value = _lower_series(a, x, narrow)
    elif method == _CONTINUED_FRACTION:
        value = _upper_continued_fraction(a, x, narrow)
    else:
        value = _upper_series(a, x, narrow)
    for _ in range(complements):
        value = 1 - value
    return value


def _incomplete_gamma(a, x, narrow, lower):
    """P (`lower`) or Q of 1-D a and x, each element by PyTorch's method for it."""
    methods = _methods(a, x, lower=lower)
    result = np.empty_like(a)
    for method in np.flatnonzero(np.bincount(methods, minlength=1)):
        _fill(result, methods == method, partial(_by_method, method=method, lower=lower, narrow=narrow), a, x)
    return result


def _rounded_once(name: str, compute):
    """The kernel `name` ``f(a, b, out=None)``: `compute` on the operands (buffers or Python numbers) in
    float64, broadcast, rounded once to their dtype or written into `out`; float32 and float16 operands
    with float's underflow and rounding of 1 + a, as PyTorch's float version (float16 computes in float)."""
    def kernel(a, b, out=None):
        dtype = (a if isinstance(a, np.ndarray) else b).dtype
        with np.errstate(all="ignore"):  # a number is rounded to the buffer's dtype first (1e39 to inf)
            wide_a, wide_b = np.broadcast_arrays(*(np.asarray(o, dtype=dtype).astype(np.float64, copy=False)
                                                   for o in (a, b)))
            result = compute(wide_a.ravel(), wide_b.ravel(), dtype != np.float64).reshape(wide_a.shape)
            if out is not None:
                np.copyto(out, result, casting="unsafe")
                return out
            return laid_out(result.astype(dtype, copy=False), a, b)
    kernel.__name__ = kernel.__qualname__ = name
    kernel.__doc__ = f"Elementwise {name}(a, x), broadcasting, rounded once to the operands' dtype."
    return kernel


igamma = _rounded_once("igamma", partial(_incomplete_gamma, lower=True))
igammac = _rounded_once("igammac", partial(_incomplete_gamma, lower=False))
