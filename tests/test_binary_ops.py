"""The registry's binary ops (ember/_ops/binary.py) on hand-picked values, expected values and errors taken
from PyTorch 2.13: the sign conventions of floor division and the remainders, integer division by zero,
the bitwise ops and shifts, operators (reflected and in place), out=, dtypes, gradients and grad_fn names."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember._ops.binary import BINARY

A = [7.0, -7.0, 7.5, -7.5, -4.0]
B = [2.0, 2.0, -2.0, -2.0, 2.0]


def _values(t):
    return t.tolist()


@pytest.mark.parametrize(("call", "expected"), [
    (lambda a, b: a // b, [3.0, -4.0, -4.0, 3.0, -2.0]),
    (lambda a, b: ember.floor_divide(a, b), [3.0, -4.0, -4.0, 3.0, -2.0]),
    (lambda a, b: ember.div(a, b, rounding_mode="floor"), [3.0, -4.0, -4.0, 3.0, -2.0]),
    (lambda a, b: a % b, [1.0, 1.0, -0.5, -1.5, -0.0]),
    (lambda a, b: ember.fmod(a, b), [1.0, -1.0, 1.5, -1.5, -0.0]),
    (lambda a, b: a.div(b, rounding_mode="trunc"), [3.0, -3.0, -3.0, 3.0, -2.0]),
])
def test_float_division_signs_are_pytorchs(call, expected):
    result = call(ember.tensor(A), ember.tensor(B))
    assert result.dtype == ember.float32
    assert _values(result) == expected
    assert [math.copysign(1, v) for v in _values(result)] == [math.copysign(1, v) for v in expected]


def test_integer_division_is_pythons_or_cs():
    i, j = ember.tensor([7, -7, 7, -7]), ember.tensor([2, 2, -2, -2])
    assert _values(i // j) == [3, -4, -4, 3]
    assert _values(i % j) == [1, 1, -1, -1]
    assert _values(ember.fmod(i, j)) == [1, -1, 1, -1]
    assert _values(ember.div(i, j, rounding_mode="trunc")) == [3, -3, -3, 3]
    assert (i // j).dtype == ember.int64
    assert _values(5 % ember.tensor([3, -3])) == [2, -1]
    assert _values(7 // ember.tensor([2.0, -2.0])) == [3.0, -4.0]
    assert (ember.tensor([5], dtype=ember.int32) // 2.5).dtype == ember.float32


@pytest.mark.parametrize("call", [
    lambda i: i // 0, lambda i: i % 0, lambda i: ember.fmod(i, 0), lambda i: i // ember.tensor([1, 0]),
    lambda i: ember.div(i, 0, rounding_mode="trunc"), lambda i: ember.div(i, 0, rounding_mode="floor"),
    lambda i: i.remainder_(ember.tensor([0, 1])),
])
def test_integer_division_by_zero_is_pytorchs_runtime_error(call):
    i = ember.tensor([4, -3])
    with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
        call(i)
    assert _values(i) == [4, -3], "nothing was written"


def test_float_division_by_zero_is_ieee():
    assert _values(ember.tensor([1.0, -1.0]) // 0) == [math.inf, -math.inf]
    assert all(math.isnan(v) for v in _values(ember.tensor([1.0]) % 0))


def test_bitwise_ops_and_shifts():
    t = ember.tensor([12, 10])
    assert _values(t & 6) == [4, 2] and _values(t | 6) == [14, 14] and _values(t ^ 6) == [10, 12]
    assert _values(6 & t) == [4, 2] and _values(6 | t) == [14, 14] and _values(6 ^ t) == [10, 12]
    assert _values(1 << ember.tensor([3, 4])) == [8, 16] and _values(ember.tensor([-16]) >> 2) == [-4]
    assert _values(ember.tensor([7, -7], dtype=ember.int32) << 40) == [0, 0]
    assert _values(ember.tensor([7, -7], dtype=ember.int32) >> -1) == [0, -1]
    assert _values(~ember.tensor([7, -7], dtype=ember.int32)) == [-8, 6]
    assert _values(~ember.tensor([True, False])) == [False, True]
    assert (ember.tensor([True, False]) & 1).dtype == ember.int64
    assert _values(ember.tensor([True]) << 1) == [2]  # bool and an int number promote to int64
    t <<= 1
    assert _values(t) == [24, 20]


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: ember.tensor([1.0]) & 1, NotImplementedError, '"bitwise_and_cpu" not implemented for \'Float\''),
    (lambda: ember.tensor([1]) & 2.0, NotImplementedError, '"bitwise_and_cpu" not implemented for \'Float\''),
    (lambda: ember.tensor([True]) << ember.tensor([True]), NotImplementedError, '"lshift_cpu" not implemented'),
    (lambda: ~ember.tensor([1.0]), TypeError, "only implemented on integer and Boolean"),
    (lambda: ember.bitwise_not(ember.tensor([1.0])), NotImplementedError, "bitwise_not_cpu"),
    (lambda: ember.tensor([True]) // ember.tensor([True]), NotImplementedError, "div_floor_cpu"),
    (lambda: ember.remainder(ember.tensor([True]), ember.tensor([True])), NotImplementedError, "remainder_cpu"),
    (lambda: ember.logaddexp(ember.tensor([1]), ember.tensor([1])), NotImplementedError, "logaddexp_cpu"),
    (lambda: ember.hypot(ember.tensor([1.0]), 2.0), TypeError, "argument 'other' (position 2) must be Tensor"),
    (lambda: ember.atan2(2.0, ember.tensor([1.0])), TypeError, "argument 'input' (position 1) must be Tensor"),
    (lambda: ember.fmod(2.0, ember.tensor([1.0])), TypeError, "invalid combination"),
    (lambda: ember.div(ember.tensor([1.0]), 2, rounding_mode="round"), RuntimeError, "rounding_mode"),
    (lambda: ember.tensor([1, 2]) // ember.tensor([1, 2, 3]), RuntimeError, "must match the size"),
    (lambda: ember.remainder(ember.tensor([1.0]), ember.tensor([1.0]), out=ember.zeros(1, dtype=ember.int64)),
     RuntimeError, "can't be cast"),
])
def test_errors_are_pytorchs(call, error, message):
    with pytest.raises(error) as caught:
        call()
    assert message in str(caught.value)


def test_float_results_and_special_values():
    assert _values(ember.atan2(ember.tensor([1.0, -1.0]), ember.tensor([0.0, -1.0]))) == \
        pytest.approx([math.pi / 2, -3 * math.pi / 4])
    assert ember.atan2(ember.tensor([1]), ember.tensor([2])).dtype == ember.float32
    assert _values(ember.logaddexp(ember.tensor([1000.0]), ember.tensor([1000.0]))) == pytest.approx([1000.6931762695])
    big = ember.tensor([3e200], dtype=ember.float64)
    assert _values(ember.hypot(big, big * 4 / 3)) == pytest.approx([5e200])
    xlogy = _values(ember.xlogy(ember.tensor([0.0, 0.0, 2.0]), ember.tensor([0.0, math.nan, 1.0])))
    assert xlogy[0] == 0.0 and math.isnan(xlogy[1]) and xlogy[2] == 0.0
    assert _values(ember.copysign(ember.tensor([3, 4]), -0.0)) == [-3.0, -4.0]
    assert ember.arctan2 is ember.atan2


def test_out_and_in_place_forms():
    out = ember.zeros(2, dtype=ember.float64)
    assert ember.remainder(ember.tensor([5.0, -5.0]), 3, out=out) is out and _values(out) == [2.0, 1.0]
    t = ember.tensor([5.0, -5.0])
    assert t.fmod_(3) is t and _values(t) == [2.0, -2.0]
    t = ember.tensor([5, -5])
    t %= 3
    assert _values(t) == [2, 1]
    with pytest.raises(RuntimeError, match="can't be cast"):
        t //= 2.5


def test_gradients_and_grad_fn_names():
    x, y = ember.tensor([3.0, -5.0], requires_grad=True), ember.tensor([2.0, 3.0], requires_grad=True)
    ember.remainder(x, y).sum().backward()
    assert _values(x.grad) == [1.0, 1.0] and _values(y.grad) == [-1.0, 2.0]
    x.grad = y.grad = None
    ember.atan2(x, y).sum().backward()
    np.testing.assert_allclose(_values(x.grad), [0.15384616, 0.0882353], rtol=1e-6)
    np.testing.assert_allclose(_values(y.grad), [-0.23076925, 0.14705883], rtol=1e-6)
    names = {type(f(x).grad_fn).__name__ for f in (lambda x: x // 2, lambda x: 2 % x)}
    assert names == {"NotImplemented"}
    assert type((x % 2).grad_fn).__name__ == "RemainderBackward0"
    assert type((x % y).grad_fn).__name__ == "RemainderBackward1"
    assert type(x.div(y, rounding_mode="floor").grad_fn).__name__ == "DivBackward2"
    with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
        (x // y).sum().backward()


def test_every_public_entry_is_exported_as_function_method_and_in_place():
    for entry in BINARY:
        if not entry.public:
            continue
        for name in (entry.name, *entry.aliases):
            assert callable(getattr(ember, name)) and callable(getattr(ember.Tensor, name))
            assert hasattr(ember.Tensor, name + "_") == entry.in_place
