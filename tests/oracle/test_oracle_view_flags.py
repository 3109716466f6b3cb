"""Views taken before their base requires grad, against PyTorch: the base then starts requiring grad (an
in-place write of a tensor that requires grad, or requires_grad_()), and what follows uses the old view
without reading its grad_fn first, so every fast path must see that it now requires grad (and re-derive
its history from the base when their storage changed). The grad_fn names and edges, requires_grad,
is_leaf, the gradients and the error classes must all be PyTorch's."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

W = np.arange(1, 7, dtype=np.float32).reshape(2, 3) / 4
G = np.linspace(0.5, 3.0, 6, dtype=np.float32).reshape(2, 3)

# What makes `root`, a (2, 3) tensor of zeros, start requiring grad (w is a (2, 3) leaf that does).
BASE_OPS = {
    "copy_ into a view": lambda lib, root, w: root[0].copy_(w[1]),
    "setitem": lambda lib, root, w: root.__setitem__(1, w[0] * 2),
    "requires_grad_": lambda lib, root, w: root.requires_grad_(),
    "add_ then requires_grad_": lambda lib, root, w: root.add_(1).requires_grad_(),
    "add_ of w": lambda lib, root, w: root.add_(w),
    "copy_ into the view": lambda lib, root, w: None,  # done on the view itself, see `_run`
}


def _no_grad_view(lib, root):
    with lib.no_grad():
        return root[:, :2]


# The views of `root` taken before BASE_OPS.
VIEWS = {
    "slice": lambda lib, root: root[:, 1:],
    "select": lambda lib, root: root[1],
    "t": lambda lib, root: root.t(),
    "view": lambda lib, root: root.view(-1),
    "expand": lambda lib, root: root[0].expand(2, 3),
    "view of view": lambda lib, root: root[1:].t()[1],
    "no_grad view": _no_grad_view,
}


def _weights(lib, t):
    return lib.tensor(G.reshape(-1)[: t.numel()].reshape(tuple(t.shape)))


# What follows, given the view `v`; each returns the tensors whose gradients to compare.
def _op_backward(lib, root, v, w):
    (v * _weights(lib, v)).sum().backward()


def _op_backward_from_base(lib, root, v, w):
    y = v * 3
    ((y * _weights(lib, y)).sum() + (root * _weights(lib, root)).sum()).backward()


def _fast_paths(lib, root, v, w):
    (v.sum() + lib.relu(v).sum() + (v + v).sum()).backward()


def _autograd_grad(lib, root, v, w):
    inputs = [t for t in (w, root) if t.requires_grad and t.grad_fn is None]
    return lib.autograd.grad((v.exp() * _weights(lib, v)).sum(), inputs, allow_unused=True)


def _inplace_on_view(lib, root, v, w):
    v.grad_fn  # noqa: B018  (PyTorch refuses an in-place op on a view whose grad_fn is stale, until read)
    v.mul_(2)
    (root * _weights(lib, root)).sum().backward()


FOLLOWS = {
    "op, backward": _op_backward,
    "op, backward from base": _op_backward_from_base,
    "sum/relu/add": _fast_paths,
    "autograd.grad": _autograd_grad,
    "in-place on view": _inplace_on_view,
}


def _name(fn):
    return None if fn is None else fn.name().rsplit("::", 1)[-1]


def _graph(fn, depth=3):
    """grad_fn names with their edges, a few levels down."""
    if fn is None or depth == 0:
        return _name(fn)
    return (_name(fn), tuple(_graph(next_fn, depth - 1) for next_fn, _ in fn.next_functions))


def _run(lib, base_op, view, follow):
    w = lib.tensor(W, requires_grad=True)
    root = lib.zeros(2, 3)
    v = VIEWS[view](lib, root)
    try:
        if base_op == "copy_ into the view":
            v.copy_(w.reshape(-1)[: v.numel()].reshape(tuple(v.shape)))
        else:
            BASE_OPS[base_op](lib, root, w)
    except Exception as error:  # noqa: BLE001  (a no_grad or expanded view refuses the write)
        return [type(error).__name__]
    record = []
    try:
        grads = FOLLOWS[follow](lib, root, v, w)
    except Exception as error:  # noqa: BLE001  (PyTorch's error class is part of the result)
        record.append(type(error).__name__)
        grads = None
    try:
        record.append((v.requires_grad, v.is_leaf, _graph(v.grad_fn)))
    except Exception as error:  # noqa: BLE001
        record.append(type(error).__name__)
    values = [w.grad, root.grad if root.is_leaf else None] + list(grads or ())
    record.append([None if g is None else g.detach().cpu().numpy().copy() for g in values])
    return record


CASES = list(itertools.product(BASE_OPS, VIEWS, FOLLOWS))


@pytest.mark.parametrize(("base_op", "view", "follow"), CASES, ids=[" | ".join(c) for c in CASES])
def test_views_taken_before_the_base_requires_grad_follow_it(oracle, base_op, view, follow):
    expected = _run(torch, base_op, view, follow)
    got = _run(oracle.ember, base_op, view, follow)
    assert got[:-1] == expected[:-1]
    if isinstance(expected[-1], list):
        assert [g is None for g in got[-1]] == [g is None for g in expected[-1]]
        for mine, theirs in zip(got[-1], expected[-1]):
            if theirs is not None:
                np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)


class _AddInto:
    """A custom Function adding `y` into `x` in place (mark_dirty)."""

    @staticmethod
    def make(lib):
        class AddInto(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                ctx.mark_dirty(x)
                return x.add_(y)

            @staticmethod
            def backward(ctx, grad):
                return grad, grad

        return AddInto


def _flags(*views):
    return [(v.requires_grad, v.is_leaf) for v in views]


def _p_flag_off_on_view(lib):
    a = lib.zeros(3)
    b = a[:2]
    a.requires_grad_()
    b.requires_grad_(False)
    return _flags(b) + [(b * 2).requires_grad]


def _p_flag_off_on_base(lib):
    a = lib.zeros(3)
    b = a[:2]
    with lib.no_grad():
        c = a[1:]
    a.requires_grad_()
    d = a[:1]
    with lib.no_grad():
        e = a[2:]
    a.requires_grad_(False)
    return _flags(b, c, d, e) + [(b * 2).requires_grad, b.sum().requires_grad, (c * 2).requires_grad,
                                 (e * 2).requires_grad]


def _p_own_leaf_view(lib):
    a = lib.zeros(3)
    b = a[:2]
    b.requires_grad_()
    a.requires_grad_()
    (b * 2).sum().backward()
    a.requires_grad_(False)
    return _flags(b) + [b.grad.tolist(), a.grad]


def _p_detach_base(lib):
    a = lib.zeros(3)
    b = a[:2]
    a.add_(lib.ones(3, requires_grad=True))
    a.detach_()
    return _flags(b) + [_name(b.grad_fn)]


def _p_view_of_view_mul_(lib):
    a = lib.zeros(3) + 1
    b = a[:2]
    c = b[1:]
    w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a.mul_(w)
    return [_graph(c.sum().grad_fn), lib.autograd.grad((c * 5).sum(), w)[0].tolist()]


def _p_unbind_rows(lib):
    a = lib.zeros(2, 2)
    rows = list(a)
    a.requires_grad_()
    return _flags(*rows) + [_graph((rows[0] * 1).grad_fn)]


def _p_no_grad_write_after_requires_grad(lib):
    a = lib.zeros(3)
    b = a[:2]
    a.requires_grad_()
    with lib.no_grad():
        a.add_(1)
    b.sum().backward()
    return [a.grad.tolist(), _name(b.grad_fn)]


def _p_custom_function_dirty_base(lib):
    a = lib.zeros(3)
    b = a[:2]
    w = lib.ones(3, requires_grad=True)
    _AddInto.make(lib).apply(a, w)
    (b * 2).sum().backward()
    return [w.grad.tolist(), _name(b.grad_fn)]


def _p_dead_edge_grad(lib):
    a = lib.zeros(3)
    b = a[:2]
    a.requires_grad_()
    return lib.autograd.grad((b * 2).sum(), b)


def _p_integer_base(lib):
    a = lib.zeros(3, dtype=lib.int64)
    b = a[:2]
    a.add_(1)
    return [b.requires_grad, (b * 2).requires_grad]


def _p_no_grad_view_written(lib):
    a = lib.zeros(3)
    with lib.no_grad():
        b = a[:2]
    b[0] = lib.ones(2, requires_grad=True)[0]


PROGRAMS = {f.__name__[3:]: f for f in (
    _p_flag_off_on_view, _p_flag_off_on_base, _p_own_leaf_view, _p_detach_base, _p_view_of_view_mul_,
    _p_unbind_rows, _p_no_grad_write_after_requires_grad, _p_custom_function_dirty_base, _p_dead_edge_grad,
    _p_integer_base, _p_no_grad_view_written)}


def _outcome(lib, program):
    try:
        return program(lib)
    except Exception as error:  # noqa: BLE001  (PyTorch's error class is part of the result)
        return type(error).__name__


@pytest.mark.parametrize("name", PROGRAMS)
def test_view_flag_programs(oracle, name):
    assert _outcome(oracle.ember, PROGRAMS[name]) == _outcome(torch, PROGRAMS[name])
