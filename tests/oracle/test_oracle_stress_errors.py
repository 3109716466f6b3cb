"""Issue 6 under stress, against PyTorch: where indexing puts advanced dims (get and set), what every factory
makes for every dtype, and which exception class each bad call raises (never one of numpy's)."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle


def _outcome(fn, lib):
    """What `fn(lib)` gives: ("ok", shape, values, dtype) or ("raises", exception class)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's deprecation warning for list keys
            result = fn(lib)
    except Exception as error:
        assert not type(error).__module__.startswith("numpy"), f"numpy exception leaked: {error!r}"
        return ("raises", type(error))
    if result is None:
        return ("ok",)
    return ("ok", tuple(result.shape), result.tolist(), str(result.dtype).rsplit(".", 1)[-1])


# ----- indexing: a grid of keys mixing ints, slices, None, Ellipsis, int/bool tensors and lists ----------
def _item(lib, spec):
    kind, value = spec
    if kind == "tensor":
        return lib.tensor(value, dtype=lib.int64)
    if kind == "mask":
        return lib.tensor(value)
    return value


ITEMS = [("int", 0), ("int", -1), ("slice", slice(None)), ("slice", slice(1, 3)), ("none", None),
         ("ellipsis", Ellipsis), ("tensor", [0, 1]), ("tensor", [[1], [0]]), ("mask", [True, False, True]),
         ("list", [1, 0]), ("tensor", 1)]
KEYS = [combo for r in (1, 2, 3) for combo in itertools.product(ITEMS, repeat=r)
        if sum(kind == "ellipsis" for kind, _ in combo) <= 1]
GRID = np.arange(81.0).reshape(3, 3, 3, 3)


def _get(key_spec):
    return lambda lib: lib.tensor(GRID)[tuple(_item(lib, s) for s in key_spec)]


def _set(key_spec, value_shape):
    """Assign a value of `value_shape` (None: the region's own shape, so it always fits) at the key."""
    def run(lib):
        t = lib.tensor(GRID)
        key = tuple(_item(lib, s) for s in key_spec)
        shape = tuple(t[key].shape) if value_shape is None else value_shape
        t[key] = lib.arange(int(np.prod(shape)), dtype=lib.float64).reshape(shape) + 100
        return t
    return run


@pytest.mark.parametrize("chunk", range(4))
def test_getitem_and_setitem_place_advanced_dims_as_pytorch(chunk):
    """PyTorch applies ints (and 0-d int tensors) as selections first: `x[0, :, idx]` puts the index dim
    after the slice, where numpy would move it to the front. Both reading and writing must agree."""
    for key_spec in KEYS[chunk::4]:
        assert _outcome(_get(key_spec), ember) == _outcome(_get(key_spec), torch), key_spec
        assert _outcome(_set(key_spec, None), ember) == _outcome(_set(key_spec, None), torch), key_spec


SET_VALUE_CASES = [
    ((0,), (4,)), ((0,), (1, 1, 3, 3)), ((0,), (2, 3, 3, 3)), ((0,), (3, 1)), ((0,), ()),
    ((0, slice(None), ("tensor", [0, 1])), (3, 1)), ((0, slice(None), ("tensor", [0, 1])), (2,)),
    ((0, slice(None), ("tensor", [0, 1])), (1, 3, 2)), ((("tensor", [0, 1]),), (4,)),
    ((("mask", [True, False, True]),), (2, 1, 3)), ((("mask", [True, False, True]),), (3, 3, 3)),
    ((("mask", [True, False, True]),), (1,)), ((("mask", [True, False]),), ()),
    ((("tensor", [5]),), ()), ((("tensor", [0]), 0, 0, 0, 0), ()), ((5,), ()),
]


@pytest.mark.parametrize("key, value_shape", SET_VALUE_CASES, ids=[str(i) for i in range(len(SET_VALUE_CASES))])
def test_setitem_broadcasts_or_refuses_as_pytorch(key, value_shape):
    spec = tuple(item if isinstance(item, tuple) and item and isinstance(item[0], str) else ("raw", item)
                 for item in key)
    assert _outcome(_set(spec, value_shape), ember) == _outcome(_set(spec, value_shape), torch)


def _setitem_dtype(key_fn, value_dtype, value_shape):
    def run(lib):
        t = lib.ones(3, 3)
        t[key_fn(lib)] = lib.ones(value_shape, dtype=getattr(lib, value_dtype))
        return t
    return run


DTYPE_KEYS = {
    "int tensor": lambda lib: lib.tensor([0, 2]),
    "list": lambda lib: [0, 1],
    "mask": lambda lib: lib.tensor([True, False, True]),
    "mask in a tuple after a slice": lambda lib: (slice(None), lib.tensor([True, False, True])),
    "int then tensor": lambda lib: (0, lib.tensor([1])),
    "0-d int tensor": lambda lib: lib.tensor(1),
    "two 0-d int tensors": lambda lib: (lib.tensor(1), lib.tensor(0)),
    "int": lambda lib: 1,
    "slice": lambda lib: slice(0, 2),
}


@pytest.mark.parametrize("key", DTYPE_KEYS)
@pytest.mark.parametrize("value_dtype", ["float64", "int64", "bool", "float16"])
@pytest.mark.parametrize("value_shape", [(), (1,), (3,)])
def test_setitem_dtype_mismatch_refused_with_advanced_keys_as_pytorch(key, value_dtype, value_shape):
    """'Index put requires the source and destination dtypes match' for advanced keys, except for a
    single mask with a one-element value (a masked fill); basic keys convert."""
    fn = _setitem_dtype(DTYPE_KEYS[key], value_dtype, value_shape)
    assert _outcome(fn, ember) == _outcome(fn, torch)


LEAF_KEYS = {
    "int out of range": 5,
    "too many ints": (0, 0, 0),
    "tensor then too many": (("tensor", [0]), 0, 0),
    "tensor out of range": ("tensor", [5]),
    "mask": ("mask", [True, False, True]),
    "slice, tensor out of range": (slice(None), ("tensor", [7])),
    "valid int": 0,
}


@pytest.mark.parametrize("key", LEAF_KEYS)
def test_setitem_on_a_leaf_raises_index_errors_in_pytorchs_order(key):
    """Errors of the key's basic part (ints, too many indices) come before the leaf check; those of
    the advanced part after it."""
    raw = LEAF_KEYS[key]
    spec = raw if isinstance(raw, tuple) and not isinstance(raw[0], str) else (raw,)

    def run(lib):
        t = lib.ones(2, 3, requires_grad=True)
        t[tuple(_item(lib, s) if isinstance(s, tuple) else s for s in spec)] = 1.0

    ember_outcome, torch_outcome = _outcome(run, ember), _outcome(run, torch)
    assert ember_outcome == torch_outcome
