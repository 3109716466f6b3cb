"""Required kernels that make buffers: empty, full, arange, uniform, normal, from_numpy/to_numpy, astype."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ember.testing.cases import LAYOUTS, SHAPES, place, random_array
from ember.testing.compare import assert_matches
from ember.testing.harness import DTYPE_NAMES, FLOAT_NAMES, NUMERIC_NAMES

CHECKED_KERNELS = ("empty", "full", "arange", "uniform", "normal", "from_numpy", "to_numpy", "astype")

FILL_VALUES = {"float16": 2.5, "float32": -0.125, "float64": 1e-3, "uint8": 200, "int8": -7, "int16": -300,
               "int32": -7, "int64": 2**40, "bool": True}


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_empty_has_the_requested_shape_and_dtype(ember_device, dtype_name):
    dtype = ember_device.dtype(dtype_name)
    for shape in SHAPES:
        result = ember_device.to_numpy(ember_device.kernels.empty(shape, dtype))
        assert (result.shape, result.dtype) == (shape, dtype.numpy), f"empty({shape}, {dtype_name})"


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_full_fills_every_element(ember_device, dtype_name):
    dtype = ember_device.dtype(dtype_name)
    value = FILL_VALUES[dtype_name]
    for shape in SHAPES:
        result = ember_device.to_numpy(ember_device.kernels.full(shape, value, dtype))
        assert_matches(result, np.full(shape, value, dtype=dtype_name),
                       f"full({shape}, {value}, {dtype_name})")


# Steps that do not divide the range are the common case: the length is ceil((stop - start) / step).
ARANGES = {
    "int": ((0, 5, 1), (2, 11, 3), (5, -5, -2), (0, 0, 1), (3, 1, 1), (-4, 4, 8), (0, 10, 3), (0, 10, 4),
            (10, 0, -4), (-7, 6, 5), (2**40, 2**40 + 7, 3)),
    "float": ((0.0, 2.5, 0.5), (-1.0, 1.0, 0.25), (3.0, -3.0, -1.5), (1.0, 1.0, 0.5), (0.0, 1.0, 0.3),
              (-1.0, 1.0, 0.7), (1.0, 2.05, 0.1), (0.0, 1.0, 0.1), (5.0, 0.0, -0.75)),
}


def _arange_reference(start, stop, step, dtype_name):
    """PyTorch's arange: ceil((stop - start) / step) values start + i * step, each computed in double."""
    count = max(0, math.ceil((stop - start) / step))
    if dtype_name in FLOAT_NAMES:
        return (start + step * np.arange(count, dtype=np.float64)).astype(dtype_name)
    return np.array([start + step * i for i in range(count)], dtype=dtype_name)


def _holds(dtype_name: str, *values) -> bool:
    """Whether an arange's bounds are values of the dtype (core passes the kernel no others)."""
    if dtype_name in FLOAT_NAMES:
        return dtype_name != "float16" or all(abs(v) <= 2**15 for v in values)
    info = np.iinfo(dtype_name)
    return all(info.min <= v <= info.max for v in values)


@pytest.mark.parametrize("dtype_name", NUMERIC_NAMES)
def test_arange_matches_pytorch(ember_device, dtype_name):
    dtype = ember_device.dtype(dtype_name)
    kinds = ("int", "float") if dtype_name in FLOAT_NAMES else ("int",)
    for start, stop, step in (bounds for kind in kinds for bounds in ARANGES[kind]):
        if not _holds(dtype_name, start, stop - step):
            continue
        result = ember_device.to_numpy(ember_device.kernels.arange(start, stop, step, dtype))
        assert_matches(result, _arange_reference(start, stop, step, dtype_name),
                       f"arange({start}, {stop}, {step}, {dtype_name})")


