"""uint8, int8 and int16 against PyTorch: the promotion matrix of every dtype pair (dimensioned and 0-d
tensors) and every kind of Python number, for arithmetic, division, bitwise ops, comparisons, where and
cat; numbers wrapped or refused as PyTorch converts them; conversions; reductions; errors; the type
queries (promote_types, result_type, can_cast, iinfo); printing; uint8 masks."""

from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest
from outcomes import outcome

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SMALL = ["uint8", "int8", "int16"]
VALUES = [-3, 0, 5, 2, -1, 7]  # wrapped into uint8 as PyTorch's tensor() does: -3 is 253
NUMBERS = [True, 0, 3, -1, 300, -300, 2**40, 2.5, -0.5]
OPS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv,
       "floor_divide": operator.floordiv, "remainder": operator.mod, "and": operator.and_, "or": operator.or_,
       "xor": operator.xor, "eq": operator.eq, "lt": operator.lt, "ge": operator.ge,
       "maximum": lambda a, b: (ember if isinstance(a, ember.Tensor) else torch).maximum(a, b)}


def _tensor(lib, dtype, values=VALUES, shape=(2, 3)):
    host = np.array(values, dtype=np.int64)
    host = host != 0 if dtype == "bool" else host.astype(dtype)
    return lib.tensor(host if shape is None else host.reshape(shape))


def _same(call, what):
    ours, theirs = outcome(ember, call), outcome(torch, call)
    if isinstance(theirs, str) or isinstance(ours, str):
        assert ours == theirs, f"{what}: ember {ours}, torch {theirs}"
        return
    assert ours[0] == theirs[0], f"{what}: dtype {ours[0]}, torch {theirs[0]}"
    assert ours[1].shape == theirs[1].shape, what
    np.testing.assert_allclose(ours[1].astype(np.float64), theirs[1].astype(np.float64),
                               rtol=1e-3 if ours[0] == "float16" else 1e-6, equal_nan=True, err_msg=what)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype_b", DTYPES)
@pytest.mark.parametrize("dtype_a", SMALL)
def test_tensor_pairs_promote_as_pytorch(dtype_a, dtype_b, op):
    fn = OPS[op]
    for shape_b in ((2, 3), ()):  # a 0-d tensor ranks below a dimensioned one
        for swap in (False, True):
            def call(lib, shape_b=shape_b, swap=swap):
                a = _tensor(lib, dtype_a)
                b = _tensor(lib, dtype_b, [3] if not shape_b else [2, 1, 3, 4, 1, 2], shape_b)
                return fn(b, a) if swap else fn(a, b)
            _same(call, f"{op}({dtype_a}, {dtype_b} {shape_b}, swapped={swap})")


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", SMALL)
def test_python_numbers_promote_and_wrap_as_pytorch(dtype, op):
    fn = OPS[op]
    for number in NUMBERS:
        if op == "maximum":
            continue
        _same(lambda lib, number=number: fn(_tensor(lib, dtype), number), f"{op}({dtype}, {number!r})")
        _same(lambda lib, number=number: fn(number, _tensor(lib, dtype)), f"{op}({number!r}, {dtype})")


@pytest.mark.parametrize("dtype", SMALL)
def test_where_and_cat_promote_as_pytorch(dtype):
    for other in DTYPES:
        _same(lambda lib, other=other: lib.where(_tensor(lib, "bool"), _tensor(lib, dtype), _tensor(lib, other)),
              f"where({dtype}, {other})")
        _same(lambda lib, other=other: lib.cat([_tensor(lib, dtype), _tensor(lib, other)]), f"cat({dtype}, {other})")
    for number in NUMBERS + [255, -255, -256, 128, -129]:
        _same(lambda lib, number=number: lib.where(_tensor(lib, "bool"), _tensor(lib, dtype), number),
              f"where({dtype}, {number!r})")


@pytest.mark.parametrize("dtype", SMALL)
def test_in_place_results_are_cast_back_as_pytorch(dtype):
    for other in DTYPES:
        for op in ("add_", "mul_", "sub_", "bitwise_and_", "floor_divide_"):
            def call(lib, other=other, op=op):
                a = _tensor(lib, dtype)
                getattr(a, op)(_tensor(lib, other, [1, 2, 3, 1, 2, 3]))
                return a
            _same(call, f"{dtype}.{op}({other})")
    for number in NUMBERS:
        def scalar_call(lib, number=number):
            a = _tensor(lib, dtype)
            a += number
            return a
        _same(scalar_call, f"{dtype} += {number!r}")


