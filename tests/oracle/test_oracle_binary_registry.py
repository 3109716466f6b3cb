"""Every binary op of the registry (ember/_ops/binary.py) against PyTorch, rows generated from the
registry: function, method, alias, operator and in-place forms, out=; every dtype pair (results, result
dtypes, errors); Python numbers on either side; broadcasting; special values; integer division by zero;
gradients and grad_fn names."""

from __future__ import annotations

import operator

import numpy as np
import pytest
from outcomes import outcome

import ember
from ember._ops.binary import BINARY, IN_PLACE

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

PUBLIC = [entry for entry in BINARY if entry.public]
NAMES = [(entry, name) for entry in PUBLIC for name in (entry.name, *entry.aliases)]
DOMAIN_VALUES = {"real": [-3.7, -1.4, 0.0, 2.3, 4.2, 5.0], "nonzero": [-3.0, -1.5, 2.5, 1.0, -0.5, 4.0],
                 "exponent": [0.0, 1.0, 2.0, 3.0, 1.0, 2.0], "positive": [0.5, 1.0, 2.5, 3.0, 0.25, 4.0]}
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]
SPECIALS = [float("nan"), float("inf"), -float("inf"), 0.0, -0.0, 1.0, -1.0, 2.5, -7.0, 1e30]
DIVIDING = [entry.name for entry in PUBLIC if entry.divides] + ["div_floor", "div_trunc"]


def _tensor(lib, values, dtype, shape=(2, 3)):
    host = np.array(values, dtype=np.float64)
    if dtype == "bool":
        host = host != 0
    elif dtype.startswith(("int", "uint")):
        host = np.round(host).astype(np.int64)  # then wrapped into narrow ints (-4 is uint8's 252)
    return lib.tensor(host.astype(dtype).reshape(shape))


def _assert_same(ours, theirs, what, atol=1e-30):
    if isinstance(theirs, str) or isinstance(ours, str):
        assert ours == theirs, f"{what}: ember {ours}, torch {theirs}"
        return
    assert ours[0] == theirs[0], f"{what}: dtype {ours[0]}, torch {theirs[0]}"
    rtol = 1e-3 if ours[0] == "float16" else 2e-6
    np.testing.assert_allclose(ours[1].astype(np.float64), theirs[1].astype(np.float64), rtol=rtol, atol=atol,
                               equal_nan=True, err_msg=what)
    assert ours[1].shape == theirs[1].shape, what


def _compare(call, what):
    _assert_same(outcome(ember, call), outcome(torch, call), what)


def _operands(lib, entry, dtype_a, dtype_b, shapes=((2, 3), (2, 3))):
    values_a, values_b = (DOMAIN_VALUES[domain] for domain in entry.domains)
    a = _tensor(lib, values_a[:int(np.prod(shapes[0]))], dtype_a, shapes[0])
    b = _tensor(lib, values_b[:int(np.prod(shapes[1]))], dtype_b, shapes[1])
    return a, b


@pytest.mark.parametrize("dtype_b", DTYPES)
@pytest.mark.parametrize("dtype_a", DTYPES)
@pytest.mark.parametrize(("entry", "name"), NAMES, ids=[name for _, name in NAMES])
def test_every_dtype_pair_is_pytorchs(entry, name, dtype_a, dtype_b):
    def call(lib):
        return getattr(lib, name)(*_operands(lib, entry, dtype_a, dtype_b))
    _compare(call, f"{name}({dtype_a}, {dtype_b})")

    def method(lib):
        a, b = _operands(lib, entry, dtype_a, dtype_b)
        return getattr(a, name)(b)
    _compare(method, f"Tensor.{name}({dtype_a}, {dtype_b})")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("number", [2, -3, 2.5, True], ids=["int", "negint", "float", "bool"])
@pytest.mark.parametrize(("entry", "name"), NAMES, ids=[name for _, name in NAMES])
def test_python_numbers_on_either_side_are_pytorchs(entry, name, number, dtype):
    for side in ("right", "left"):
        def call(lib, side=side):
            a, _ = _operands(lib, entry, dtype, dtype)
            fn = getattr(lib, name)
            return fn(a, number) if side == "right" else fn(number, a)
        _compare(call, f"{name} with {number!r} on the {side}, {dtype}")


OPERATORS = {"__add__": operator.add, "__sub__": operator.sub, "__mul__": operator.mul,
             "__truediv__": operator.truediv, "__pow__": operator.pow, "__floordiv__": operator.floordiv,
             "__mod__": operator.mod, "__and__": operator.and_, "__or__": operator.or_, "__xor__": operator.xor,
             "__lshift__": operator.lshift, "__rshift__": operator.rshift}