# Draws per distribution test. The Kolmogorov-Smirnov distance of n draws from their true distribution
# exceeds 1.95 / sqrt(n) with probability 0.001, and a sample correlation of independent draws exceeds
# 4.5 / sqrt(n) with probability below 1e-5: the seeded checks below are true of any sound generator.
DRAWS = (200, 100)
KS_CRITICAL = 1.95 / math.sqrt(DRAWS[0] * DRAWS[1])
CORRELATION_LIMIT = 4.5 / math.sqrt(DRAWS[0] * DRAWS[1])


def _standard_normal_cdf(values):
    return 0.5 * (1 + np.frompyfunc(math.erf, 1, 1)(values / math.sqrt(2)).astype(np.float64))


# op: (parameters, the CDF of the distribution drawn from, its support)
DISTRIBUTIONS = {
    "uniform": ((-1.0, 3.0), lambda x: np.clip((x + 1.0) / 4.0, 0, 1), (-1.0, 3.0)),
    "normal": ((1.5, 2.0), lambda x: _standard_normal_cdf((x - 1.5) / 2.0), (-math.inf, math.inf)),
}


def _draw(ember_device, op, dtype_name, gen, shape=DRAWS):
    kernel = getattr(ember_device.kernels, op)
    values = ember_device.to_numpy(kernel(shape, *DISTRIBUTIONS[op][0], ember_device.dtype(dtype_name), gen))
    assert (values.shape, values.dtype) == (shape, np.dtype(dtype_name)), f"{op}({shape}, {dtype_name})"
    return values.astype(np.float64)


def _correlation(a, b):
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
@pytest.mark.parametrize("op", tuple(DISTRIBUTIONS))
def test_random_draws_follow_their_distribution(ember_device, op, dtype_name):
    """Kolmogorov-Smirnov: the empirical CDF of the draws stays within KS_CRITICAL of the true one."""
    values = np.sort(_draw(ember_device, op, dtype_name, ember_device.generator(0)).ravel())
    _, cdf, (low, high) = DISTRIBUTIONS[op]
    assert low <= values[0] and values[-1] <= high, f"{op} on {dtype_name}: values outside [{low}, {high}]"
    expected = cdf(values)
    n = len(values)
    distance = max(np.max(np.arange(1, n + 1) / n - expected), np.max(expected - np.arange(n) / n))
    assert distance < KS_CRITICAL, (f"{op}{DISTRIBUTIONS[op][0]} on {dtype_name}: Kolmogorov-Smirnov distance "
                                    f"{distance:.4f} from the distribution, over {KS_CRITICAL:.4f}")


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
@pytest.mark.parametrize("op", tuple(DISTRIBUTIONS))
def test_random_draws_are_independent(ember_device, op, dtype_name):
    """Neighbours (along rows and down columns), successive draws and different seeds are uncorrelated."""
    gen = ember_device.generator(0)
    first, second = (_draw(ember_device, op, dtype_name, gen) for _ in range(2))
    other_seed = _draw(ember_device, op, dtype_name, ember_device.generator(1))
    pairs = {"neighbours in a row": (first[:, :-1], first[:, 1:]),
             "neighbours in a column": (first[:-1], first[1:]),
             "successive draws of one generator": (first, second),
             "draws with seeds 0 and 1": (first, other_seed)}
    for name, (a, b) in pairs.items():
        correlation = _correlation(a, b)
        assert abs(correlation) < CORRELATION_LIMIT, (f"{op} on {dtype_name}: {name} are correlated "
                                                      f"({correlation:.3f})")