@pytest.mark.parametrize("dtype", SMALL)
def test_numbers_converted_into_small_ints_are_checked_as_pytorch(dtype):
    numbers = [127, 128, 255, 256, -1, -128, -129, -255, -256, 32767, 32768, -32769, 2.0, 127.5, 255.5, -0.5,
               -1.0, -128.5, float("nan"), float("inf")]
    for v in numbers:
        _same(lambda lib, v=v: lib.tensor([v, 1], dtype=getattr(lib, dtype)), f"tensor([{v!r}], {dtype})")
        _same(lambda lib, v=v: lib.full((2,), v, dtype=getattr(lib, dtype)), f"full({v!r}, {dtype})")
        _same(lambda lib, v=v: lib.zeros(2, dtype=getattr(lib, dtype)).fill_(v), f"fill_({v!r}) {dtype}")
        _same(lambda lib, v=v: _tensor(lib, dtype).masked_fill(_tensor(lib, "bool"), v),
              f"masked_fill({v!r}) {dtype}")
        _same(lambda lib, v=v: _tensor(lib, dtype).clamp(v), f"clamp({v!r}) {dtype}")
        _same(lambda lib, v=v: _tensor(lib, dtype).add(_tensor(lib, dtype), alpha=v) if not isinstance(v, float)
              else _tensor(lib, dtype), f"add(alpha={v!r}) {dtype}")
        _same(lambda lib, v=v: _tensor(lib, dtype) ** v if isinstance(v, int) and v >= 0 else _tensor(lib, dtype),
              f"{dtype} ** {v!r}")

        def setitem(lib, v=v):
            t = _tensor(lib, dtype)
            t[0, 1] = v
            return t
        _same(setitem, f"t[0, 1] = {v!r} on {dtype}")


@pytest.mark.parametrize("dtype", SMALL)
def test_conversions_are_pytorchs(dtype):
    for source in DTYPES:
        _same(lambda lib, source=source: _tensor(lib, source).to(getattr(lib, dtype)), f"{source}.to({dtype})")
        _same(lambda lib, source=source: _tensor(lib, dtype).to(getattr(lib, source)), f"{dtype}.to({source})")
    floats = [0.0, 1.9, -1.9, 127.0, -128.0, 255.0, 254.6]
    _same(lambda lib: lib.tensor(floats).to(getattr(lib, dtype)), f"float32 {floats} to {dtype}")
    for method in ("byte", "char", "short", "int", "long", "float", "bool"):
        _same(lambda lib, method=method: getattr(_tensor(lib, dtype), method)(), f"{dtype}.{method}()")
    _same(lambda lib: lib.from_numpy(np.array(VALUES).astype(dtype)), f"from_numpy({dtype})")
    _same(lambda lib: lib.tensor(np.array(VALUES).astype(dtype)), f"tensor(<numpy {dtype}>)")
    for lib in (ember, torch):
        assert _tensor(lib, dtype).cpu().numpy().dtype == np.dtype(dtype)
        assert _tensor(lib, dtype).tolist() == _tensor(torch, dtype).tolist()


@pytest.mark.parametrize("dtype", SMALL)
def test_unary_ops_reductions_and_creation_are_pytorchs(dtype):
    extremes = {"uint8": [0, 1, 255, 128, 7, 200], "int8": [-128, 127, -1, 0, 5, -7],
                "int16": [-32768, 32767, -1, 0, 300, -300]}[dtype]
    calls = {
        "neg": lambda x: -x, "abs": lambda x: x.abs(), "sign": lambda x: x.sign(), "sqrt": lambda x: x.sqrt(),
        "exp": lambda x: x.exp(), "floor": lambda x: x.floor(), "round": lambda x: x.round(),
        "reciprocal": lambda x: x.reciprocal(), "sigmoid": lambda x: x.sigmoid(), "invert": lambda x: ~x,
        "sum": lambda x: x.sum(), "sum(1)": lambda x: x.sum(1), "prod": lambda x: x.prod(),
        "sum(dtype)": lambda x: x.sum(dtype=getattr(ember if isinstance(x, ember.Tensor) else torch, dtype)),
        "max": lambda x: x.max(), "min(0)": lambda x: x.min(0).values, "argmax": lambda x: x.argmax(),
        "amax": lambda x: x.amax(1), "mean": lambda x: x.mean(), "std": lambda x: x.std(),
        "square": lambda x: x * x, "pow(2)": lambda x: x.pow(2), "shift": lambda x: x << 3,
        "rshift": lambda x: x >> 1, "div": lambda x: x / 3, "true_divide": lambda x: x.true_divide(x),
        "floor_divide(-1)": lambda x: x // -1, "mod(-3)": lambda x: x % -3, "fmod": lambda x: x.fmod(3),
        "all": lambda x: x.all(), "any": lambda x: x.any(), "all(1)": lambda x: x.all(1, keepdim=True),
        "sort-like clamp": lambda x: x.clamp(1, 100), "relu": lambda x: x.relu(),
    }
    for name, fn in calls.items():
        _same(lambda lib, fn=fn: fn(_tensor(lib, dtype, extremes)), f"{name}({dtype} {extremes})")
    creations = {
        "arange": lambda lib, dt: lib.arange(250, 260, dtype=dt), "arange(-3, 3)": lambda lib, dt: lib.arange(-3, 3,
                                                                                                             dtype=dt),
        "zeros": lambda lib, dt: lib.zeros(2, 3, dtype=dt), "ones_like": lambda lib, dt: lib.ones_like(
            _tensor(lib, dtype), dtype=dt),
        "full(7)": lambda lib, dt: lib.full((2,), 7, dtype=dt), "eye": lambda lib, dt: lib.eye(2, dtype=dt),
        "randint bounds": lambda lib, dt: lib.randint(-1, 3, (2,), dtype=dt).shape and lib.zeros(1),
        "randint high": lambda lib, dt: lib.randint(0, 2**15 + 2, (2,), dtype=dt).shape and lib.zeros(1),
        "randint dtype": lambda lib, dt: lib.randint(0, 3, (4,), dtype=dt).clamp(0, 0),
    }
    for name, fn in creations.items():
        _same(lambda lib, fn=fn: fn(lib, getattr(lib, dtype)), f"{name} {dtype}")


