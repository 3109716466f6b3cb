"""Double backward, autograd.grad's argument checks, saved loss targets and leaves that are views, with
PyTorch 2.13's results written in (tests/oracle/test_oracle_double_backward.py compares with PyTorch)."""

from __future__ import annotations

import pytest

import ember
import ember.nn.functional as F


def _grad_twice(output_of, x, weight=None):
    """(first gradient with create_graph, gradient of its sum) of `output_of(x)` with respect to `x`."""
    (first,) = ember.autograd.grad(output_of(x), x, weight, create_graph=True)
    (second,) = ember.autograd.grad(first.sum(), x)
    return first, second


def _names(node) -> tuple:
    return tuple(None if n is None else type(n).__name__ for n, _ in node.next_functions)


# ----- prod's gradient is differentiable ---------------------------------------------------------------------
def test_prod_has_a_second_derivative():
    first, second = _grad_twice(lambda x: x.prod(), ember.tensor([1.0, 2.0, 3.0], requires_grad=True))
    assert first.tolist() == [6.0, 3.0, 2.0]
    assert second.tolist() == [5.0, 4.0, 3.0]


def test_prod_with_two_zeros_has_a_zero_gradient_but_not_a_zero_second_derivative():
    first, second = _grad_twice(lambda x: x.prod(), ember.tensor([0.0, 0.0, 3.0], requires_grad=True))
    assert first.tolist() == [0.0, 0.0, 0.0] and first.requires_grad
    assert second.tolist() == [3.0, 3.0, 0.0]


def test_prod_along_a_dim_with_zeros_has_pytorchs_second_derivative():
    x = ember.tensor([[0.0, 2.0, 3.0], [1.0, 0.0, 0.0]], requires_grad=True)
    first, second = _grad_twice(lambda x: x.prod(1).sum(), x)
    assert first.tolist() == [[6.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    assert second.tolist() == [[5.0, 3.0, 2.0], [0.0, 1.0, 1.0]]


def test_prod_keepdim_with_a_zero_has_pytorchs_second_derivative():
    x = ember.tensor([[2.0, 0.0, 3.0], [1.0, 4.0, 5.0]], requires_grad=True)
    first, second = _grad_twice(lambda x: x.prod(0, keepdim=True).sum(), x)
    assert first.tolist() == [[1.0, 4.0, 5.0], [2.0, 0.0, 3.0]]
    assert second.tolist() == [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]


def test_prod_of_a_0d_tensor_or_a_size_1_dim_with_a_zero_passes_the_gradient_as_is():
    x = ember.tensor([[0.0], [2.0]], requires_grad=True)
    (g,) = ember.autograd.grad(x.prod(1).sum(), x, create_graph=True)
    assert g.tolist() == [[1.0], [1.0]] and not g.requires_grad
    (g,) = ember.autograd.grad(x[1, 0].prod(), x, create_graph=True)
    assert g.tolist() == [[0.0], [1.0]] and not g.requires_grad


# ----- relu's and nll_loss's gradients require grad under create_graph, as PyTorch's -------------------------------
def test_relu_gradient_records_threshold_backward_backward():
    x = ember.tensor([1.0, -2.0, 0.0, 3.0], requires_grad=True)
    first, second = _grad_twice(lambda x: x.relu().sum(), x)
    assert first.tolist() == [1.0, 0.0, 0.0, 1.0]
    assert first.requires_grad and type(first.grad_fn).__name__ == "ThresholdBackwardBackward0"
    assert _names(first.grad_fn) == (None, "ReluBackward0")
    assert second.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_relu_gradient_is_differentiable_in_the_upstream_gradient():
    x = ember.tensor([1.0, -2.0, 0.0, 3.0], requires_grad=True)
    w = ember.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    (first,) = ember.autograd.grad(x.relu(), x, w, create_graph=True)
    assert first.tolist() == [1.0, 0.0, 0.0, 4.0]
    assert ember.autograd.grad(first.sum(), w)[0].tolist() == [1.0, 0.0, 0.0, 1.0]


def test_nll_loss_gradient_records_nll_loss_backward_backward():
    x = ember.tensor([[1.0, -2.0, 0.0], [3.0, 1.0, 2.0]], requires_grad=True)
    first, second = _grad_twice(lambda x: F.nll_loss(x, ember.tensor([2, 0])), x)
    assert first.tolist() == [[0.0, 0.0, -0.5], [-0.5, 0.0, 0.0]]
    assert first.requires_grad and type(first.grad_fn).__name__ == "NllLossBackwardBackward0"
    assert _names(first.grad_fn) == (None, "AccumulateGrad")
    assert second.tolist() == [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]


# ----- autograd.grad and backward refuse non-tensors with PyTorch's classes ---------------------------------------
def test_grad_with_a_non_tensor_input_is_pytorchs_runtime_error():
    with pytest.raises(RuntimeError, match="all inputs have to be Tensors or GradientEdges, but got float"):
        ember.autograd.grad(ember.ones(1, requires_grad=True).sum(), [1.0])
    with pytest.raises(RuntimeError, match="but got NoneType"):
        x = ember.ones(1, requires_grad=True)
        ember.autograd.grad((x * 2).sum(), [x, None])


def test_backward_with_a_non_tensor_in_inputs_is_pytorchs_runtime_error():
    x = ember.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="all inputs have to be Tensors or GradientEdges, but got float"):
        (x * 2).sum().backward(inputs=[1.0])
    assert x.grad is None


def test_a_non_tensor_output_is_pytorchs_assertion_error():
    x = ember.ones(1, requires_grad=True)
    with pytest.raises(AssertionError, match="output to be a Tensor"):
        ember.autograd.grad([1.0], [x])
    with pytest.raises(AssertionError, match="output to be a Tensor"):
        ember.autograd.backward([(x * 2).sum(), None])


def test_a_non_tensor_gradient_is_pytorchs_type_error():
    x = ember.ones(1, requires_grad=True)
    with pytest.raises(TypeError, match="gradients can be either Tensors or None, but got float"):
        ember.autograd.grad((x * 2).sum(), [x], grad_outputs=[1.0])
    with pytest.raises(TypeError, match="gradients can be either Tensors or None, but got float"):
        ember.autograd.backward((x * 2).sum(), grad_tensors=[1.0])


# ----- losses keep their target (and weight) with its version ---------------------------------------------------------
def _logits():
    return ember.tensor([[0.2, 0.7, 0.4], [0.9, 0.3, 0.6]], requires_grad=True)


def test_cross_entropy_target_changed_in_place_fails_backward():
    target = ember.tensor([0, 1])
    loss = F.cross_entropy(_logits(), target)
    target[0] = 2
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: \[ember.LongTensor \[2\]\] is at "
                                           r"version 1; expected version 0"):
        loss.backward()


