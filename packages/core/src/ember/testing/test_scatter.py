"""index_reduce_ against numpy's ufunc.at: prod, amax and amin at int64 index arrays with repeated indices,
into every layout, NaN propagating through amax and amin, and overflow silent."""
from __future__ import annotations

import numpy as np
import pytest

from ember.testing.cases import LAYOUTS, describe_key, on_device, place, random_array
from ember.testing.compare import assert_matches, no_warnings
from ember.testing.harness import FLOAT_NAMES, NUMERIC_NAMES

CHECKED_KERNELS = ("index_reduce_",)

REDUCTIONS = {"prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _ints(*values):
    return np.array(values, dtype=np.int64)


def _along(index: np.ndarray, axis: int) -> tuple:
    """The key core builds for a scatter along `axis`: `index` there, broadcast aranges elsewhere."""
    ndim = index.ndim
    return tuple(index if d == axis else np.arange(n, dtype=np.int64).reshape((1,) * d + (n,) + (1,) * (ndim - d - 1))
                 for d, n in enumerate(index.shape))


# (shape, key, value shape or None for a Python scalar): repeated indices fold in one after another.
INDEX_REDUCES = (
    ((5,), (_ints(0, 3, 3, 0, 1),), (5,)),
    ((4, 3), _along(np.array([[0, 1, 1], [3, 1, 1]], dtype=np.int64), 0), (2, 3)),
    ((4, 3), _along(np.array([[2, 2], [0, 0], [1, 2], [0, 0]], dtype=np.int64), 1), (4, 2)),
    ((2, 3, 4), _along(np.array([[[3, 3, 0, 3]], [[1, 1, 1, 1]]], dtype=np.int64), 2), (2, 1, 4)),
    ((4, 3), (_ints(1, 1, 2),), None),
    ((4, 3), (_ints(),), (0, 3)),
)


@pytest.mark.parametrize("reduce", sorted(REDUCTIONS))
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", NUMERIC_NAMES)
def test_index_reduce_matches_numpy(ember_device, ember_rng, dtype_name, layout, reduce):
    ember_device.dtype(dtype_name)
    for shape, key, value_shape in INDEX_REDUCES:
        host = random_array(ember_rng, shape, dtype_name, "nonzero")
        if value_shape is None:
            host_value = value = 1.5 if dtype_name.startswith("float") else 3
        else:
            host_value = random_array(ember_rng, value_shape, dtype_name, "nonzero")
            value = ember_device.from_numpy(host_value)
        x = place(ember_device, host, layout)
        shown_value = repr(host_value) if value_shape is None else f"<{value_shape}>"
        what = f"index_reduce_(<{shape} {dtype_name}, {layout}>, {describe_key(key)}, {shown_value}, {reduce!r})"
        result = ember_device.kernels.index_reduce_(x, on_device(ember_device, key), value, reduce)
        assert result is x, f"{what} returns x"
        expected = host.copy()
        REDUCTIONS[reduce].at(expected, key, host_value)
        assert_matches(ember_device.to_numpy(x), expected, what, terms=4, magnitude=np.abs(expected))


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_index_reduce_propagates_nan_silently(ember_device, dtype_name):
    ember_device.dtype(dtype_name)
    index = ember_device.from_numpy(_ints(0, 0, 1, 2))
    for reduce, start in (("amax", -np.inf), ("amin", np.inf), ("prod", 1.0)):
        host = np.array([start, 1.0, np.nan], dtype=dtype_name)
        values = np.array([np.nan, 2.0, 3.0, 4.0], dtype=dtype_name)
        x = ember_device.from_numpy(host)
        what = f"index_reduce_(<{host.tolist()} {dtype_name}>, [0, 0, 1, 2], {values.tolist()}, {reduce!r})"
        with no_warnings(what):
            ember_device.kernels.index_reduce_(x, (index,), ember_device.from_numpy(values), reduce)
        expected = host.copy()
        with np.errstate(all="ignore"):
            REDUCTIONS[reduce].at(expected, (_ints(0, 0, 1, 2),), values)
        assert_matches(ember_device.to_numpy(x), expected, what)


def test_index_reduce_overflow_is_silent(ember_device):
    dtype_name = "float32"
    x = ember_device.from_numpy(np.array([3e38, 1.0], dtype=dtype_name))
    what = "index_reduce_(<[3e38, 1] float32>, [0, 0], [10, 10], 'prod')"
    with no_warnings(what):
        ember_device.kernels.index_reduce_(x, (ember_device.from_numpy(_ints(0, 0)),),
                                           ember_device.from_numpy(np.array([10, 10], dtype=dtype_name)), "prod")
    assert_matches(ember_device.to_numpy(x), np.array([np.inf, 1.0], dtype=dtype_name), what)