IN_OPERATORS = {"__add__": operator.iadd, "__sub__": operator.isub, "__mul__": operator.imul,
                "__truediv__": operator.itruediv, "__pow__": operator.ipow, "__floordiv__": operator.ifloordiv,
                "__mod__": operator.imod, "__and__": operator.iand, "__or__": operator.ior, "__xor__": operator.ixor,
                "__lshift__": operator.ilshift, "__rshift__": operator.irshift}
OPERATOR_ROWS = [(entry, entry.operators[0]) for entry in PUBLIC if len(entry.operators) == 3]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("entry", "dunder"), OPERATOR_ROWS, ids=[d for _, d in OPERATOR_ROWS])
def test_python_operators_reflected_and_in_place_are_pytorchs(entry, dunder, dtype):
    op, iop = OPERATORS[dunder], IN_OPERATORS[dunder]
    for other_dtype in DTYPES:
        def forward(lib, other_dtype=other_dtype):
            return op(*_operands(lib, entry, dtype, other_dtype))
        _compare(forward, f"{dunder}({dtype}, {other_dtype})")

        def in_place(lib, other_dtype=other_dtype):
            a, b = _operands(lib, entry, dtype, other_dtype)
            result = iop(a, b)
            assert result is a
            return a
        _compare(in_place, f"in-place {dunder}({dtype}, {other_dtype})")
    for number in (3, 1.5, True):
        def reflected(lib, number=number):
            return op(number, _operands(lib, entry, dtype, dtype)[1])
        _compare(reflected, f"{number!r} {dunder} <{dtype}>")


@pytest.mark.parametrize("name", IN_PLACE)
@pytest.mark.parametrize("dtype", DTYPES)
def test_in_place_methods_are_pytorchs(name, dtype):
    entry = next((e for e in PUBLIC if name in (e.name, *e.aliases)), None)
    for other in ("float32", "int64", "bool"):
        def call(lib, other=other):
            if entry is None:  # bitwise_not_
                a = _tensor(lib, DOMAIN_VALUES["real"], dtype)
                return a.bitwise_not_()
            a, b = _operands(lib, entry, dtype, other)
            assert getattr(a, name + "_")(b) is a
            return a
        _compare(call, f"{name}_({dtype}, {other})")


@pytest.mark.parametrize(("entry", "name"), NAMES, ids=[name for _, name in NAMES])
def test_out_is_pytorchs(entry, name):
    for dtype, out_dtype in (("float32", "float32"), ("float32", "float64"), ("int64", "int64"),
                             ("int64", "float32"), ("float32", "int64"), ("int32", "int32")):
        def call(lib, dtype=dtype, out_dtype=out_dtype):
            a, b = _operands(lib, entry, dtype, dtype)
            out = lib.zeros(2, 3, dtype=getattr(lib, out_dtype))
            assert getattr(lib, name)(a, b, out=out) is out
            return out
        _compare(call, f"{name}(<{dtype}>, out=<{out_dtype}>)")



