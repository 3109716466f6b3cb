"""index and index_put_ against numpy: int64 index arrays, bool masks, mixed keys, repeated indices."""
from __future__ import annotations

import numpy as np
import pytest

from ember.testing.cases import LAYOUTS, describe_key, on_device, place, random_array
from ember.testing.compare import assert_matches
from ember.testing.harness import DTYPE_NAMES, NUMERIC_NAMES

CHECKED_KERNELS = ("index", "index_put_")


def _ints(*values):
    return np.array(values, dtype=np.int64)


MASK_4x3 = np.array([[True, False, True], [False, False, False], [True, True, False], [False, True, True]])

# (shape, key) pairs, each key with numpy's advanced-indexing semantics.
INDEXES = (
    ((5,), (_ints(0, 3, 3, -1),)),                                 # repeated and negative indices
    ((4, 3), (np.array([[0, 1], [3, 3]], dtype=np.int64),)),       # a 2-D index array
    ((4, 3), (slice(None), _ints(2, 0))),
    ((4, 3, 2), (_ints(0, 3), slice(None), _ints(1, 0))),          # split index arrays move to the front
    ((4, 3, 2), (np.array([[0], [3]], dtype=np.int64), _ints(2, 0, 1))),  # index arrays broadcast
    ((4, 3), (np.array([True, False, True, True]),)),
    ((4, 3), (MASK_4x3,)),
    ((2, 3, 4), (Ellipsis, _ints(3, 0))),
    ((2, 3, 4), (1, None, _ints(2, 2), slice(1, 4, 2))),
    ((4, 3), (_ints(),)),                                          # an empty index array
    ((0, 3), (slice(None), _ints(1))),
)

# (shape, key, value shape or None for a Python scalar, accumulate). Keys repeat indices only when
# accumulating: without accumulate, which of the repeated writes wins is unspecified, as in PyTorch.
INDEX_PUTS = (
    ((5,), (_ints(0, 3, 1),), (3,), False),
    ((5,), (_ints(0, 3, 3, 0, 1),), (5,), True),
    ((4, 3), (_ints(2, 0),), (3,), False),                          # a row value broadcast over the rows
    ((4, 3), (_ints(1, 1, 2),), (3, 3), True),
    ((4, 3), (_ints(0, 0, 3), _ints(2, 2, 1)), (3,), True),
    ((4, 3), (_ints(0, -1), _ints(2, 1)), None, True),
    ((4, 3), (slice(None), _ints(2, 0)), (4, 2), False),
    ((4, 3), (MASK_4x3,), None, False),
    ((4, 3), (MASK_4x3,), (int(MASK_4x3.sum()),), False),
    ((4, 3), (np.array([False, True, True, False]),), (3,), False),
    ((2, 3, 4), (Ellipsis, _ints(3, 3)), (2, 3, 1), True),
    ((4, 3), (_ints(),), (3,), True),
)
SCALARS = {"bool": True, "int32": 7, "int64": -7}


def _host_index_put(host, key, value, accumulate):
    expected = host.copy()
    if accumulate:
        np.add.at(expected, key, value)
    else:
        expected[key] = value
    return expected


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_index_matches_numpy(ember_device, ember_rng, dtype_name, layout):
    ember_device.dtype(dtype_name)
    for shape, key in INDEXES:
        host = random_array(ember_rng, shape, dtype_name)
        result = ember_device.kernels.index(place(ember_device, host, layout), on_device(ember_device, key))
        assert_matches(ember_device.to_numpy(result), host[key],
                       f"index(<{shape} {dtype_name}, {layout}>, {describe_key(key)})")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_index_returns_a_new_buffer(ember_device, ember_rng, dtype_name):
    ember_device.dtype(dtype_name)
    host = random_array(ember_rng, (4, 3), dtype_name)
    x = ember_device.from_numpy(host)
    columns = ember_device.kernels.index(x, (slice(None), ember_device.from_numpy(_ints(0, 1))))
    ember_device.kernels.copy_(columns, 0)
    assert_matches(ember_device.to_numpy(x), host, "writing into index(x, key) changed x")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_index_put_matches_numpy(ember_device, ember_rng, dtype_name, layout):
    ember_device.dtype(dtype_name)
    for shape, key, value_shape, accumulate in INDEX_PUTS:
        if accumulate and dtype_name not in NUMERIC_NAMES:
            continue
        host = random_array(ember_rng, shape, dtype_name)
        if value_shape is None:
            host_value = value = SCALARS.get(dtype_name, 2.5)
        else:
            host_value = random_array(ember_rng, value_shape, dtype_name)
            value = ember_device.from_numpy(host_value)
        x = place(ember_device, host, layout)
        result = ember_device.kernels.index_put_(x, on_device(ember_device, key), value, accumulate)
        shown_value = repr(host_value) if value_shape is None else f"<{value_shape}>"
        what = (f"index_put_(<{shape} {dtype_name}, {layout}>, {describe_key(key)}, {shown_value}, "
                f"accumulate={accumulate})")
        assert result is x, f"{what} returns x"
        assert_matches(ember_device.to_numpy(x), _host_index_put(host, key, host_value, accumulate), what,
                       terms=5, magnitude=2.0)
