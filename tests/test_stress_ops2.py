"""Issue 6, ops: logical ops, alpha, masked_fill, scalar ranges, empty-list indexing, contiguity, matmul
nodes, as PyTorch 2.13 gives them (expected values and error classes taken from torch)."""

from __future__ import annotations

import pytest

import ember


# ----- logical ops ---------------------------------------------------------------------------------------
def test_logical_ops_take_any_dtype_nonzero_is_true():
    a, b = ember.tensor([1.0, 0.0, float("nan")]), ember.tensor([2, 0, 1])
    assert ember.logical_and(a, b).tolist() == [True, False, True]
    assert ember.logical_or(a, b).tolist() == [True, False, True]
    assert ember.logical_xor(a, b).tolist() == [False, False, False]
    assert ember.logical_not(b).tolist() == [False, True, False]
    assert ember.logical_and(a, b).dtype is ember.bool


@pytest.mark.parametrize("call", [lambda t: ember.logical_and(t, 1), lambda t: ember.logical_or(1, t),
                                  lambda t: t.logical_xor(1.0), lambda t: ember.logical_not(1)])
def test_logical_ops_refuse_numbers_with_a_type_error(call):
    with pytest.raises(TypeError, match="must be Tensor"):
        call(ember.ones(2))


# ----- alpha ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", [ember.add, ember.sub])
@pytest.mark.parametrize("dtype, other, alpha, message", [
    (ember.int64, 1, 0.5, "must not be a floating point number"),
    (ember.int64, None, 2.0, "must not be a floating point number"),
    (ember.int64, None, True, "Boolean alpha only supported for Boolean results"),
    (ember.float32, None, False, "Boolean alpha only supported for Boolean results"),
])
def test_alpha_rules_follow_the_result_dtype(op, dtype, other, alpha, message):
    x = ember.tensor([1, 2], dtype=dtype)
    with pytest.raises(RuntimeError, match=message):
        op(x, x if other is None else other, alpha=alpha)


def test_a_float_alpha_is_fine_when_the_result_is_floating():
    assert ember.add(ember.tensor([1, 2]), ember.tensor([1.0, 2.0]), alpha=0.5).tolist() == [1.5, 3.0]
