"""add, sub, mul, div, pow (ember/_ops/arithmetic.py) and sum, mean, prod, any, all (ember/_ops/reduction.py)
are op-registry entries: their functions, methods, operators, in-place forms and grad_fn classes are built
from the entries, with PyTorch's behaviour (expected values taken from PyTorch 2.13)."""
import operator

import numpy as np
import pytest

import ember
from ember._ops import binary, reduction
from ember._ops.arithmetic import ARITHMETIC


def _names(result):
    return type(result.grad_fn).__name__, len(result.grad_fn.next_functions)


def test_the_arithmetic_entries_make_the_functions_methods_and_operators():
    for entry in ARITHMETIC:
        assert entry in binary.BINARY
        if not entry.public:
            continue
        for name in (entry.name, *entry.aliases):
            assert getattr(ember, name) is binary.FUNCTIONS[name] is getattr(ember.Tensor, name)
            assert callable(getattr(ember.Tensor, name + "_"))
        forward, reflected, in_place = entry.operators
        assert getattr(ember.Tensor, forward) is binary.FUNCTIONS[entry.name]
        assert getattr(ember.Tensor, in_place) is getattr(ember.Tensor, entry.name + "_")
        assert callable(getattr(ember.Tensor, reflected))


@pytest.mark.parametrize(("call", "expected"), [
    (lambda x, y: x + y, ("AddBackward0", 2)), (lambda x, y: x + 2, ("AddBackward0", 2)),
    (lambda x, y: 2 + x, ("AddBackward0", 2)), (lambda x, y: ember.add(2, x), ("AddBackward0", 2)),
    (lambda x, y: ember.add(x, y, alpha=3), ("AddBackward0", 2)), (lambda x, y: x - 2, ("SubBackward0", 2)),
    (lambda x, y: 2 - x, ("RsubBackward1", 1)), (lambda x, y: x.__rsub__(y), ("RsubBackward0", 2)),
    (lambda x, y: ember.sub(2, x, alpha=3), ("SubBackward0", 2)), (lambda x, y: x * 2, ("MulBackward0", 2)),
    (lambda x, y: ember.mul(2, x), ("MulBackward0", 2)), (lambda x, y: x / y, ("DivBackward0", 2)),
    (lambda x, y: 2 / x, ("MulBackward0", 2)), (lambda x, y: x.div(y, rounding_mode="floor"), ("DivBackward2", 2)),
    (lambda x, y: x ** y, ("PowBackward1", 2)), (lambda x, y: x ** 2, ("PowBackward0", 1)),
    (lambda x, y: 2 ** x, ("PowBackward2", 1)), (lambda x, y: ember.pow(2, x), ("PowBackward2", 1)),
])
def test_every_form_records_pytorchs_node(call, expected):
    x = ember.tensor([1.5, 2.0], requires_grad=True)
    y = ember.tensor([0.5, 3.0], requires_grad=True)
    assert _names(call(x, y)) == expected


def test_a_number_first_keeps_pytorchs_dtype_and_gradient():
    assert ember.sub(2, ember.tensor([1, 5], dtype=ember.int32)).tolist() == [1, -3]
    assert ember.sub(2, ember.tensor([1, 5], dtype=ember.int32)).dtype == ember.int32
    assert ember.div(7, ember.tensor([2, 4])).tolist() == [3.5, 1.75]
    x = ember.tensor([1.5, 2.0], requires_grad=True)
    result = ember.sub(2, x, alpha=3)
    assert result.tolist() == [-2.5, -4.0]
    result.sum().backward()
    assert x.grad.tolist() == [-3.0, -3.0]
    assert ember.mul(2, x).grad_fn.next_functions[0] == (None, 0)


def test_float16_by_a_number_rounds_as_pytorch():
    h = ember.tensor([3.0, 7.0, 11.0, 0.3], dtype=ember.float16)
    # on the right, computed in float32; first, the number rounded to float16 first (PyTorch 2.13's values)
    assert (h * 0.1).tolist() == [0.300048828125, 0.7001953125, 1.099609375, 0.029998779296875]
    assert ember.mul(0.1, h).tolist() == [0.2998046875, 0.69970703125, 1.099609375, 0.029998779296875]


