"""ember raises PyTorch's exception types, with messages naming the op and operands, and leaves the
tensors involved unchanged. Every expectation here was checked against PyTorch 2.13."""
from __future__ import annotations

import numpy as np
import pytest

import ember as torch


def test_matmul_shape_mismatch_names_both_shapes():
    a, b = torch.ones(2, 3), torch.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        a @ b


def test_matmul_function_shape_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        torch.matmul(torch.ones(2, 3), torch.ones(4, 5))


def test_add_broadcast_mismatch_names_both_sizes_and_the_dimension():
    message = r"The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1"
    with pytest.raises(RuntimeError, match=message):
        torch.ones(2, 3) + torch.ones(2, 4)


def test_inplace_add_broadcast_mismatch_leaves_the_tensor_unchanged():
    a = torch.ones(2, 3)
    message = r"The size of tensor a \(3\) must match the size of tensor b \(4\)"
    with pytest.raises(RuntimeError, match=message):
        a.add_(torch.ones(2, 4))
    np.testing.assert_array_equal(a.numpy(), np.ones((2, 3), np.float32))


def test_view_with_incompatible_numel_names_shape_and_size():
    a = torch.ones(4)
    with pytest.raises(RuntimeError, match=r"shape '\[5\]' is invalid for input of size 4"):
        a.view(5)
    assert a.shape == (4,)


def test_view_with_inferred_dimension_names_the_requested_shape():
    with pytest.raises(RuntimeError, match=r"shape '\[4, -1\]' is invalid for input of size 6"):
        torch.ones(2, 3).view(4, -1)


def test_backward_twice_without_retain_graph_raises():
    a = torch.tensor([1., 2., 3.], requires_grad=True)
    y = a.sin().sum()
    y.backward()
    first = a.grad.numpy().copy()
    message = r"Trying to backward through the graph a second time.*retain_graph=True"
    with pytest.raises(RuntimeError, match=message):
        y.backward()
    np.testing.assert_array_equal(a.grad.numpy(), first)


def test_backward_of_non_scalar_without_gradient_raises():
    a = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"grad can be implicitly created only for scalar outputs"):
        (a * 2).backward()
    assert a.grad is None


def test_inplace_op_on_leaf_requiring_grad_raises():
    a = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError,
                       match=r"a leaf Variable that requires grad is being used in an in-place operation\."):
        a.add_(1)
    np.testing.assert_array_equal(a.detach().numpy(), np.ones(3, np.float32))


def test_item_assignment_on_leaf_requiring_grad_raises():
    a = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError,
                       match=r"a leaf Variable that requires grad is being used in an in-place operation\."):
        a[0] = 5.0
    np.testing.assert_array_equal(a.detach().numpy(), np.ones(3, np.float32))


def test_inplace_change_of_a_saved_tensor_fails_backward():
    a = torch.ones(3, requires_grad=True)
    b = a * 2
    c = b.sin()
    b.add_(1)
    message = (r"one of the variables needed for gradient computation has been modified by an inplace "
               r"operation.*version 1; expected version 0")
    with pytest.raises(RuntimeError, match=message):
        c.sum().backward()
    assert a.grad is None


def test_backward_of_tensor_without_grad_raises():
    a = torch.ones(3)
    message = r"element 0 of tensors does not require grad and does not have a grad_fn"
    with pytest.raises(RuntimeError, match=message):
        a.sum().backward()


def test_unknown_device_string_raises():
    message = r"Expected one of cpu.* device type at start of device string: foo"
    with pytest.raises(RuntimeError, match=message):
        torch.device("foo")


def test_creating_a_tensor_on_an_unknown_device_raises():
    with pytest.raises(RuntimeError, match=r"device string: foo"):
        torch.ones(2, device="foo")


def test_matmul_of_float32_and_float64_raises():
    a, b = torch.ones(2, 3), torch.ones(3, 2, dtype=torch.float64)
    message = r"(?i)expected m1 and m2 to have the same dtype, but got: float(32)? != (double|float64)"
    with pytest.raises(RuntimeError, match=message):
        a @ b


def test_inplace_add_of_float_into_int_tensor_raises_and_keeps_values():
    a = torch.tensor([1, 2, 3])
    message = r"result type Float can't be cast to the desired output type Long"
    with pytest.raises(RuntimeError, match=message):
        a.add_(1.5)
    assert a.dtype == torch.int64
    np.testing.assert_array_equal(a.numpy(), np.array([1, 2, 3]))


def test_ones_with_a_string_size_raises_type_error():
    with pytest.raises(TypeError, match=r"ones\(\).*'size'.*str"):
        torch.ones("a")


def test_tensor_of_a_string_raises_type_error():
    with pytest.raises(TypeError, match=r"str"):
        torch.tensor("a")


def test_adding_a_string_raises_type_error():
    with pytest.raises(TypeError, match=r"(\+|add).*\bstr\b"):
        torch.ones(2) + "a"
