"""Issue 6, ops: logical ops, alpha, masked_fill, scalar ranges, empty-list indexing, contiguity, matmul
nodes, as PyTorch 2.13 gives them (expected values and error classes taken from torch)."""

from __future__ import annotations

import math

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


# ----- masked_fill ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype, value, expected", [
    (ember.int64, 2.5, [0, 2, 2]), (ember.int32, True, [0, 1, 1]), (ember.bool, 2.5, [False, True, True]),
    (ember.bool, float("nan"), [False, True, True]), (ember.float16, 2, [0.0, 2.0, 2.0]),
    (ember.int64, ember.tensor(2.5), [0, 2, 2]), (ember.float32, ember.tensor(True), [0.0, 1.0, 1.0]),
])
def test_masked_fill_converts_the_value_to_the_tensor_dtype(dtype, value, expected):
    x = ember.tensor([0, 1, 2]).to(dtype)
    result = x.masked_fill(x > 0, value)
    assert result.dtype is dtype and result.tolist() == expected
    x.masked_fill_(x > 0, value)
    assert x.tolist() == expected


def test_masked_fill_nodes_are_named_as_pytorchs():
    x = ember.tensor([1.0, 2.0], requires_grad=True) * 1
    assert type(x.masked_fill(x > 1, 0.0).grad_fn).__name__ == "MaskedFillBackward0"
    value = ember.tensor(3.0, requires_grad=True)
    y = x.clone()
    y.masked_fill_(x > 1, value)
    assert type(y.grad_fn).__name__ == "MaskedFillBackward1"
    y.sum().backward()
    assert value.grad.tolist() == 1.0


@pytest.mark.parametrize("mask, value, message", [
    (ember.tensor([1, 0]), 1.0, "only supports boolean masks"),
    (ember.tensor([True, False]), ember.tensor([1.0, 2.0]), "only supports a 0-dimensional value tensor"),
])
def test_masked_fill_errors(mask, value, message):
    with pytest.raises(RuntimeError, match=message):
        ember.ones(2).masked_fill(mask, value)


# ----- a number out of the destination dtype's range -----------------------------------------------------
FILLS = {
    "fill_": lambda x, v: x.fill_(v),
    "setitem ...": lambda x, v: x.__setitem__(Ellipsis, v),
    "setitem None": lambda x, v: x.__setitem__(None, v),
    "masked_fill": lambda x, v: x.masked_fill(ember.ones(x.shape, dtype=ember.bool), v),
    "full": lambda x, v: ember.full(x.shape, v, dtype=x.dtype),
}


@pytest.mark.parametrize("fill", list(FILLS))
@pytest.mark.parametrize("dtype, value, type_name", [
    (ember.int64, float("nan"), "int64_t"), (ember.int64, float("inf"), "int64_t"),
    (ember.int64, 1e30, "int64_t"), (ember.int32, 2**31, "int"), (ember.float32, 1e39, "float"),
])
def test_a_number_out_of_range_is_a_runtime_error(fill, dtype, value, type_name):
    x = ember.zeros((), dtype=dtype)
    with pytest.raises(RuntimeError, match=f"value cannot be converted to type {type_name} without overflow"):
        FILLS[fill](x, value)
    assert x.item() == 0


@pytest.mark.parametrize("fill", list(FILLS))
def test_a_fraction_truncates_and_any_number_fills_a_bool_tensor(fill):
    x = ember.zeros((2,), dtype=ember.int64)
    result = FILLS[fill](x, -2.7)
    assert (x if result is None else result).tolist() == [-2, -2]
    b = ember.zeros((2,), dtype=ember.bool)
    result = FILLS[fill](b, float("nan"))
    assert (b if result is None else result).tolist() == [True, True]


@pytest.mark.parametrize("value, message", [(2**64, "int too big to convert"),
                                            (-2**63 - 1, "can't convert negative int to unsigned")])
@pytest.mark.parametrize("op", [lambda x, v: x + v, lambda x, v: x * v, lambda x, v: x.fill_(v)])
def test_an_int_no_64_bit_integer_holds_is_an_overflow_error(op, value, message):
    with pytest.raises(OverflowError, match=message):
        op(ember.zeros(2, dtype=ember.int64), value)


# ----- empty index lists ---------------------------------------------------------------------------------
@pytest.mark.parametrize("key, shape", [([], (0, 3)), ((slice(None), []), (2, 0)), (([], []), (0,)),
                                        (([[]],), (1, 0, 3)), (([], 0), (0,))])