SHAPES = [((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), ((3,), ()), ((), ()), ((2, 3), (2,))]


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize(("entry", "name"), NAMES, ids=[name for _, name in NAMES])
def test_broadcasting_is_pytorchs(entry, name, shapes):
    dtype = "float32" if "float16" not in entry.refuses else "int64"
    def call(lib):
        return getattr(lib, name)(*_operands(lib, entry, dtype, dtype, shapes))
    _compare(call, f"{name} of shapes {shapes}")


FLOAT_ENTRIES = [entry for entry in PUBLIC if "float32" not in entry.refuses]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("entry", FLOAT_ENTRIES + [e for e in BINARY if not e.public], ids=lambda e: e.name)
def test_special_values_are_pytorchs(entry, dtype):
    grid_a = np.repeat(SPECIALS, len(SPECIALS))
    grid_b = np.tile(SPECIALS, len(SPECIALS))

    def call(lib):
        a, b = (lib.tensor(grid.astype(dtype)) for grid in (grid_a, grid_b))
        if not entry.public:
            return lib.div(a, b, rounding_mode=entry.name[4:])
        return getattr(lib, entry.name)(a, b)
    ours, theirs = outcome(ember, call), outcome(torch, call)
    # PyTorch's logaddexp2(x, x) is off by an ulp of x + 1 (ember's, numpy's, is exact): the atol.
    _assert_same(ours, theirs, f"{entry.name} on special values, {dtype}", atol=1e-7)
    if not isinstance(ours, str):  # and the signs of zeros
        zeros = (ours[1] == 0) & (theirs[1] == 0)
        np.testing.assert_array_equal(np.signbit(ours[1][zeros]), np.signbit(theirs[1][zeros]), f"{entry.name} signs")


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("name", DIVIDING)
def test_integer_division_by_zero_is_pytorchs_error(name, dtype):
    def fn(lib):
        if name.startswith("div_"):
            return lambda a, b: lib.div(a, b, rounding_mode=name[4:])
        return getattr(lib, name)
    for divisor in (0, "tensor"):
        def call(lib, divisor=divisor):
            a = _tensor(lib, [4, -3, 2], dtype, (3,))
            b = _tensor(lib, [1, 0, 2], dtype, (3,)) if divisor == "tensor" else divisor
            return fn(lib)(a, b)
        _compare(call, f"{name}(<{dtype}>, {divisor})")
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            fn(lib)(_tensor(lib, [4], dtype, (1,)), 0)


@pytest.mark.parametrize("mode", ["floor", "trunc", None, "round"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_div_rounding_modes_are_pytorchs(mode, dtype):
    for other in DTYPES:
        def call(lib, other=other):
            a = _tensor(lib, DOMAIN_VALUES["real"], dtype)
            b = _tensor(lib, DOMAIN_VALUES["nonzero"], other)
            return lib.div(a, b, rounding_mode=mode)
        _compare(call, f"div({dtype}, {other}, rounding_mode={mode!r})")

        def method(lib, other=other):
            a = _tensor(lib, DOMAIN_VALUES["real"], dtype)
            return a.div_(_tensor(lib, DOMAIN_VALUES["nonzero"], other), rounding_mode=mode)
        _compare(method, f"div_({dtype}, {other}, rounding_mode={mode!r})")
    for number in (2, -1.5):
        _compare(lambda lib, number=number: lib.div(_tensor(lib, DOMAIN_VALUES["real"], dtype), number,
                                                    rounding_mode=mode),
                 f"div({dtype}, {number}, rounding_mode={mode!r})")


def test_bitwise_not_and_invert_are_pytorchs():
    for dtype in DTYPES:
        _compare(lambda lib, dtype=dtype: lib.bitwise_not(_tensor(lib, DOMAIN_VALUES["real"], dtype)),
                 f"bitwise_not({dtype})")
        _compare(lambda lib, dtype=dtype: ~_tensor(lib, DOMAIN_VALUES["real"], dtype), f"~<{dtype}>")


@pytest.mark.parametrize("dtype", INTS)
def test_shift_amounts_past_the_width_are_pytorchs(dtype):
    amounts = [0, 1, 7, 8, 15, 16, 31, 32, 63, 64, -1, 100]
    for op in (operator.lshift, operator.rshift):
        def call(lib, op=op):
            a = lib.tensor(np.array([5, -5, 1, -1, 7, -7, 3, -3, 9, -9, 2, -2]).astype(dtype))
            return op(a, lib.tensor(np.array(amounts).astype(dtype)))
        _compare(call, f"{dtype} {op.__name__} {amounts}")


DIFFERENTIABLE = [entry for entry in PUBLIC if entry.differentiable]


def _grads(lib, entry, form):
    values_a, values_b = (DOMAIN_VALUES[d] for d in entry.domains)
    a = lib.tensor(np.array(values_a) + 0.25, dtype=lib.float64, requires_grad=True)
    b = lib.tensor(np.array(values_b[:3]) + 0.5, dtype=lib.float64, requires_grad=True)
    fn = getattr(lib, entry.name)
    if form == "pair":
        result = fn(a.view(2, 3), b)
    elif form == "right":
        result = fn(a, 1.5)
    else:
        result = fn(2.5, a)
    weights = lib.tensor(np.linspace(0.5, 2.0, result.numel()).reshape(tuple(result.shape)), dtype=lib.float64)
    name = type(result.grad_fn).__name__
    try:
        (result * weights).sum().backward()
    except RuntimeError as error:
        return name, type(error).__name__, str(error)
    return name, a.grad.cpu().numpy(), None if b.grad is None else b.grad.cpu().numpy()


@pytest.mark.parametrize("form", ["pair", "right", "left"])
@pytest.mark.parametrize("entry", PUBLIC, ids=lambda e: e.name)
def test_gradients_and_grad_fn_names_are_pytorchs(entry, form):
    if "float64" in entry.refuses:
        return
    numbers_ok = {"pair": True, "right": entry.numbers != "none", "left": entry.numbers in ("both", "tensor")}[form]
    if not numbers_ok:
        assert outcome(ember, lambda lib: _grads(lib, entry, form)[0]) == "TypeError"
        assert outcome(torch, lambda lib: _grads(lib, entry, form)[0]) == "TypeError"
        return
    ours, theirs = _grads(ember, entry, form), _grads(torch, entry, form)
    assert ours[0] == theirs[0], f"{entry.name} ({form}) grad_fn {ours[0]}, torch {theirs[0]}"
    for mine, reference in zip(ours[1:], theirs[1:]):
        if isinstance(reference, str) or reference is None or mine is None:
            assert type(mine) is type(reference) if not isinstance(reference, str) else mine == reference, \
                f"{entry.name} ({form}): {mine} vs {reference}"
        else:
            np.testing.assert_allclose(mine, reference, rtol=1e-10, atol=1e-12, err_msg=f"{entry.name} ({form})")