@pytest.mark.parametrize("op", tuple(DISTRIBUTIONS))
def test_float64_draws_use_float64_precision(ember_device, op):
    """Drawing float32 and widening it leaves float64 values with 24 random bits, not 53."""
    values = _draw(ember_device, op, "float64", ember_device.generator(0))
    in_float32 = float(np.mean(values.astype(np.float32).astype(np.float64) == values))
    assert in_float32 < 0.01, f"{op} on float64: {in_float32:.0%} of the draws are float32 values"


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
@pytest.mark.parametrize("op", tuple(DISTRIBUTIONS))
def test_random_kernels_repeat_with_the_same_seed(ember_device, op, dtype_name):
    def draw(gen):
        return _draw(ember_device, op, dtype_name, gen, shape=(50,))

    first, again = ember_device.generator(7), ember_device.generator(7)
    a, b = draw(first), draw(first)
    assert np.array_equal(a, draw(again)), f"{op} on {dtype_name}: same seed, different values"
    assert np.array_equal(b, draw(again)), f"{op} on {dtype_name}: same seed, different second draw"
    assert not np.array_equal(a, b), f"{op}: the generator's state does not advance"
    assert not np.array_equal(a, draw(ember_device.generator(8))), f"{op}: seeds 7 and 8 agree"


@pytest.mark.parametrize("op", tuple(DISTRIBUTIONS))
def test_generator_state_round_trips(ember_device, op):
    """The optional ``get_generator_state``/``set_generator_state`` pair (``ember.Generator.get_state``):
    a generator put back into a saved state draws what the saved one drew next."""
    export, restore = ember_device.device_type.get_generator_state, ember_device.device_type.set_generator_state
    if export is None or restore is None:
        pytest.skip("the backend cannot save generator states (Generator.get_state raises)")

    def draw(gen):
        return _draw(ember_device, op, "float32", gen, shape=(50,))

    gen = ember_device.generator(7)
    draw(gen)
    state = export(gen)
    assert isinstance(state, bytes), f"get_generator_state returned {type(state).__name__}, not bytes"
    expected = draw(gen), draw(gen)
    restored = restore(ember_device.generator(99), state)
    assert np.array_equal(draw(restored), expected[0]) and np.array_equal(draw(restored), expected[1]), \
        f"{op}: a restored generator does not continue the saved stream"
    with pytest.raises(ValueError):
        restore(ember_device.generator(1), b"not a state")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_from_numpy_and_to_numpy_round_trip(ember_device, ember_rng, dtype_name):
    ember_device.dtype(dtype_name)
    kernels = ember_device.kernels
    for shape in SHAPES:
        host = random_array(ember_rng, shape, dtype_name)
        back = np.array(kernels.to_numpy(kernels.from_numpy(host.copy())))
        assert_matches(back, host, f"to_numpy(from_numpy(<{shape} {dtype_name}>))")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_from_numpy_accepts_non_contiguous_arrays(ember_device, ember_rng, dtype_name):
    ember_device.dtype(dtype_name)
    kernels = ember_device.kernels
    host = random_array(ember_rng, (6, 5, 4), dtype_name)
    for view in (host.transpose(2, 0, 1), host[1::2, :, ::3], host[:, 2]):
        back = np.array(kernels.to_numpy(kernels.from_numpy(view)))
        assert_matches(back, view, f"from_numpy of a view with strides {view.strides}")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("target", DTYPE_NAMES)
@pytest.mark.parametrize("source", DTYPE_NAMES)
def test_astype_converts_like_numpy(ember_device, ember_rng, source, target, layout):
    dtype = ember_device.dtype(target)
    ember_device.dtype(source)
    for shape in SHAPES:
        host = random_array(ember_rng, shape, source)
        result = ember_device.kernels.astype(place(ember_device, host, layout), dtype)
        # Floats become ints by truncation toward zero, anything nonzero becomes True: numpy's casts.
        assert_matches(ember_device.to_numpy(result), host.astype(target),
                       f"astype(<{shape} {source}, {layout}>, {target})")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_astype_returns_a_new_buffer_even_for_the_same_dtype(ember_device, dtype_name):
    dtype = ember_device.dtype(dtype_name)
    kernels = ember_device.kernels
    source = kernels.full((3,), 1, dtype)
    converted = kernels.astype(source, dtype)
    kernels.copy_(converted, 0)
    assert_matches(ember_device.to_numpy(source), np.ones(3, dtype=dtype_name),
                   f"writing into astype(x, {dtype_name}) changed x")