def test_nll_loss_target_changed_in_place_fails_backward():
    target = ember.tensor([0, 1])
    loss = F.nll_loss(_logits(), target)
    target.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_nll_loss_input_and_weight_changed_in_place_fail_backward():
    log_probabilities = _logits() * 1.0
    weight = ember.tensor([0.5, 1.0, 2.0])
    loss = F.nll_loss(log_probabilities, ember.tensor([0, 2]), weight=weight)
    weight.mul_(2)
    with pytest.raises(RuntimeError, match=r"\[ember.FloatTensor \[3\]\] is at version 1"):
        loss.backward(retain_graph=True)
    loss = F.nll_loss(log_probabilities, ember.tensor([0, 2]))
    with ember.no_grad():
        log_probabilities.add_(1)
    with pytest.raises(RuntimeError, match=r"\[ember.FloatTensor \[2, 3\]\], which is output 0 of Mul"):
        loss.backward()


def test_cross_entropy_weight_changed_in_place_fails_backward_but_its_logits_may_change():
    logits, weight = _logits() * 1.0, ember.tensor([0.5, 1.0, 2.0])
    loss = F.cross_entropy(logits, ember.tensor([0, 2]), weight=weight)
    with ember.no_grad():
        logits.add_(1)  # log_softmax keeps its result, not its input: PyTorch accepts this
    loss.backward(retain_graph=True)
    weight.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


# ----- a view made to require grad is a leaf of its own; .grad takes a dense leaf's layout -----------------------
def test_requires_grad_on_a_view_of_a_tensor_without_grad_makes_a_leaf():
    x = ember.zeros(3, 2).t().requires_grad_()
    y = x * 2
    assert x.is_leaf and x._base is not None
    assert _names(y.grad_fn) == ("AccumulateGrad", None)
    y.sum().backward()
    assert x.grad.tolist() == [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    assert x.grad.stride() == (1, 2)


def test_a_leaf_view_keeps_its_own_gradient_when_its_base_requires_grad_later():
    base = ember.zeros(3, 2)
    x = base.t().requires_grad_()
    base.requires_grad_()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]] and base.grad is None


@pytest.mark.parametrize("target", [lambda x: x, lambda x: x.t(), lambda x: x[0]])
def test_a_leaf_view_and_its_views_refuse_in_place_ops(target):
    x = ember.zeros(3, 2).t().requires_grad_()
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used in an "
                                           "in-place operation"):
        target(x).mul_(2)
    assert x.tolist() == [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]


def test_a_view_written_from_a_tensor_with_grad_may_be_written_again():
    root = ember.zeros(3)
    view = root[:2]
    view.copy_(ember.ones(2, requires_grad=True))
    view.mul_(2)  # not a leaf's view: PyTorch accepts it
    assert root.tolist() == [2.0, 2.0, 0.0] and type(root.grad_fn).__name__ == "CopySlices"


@pytest.mark.parametrize("make, stride", [
    (lambda: ember.zeros(2, 3, 4).permute(2, 0, 1), (1, 12, 4)),
    (lambda: ember.zeros(3, 2).t().detach(), (1, 2)),
    (lambda: ember.zeros(4)[::2], (1,)),  # not dense: a row-major gradient
    (lambda: ember.zeros(2, 3), (3, 1)),
])
def test_grad_has_the_leaf_layout_when_the_leaf_is_dense(make, stride):
    x = make().requires_grad_()
    (x * x).sum().backward()
    assert x.grad.stride() == stride
    (x * x).sum().backward()  # accumulating keeps it
    assert x.grad.stride() == stride


def test_grad_under_create_graph_has_the_leaf_layout_too():
    x = ember.ones(3, 2).t().requires_grad_()
    (x ** 2).sum().backward(create_graph=True)
    assert x.grad.stride() == (1, 2) and x.grad.requires_grad
    assert type(x.grad.grad_fn).__name__ == "CopyBackwards"
    assert x.grad.tolist() == [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]


def test_autograd_grad_of_a_transposed_leaf_is_row_major():
    x = ember.zeros(3, 2).t().requires_grad_()
    (g,) = ember.autograd.grad((x * 2).sum(), x)
    assert g.stride() == (3, 1)
