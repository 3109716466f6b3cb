"""The samplers of PyTorch's CPU kernels (ATen's ``DistributionsHelper.h``, ``TransformationHelper.h``,
``cpu/DistributionTemplates.h``, ``randperm_cpu``, ``multinomial_with_replacement``) over an `MT19937Engine`,
word for word: each draws the words PyTorch draws, in its order, and transforms them as it does (double
transcendental functions through the C library, as ATen's). The fills return flat numpy arrays of `n`
values; the samplers over parameter arrays (gamma, Dirichlet, Poisson, binomial) keep the parameters' shape.
"""
from __future__ import annotations

import array
import math
import types

import numpy as np

from ._avx_mathfun import fma, log256_ps, sincos256_ps
from ._mt19937 import MT19937Engine

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_DIGITS = {"float16": 11, "float32": 24, "float64": 53}


def _libm(name: str):
    """The C library's double function `name` (numpy's own differ from it in the last bit), element by element."""
    function = getattr(math, name)

    def apply(x) -> np.ndarray:
        x = np.ascontiguousarray(x, np.float64)
        return np.fromiter(map(function, memoryview(x.reshape(-1))), np.float64, x.size).reshape(x.shape)
    return apply


_log, _log1p, _cos, _sin, _tan, _exp = (_libm(name) for name in ("log", "log1p", "cos", "sin", "tan", "exp"))
# the same functions over numpy arrays and over Python floats (a few values cost less as floats)
_ARRAYS = types.SimpleNamespace(sqrt=np.sqrt, log1p=_log1p, cos=_cos, sin=_sin)
_FLOATS = types.SimpleNamespace(sqrt=math.sqrt, log1p=math.log1p, cos=math.cos, sin=math.sin)


def _split(x):
    """Veltkamp's split of doubles (an array or a float) into high and low halves of 26 bits each."""
    t = x * 134217729.0
    high = t - (t - x)
    return high, x - high


def _fma(a, b: float, c: float):
    """Double a * b + c with one rounding, as the fused multiply-add PyTorch's build uses (the product's
    rounding error recovered exactly with Dekker's product and added back after the sum), for a float64
    array or a float `a`."""
    product = a * b
    (a_high, a_low), (b_high, b_low) = _split(a), _split(float(b))
    error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    total = product + c
    virtual = total - product
    rounding = (product - (total - virtual)) + (c - virtual)
    return total + (rounding + error)


def _unit(engine: MT19937Engine, n: int, dtype: np.dtype) -> np.ndarray:
    """``uniform_real_distribution<T>(0, 1)``: the low mantissa-many bits of a word, scaled to [0, 1): 53 of a
    64-bit word in double, else 24 of a 32-bit word in float (half draws as float, PyTorch's opmath type).
    Made in place over the words (the masked words convert exactly, as signed integers)."""
    wide = dtype == _F64
    words = engine.random64(n) if wide else engine.random(n)
    signed, digits, unit = (np.int64, 53, _F64) if wide else (np.int32, 24, _F32)
    words &= words.dtype.type((1 << digits) - 1)
    values = words.view(unit)
    np.copyto(values, words.view(signed), casting="unsafe")
    values *= unit.type(2.0 ** -digits)
    return values


def uniform(engine: MT19937Engine, n: int, low: float, high: float, dtype: np.dtype) -> np.ndarray:
    """``uniform_``: x * (to - from) + from (fused) in float (double for double), cast to the dtype, where that
    rounds up to `to` (half) `from` instead."""
    values = _unit(engine, n, dtype)
    if (low, high) != (0.0, 1.0):  # else x * 1 + 0 is x
        if dtype == _F64:
            values = _fma(values, high - low, low)
        else:
            start, stop = _F32.type(low), _F32.type(high)
            values = fma(values, stop - start, start)
    elif dtype in (_F32, _F64):  # x < 1 already
        return values
    values = values.astype(dtype, copy=False)
    return np.where(values == dtype.type(high), dtype.type(low), values)