def test_type_queries_are_pytorchs():
    for a in DTYPES:
        for b in DTYPES:
            ea, eb, ta, tb = getattr(ember, a), getattr(ember, b), getattr(torch, a), getattr(torch, b)
            assert str(ember.promote_types(ea, eb)).split(".")[1] == str(torch.promote_types(ta, tb)).split(".")[1]
            assert ember.can_cast(ea, eb) == torch.can_cast(ta, tb), (a, b)
            for rank_a in ((2,), ()):
                for rank_b in ((2,), ()):
                    ours = ember.result_type(ember.zeros(rank_a, dtype=ea), ember.zeros(rank_b, dtype=eb))
                    theirs = torch.result_type(torch.zeros(rank_a, dtype=ta), torch.zeros(rank_b, dtype=tb))
                    assert ours.name == str(theirs).split(".")[1], (a, rank_a, b, rank_b)
        for number in NUMBERS:
            ours = ember.result_type(ember.zeros(2, dtype=getattr(ember, a)), number)
            assert ours.name == str(torch.result_type(torch.zeros(2, dtype=getattr(torch, a)), number)).split(".")[1]
    for name in SMALL + ["int32", "int64"]:
        ours, theirs = ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
        assert (ours.bits, ours.min, ours.max, ours.dtype, repr(ours)) == \
            (theirs.bits, theirs.min, theirs.max, theirs.dtype, repr(theirs))
        assert getattr(ember, name).is_signed == getattr(torch, name).is_signed
        assert getattr(ember, name).itemsize == getattr(torch, name).itemsize
    for lib in (ember, torch):
        for bad in (lib.float32, lib.bool):
            with pytest.raises(TypeError):
                lib.iinfo(bad)
        with pytest.raises(TypeError):
            lib.promote_types(lib.uint8, 1)
    assert ember.short is ember.int16


def test_printing_and_legacy_types_are_pytorchs():
    for dtype in SMALL:
        for shape, values in (((2, 3), VALUES), ((), [5])):
            ours, theirs = repr(_tensor(ember, dtype, values, shape)), repr(_tensor(torch, dtype, values, shape))
            assert ours == theirs.replace("torch.", "ember."), (ours, theirs)
        assert _tensor(ember, dtype).type() == _tensor(torch, dtype).type().replace("torch.", "ember.")
    for name in ("ByteTensor", "CharTensor", "ShortTensor"):
        _same(lambda lib, name=name: getattr(lib, name)([1, 2, 3]), f"{name}([1, 2, 3])")
        _same(lambda lib, name=name: getattr(lib, name)(2, 3).zero_(), f"{name}(2, 3)")
        _same(lambda lib, name=name: getattr(lib, name)(lib.tensor([1.0])), f"{name}(<float tensor>)")
        assert isinstance(_tensor(ember, {"ByteTensor": "uint8", "CharTensor": "int8", "ShortTensor": "int16"}[name]),
                          getattr(ember, name))
        assert not isinstance(_tensor(ember, "int32"), getattr(ember, name))


def test_uint8_masks_index_as_pytorch_with_its_warning():
    mask_values = [1, 0, 1, 1]
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            x = lib.arange(4.0)
            picked = x[lib.tensor(mask_values, dtype=lib.uint8)]
            x[lib.tensor(mask_values, dtype=lib.uint8)] = lib.tensor([7.0, 8.0, 9.0])
            chosen = lib.where(lib.tensor(mask_values, dtype=lib.uint8), 1.0, 0.0)
        assert picked.tolist() == [0.0, 2.0, 3.0] and x.tolist() == [7.0, 1.0, 8.0, 9.0]
        assert chosen.tolist() == [1.0, 0.0, 1.0, 1.0]
        assert [w.category for w in caught] == [UserWarning] * 3, [str(w.message) for w in caught]
        assert "uint8" in str(caught[0].message) and "deprecated" in str(caught[0].message)
    for value in (7.0, "0-d", "one element"):
        def fill(lib, value=value):
            x = lib.arange(8.0).reshape(2, 4)
            number = lib.tensor(7.0) if value == "0-d" else lib.tensor([7.0]) if value == "one element" else value
            x[:, lib.tensor(mask_values, dtype=lib.uint8)] = number
            return x
        assert outcome(ember, fill) == outcome(torch, fill) == "RuntimeError", value  # masked_fill_: bool masks only
    for dtype in ("int8", "int16"):
        _same(lambda lib, dtype=dtype: lib.arange(4.0)[_tensor(lib, dtype, [1, 0, 2], None)], f"index by {dtype}")
