"""Views and copies: strides, as_strided (storage offsets, views of views, zero strides), contiguous, copy_.

Every test runs for every dtype: offsets are counted in elements, and a backend that turns them into
bytes with the wrong item size only shows it on some dtypes.
"""
from __future__ import annotations

import numpy as np
import pytest

from ember.testing.cases import LAYOUTS, SHAPES, place, random_array
from ember.testing.compare import assert_matches
from ember.testing.harness import DTYPE_NAMES

CHECKED_KERNELS = ("strides", "as_strided", "contiguous", "copy_")

NON_CONTIGUOUS = tuple(layout for layout in LAYOUTS if layout != "contiguous")


def _base(ember_device, ember_rng, dtype_name, shape=(3, 4)):
    """A random host array and a device buffer holding it."""
    host = random_array(ember_rng, shape, dtype_name)
    return host, ember_device.from_numpy(host)


def _check_strides(ember_device, buffer, expected, what):
    strides = tuple(ember_device.kernels.strides(buffer))
    itemsize = np.dtype(ember_device.to_numpy(buffer).dtype).itemsize
    if itemsize > 1 and strides == tuple(s * itemsize for s in expected) and strides != tuple(expected):
        raise AssertionError(f"strides({what}) returned byte strides {strides}; the contract counts elements: "
                             f"{tuple(expected)}")
    assert strides == tuple(expected), f"strides({what}) returned {strides}, expected {tuple(expected)}"


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_strides_of_a_new_buffer_are_c_contiguous(ember_device, dtype_name):
    dtype = ember_device.dtype(dtype_name)
    kernels = ember_device.kernels
    _check_strides(ember_device, kernels.empty((2, 3, 4), dtype), (12, 4, 1), f"empty((2, 3, 4), {dtype_name})")
    _check_strides(ember_device, kernels.full((5,), 0, dtype), (1,), f"full((5,), 0, {dtype_name})")
    _check_strides(ember_device, kernels.full((), 0, dtype), (), f"full((), 0, {dtype_name})")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_strides_of_a_view_are_the_ones_it_was_made_with(ember_device, ember_rng, dtype_name):
    ember_device.dtype(dtype_name)
    _, base = _base(ember_device, ember_rng, dtype_name, (4, 6))
    view = ember_device.kernels.as_strided(base, (3, 2), (2, 6), 7)
    _check_strides(ember_device, view, (2, 6), "as_strided(x, (3, 2), (2, 6), 7)")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_as_strided_reads_a_transposed_view(ember_device, ember_rng, dtype_name):
    ember_device.dtype(dtype_name)
    host, base = _base(ember_device, ember_rng, dtype_name)
    view = ember_device.kernels.as_strided(base, (4, 3), (1, 4), 0)
    assert_matches(ember_device.to_numpy(view), host.T, "as_strided(x, (4, 3), (1, 4), 0) == x.T")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_as_strided_honours_the_storage_offset(ember_device, ember_rng, dtype_name):
    ember_device.dtype(dtype_name)
    host, base = _base(ember_device, ember_rng, dtype_name)
    kernels = ember_device.kernels
    assert_matches(ember_device.to_numpy(kernels.as_strided(base, (2, 4), (4, 1), 4)), host[1:],
                   "as_strided(x, (2, 4), (4, 1), 4) == x[1:]")
    assert_matches(ember_device.to_numpy(kernels.as_strided(base, (), (), 5)), host[1, 1],
                   "as_strided(x, (), (), 5) == x[1, 1]")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_as_strided_of_a_view_counts_the_offset_from_the_views_first_element(ember_device, ember_rng,
                                                                              dtype_name):
    ember_device.dtype(dtype_name)
    host, base = _base(ember_device, ember_rng, dtype_name)
    kernels = ember_device.kernels
    rows = kernels.as_strided(base, (2, 4), (4, 1), 4)
    assert_matches(ember_device.to_numpy(kernels.as_strided(rows, (4, 2), (1, 4), 0)), host[1:].T,
                   "x[1:].permute(1, 0)")
    column = kernels.as_strided(rows, (2,), (4,), 1)
    assert_matches(ember_device.to_numpy(column), host[1:, 1], "x[1:][:, 1]")
    assert_matches(ember_device.to_numpy(kernels.as_strided(column, (), (), 4)), host[2, 1],
                   "x[1:][:, 1][1]: offsets 4, 1 and 4 add up")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_as_strided_with_zero_strides_repeats_elements(ember_device, ember_rng, dtype_name):
    ember_device.dtype(dtype_name)
    host, base = _base(ember_device, ember_rng, dtype_name)
    view = ember_device.kernels.as_strided(base, (2, 3, 4), (0, 0, 1), 8)
    assert_matches(ember_device.to_numpy(view), np.broadcast_to(host[2], (2, 3, 4)),
                   "as_strided(x, (2, 3, 4), (0, 0, 1), 8) == x[2].expand(2, 3, 4)")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_as_strided_views_share_memory_with_their_base(ember_device, ember_rng, dtype_name):
    dtype = ember_device.dtype(dtype_name)
    host, base = _base(ember_device, ember_rng, dtype_name)
    kernels = ember_device.kernels
    rows = kernels.as_strided(base, (2, 4), (4, 1), 4)
    kernels.copy_(kernels.as_strided(rows, (2, 2), (4, 2), 1), kernels.full((), 1, dtype))
    expected = host.copy()
    expected[1:, 1::2] = 1
    assert_matches(ember_device.to_numpy(base), expected, "copy_(x[1:][:, 1::2], 1) seen through x")


