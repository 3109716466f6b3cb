"""A tensor the user holds never becomes (or shares memory with) a leaf's ``.grad``: the engine keeps a
gradient as ``.grad`` without copying only when no user code has seen it (no reference counts involved).

Each case writes into the user's tensor after backward and checks that ``.grad`` kept its values, and
writes into ``.grad`` (a second backward accumulates in place) and checks that the user's tensor did not
change."""
import numpy as np
import pytest

import ember
from ember.autograd import Function


def _same(a, b) -> bool:
    return np.array_equal(a.detach().numpy(), b.detach().numpy())


def _assert_independent(grad, held):
    """`grad` and `held` hold the same values now, but writing one leaves the other as it was."""
    assert grad is not held
    before_grad, before_held = grad.clone(), held.clone()
    with ember.no_grad():
        held.add_(100.0)
        assert _same(grad, before_grad)
        held.copy_(before_held)
        grad.mul_(3.0)
        assert _same(held, before_held)


def _leaf():
    return ember.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)


@pytest.mark.parametrize("op", [
    lambda x: x + 0,  # AddBackward0 passes the gradient through
    lambda x: x.view(2, 3),  # ViewBackward0 returns a view of it
    lambda x: x.t().t(),
    lambda x: x.clone(),
])
def test_grad_output_passed_to_backward_is_never_the_leafs_grad(op):
    x = _leaf()
    g = ember.full((2, 3), 0.5)
    op(x).backward(g)
    assert _same(x.grad, g)
    _assert_independent(x.grad, g)


def test_grad_output_passed_to_autograd_backward_with_several_roots():
    x = _leaf()
    g1, g2 = ember.full((2, 3), 0.5), ember.full((2, 3), 0.25)
    ember.autograd.backward([x + 0, x * 1], [g1, g2])
    assert _same(x.grad, g1 + g2)
    _assert_independent(x.grad, g1)
    _assert_independent(x.grad, g2)


def test_tensor_returned_by_custom_function_backward_is_copied():
    held = ember.full((2, 3), 7.0)

    class ReturnsHeld(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return held

    x = _leaf()
    ReturnsHeld.apply(x).sum().backward()
    assert _same(x.grad, held)
    _assert_independent(x.grad, held)


def test_gradient_a_custom_function_received_and_kept_is_copied():
    kept = []

    class KeepsGrad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            out = grad * 2
            kept.append(out)
            return out

    x = _leaf()
    KeepsGrad.apply(x).sum().backward()
    _assert_independent(x.grad, kept[0])


def test_value_returned_by_a_leaf_hook_is_copied():
    held = ember.full((2, 3), 3.0)
    x = _leaf()
    x.register_hook(lambda g: held)
    (x * 2).sum().backward()
    assert _same(x.grad, held)
    _assert_independent(x.grad, held)


def test_value_returned_by_a_non_leaf_hook_is_copied():
    held = ember.full((2, 3), 3.0)
    x = _leaf()
    h = x * 2
    h.register_hook(lambda g: held)
    (h + 0).sum().backward()  # AddBackward0 then passes `held` on to x unchanged... through MulBackward0
    y = _leaf()
    k = y + 0
    k.register_hook(lambda g: held)
    k.sum().backward()  # ...and here AddBackward0 passes `held` itself on to y
    assert _same(y.grad, held)
    _assert_independent(y.grad, held)


def test_gradient_a_hook_saw_and_kept_is_copied():
    seen = []
    x = _leaf()
    h = x + 0
    h.register_hook(seen.append)
    (h * 2).sum().backward()  # h's gradient is a new tensor, which AddBackward0 passes on to x
    _assert_independent(x.grad, seen[0])
    seen_now = seen[0].clone()
    ((x + 0) * 2).sum().backward()  # accumulates into x.grad in place
    assert _same(seen[0], seen_now)


def test_retained_grad_and_leaf_grad_do_not_share_memory():
    x = _leaf()
    h = x + 0
    h.retain_grad()
    h.sum().backward()
    _assert_independent(x.grad, h.grad)


def test_one_gradient_sent_to_two_leaves_gives_two_buffers():
    x, y = _leaf(), _leaf()
    (x + y).sum().backward()  # AddBackward0 returns one tensor for both inputs
    _assert_independent(x.grad, y.grad)
    a, b = _leaf(), _leaf()
    (a.view(6) + b.view(6)).sum().backward()  # views of one gradient
    _assert_independent(a.grad, b.grad)


def test_fresh_gradient_is_kept_and_accumulates():
    x = _leaf()
    (x * 2).sum().backward()
    first = x.grad
    (x * 2).sum().backward()
    assert x.grad is first  # accumulated in place, as PyTorch
    assert _same(first, ember.full((2, 3), 4.0))