def test_declared_parameters_and_their_errors_are_pytorchs():
    with pytest.raises(RuntimeError, match="argument alpha must not be a floating point number"):
        ember.tensor([1, 2]).add(ember.tensor([1, 2]), alpha=0.5)
    with pytest.raises(TypeError, match="add\\(\\) got an unexpected keyword argument 'foo'"):
        ember.add(ember.tensor([1.0, 2.0]), 1, foo=2)
    with pytest.raises(RuntimeError, match="rounding_mode to be one of None, 'trunc', or 'floor' but found 'round'"):
        ember.div(ember.tensor([1.0, 2.0]), 1, rounding_mode="round")
    assert ember.div(ember.tensor([7.0, -7.0]), 2, rounding_mode="trunc").tolist() == [3.0, -3.0]
    assert ember.tensor([7.0, -7.0]).div_(2, rounding_mode="floor").tolist() == [3.0, -4.0]
    x = ember.tensor([1.0, 2.0])
    assert ember.add(x, x, alpha=1.0).tolist() == [2.0, 4.0] and x.sub(x, alpha=2).tolist() == [-1.0, -2.0]


def test_bool_powers_are_pytorchs():
    b = ember.tensor([True, False])
    for call in (lambda: b ** b, lambda: True ** b, lambda: ember.pow(b, b), lambda: b.clone().pow_(b)):
        with pytest.raises(NotImplementedError, match="\"pow\" not implemented for 'Bool'"):
            call()
    assert (b ** True).dtype == ember.bool and (b ** 2).dtype == ember.int64


@pytest.mark.parametrize("op", [operator.iadd, operator.isub, operator.imul, operator.itruediv, operator.ipow])
def test_in_place_operators_write_into_the_tensor(op):
    x = ember.tensor([1.5, 2.0])
    assert op(x, 2) is x
    np.testing.assert_allclose(x.numpy(), op(np.array([1.5, 2.0]), 2))
    assert x._version == [1]


def test_the_reduction_entries_make_the_functions_and_methods():
    for entry in reduction.REDUCTIONS:
        assert getattr(ember, entry.name) is reduction.FUNCTIONS[entry.name] is getattr(ember.Tensor, entry.name)


@pytest.mark.parametrize(("name", "dim", "node"), [
    ("sum", None, "SumBackward0"), ("sum", 1, "SumBackward1"), ("mean", None, "MeanBackward0"),
    ("mean", (0, 1), "MeanBackward1"), ("prod", None, "ProdBackward0"), ("prod", 0, "ProdBackward1"),
])
def test_reductions_record_pytorchs_nodes(name, dim, node):
    x = ember.tensor([[1.5, 0.0, 2.0], [3.0, -1.0, 0.5]], requires_grad=True)
    result = getattr(x, name)() if dim is None else getattr(x, name)(dim)
    assert type(result.grad_fn).__name__ == node


def test_reductions_over_no_elements_and_flags_are_pytorchs():
    empty = ember.zeros(0, 3)
    assert np.isnan(empty.mean(0).numpy()).all() and empty.mean(0).shape == (3,)
    assert ember.zeros(0, 2).prod(1).shape == (0,)
    assert ember.zeros(0, 2).all(0).tolist() == [True, True] and ember.zeros(0, 2).any(0).tolist() == [False, False]
    flags = ember.tensor([[1, 0], [2, 3]], dtype=ember.uint8).all(1)
    assert flags.dtype == ember.uint8 and flags.tolist() == [0, 1]
    with pytest.raises(TypeError, match="dtype"):
        ember.tensor([True]).any(dtype=ember.float64)
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype. Input dtype must be"):
        ember.tensor([1, 2]).mean()
    with pytest.raises(TypeError, match="prod\\(\\) received an invalid combination of arguments"):
        ember.tensor([1.0, 2.0]).prod((0,))
    assert ember.tensor([[1, 2], [3, 4]]).sum(axis=1, keepdims=True).tolist() == [[3], [7]]
    assert ember.tensor([[1, 2], [3, 4]]).prod(dtype=ember.float64).item() == 24.0