@pytest.mark.parametrize("layout", NON_CONTIGUOUS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_contiguous_copies_a_view_into_c_order(ember_device, ember_rng, dtype_name, layout):
    ember_device.dtype(dtype_name)
    kernels = ember_device.kernels
    host = random_array(ember_rng, (3, 4, 2), dtype_name)
    view = place(ember_device, host, layout)
    copy = kernels.contiguous(view)
    strides = kernels.strides(copy)
    assert strides == (8, 2, 1), f"contiguous(<{layout} view>) has strides {strides}, not C order's"
    assert_matches(ember_device.to_numpy(copy), host, f"contiguous(<{layout} view>)")
    kernels.copy_(copy, 0)
    assert_matches(ember_device.to_numpy(view), host, "writing into contiguous(view) changed the view")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_contiguous_returns_a_contiguous_buffer_itself(ember_device, ember_rng, dtype_name):
    ember_device.dtype(dtype_name)
    _, buffer = _base(ember_device, ember_rng, dtype_name)
    assert ember_device.kernels.contiguous(buffer) is buffer, "contiguous(x) of a C-contiguous x returns x itself"


def _strided_destination(ember_device, host):
    """``host[1:, ::2].T`` of a (3, 5) host array on the device, with its base buffer."""
    kernels = ember_device.kernels
    base = ember_device.from_numpy(host)
    rows = kernels.as_strided(base, (2, 5), (5, 1), 5)
    return base, kernels.as_strided(rows, (3, 2), (2, 5), 0)


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_copy_broadcasts_into_a_view(ember_device, ember_rng, dtype_name):
    ember_device.dtype(dtype_name)
    for source_shape in ((3, 2), (2,), (3, 1), (), (1, 1)):
        host = random_array(ember_rng, (3, 5), dtype_name)
        source = random_array(ember_rng, source_shape, dtype_name)
        base, view = _strided_destination(ember_device, host)
        result = ember_device.kernels.copy_(view, ember_device.from_numpy(source))
        assert result is view, "copy_ returns its destination"
        expected = host.copy()
        expected[1:, ::2].T[...] = source
        assert_matches(ember_device.to_numpy(base), expected,
                       f"copy_(x[1:, ::2].T, <{source_shape}>) seen through x")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_copy_from_a_python_scalar(ember_device, ember_rng, dtype_name):
    ember_device.dtype(dtype_name)
    value = {"bool": True, "uint8": 200, "int8": -3, "int16": 3, "int32": 3, "int64": -3}.get(dtype_name, -1.5)
    host = random_array(ember_rng, (3, 5), dtype_name)
    base, view = _strided_destination(ember_device, host)
    ember_device.kernels.copy_(view, value)
    expected = host.copy()
    expected[1:, ::2] = value
    assert_matches(ember_device.to_numpy(base), expected, f"copy_(x[1:, ::2].T, {value!r}) seen through x")


@pytest.mark.parametrize("layout", NON_CONTIGUOUS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_copy_from_a_non_contiguous_source(ember_device, ember_rng, dtype_name, layout):
    ember_device.dtype(dtype_name)
    for shape in SHAPES:
        source = random_array(ember_rng, shape, dtype_name)
        destination = ember_device.from_numpy(np.zeros(shape, dtype=dtype_name))
        ember_device.kernels.copy_(destination, place(ember_device, source, layout))
        assert_matches(ember_device.to_numpy(destination), source, f"copy_(<{shape}>, <{layout} view>)")


@pytest.mark.parametrize("target", DTYPE_NAMES)
@pytest.mark.parametrize("source", DTYPE_NAMES)
def test_copy_casts_to_the_destination_dtype(ember_device, ember_rng, source, target):
    ember_device.dtype(source)
    ember_device.dtype(target)
    values = random_array(ember_rng, (3, 4), source)
    destination = ember_device.from_numpy(np.zeros((3, 4), dtype=target))
    ember_device.kernels.copy_(destination, ember_device.from_numpy(values))
    assert_matches(ember_device.to_numpy(destination), values.astype(target),
                   f"copy_(<{target} buffer>, <{source} buffer>)")
