"""Required kernels that make buffers: empty, full, arange, uniform, normal, from_numpy/to_numpy, astype."""
from __future__ import annotations

import numpy as np
import pytest

from ember.testing.cases import LAYOUTS, SHAPES, place, random_array
from ember.testing.compare import assert_matches
from ember.testing.harness import DTYPE_NAMES, FLOAT_NAMES, NUMERIC_NAMES

CHECKED_KERNELS = ("empty", "full", "arange", "uniform", "normal", "from_numpy", "to_numpy", "astype")

FILL_VALUES = {"float16": 2.5, "float32": -0.125, "float64": 1e-3, "int32": -7, "int64": 2**40, "bool": True}


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


ARANGES = {
    "int": ((0, 5, 1), (2, 11, 3), (5, -5, -2), (0, 0, 1), (3, 1, 1), (-4, 4, 8)),
    "float": ((0.0, 2.5, 0.5), (-1.0, 1.0, 0.25), (3.0, -3.0, -1.5), (1.0, 1.0, 0.5)),
}


@pytest.mark.parametrize("dtype_name", NUMERIC_NAMES)
def test_arange_matches_numpy(ember_device, dtype_name):
    dtype = ember_device.dtype(dtype_name)
    kinds = ("int", "float") if dtype_name in FLOAT_NAMES else ("int",)
    for start, stop, step in (bounds for kind in kinds for bounds in ARANGES[kind]):
        result = ember_device.to_numpy(ember_device.kernels.arange(start, stop, step, dtype))
        assert_matches(result, np.arange(start, stop, step, dtype=dtype_name),
                       f"arange({start}, {stop}, {step}, {dtype_name})")


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_uniform_draws_evenly_from_low_to_high(ember_device, dtype_name):
    dtype = ember_device.dtype(dtype_name)
    low, high = -1.0, 3.0
    result = ember_device.to_numpy(
        ember_device.kernels.uniform((100, 100), low, high, dtype, ember_device.generator(0)))
    assert (result.shape, result.dtype) == ((100, 100), dtype.numpy)
    assert low <= result.min() and result.max() <= high, f"values outside [{low}, {high}]"
    # 10 000 draws: the sample mean and std lie within 0.05 of U(-1, 3)'s (1, 1.155) by over 4 sigma.
    values = result.astype(np.float64)
    assert abs(values.mean() - 1.0) < 0.05 and abs(values.std() - 4 / np.sqrt(12)) < 0.05


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_normal_draws_with_the_requested_mean_and_std(ember_device, dtype_name):
    dtype = ember_device.dtype(dtype_name)
    result = ember_device.to_numpy(
        ember_device.kernels.normal((100, 100), 1.5, 2.0, dtype, ember_device.generator(0)))
    assert (result.shape, result.dtype) == ((100, 100), dtype.numpy)
    values = result.astype(np.float64)
    # Standard errors over 10 000 draws: 0.02 for the mean, 0.014 for the std.
    assert abs(values.mean() - 1.5) < 0.1 and abs(values.std() - 2.0) < 0.1


@pytest.mark.parametrize("op", ("uniform", "normal"))
def test_random_kernels_repeat_with_the_same_seed(ember_device, op):
    dtype = ember_device.dtype("float32")
    kernel = getattr(ember_device.kernels, op)

    def draw(gen):
        return ember_device.to_numpy(kernel((50,), 0.0, 1.0, dtype, gen))

    first, again = ember_device.generator(7), ember_device.generator(7)
    a, b = draw(first), draw(first)
    np.testing.assert_array_equal(a, draw(again), err_msg=f"{op}: same seed, different values")
    np.testing.assert_array_equal(b, draw(again), err_msg=f"{op}: same seed, different second draw")
    assert not np.array_equal(a, b), f"{op}: the generator's state does not advance"
    assert not np.array_equal(a, draw(ember_device.generator(8))), f"{op}: seeds 7 and 8 agree"


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