def _double_normals(engine: MT19937Engine, n: int) -> np.ndarray:
    """`n` draws of ``normal_distribution<double>`` (standard): the cached sample first, then Box-Muller pairs
    (cosine now, sine cached) from two double uniforms each; a few pairs as Python floats."""
    head: list[float] = []
    if n and engine.next_double_normal is not None:
        head, engine.next_double_normal = [engine.next_double_normal], None
    pairs = (n - len(head) + 1) // 2
    u = _unit(engine, 2 * pairs, _F64)
    values: list[float] | np.ndarray
    if pairs <= _FEW_PAIRS:
        units = u.tolist()
        values = [value for pair in zip(units[0::2], units[1::2]) for value in _polar(*pair, _FLOATS)]
    else:
        values = np.stack(_polar(u[0::2], u[1::2], _ARRAYS), axis=1).reshape(-1)
    if (n - len(head)) % 2:
        engine.next_double_normal, values = float(values[-1]), values[:-1]
    if isinstance(values, list):
        return np.array(head + values, np.float64)
    return np.concatenate([np.asarray(head, np.float64), values])


_FEW_PAIRS = 64  # up to this many, Box-Muller pairs cost less as Python floats


def _polar(theta_unit, radius_unit, lib: types.SimpleNamespace) -> tuple:
    """Box-Muller's (radius * cos(theta), radius * sin(theta)) of two double uniforms, with `lib`'s functions."""
    radius = lib.sqrt(-2.0 * lib.log1p(-radius_unit))
    theta = 2.0 * math.pi * theta_unit
    return radius * lib.cos(theta), radius * lib.sin(theta)


