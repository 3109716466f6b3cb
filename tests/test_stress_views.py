"""Views, in-place writes, hooks and the engine's gradient hand-off, with PyTorch 2.13's results written in
(the oracle versions of these programs are in tests/oracle/test_oracle_stress_views.py)."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd import Function


def _names(node) -> tuple:
    return (type(node).__name__,) + tuple(None if n is None else type(n).__name__ for n, _ in node.next_functions)


# ----- views re-derive their history after an in-place change of their storage -----------------------------
def test_sibling_view_sees_a_fill_through_the_other_view():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    a, b = y[0:1], y[0:1]
    a.fill_(2)
    b.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    assert _names(b.grad_fn) == ("AsStridedBackward0", "CopySlices")


def test_view_sees_a_fill_through_an_ellipsis_view_of_it():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    t = (x * 3).view(2)
    t[...].fill_(2)
    t.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    assert type(t.grad_fn).__name__ == "AsStridedBackward0"


def test_transpose_sees_an_in_place_division_of_its_base():
    x = ember.ones(2, 2, requires_grad=True)
    t2 = (x * 3).view(2, 2)
    u = t2.t()
    t2 /= -1.5
    u.sum().backward()
    assert x.grad.tolist() == [[-2.0, -2.0], [-2.0, -2.0]]


def test_autograd_grad_through_a_view_of_a_changed_base():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    a = y[0:1]
    y.mul_(2)
    (grad,) = ember.autograd.grad(a.sum(), x)
    assert grad.tolist() == [6.0, 0.0]


def test_double_backward_through_a_rederived_view():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    v = y[1:]
    y.mul_(3)
    (g,) = ember.autograd.grad(v.sum(), x, create_graph=True)
    assert g.tolist() == [0.0, 12.0]
    (gg,) = ember.autograd.grad(g.sum(), x)
    assert gg.tolist() == [0.0, 6.0]


def test_retain_grad_follows_a_rederived_view_but_tensor_hooks_stay_behind():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    v = y[0:1]
    calls = []
    v.register_hook(calls.append)
    v.retain_grad()
    y.mul_(2)
    v.sum().backward()
    assert v.grad.tolist() == [1.0]
    assert calls == []


def test_a_result_over_an_ops_scratch_buffer_is_not_a_view():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    p = x.prod(1)
    p[0] = 5
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        p.sum().backward()


# ----- requires_grad and views made without grad ----------------------------------------------------------
def test_a_view_follows_its_base_starting_to_require_grad():
    a = ember.zeros(2, 2)
    b = a.view(4)
    a.requires_grad_()
    assert (b.requires_grad, b.is_leaf, b.grad_fn) == (True, True, None)


def test_a_view_made_under_no_grad_requires_grad_but_refuses_tracked_writes():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with ember.no_grad():
        v = y[0:1]
    assert (v.requires_grad, v.is_leaf, v.grad_fn) == (True, True, None)
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode and is being modified inplace"):
        v.mul_(2)


def test_a_view_made_under_no_grad_refuses_to_rederive_its_history():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with ember.no_grad():
        v = y[0:1]
    y.mul_(2)
    with pytest.raises(RuntimeError, match="its base or another view of its base has been modified inplace"):
        _ = v.grad_fn


def test_a_no_grad_view_whose_base_changed_prints_an_invalid_grad_fn():
    p = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        w = p[0:1]
        p.mul_(0.5)
    assert repr(w) == "tensor([0.5000], grad_fn=<Invalid>)"


def test_writes_under_no_grad_into_views_of_a_leaf():
    b = ember.ones(2, 2, requires_grad=True)
    with ember.no_grad():
        b.t().neg_()
    assert b.tolist() == [[-1.0, -1.0], [-1.0, -1.0]]
    assert b.is_leaf and b.requires_grad


def test_views_cannot_be_detached_in_place():
    with pytest.raises(RuntimeError, match="Can't detach views in-place"):
        ember.zeros(4)[0:2].detach_()


@pytest.mark.parametrize("make", [lambda x: x.long(), lambda x: x.to(ember.int64), lambda x: x.argmax(),
                                  lambda x: x > 0, lambda x: x.long()[0], lambda x: x.long().sum()],
                         ids=["long", "to(int64)", "argmax", "gt", "long()[0]", "long().sum()"])
def test_integer_results_do_not_require_grad(make):
    r = make(ember.tensor([1.5, -2.5], requires_grad=True))
    assert (r.requires_grad, r.grad_fn) == (False, None)


def test_copying_into_an_integer_tensor_does_not_make_it_require_grad():
    i = ember.tensor([1, 2])
    i.copy_(ember.tensor([1.5, 2.5], requires_grad=True))
    assert (i.requires_grad, i.grad_fn, i.tolist()) == (False, None, [1, 2])


# ----- saved values -------------------------------------------------------------------------------------------
def test_division_by_a_number_saves_nothing_of_its_input():
    x = ember.tensor([[1.0, 2.0]], requires_grad=True)
    t5 = (x * 2).squeeze()
    t6 = t5 / 1
    t5[None] = ember.tensor([5.0, 6.0])
    (t6.sum() + t5.sum()).backward()
    assert x.grad.tolist() == [[2.0, 2.0]]


def test_a_product_by_a_constant_does_not_keep_its_input():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y * ember.tensor([3.0, 4.0])
    y.add_(1)
    z.sum().backward()
    assert x.grad.tolist() == [3.0, 4.0]


def test_writing_into_a_saved_prod_output_raises_at_backward():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    p = x.prod()
    p.mul_(2)
    with pytest.raises(RuntimeError, match="output 0 of Prod, is at version 1; expected version 0"):
        p.backward()


def test_writing_into_a_view_after_an_in_place_exp_on_it_raises_at_backward():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = (x * 2)[:, 0]
    v.exp_()  # ExpBackward0 saves its output: the view's values
    v.mul_(2)
    with pytest.raises(RuntimeError, match="output 0 of Exp, is at version 2; expected version 1"):
        v.sum().backward()


def test_reshape_of_a_non_contiguous_view_is_a_reshape_alias():
    y = ember.ones(3, 4, requires_grad=True) * 2
    assert type(y[..., ::2].reshape(-1).grad_fn).__name__ == "ReshapeAliasBackward0"
    assert type(y.reshape(-1).grad_fn).__name__ == "ViewBackward0"


@pytest.mark.parametrize("key", [[True, False, True], [0, 2]], ids=["bool mask", "int index"])
def test_tensor_index_keys_are_freed_after_backward(key):
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = x[ember.tensor(key)]
    out.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        out.sum().backward()


# ----- hooks with autograd.grad and backward(inputs=) ---------------------------------------------------------
def test_leaf_hooks_apply_to_autograd_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 10)
    assert ember.autograd.grad((x * 3).sum(), x)[0].tolist() == [30.0, 30.0]


def test_leaf_hooks_apply_to_autograd_grad_with_create_graph():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 10)
    (g,) = ember.autograd.grad((x * x).sum(), x, create_graph=True)
    assert g.tolist() == [20.0, 40.0]
    assert type(g.grad_fn).__name__ == "MulBackward0"


def test_leaf_hooks_apply_to_backward_with_inputs():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward(inputs=[x])
    assert x.grad.tolist() == [30.0, 30.0]


def test_a_retained_input_of_backward_gets_its_gradient_once():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    (y * 3).sum().backward(inputs=[y])
    assert y.grad.tolist() == [3.0, 3.0]
    assert x.grad is None


def test_retained_gradients_outside_grads_inputs_are_filled_as_in_pytorch():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    ember.autograd.grad((y * 3).sum(), x)
    assert y.grad.tolist() == [3.0, 3.0]


def test_retain_grad_sees_the_gradient_after_later_registered_hooks():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert (y.grad.tolist(), x.grad.tolist()) == ([10.0, 10.0], [20.0, 20.0])


# ----- the engine never hands a tensor the user holds to .grad ------------------------------------------------
def _mutate_grad(x):
    x.grad.add_(1)


def test_a_tensor_returned_by_a_leaf_hook_is_copied_into_grad():
    held = ember.ones(2)
    x = ember.zeros(2, requires_grad=True)
    x.register_hook(lambda g: held)
    (x * 2).sum().backward()
    _mutate_grad(x)
    assert held.tolist() == [1.0, 1.0]


def test_a_view_returned_by_a_leaf_hook_is_copied_into_grad():
    held = ember.ones(2, 2)
    x = ember.zeros(2, 2, requires_grad=True)
    x.register_hook(lambda g: held.t())
    (x * 2).sum().backward()
    _mutate_grad(x)
    assert held.tolist() == [[1.0, 1.0], [1.0, 1.0]]


@pytest.mark.parametrize("through", [lambda x: x + 0, lambda x: x, lambda x: x.t(), lambda x: x.view(4)],
                         ids=["add", "leaf itself", "t", "view"])
def test_the_gradient_passed_to_backward_is_copied_into_grad(through):
    gradient = ember.ones(2, 2)
    x = ember.zeros(2, 2, requires_grad=True)
    out = through(x)
    out.backward(ember.ones(out.shape) if out.shape != gradient.shape else gradient)
    _mutate_grad(x)
    assert gradient.tolist() == [[1.0, 1.0], [1.0, 1.0]]


@pytest.mark.parametrize("kwargs", [{"inputs": None}, {"create_graph": True}], ids=["inputs", "create_graph"])
def test_the_gradient_passed_to_backward_with_options_is_copied(kwargs):
    gradient = ember.ones(2)
    x = ember.zeros(2, requires_grad=True)
    if "inputs" in kwargs:
        kwargs = {"inputs": [x]}
    (x + 0).backward(gradient, **kwargs)
    x.grad.data.add_(1)
    assert gradient.tolist() == [1.0, 1.0]


class _HeldGradient(Function):
    held = None

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        return _HeldGradient.held


def test_a_tensor_returned_by_a_custom_backward_is_copied_into_grad():
    _HeldGradient.held = ember.ones(2)
    x = ember.zeros(2, requires_grad=True)
    _HeldGradient.apply(x).sum().backward()
    _mutate_grad(x)
    assert _HeldGradient.held.tolist() == [1.0, 1.0]


def test_an_unshared_gradient_is_kept_without_a_copy():
    x = ember.zeros(3, requires_grad=True)
    (x * 2).sum().backward()
    first = x.grad
    (x * 2).sum().backward()
    assert x.grad is first and np.array_equal(first.numpy(), [4.0, 4.0, 4.0])


def test_ops_on_a_no_grad_view_require_grad_over_dead_edges():
    """PyTorch: the view is a leaf that requires grad; results of ops on it require grad but lead nowhere."""
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    with ember.no_grad():
        v = y[0:1]
    assert v.requires_grad and v.is_leaf and v.grad_fn is None
    z = v * 2
    assert z.requires_grad and z.grad_fn.next_functions == ((None, 0), (None, 0))
    z.sum().backward()
    assert x.grad is None and v.grad is None
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        v.backward(ember.ones(1))


def test_views_taken_before_the_base_required_grad_lead_nowhere():
    a = ember.zeros(3)
    b = a[0:2]
    a.requires_grad_()
    assert b.requires_grad and b.is_leaf
    assert (b * 2).grad_fn.next_functions == ((None, 0), (None, 0))


def test_setitem_views_a_value_without_its_leading_ones():
    """PyTorch drops a value's leading size-1 dims before writing it: (1, 2, 1) fits a (2, 1) region."""
    x = ember.tensor([[[-1.0], [1.0]]], requires_grad=True)
    t = x * 1
    t[-1] = t * 2
    assert t.grad_fn.name() == "torch::autograd::CopySlices"  # PyTorch's C++ node name
    assert [n.name() for n, _ in t.grad_fn.next_functions] == ["MulBackward0", "ViewBackward0"]
    t.sum().backward()
    assert x.grad.tolist() == [[[2.0], [2.0]]]
    b = ember.zeros(3)
    b[ember.tensor([0, 1])] = ember.ones(1, 1, 2)
    assert b.tolist() == [1.0, 1.0, 0.0]


def test_recorded_setitem_of_a_number_converts_it_as_the_unrecorded_one():
    """A float too large for float16 becomes inf in both paths (PyTorch's setitem goes through a copy)."""
    x = ember.tensor(-1.0, dtype=ember.float16, requires_grad=True)
    t = x * 1
    t[...] = 1e30
    assert t.grad_fn.name() == "CopyBackwards" and t.item() == float("inf")


def test_a_second_backward_through_copyslices_raises_unless_the_graph_was_retained():
    x = ember.tensor([-1.0, 2.0], requires_grad=True)
    t = x + 0.5
    t[::2] = -float("inf")  # the op saves nothing, yet the node is freed as PyTorch's CopySlices
    t.sum().backward(retain_graph=True)
    t.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0]
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        t.sum().backward()