def test_an_empty_list_index_selects_nothing(key, shape):
    result = ember.arange(6.0).reshape(2, 3)[key]
    assert result.shape == shape and result.dtype is ember.float32 and result.is_contiguous()


def test_an_empty_list_index_writes_nothing():
    x = ember.zeros(3)
    x[[]] = 1.0
    assert x.tolist() == [0.0, 0.0, 0.0]


# ----- found by the fuzz beyond the CI seeds -------------------------------------------------------------
def test_a_bool_tensor_is_its_own_sign():
    x = ember.tensor([True, False])
    assert x.sign().dtype is ember.bool and x.sign().tolist() == [True, False]
    assert ember.sign(x, out=ember.empty(2, dtype=ember.bool)).tolist() == [True, False]


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_label_smoothing_with_no_classes_is_nan_not_a_python_error(reduction):
    loss = ember.nn.functional.cross_entropy(ember.zeros(0, 0), ember.zeros(0, dtype=ember.int64),
                                             label_smoothing=0.1, reduction=reduction)
    assert math.isnan(loss.item())


def test_where_with_a_number_out_of_float16_range_gives_inf_without_a_numpy_warning():
    import warnings

    x = ember.tensor([1.0, -1.0], dtype=ember.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ember.where(x > 0, x, 1e30)
    assert result.dtype is ember.float16 and result.tolist() == [1.0, float("inf")]


@pytest.mark.parametrize("factory", ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like", "full_like"])
def test_like_factories_keep_a_dense_input_layout(factory):
    """PyTorch's preserve_format: a permuted dense input gives a result with its strides; an overlapping
    (expanded) or gapped one a row-major result."""
    make = getattr(ember, factory)
    args = (2.0,) if factory == "full_like" else ()
    assert make(ember.ones(2, 3, 4).permute(2, 0, 1), *args).stride() == (1, 12, 4)
    assert make(ember.ones(2, 3).t(), *args, dtype=ember.float64).stride() == (1, 3)
    assert make(ember.ones(2, 1).expand(2, 3), *args).stride() == (3, 1)
    assert make(ember.ones(4, 6)[::2], *args).stride() == (6, 1)


# ----- Python types as dtypes: bool, int (int64) and float (float64), as PyTorch reads them ----------
_X = ember.ones(2, 3)
DTYPE_TAKERS = {
    "ones": lambda dt: ember.ones(2, dtype=dt),
    "zeros": lambda dt: ember.zeros(2, dtype=dt),
    "empty": lambda dt: ember.empty(2, dtype=dt),
    "empty_strided": lambda dt: ember.empty_strided((2,), (1,), dtype=dt),
    "full": lambda dt: ember.full((2,), 1, dtype=dt),
    "tensor": lambda dt: ember.tensor([1, 0], dtype=dt),
    "as_tensor": lambda dt: ember.as_tensor([1, 0], dtype=dt),
    "scalar_tensor": lambda dt: ember.scalar_tensor(1, dtype=dt),
    "arange": lambda dt: ember.arange(2, dtype=dt),
    "eye": lambda dt: ember.eye(2, dtype=dt),
    "zeros_like": lambda dt: ember.zeros_like(_X, dtype=dt),
    "ones_like": lambda dt: ember.ones_like(_X, dtype=dt),
    "empty_like": lambda dt: ember.empty_like(_X, dtype=dt),
    "full_like": lambda dt: ember.full_like(_X, 1, dtype=dt),
    "new_zeros": lambda dt: _X.new_zeros(2, dtype=dt),
    "new_ones": lambda dt: _X.new_ones(2, dtype=dt),
    "new_empty": lambda dt: _X.new_empty(2, dtype=dt),
    "new_full": lambda dt: _X.new_full((2,), 1, dtype=dt),
    "new_tensor": lambda dt: _X.new_tensor([1], dtype=dt),
    "to": lambda dt: _X.to(dt),
    "to device dtype": lambda dt: _X.to("cpu", dt),
    "to dtype=": lambda dt: _X.to(dtype=dt),
    "sum": lambda dt: _X.sum(dtype=dt),
    "sum dim": lambda dt: ember.sum(_X, 0, dtype=dt),
    "prod": lambda dt: _X.prod(dtype=dt),
}
FLOAT_DTYPE_TAKERS = {
    "linspace": lambda dt: ember.linspace(0, 1, 3, dtype=dt),
    "logspace": lambda dt: ember.logspace(0, 1, 3, dtype=dt),
    "rand": lambda dt: ember.rand(2, dtype=dt),
    "randn": lambda dt: ember.randn(2, dtype=dt),
    "rand_like": lambda dt: ember.rand_like(_X, dtype=dt),
    "randn_like": lambda dt: ember.randn_like(_X, dtype=dt),
    "mean": lambda dt: _X.mean(dtype=dt),
    "softmax": lambda dt: _X.softmax(0, dtype=dt),
    "log_softmax": lambda dt: ember.log_softmax(_X, 0, dtype=dt),
    "F.softmax": lambda dt: ember.nn.functional.softmax(_X, 0, dtype=dt),
    "Linear": lambda dt: ember.nn.Linear(2, 2, dtype=dt).weight,
    "Module.to": lambda dt: ember.nn.Linear(2, 2).to(dt).weight,
    "Module.to dtype=": lambda dt: ember.nn.Linear(2, 2).to(dtype=dt).weight,
}
INT_DTYPE_TAKERS = {
    "randint": lambda dt: ember.randint(0, 3, (2,), dtype=dt),
    "randint_like": lambda dt: ember.randint_like(_X, 3, dtype=dt),
    "randperm": lambda dt: ember.randperm(3, dtype=dt),
}


@pytest.mark.parametrize("python_type, expected", [(bool, ember.bool), (int, ember.int64), (float, ember.float64)])
@pytest.mark.parametrize("op", sorted(DTYPE_TAKERS))
def test_a_python_type_is_a_dtype_wherever_a_dtype_is_taken(op, python_type, expected):
    assert DTYPE_TAKERS[op](python_type).dtype is expected


@pytest.mark.parametrize("op", sorted(FLOAT_DTYPE_TAKERS))
def test_float_is_float64_for_floating_only_ops(op):
    assert FLOAT_DTYPE_TAKERS[op](float).dtype is ember.float64


@pytest.mark.parametrize("python_type, expected", [(int, ember.int64), (float, ember.float64)])
@pytest.mark.parametrize("op", sorted(INT_DTYPE_TAKERS))
def test_a_python_type_is_a_dtype_for_random_integers(op, python_type, expected):
    assert INT_DTYPE_TAKERS[op](python_type).dtype is expected


@pytest.mark.parametrize("op", sorted({**DTYPE_TAKERS, **FLOAT_DTYPE_TAKERS, **INT_DTYPE_TAKERS}))
def test_complex_is_a_clear_type_error_as_ember_has_no_complex_dtype(op):
    takers = {**DTYPE_TAKERS, **FLOAT_DTYPE_TAKERS, **INT_DTYPE_TAKERS}
    with pytest.raises(TypeError, match="no complex dtype"):
        takers[op](complex)


@pytest.mark.parametrize("bad", ["float32", object, 1, __import__("numpy").float32])
def test_other_objects_are_not_dtypes(bad):
    with pytest.raises(TypeError, match="argument 'dtype' must be ember.dtype"):
        ember.ones(2, dtype=bad)


def test_type_takes_no_python_type_as_pytorch():
    """PyTorch's Tensor.type() refuses bool/int/float (a ValueError), unlike to()."""
    with pytest.raises(ValueError, match="invalid type: 'float'"):
        _X.type(float)
    assert _X.type(ember.int64).dtype is ember.int64


def test_mean_names_the_optional_dtype_when_it_is_not_floating():
    with pytest.raises(RuntimeError, match="Optional dtype must be either a floating point or complex dtype. "
                                           "Got: Long"):
        _X.mean(dtype=int)
    with pytest.raises(RuntimeError, match="Input dtype must be"):
        ember.ones(2, dtype=int).mean()


def test_scalar_tensor_is_of_the_default_float_dtype():
    assert ember.scalar_tensor(1).dtype is ember.float32
    assert ember.scalar_tensor(True).tolist() == 1.0
    assert ember.scalar_tensor(1.5, dtype=int).tolist() == 1
    with pytest.raises(TypeError, match="must be Number, not str"):
        ember.scalar_tensor("a")


@pytest.mark.parametrize("dim", [(), (0,)])
def test_prod_with_a_dtype_gives_that_dtype(dim):
    """PyTorch: an explicit int32/bool dtype is the result dtype (only the default widens ints to int64)."""
    x = ember.ones(2, 3)
    assert x.prod(*dim, dtype=ember.int32).dtype is ember.int32
    assert x.prod(*dim, dtype=bool).dtype is ember.bool
    assert ember.tensor([[True, False]]).prod(1, dtype=bool).tolist() == [False]
    assert ember.tensor([True]).prod().dtype is ember.int64


# ----- layouts: clone and the *_like factories keep a dense layout (PyTorch's preserve_format) --------
def test_clone_keeps_a_dense_layout_and_makes_a_gapped_one_dense_in_its_order():
    assert ember.zeros(2, 3).t().clone().stride() == (1, 3)
    assert ember.zeros(2, 3, 4).permute(2, 0, 1).clone().stride() == (1, 12, 4)
    assert ember.zeros(4, 3)[::2].clone().stride() == (3, 1)
    assert ember.zeros(4, 2, 6)[..., ::2].permute(1, 2, 0).clone().stride() == (3, 1, 6)
    assert ember.zeros(2, 1).expand(2, 3).clone().stride() == (3, 1)
    assert ember.arange(8.0).reshape(4, 1, 2).permute(1, 2, 0).clone().stride() == (2, 1, 2)


def test_clone_copies_values_and_gradients_whatever_the_layout():
    x = ember.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], requires_grad=True)
    y = x.t().clone()
    assert y.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert y.grad_fn.name() == "CloneBackward0"
    (y * ember.arange(6.0).reshape(3, 2)).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]


