"""Issue 6: argument checks, errors and conversions as PyTorch 2.13 gives them (expected classes, messages
and values taken from torch). No numpy exception or warning may reach the user."""

from __future__ import annotations

import pytest

import ember


# ----- indexing ------------------------------------------------------------------------------------------
def test_setitem_puts_the_index_dim_where_getitem_does():
    x = ember.zeros(2, 3, 4)
    x[0, :, ember.tensor([0, 1])] = ember.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert x[0].tolist() == [[1.0, 2.0, 0.0, 0.0], [3.0, 4.0, 0.0, 0.0], [5.0, 6.0, 0.0, 0.0]]
    assert x[0, :, ember.tensor([0, 1])].shape == (3, 2)


def test_a_0d_int_tensor_index_selects_like_an_int():
    x = ember.arange(24.0).reshape(2, 3, 4)
    assert x[ember.tensor(1), :, [0, 1]].shape == (3, 2)
    view = x[ember.tensor(1)]
    view[0, 0] = -1.0
    assert x[1, 0, 0].item() == -1.0


def test_setitem_value_that_does_not_broadcast():
    x = ember.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(3\) must match the existing size "
                                           r"\(4\) at non-singleton dimension 0.  Target sizes: \[3\].  Tensor "
                                           r"sizes: \[4\] \(in setitem\)"):
        x[0] = ember.ones(4)
    with pytest.raises(RuntimeError, match=r"shape mismatch: value tensor of shape \[4\] cannot be broadcast to "
                                           r"indexing result of shape \[2, 3\]"):
        x[ember.tensor([0, 1])] = ember.ones(4)
    assert x.tolist() == [[1.0] * 3] * 2
    x[0] = ember.full((1, 1, 3), 2.0)  # leading size-1 dims are dropped, as in PyTorch
    assert x[0].tolist() == [2.0] * 3


@pytest.mark.parametrize("key", [ember.tensor([0]), [0, 1], ember.tensor([True, False])])
def test_setitem_with_an_advanced_key_requires_matching_dtypes(key):
    x = ember.ones(2, 3)
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match, got "
                                           "Float for the destination and Double for the source"):
        x[key] = ember.ones(3, dtype=ember.float64)
    x[0] = ember.full((3,), 2, dtype=ember.float64)  # a basic key converts
    x[ember.tensor([True, False])] = ember.tensor(3, dtype=ember.int64)  # a masked fill converts
    assert x[0].tolist() == [3.0] * 3


def test_setitem_on_a_leaf_reports_a_bad_int_index_before_the_leaf():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 2"):
        x[5] = 1.0
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 1"):
        x[ember.tensor([0]), 0] = 1.0
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x[ember.tensor([5])] = 1.0


def test_mask_of_the_wrong_shape_names_the_mask():
    x = ember.ones(2, 3, 4)
    message = (r"The shape of the mask \[2\] at index 0 does not match the shape of the indexed tensor "
               r"\[2, 3, 4\] at index 1")
    with pytest.raises(IndexError, match=message):
        x[:, ember.tensor([True, False])]
    with pytest.raises(IndexError, match=message):
        x[:, ember.tensor([True, False])] = 0.0
    with pytest.raises(IndexError, match=r"mask \[3, 5\] at index 1 .* tensor \[3, 4\] at index 1"):
        x[0, ember.ones(3, 5, dtype=ember.bool)]


def test_out_of_range_tensor_index_in_setitem_is_an_index_error_and_writes_nothing():
    x = ember.zeros(3)
    with pytest.raises(IndexError, match="out of range"):
        x[ember.tensor([0, 5])] = 1.0
    assert x.tolist() == [0.0, 0.0, 0.0]
