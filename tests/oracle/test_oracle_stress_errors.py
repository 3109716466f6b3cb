"""Issue 6 under stress, against PyTorch: where indexing puts advanced dims (get and set), what every factory
makes for every dtype, and which exception class each bad call raises (never one of numpy's)."""

from __future__ import annotations

import itertools
import pathlib
import sys
import warnings

import numpy as np
import pytest
from outcomes import settled

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle


def _outcome(fn, lib):
    """What `fn(lib)` gives: ("ok", shape, values, dtype) or ("raises", exception class)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's deprecation warning for list keys
            result = settled(fn(lib))
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
         ("list", [1, 0]), ("tensor", 1), ("bool", True), ("bool", False)]
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


# ----- factories: every dtype, values and errors as PyTorch ----------------------------------------------
DTYPES = ["float16", "float32", "float64", "int32", "int64", "bool", None]
FACTORIES = {
    "arange(5)": lambda lib, kw: lib.arange(5, **kw),
    "arange(0, 5, 0.5)": lambda lib, kw: lib.arange(0, 5, 0.5, **kw),
    "arange(0, 5, 1.5)": lambda lib, kw: lib.arange(0, 5, 1.5, **kw),
    "arange(1, -3, -1)": lambda lib, kw: lib.arange(1, -3, -1, **kw),
    "arange(0.5, 3)": lambda lib, kw: lib.arange(0.5, 3, **kw),
    "arange(0, 1, 0.3)": lambda lib, kw: lib.arange(0, 1, 0.3, **kw),
    "arange(-2.5, 2.5)": lambda lib, kw: lib.arange(-2.5, 2.5, **kw),
    "arange(3.7, -2.2, -1.5)": lambda lib, kw: lib.arange(3.7, -2.2, -1.5, **kw),
    "arange(0, 2**40, 2**38)": lambda lib, kw: lib.arange(0, 2**40, 2**38, **kw),
    "arange(0, 5, 0)": lambda lib, kw: lib.arange(0, 5, 0, **kw),
    "arange(0, -3)": lambda lib, kw: lib.arange(0, -3, **kw),
    "linspace(0, 10, 5)": lambda lib, kw: lib.linspace(0, 10, 5, **kw),
    "linspace(-3, 3, 7)": lambda lib, kw: lib.linspace(-3, 3, 7, **kw),
    "linspace(0, 1, 4)": lambda lib, kw: lib.linspace(0, 1, 4, **kw),
    "linspace(10, 0, 4)": lambda lib, kw: lib.linspace(10, 0, 4, **kw),
    "linspace(2.7, 10, 3)": lambda lib, kw: lib.linspace(2.7, 10, 3, **kw),
    "linspace(-3.5, 7.9, 6)": lambda lib, kw: lib.linspace(-3.5, 7.9, 6, **kw),
    "linspace(0, 10, 1)": lambda lib, kw: lib.linspace(0, 10, 1, **kw),
    "linspace(0, 10, 0)": lambda lib, kw: lib.linspace(0, 10, 0, **kw),
    "linspace(0, 1e10, 3)": lambda lib, kw: lib.linspace(0, 1e10, 3, **kw),
    "linspace(0, 1, -1)": lambda lib, kw: lib.linspace(0, 1, -1, **kw),
    "logspace(0, 2, 3)": lambda lib, kw: lib.logspace(0, 2, 3, **kw),
    "logspace(0, 3, 4, base=-2)": lambda lib, kw: lib.logspace(0, 3, 4, base=-2.0, **kw),
    "logspace(-1.3, 1.7, 5, base=2)": lambda lib, kw: lib.logspace(-1.3, 1.7, 5, base=2.0, **kw),
    "logspace(2, 2, 1)": lambda lib, kw: lib.logspace(2, 2, 1, **kw),
    "full((2,), 2.5)": lambda lib, kw: lib.full((2,), 2.5, **kw),
    "full((2,), 3)": lambda lib, kw: lib.full((2,), 3, **kw),
    "full((2,), True)": lambda lib, kw: lib.full((2,), True, **kw),
    "full((2,), 1e10)": lambda lib, kw: lib.full((2,), 1e10, **kw),
    "full((2,), nan)": lambda lib, kw: lib.full((2,), float("nan"), **kw),
    "full((2,), 2**40)": lambda lib, kw: lib.full((2,), 2**40, **kw),
    "zeros(2)": lambda lib, kw: lib.zeros(2, **kw),
    "ones(2, 1)": lambda lib, kw: lib.ones(2, 1, **kw),
    "empty(2, 3).shape": lambda lib, kw: lib.empty(2, 3, **kw).shape,
    "zeros_like": lambda lib, kw: lib.zeros_like(lib.ones(2), **kw),
    "ones_like": lambda lib, kw: lib.ones_like(lib.ones(2, dtype=lib.int64), **kw),
    "full_like(7)": lambda lib, kw: lib.full_like(lib.ones(2), 7, **kw),
    "full_like(2.5)": lambda lib, kw: lib.full_like(lib.ones(2, dtype=lib.int64), 2.5, **kw),
    "empty_like": lambda lib, kw: lib.empty_like(lib.ones(2), **kw).dtype,
    "eye(2)": lambda lib, kw: lib.eye(2, **kw),
    "eye(2, 3)": lambda lib, kw: lib.eye(2, 3, **kw),
    "tensor([1.5, -2.5])": lambda lib, kw: lib.tensor([1.5, -2.5], **kw),
    "tensor([1, 2])": lambda lib, kw: lib.tensor([1, 2], **kw),
    "tensor(True)": lambda lib, kw: lib.tensor(True, **kw),
    "tensor([])": lambda lib, kw: lib.tensor([], **kw),
    "tensor([1e10])": lambda lib, kw: lib.tensor([1e10], **kw),
    "tensor([2**40])": lambda lib, kw: lib.tensor([2**40], **kw),
    "tensor([nan])": lambda lib, kw: lib.tensor([float("nan")], **kw),
    "scalar_tensor(2.5)": lambda lib, kw: lib.scalar_tensor(2.5, **kw),
    "rand": lambda lib, kw: lib.rand(2, **kw).dtype,
    "randn": lambda lib, kw: lib.randn(2, **kw).dtype,
    "rand_like": lambda lib, kw: lib.rand_like(lib.ones(2), **kw).dtype,
    "randn_like": lambda lib, kw: lib.randn_like(lib.ones(2), **kw).dtype,
    "randint(0, 3)": lambda lib, kw: lib.randint(0, 3, (2,), **kw).dtype,
    "randint(0, 2)": lambda lib, kw: lib.randint(0, 2, (2,), **kw).dtype,
    "randint(-1, 1)": lambda lib, kw: lib.randint(-1, 1, (2,), **kw).dtype,
    "randint(0, 2**40)": lambda lib, kw: lib.randint(0, 2**40, (2,), **kw).dtype,
    "randint_like": lambda lib, kw: lib.randint_like(lib.ones(2), 3, **kw).dtype,
    "randperm": lambda lib, kw: lib.randperm(3, **kw).dtype,
    "zeros requires_grad": lambda lib, kw: lib.zeros(2, requires_grad=True, **kw).requires_grad,
}


def _factory_outcome(name, dtype, lib):
    kw = {} if dtype is None else {"dtype": getattr(lib, dtype)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # numpy's RuntimeWarnings must not escape
            result = FACTORIES[name](lib, kw)
    except Exception as error:
        assert not type(error).__module__.startswith("numpy"), f"numpy exception leaked: {error!r}"
        return ("raises", type(error))
    if hasattr(result, "tolist"):
        return (str(result.dtype).rsplit(".", 1)[-1], tuple(result.shape), result.tolist())
    return str(result).rsplit(".", 1)[-1]


# PyTorch's float linspace/logspace run on SIMD lanes (values depend on the lane width); ember's may
# differ by an ulp there. Integer dtypes and everything else must match exactly.
NEAR = {"float16": 1e-3, "float32": 1e-6, "float64": 1e-14}


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name", FACTORIES)
def test_factory_matches_pytorch_for_every_dtype(name, dtype):
    got, expected = _factory_outcome(name, dtype, ember), _factory_outcome(name, dtype, torch)
    if isinstance(expected, tuple) and expected[0] != "raises":
        assert got[:2] == expected[:2]
        near = name.startswith(("linspace", "logspace")) and expected[0] in NEAR
        np.testing.assert_allclose(got[2], expected[2], rtol=NEAR[expected[0]] if near else 0, atol=0)
    else:
        assert got == expected


# ----- the generic guard's table, checked against PyTorch -------------------------------------------------
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from test_stress_errors import BAD_CALLS, EXPECTED, KNOWN_GAPS, bad_call_outcome  # noqa: E402


def _pytorchs_outcome(call):
    """The built-in exception class PyTorch's is or derives from (None when the call succeeds): on a machine
    with a GPU, a CUDA build raises its own classes, AcceleratorError for a device it lacks, RuntimeErrors."""
    raised, _ = bad_call_outcome(call, torch)
    return raised and next(cls for cls in raised.__mro__ if cls.__module__ == "builtins")


@pytest.mark.parametrize("name", BAD_CALLS)
def test_the_guards_expected_classes_are_pytorchs(name):
    raised = _pytorchs_outcome(BAD_CALLS[name])
    assert EXPECTED[name] == ("ok" if raised is None else raised.__name__)


@pytest.mark.parametrize("name", [n for n in BAD_CALLS if n not in KNOWN_GAPS])
def test_bad_calls_raise_a_subclass_of_pytorchs_exception(name):
    torch_raised = _pytorchs_outcome(BAD_CALLS[name])
    ember_raised, leaked = bad_call_outcome(BAD_CALLS[name], ember)
    assert not leaked
    if torch_raised is None:
        assert ember_raised is None
    else:
        assert ember_raised is not None and issubclass(ember_raised, torch_raised), (ember_raised, torch_raised)