def test_memory_format_picks_row_major_or_the_input_layout():
    t = ember.zeros(2, 3).t()
    assert repr(ember.preserve_format) == "ember.preserve_format"
    assert t.clone(memory_format=ember.contiguous_format).stride() == (2, 1)
    assert t.clone(memory_format=ember.preserve_format).stride() == (1, 3)
    assert ember.zeros_like(t, memory_format=ember.contiguous_format).stride() == (2, 1)
    assert ember.randint_like(t, 3).stride() == (1, 3)
    assert t.to(ember.float64).stride() == (1, 3)
    assert t.to(ember.float64, memory_format=ember.contiguous_format).stride() == (2, 1)
    assert t.double(memory_format=ember.contiguous_format).stride() == (2, 1)


def test_memory_format_errors():
    t = ember.zeros(2, 3).t()
    with pytest.raises(RuntimeError, match="preserve memory format is unsupported by the contiguous operator"):
        t.contiguous(memory_format=ember.preserve_format)
    with pytest.raises(TypeError, match="argument 'memory_format' must be ember.memory_format, not str"):
        t.clone(memory_format="contiguous")


def test_masked_fill_gives_a_row_major_result_and_unsqueeze_pytorchs_strides():
    t = ember.zeros(2, 3).t()
    assert t.masked_fill(t > 0, 1.0).stride() == (2, 1)
    assert t.unsqueeze(2).stride() == (1, 3, 1)
    assert t.unsqueeze(1).stride() == (1, 6, 3)
    assert t[..., None].stride() == (1, 3, 1)


