"""Views taken before their base requires grad follow the base's flag, as PyTorch's do: ops on them record
history (re-derived from the base once their storage changed in place), or a dead edge while it has not.
Expected values and error classes were taken from PyTorch 2.13; no grad_fn is read before the op under
test, so every fast path (sum, relu, products, in-place ops) has to see the view's new flag."""

from __future__ import annotations

import pytest

import ember


def _written_view():
    root = ember.zeros(3)
    v = root[:2]
    w = ember.ones(2, requires_grad=True)
    v.copy_(w)
    return root, v, w


def test_in_place_op_on_a_view_after_a_copy_into_it_reaches_the_copied_tensor():
    root, v, w = _written_view()
    v.mul_(2)
    root.sum().backward()
    assert w.grad.tolist() == [2.0, 2.0]


def test_backward_from_the_written_view_itself():
    root, v, w = _written_view()
    v.sum().backward()
    assert w.grad.tolist() == [1.0, 1.0]


def test_view_taken_after_the_write_sees_the_base_history():
    root, v, w = _written_view()
    u = root[1:]
    (u * 3).sum().backward()
    assert w.grad.tolist() == [0.0, 3.0]
    assert u.grad_fn.name() == "SliceBackward0"


def test_sibling_view_taken_before_the_write_re_derives_its_history():
    root = ember.zeros(3)
    sibling = root[1:]
    w = ember.ones(2, requires_grad=True)
    root[:2].copy_(w)
    y = ember.relu(sibling) * 4  # relu's fast path
    assert y.grad_fn.next_functions[0][0].next_functions[0][0].name() == "AsStridedBackward0"
    y.sum().backward()
    assert w.grad.tolist() == [0.0, 4.0]


@pytest.mark.parametrize("take", [lambda a: a[:2], lambda a: a.view(3, 1)[:2, 0], lambda a: a.unsqueeze(0)[0, :2]],
                         ids=["slice", "view of view", "unsqueeze then select"])
def test_base_written_untracked_then_made_to_require_grad(take):
    a = ember.zeros(3)
    b = take(a)
    a.add_(1)
    a.requires_grad_()
    (b * 2).sum().backward()
    assert a.grad.tolist() == [2.0, 2.0, 0.0]
    assert b.grad_fn.name() == "AsStridedBackward0" and not b.is_leaf


def test_base_made_to_require_grad_without_a_write_gives_a_dead_edge():
    a = ember.zeros(3)
    b = a[:2]
    a.requires_grad_()
    assert b.requires_grad and b.is_leaf and b.grad_fn is None
    s = b.sum()
    assert s.requires_grad and s.grad_fn.name() == "SumBackward0"
    assert s.grad_fn.next_functions == ((None, 0),)
    assert ember.autograd.grad((b * 2).sum(), a, allow_unused=True) == (None,)
    with pytest.raises(RuntimeError, match="not have been used in the graph"):
        ember.autograd.grad((b * 2).sum(), b)


def test_base_flag_turned_off_again_turns_its_views_off():
    a = ember.zeros(3)
    b = a[:2]
    a.requires_grad_()
    with ember.no_grad():
        c = a[1:]
    a.requires_grad_(False)
    assert not b.requires_grad and not c.requires_grad
    assert not (b * 2).requires_grad and not b.sum().requires_grad


def test_view_made_to_require_grad_itself_stays_a_leaf_of_its_own():
    a = ember.zeros(3)
    b = a[:2]
    b.requires_grad_()
    a.requires_grad_()
    (b * 2).sum().backward()
    a.requires_grad_(False)
    assert b.requires_grad and b.is_leaf
    assert b.grad.tolist() == [2.0, 2.0] and a.grad is None


def test_no_grad_view_refuses_use_after_another_view_wrote_its_base():
    root = ember.zeros(3)
    with ember.no_grad():
        n = root[:2]
    root[1:].copy_(ember.ones(2, requires_grad=True))
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode and its base"):
        (n * 2).sum()


@pytest.mark.parametrize("write", ["copy_", "setitem", "add_", "fill_"])
def test_no_grad_view_refuses_a_write_of_a_value_that_requires_grad(write):
    root = ember.zeros(3)
    with ember.no_grad():
        n = root[:2]
    w = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode and is being modified inplace"):
        {"copy_": lambda: n.copy_(w), "setitem": lambda: n.__setitem__(0, w[0]), "add_": lambda: n.add_(w),
         "fill_": lambda: n.fill_(w[0])}[write]()
    assert root.tolist() == [0.0, 0.0, 0.0] and root._version_value == 0 and not root.requires_grad
    n.mul_(2)  # nothing requires grad: allowed


def test_views_of_a_base_that_never_requires_grad_do_not_pile_up():
    x = ember.zeros(4, 4)
    for _ in range(1000):
        x[0].t()
    assert len(x._views) < 64
    kept = [x[i] for i in range(4) for _ in range(100)]
    x.requires_grad_()
    assert all(v.requires_grad for v in kept)