def _box_muller_16(data: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``normal_fill_16`` over rows of 16 uniforms: the first 8 give the radii, the last 8 the angles (float
    rows as the AVX2 build's ``normal_fill_16_AVX2``), a block of rows at a time (its temporaries in cache)."""
    out = np.empty(data.shape, dtype)
    for start in range(0, len(data), _ROWS):
        block = data[start:start + _ROWS]
        u1, u2 = 1 - block[:, :8], block[:, 8:]
        if dtype == _F32:
            radius = log256_ps(u1)
            radius *= np.float32(-2)
            np.sqrt(radius, out=radius)
            sin, cos = sincos256_ps(np.float32(2.0 * math.pi) * u2)
        else:
            radius = np.sqrt(-2 * _log(u1))
            theta = 2.0 * math.pi * u2
            sin, cos = _sin(theta), _cos(theta)
        np.multiply(radius, cos, out=out[start:start + _ROWS, :8])
        np.multiply(radius, sin, out=out[start:start + _ROWS, 8:])
    return out


_ROWS = 2048  # rows of 16 uniforms transformed at a time


def _scaled(values: np.ndarray, std: float, mean: float, dtype: np.dtype) -> np.ndarray:
    """Standard normal `values` (float or double) as value * std + mean (fused), cast to the dtype."""
    if (std, mean) != (1.0, 0.0):  # else value * 1 + 0 is the value
        if values.dtype == _F32:
            values = fma(values, np.float32(std), np.float32(mean))
        elif values.size <= _FEW_FMAS:
            values = np.array([_fma(value, std, mean) for value in values.tolist()], np.float64)
        else:
            values = _fma(values, std, mean)
    return values.astype(dtype, copy=False)


_FEW_FMAS = 16  # up to this many, double fused multiply-adds cost less as Python floats


def normal(engine: MT19937Engine, n: int, mean: float, std: float, dtype: np.dtype,
           contiguous: bool = True) -> np.ndarray:
    """``normal_``: of 16 or more elements of a contiguous tensor, all uniforms first, then Box-Muller over each
    16 (and over 16 fresh uniforms for the last 16 when 16 does not divide n: for half, over the leftover
    uniforms followed by fresh ones); else one cached double normal each."""
    if n < 16 or not contiguous:
        return _scaled(_double_normals(engine, n), std, mean, dtype)
    half = dtype not in (_F32, _F64)  # drawn as float; its last 16 from the leftover uniforms and fresh ones
    work = _F32 if half else dtype
    data = _unit(engine, n, work)
    whole = n - n % 16
    out = _box_muller_16(data[:whole].reshape(-1, 16), work).reshape(-1)
    if n % 16:
        last = _unit(engine, 16 - n % 16 if half else 16, work)
        tail = _box_muller_16((np.concatenate([data[whole:], last]) if half else last).reshape(1, 16), work)
        out = np.concatenate([out[:n - 16], tail.reshape(-1)])
    return _scaled(out, std, mean, dtype)


def random(engine: MT19937Engine, n: int, dtype: np.dtype) -> np.ndarray:
    """``random_()``: [0, 2**digits] for a float dtype, [0, max] for an integer one, 0/1 for bool (a 64-bit
    word for int64 and double, a 32-bit one otherwise)."""
    if dtype.kind == "b":
        return (engine.random(n) & np.uint64(1)).astype(dtype)
    wide = dtype in (_F64, np.dtype(np.int64))
    words = engine.random64(n) if wide else engine.random(n)
    span = (1 << _DIGITS[dtype.name]) + 1 if dtype.kind == "f" else int(np.iinfo(dtype).max) + 1
    return (words % np.uint64(span)).astype(dtype)


def from_to(engine: MT19937Engine, n: int, low: int, high: int, dtype: np.dtype) -> np.ndarray:
    """``random_(from, to)`` and ``randint``: (word % range) + from, a 64-bit word only for a range of 2**32
    or more in int64, double or float."""
    span = high - low
    wide = span >= 1 << 32 and dtype in (_F32, _F64, np.dtype(np.int64))
    words = engine.random64(n) if wide else engine.random(n)
    values = ((words % np.uint64(span)) + np.uint64(low & 0xFFFF_FFFF_FFFF_FFFF)).view(np.int64)
    return values.astype(dtype)


def bernoulli_scalar(engine: MT19937Engine, n: int, p: float, dtype: np.dtype) -> np.ndarray:
    """``bernoulli_(p)`` for a number p: a double uniform below p."""
    return (_unit(engine, n, _F64) < p).astype(dtype)


def bernoulli_tensor(engine: MT19937Engine, p: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``bernoulli_(p)`` for probabilities `p` (flat, one per element): a double uniform below p for double p,
    a float one otherwise."""
    accurate = p.dtype == _F64
    u = _unit(engine, p.size, _F64 if accurate else _F32)
    return (u < p.astype(_F64 if accurate else _F32)).astype(dtype)


def exponential(engine: MT19937Engine, n: int, lambd: float, dtype: np.dtype) -> np.ndarray:
    """``exponential_``: -1/lambda * log1p(-u) of a double uniform."""
    return (-1.0 / lambd * _log1p(-_unit(engine, n, _F64))).astype(dtype)


def geometric(engine: MT19937Engine, n: int, p: float, dtype: np.dtype) -> np.ndarray:
    """``geometric_``: ceil(log(u) / log1p(-p)) of a double uniform."""
    return np.ceil(_log(_unit(engine, n, _F64)) / math.log1p(-p)).astype(dtype)


def cauchy(engine: MT19937Engine, n: int, median: float, sigma: float, dtype: np.dtype) -> np.ndarray:
    """``cauchy_``: median + sigma * tan(pi * (u - 1/2)) (fused) of a double uniform."""
    return _fma(_tan(math.pi * (_unit(engine, n, _F64) - 0.5)), sigma, median).astype(dtype)


def log_normal(engine: MT19937Engine, n: int, mean: float, std: float, dtype: np.dtype) -> np.ndarray:
    """``log_normal_``: exp of a ``normal_distribution<double>`` draw each."""
    return _exp(_fma(_double_normals(engine, n), std, mean)).astype(dtype)


def randperm(engine: MT19937Engine, n: int) -> np.ndarray:
    """``randperm_cpu``: Fisher-Yates from the front, swapping i with i + word % (n - i); swap by swap for a
    few elements, else `_swapped` all at once."""
    steps = max(n - 1, 0)
    start = np.arange(steps, dtype=np.uint64)
    partners = (start + engine.random(steps) % (np.uint64(n) - start)).view(np.int64)
    if n < _FEW_SWAPS:
        order = array.array("q", range(n))
        for i, j in enumerate(partners.tolist()):
            order[i], order[j] = order[j], order[i]
        return np.frombuffer(order, np.int64)
    return _swapped(partners, n)


_FEW_SWAPS = 1024


def _swapped(partners: np.ndarray, n: int) -> np.ndarray:
    """0..n-1 after swapping i with partners[i] (>= i) for each i in turn, without a loop: step i leaves at i
    what its partner position held (the value the previous step aiming there left, or the position's own),
    and leaves at its partner the value i held just before (found by following those steps back)."""
    steps = len(partners)
    keys = np.sort(partners * n + np.arange(steps, dtype=np.int64))  # the steps by partner, then in order
    target, step = np.divmod(keys, n)
    follows = target[1:] == target[:-1]  # a step aiming where the one before it in `keys` aimed
    # what each position holds just before its own step: left by the last earlier step aiming at it
    last = np.flatnonzero(np.append(~follows, True))
    own = step[last] == target[last]  # that last step is the position's own (swapping with itself)
    usable = ~own | np.append(False, follows)[last]
    chosen = last[usable] - own[usable]
    held = np.arange(n, dtype=np.int64)
    held[target[chosen]] = step[chosen]
    while True:  # follow each chain of steps back to a position never written before its step
        deeper = held[held]
        if np.array_equal(deeper, held):
            break
        held = deeper
    result = np.empty(n, np.int64)
    result[:steps] = partners
    result[step[1:][follows]] = held[step[:-1][follows]]
    result[n - 1] = held[n - 1]
    return result


def multinomial_with_replacement(engine: MT19937Engine, rows: np.ndarray, samples: int) -> np.ndarray:
    """``multinomial_with_replacement_apply``: per row, the running sum in the row's dtype divided by the
    total, its last bucket set to 1, and for each double uniform the first bucket not below it."""
    result = np.empty((rows.shape[0], samples), np.int64)
    for i, row in enumerate(rows):
        running = np.cumsum(row.astype(np.float32) if row.dtype == np.float16 else row)
        total = running[-1]
        if total > 0:
            running = running / total
        running[-1] = 1
        result[i] = np.searchsorted(running.astype(np.float64), _unit(engine, samples, _F64), side="left")
    return result


def _gamma_one(engine: MT19937Engine, alpha: float, rounded) -> float:
    """``sample_gamma``: Marsaglia and Tsang's rejection from double normals and uniforms, alpha < 1 boosted
    by U^(1/alpha); `rounded` rounds to the sample's scalar type where ATen computes in it."""
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0:
            return 0.0
        scale *= math.pow(1 - float(_unit(engine, 1, _F64)[0]), rounded(1.0 / alpha))
        alpha = rounded(alpha + 1.0)
    d = rounded(alpha - _ONE_THIRD)
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        y = 0.0
        while y <= 0:
            x = float(_double_normals(engine, 1)[0])
            y = 1.0 + c * x
        v = y * y * y
        u = 1 - float(_unit(engine, 1, _F64)[0])
        xx = x * x
        if u < 1.0 - _SQUEEZE * xx * xx or math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return rounded(scale * d * v)


_ONE_THIRD = float(np.float32(1.0) / np.float32(3.0))  # ATen's 1.0f / 3.0f
_SQUEEZE = float(np.float32(0.0331))  # ATen's 0.0331f


def standard_gamma(engine: MT19937Engine, alphas: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``_s_gamma_cpu``: one `sample_gamma` per alpha in order, at least the dtype's smallest normal (of
    `alphas`' shape)."""
    def rounded(value: float) -> float:
        return float(dtype.type(value))
    tiny = float(np.finfo(dtype).tiny)
    draws = [max(tiny, _gamma_one(engine, rounded(a), rounded)) for a in alphas.reshape(-1).tolist()]
    return np.array(draws, dtype=dtype).reshape(alphas.shape)


def dirichlet(engine: MT19937Engine, alphas: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``_s_dirichlet_cpu``: double gamma draws (at least double's smallest normal) over their sum along the
    last dim, cast to the dtype and clamped into [smallest normal, the float below 1]."""
    gammas = np.array([max(float(np.finfo(_F64).tiny), _gamma_one(engine, a, float))
                       for a in alphas.astype(_F64).reshape(-1).tolist()]).reshape(alphas.shape)
    ratios = (gammas / gammas.sum(-1, keepdims=True)).astype(dtype)
    return np.clip(ratios, np.finfo(dtype).tiny, np.nextafter(dtype.type(1), dtype.type(0)))


def _poisson_one(engine: MT19937Engine, lam: float) -> int:
    """``sample_poisson``: Hoermann's transformed rejection for lambda >= 10, else multiplying uniforms until
    the product falls to exp(-lambda)."""
    def uniform() -> float:
        return float(_unit(engine, 1, _F64)[0])
    if lam >= 10:
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = uniform() - 0.5
            v = uniform()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            bound = -lam + k * loglam - math.lgamma(k + 1.0)
            if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= bound:
                return k
    if lam == 0:
        return 0
    count, product, limit = 0, 1.0, math.exp(-lam)
    while True:
        product *= uniform()
        if product <= limit:
            return count
        count += 1


def poisson(engine: MT19937Engine, rates: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``_s_poisson_cpu``: one `sample_poisson` per rate (as a double) in order (of `rates`' shape)."""
    counts = [_poisson_one(engine, r) for r in rates.astype(_F64).reshape(-1).tolist()]
    return np.array(counts, dtype=dtype).reshape(rates.shape)


_STIRLING_TAILS = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
                   0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
                   0.00925546218271273, 0.00833056343336287)


def _stirling_tail(k: float) -> float:
    """``stirling_approx_tail``: log k! minus Stirling's approximation (a table up to 9)."""
    if k <= 9:
        return _STIRLING_TAILS[int(k)]
    square = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / square) / square) / (k + 1)


def _binomial_inversion(engine: MT19937Engine, count: float, prob: float, rounded) -> float:
    """``binomial_inversion``: geometric gaps ceil(log u / log1p(-p)) counted until they pass `count`."""
    total, successes = 0.0, 0.0
    log_q = math.log1p(-prob)
    while True:
        total += math.ceil(math.log(float(_unit(engine, 1, _F64)[0])) / log_q)
        if total > count:
            return successes
        successes = rounded(successes + 1)


def _btrs(engine: MT19937Engine, count: float, prob: float, rounded) -> float:
    """``btrs``: Hoermann's transformed rejection with squeeze, for count * prob >= 10."""
    spread = math.sqrt(rounded(rounded(count * prob) * rounded(1 - prob)))
    b = 1.15 + 2.53 * spread
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    odds = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * spread
    m = math.floor((count + 1) * prob)
    while True:
        u = float(_unit(engine, 1, _F64)[0]) - 0.5
        v = float(_unit(engine, 1, _F64)[0])
        us = 0.5 - abs(u)
        k = rounded(math.floor((2 * a / us + b) * u + c))
        if k < 0 or k > count:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = math.log(v * alpha / (a / (us * us) + b))
        bound = ((m + 0.5) * math.log((m + 1) / (odds * (count - m + 1)))
                 + (count + 1) * math.log((count - m + 1) / (count - k + 1))
                 + (k + 0.5) * math.log(odds * (count - k + 1) / (k + 1))
                 + _stirling_tail(m) + _stirling_tail(count - m) - _stirling_tail(k) - _stirling_tail(count - k))
        if v <= bound:
            return k


def _binomial_one(engine: MT19937Engine, count: float, prob: float, rounded) -> float:
    """``sample_binomial``: 0 for no trials or p <= 0, all for p >= 1, else BTRS or inversion on the smaller of
    p and 1 - p."""
    if count <= 0.0 or prob <= 0.0:
        return 0.0
    if prob >= 1.0:
        return count
    if prob <= 0.5:
        sampler = _btrs if rounded(count * prob) >= 10.0 else _binomial_inversion
        return sampler(engine, count, prob, rounded)
    q = rounded(1.0 - prob)
    sampler = _btrs if rounded(count * q) >= 10.0 else _binomial_inversion
    return rounded(count - sampler(engine, count, q, rounded))


def binomial(engine: MT19937Engine, counts: np.ndarray, probs: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``_s_binomial_cpu``: one `sample_binomial` per (count, prob) pair of the same shape, in order, in the
    dtype's arithmetic where ATen's is."""
    def rounded(value: float) -> float:
        return float(dtype.type(value))
    pairs = zip(counts.reshape(-1).tolist(), probs.reshape(-1).tolist())
    draws = [_binomial_one(engine, c, p, rounded) for c, p in pairs]
    return np.array(draws, dtype=dtype).reshape(counts.shape)