# ----- advanced indexing lays its result out as PyTorch's TensorIterator does --------------------------
@pytest.mark.parametrize("make, key, shape, strides", [
    (lambda: ember.zeros(3, 4).t(), lambda: (slice(None), ember.tensor([0, 1])), (4, 2), (2, 1)),
    (lambda: ember.zeros(4, 3).t(), lambda: (ember.tensor([0, 1]),), (2, 4), (4, 1)),
    (lambda: ember.zeros(4, 2, 3).permute(1, 2, 0), lambda: (slice(None), ember.tensor([0, 1])), (2, 2, 4),
     (1, 2, 4)),
    (lambda: ember.zeros(4, 2, 3).permute(1, 2, 0), lambda: (Ellipsis, ember.tensor([0, 1])), (2, 3, 2),
     (6, 2, 1)),
    (lambda: ember.zeros(3, 4, 2).permute(2, 0, 1), lambda: (Ellipsis, ember.tensor([0, 1])), (2, 3, 2),
     (2, 4, 1)),
    (lambda: ember.zeros(3, 4), lambda: (None, ember.tensor([0, 1])), (1, 2, 4), (8, 4, 1)),
    (lambda: ember.zeros(3, 4), lambda: (slice(None), [1]), (3, 1), (1, 1)),
    (lambda: ember.zeros(2, 3, 8)[..., ::2], lambda: (slice(None), ember.tensor([0, 1])), (2, 2, 4), (8, 4, 1)),
    (lambda: ember.zeros(4, 3, 2).permute(2, 1, 0), lambda: (ember.tensor([0, 1]), None, ember.tensor([0, 1])),
     (2, 1, 4), (4, 1, 1)),
    (lambda: ember.zeros(4, 3).t(), lambda: (ember.tensor([[0, 1], [1, 0], [1, 1]]).t(),), (2, 3, 4), (4, 8, 1)),
    (lambda: ember.zeros(4, 3).t(), lambda: (True,), (1, 3, 4), (12, 1, 3)),
])
def test_advanced_indexing_result_strides(make, key, shape, strides):
    result = make()[key()]
    assert (tuple(result.shape), result.stride()) == (shape, strides)


def test_advanced_indexing_of_a_transposed_tensor_reads_the_right_values():
    x = ember.arange(12.0).reshape(3, 4)
    assert x.t()[:, ember.tensor([0, 2])].tolist() == [[0.0, 8.0], [1.0, 9.0], [2.0, 10.0], [3.0, 11.0]]
    assert x.t()[x.t()[:, 0] > 1].tolist() == [[2.0, 6.0, 10.0], [3.0, 7.0, 11.0]]


# ----- cross_entropy / nll_loss with no classes: ignored targets are never out of bounds ----------------
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("reduction, expected", [("mean", math.nan), ("sum", 0.0), ("none", [0.0, 0.0])])
def test_no_classes_with_every_target_ignored_is_pytorchs_value(loss, reduction, expected):
    x = ember.zeros(2, 0, requires_grad=True)
    result = getattr(ember.nn.functional, loss)(x, ember.tensor([0, 0]), ignore_index=0, reduction=reduction)
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(result.item())
    else:
        assert result.tolist() == expected
    result.sum().backward()
    assert x.grad.shape == (2, 0)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_no_classes_with_a_kept_target_is_out_of_bounds(reduction):
    with pytest.raises(IndexError, match="Target 1 is out of bounds"):
        ember.nn.functional.cross_entropy(ember.zeros(2, 0), ember.tensor([0, 1]), ignore_index=0,
                                          reduction=reduction)


@pytest.mark.parametrize("reduction, expected", [("mean", math.nan), ("sum", 0.0), ("none", [])])
def test_cross_entropy_of_no_rows_is_pytorchs_value(reduction, expected):
    for classes in (0, 3):
        result = ember.nn.functional.cross_entropy(ember.zeros(0, classes), ember.zeros(0, dtype=ember.int64),
                                                   reduction=reduction)
        if reduction == "mean":
            assert math.isnan(result.item())
        else:
            assert result.tolist() == expected


def test_no_classes_with_class_weights_or_label_smoothing():
    F = ember.nn.functional
    target = ember.tensor([0, 0])
    assert F.cross_entropy(ember.zeros(2, 0), target, weight=ember.zeros(0), ignore_index=0,
                           reduction="sum").item() == 0.0
    smoothed = F.cross_entropy(ember.zeros(2, 0), target, ignore_index=0, label_smoothing=0.1, reduction="none")
    assert all(math.isnan(v) for v in smoothed.tolist())


def test_empty_strided_lays_out_as_asked():
    x = ember.empty_strided((2, 3), (1, 2))
    assert x.stride() == (1, 2) and x.dtype is ember.float32 and x.is_leaf
    assert ember.empty_strided((2, 3), (0, 1), dtype=int).dtype is ember.int64
    assert ember.empty_strided((2, 0), (0, 0)).stride() == (0, 0)
    assert x.fill_(1.0).tolist() == [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]


@pytest.mark.parametrize("size, stride, error, message", [
    ((2, 3), (1,), RuntimeError, r"dimensionality of sizes \(2\) must match dimensionality of strides \(1\)"),
    ((2, 3), (-1, 2), RuntimeError, r"Storage size calculation overflowed with sizes=\[2, 3\] and strides=\[-1, 2\]"),
    (2, (1,), TypeError, r"argument 'size' \(position 1\) must be tuple of ints, not int"),
])
def test_empty_strided_errors(size, stride, error, message):
    with pytest.raises(error, match=message):
        ember.empty_strided(size, stride)
