"""`requires_grad_()` on a view without history against PyTorch: a view made under no_grad of a tensor that
requires grad (or made before its base required grad) is a dead edge, but asked to require grad it becomes
a leaf of its own, whose gradient accumulates in its own `.grad` (the base's stays None); an in-place write
into a no_grad view is still PyTorch's RuntimeError."""

from __future__ import annotations

import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def _leaf_no_grad(lib):
    return lib.tensor([1.0, -2.0], requires_grad=True)


def _non_leaf_no_grad(lib):
    return lib.tensor([1.0, -2.0], requires_grad=True) * 2


VIEWS = {
    "squeeze": lambda t: t.squeeze(-1),
    "slice": lambda t: t[:1],
    "None": lambda t: t[None],
    "t": lambda t: t.t(),
}


def _grads(lib, source, view, then_requires_grad, use):
    base = source(lib)
    with lib.no_grad():
        v = VIEWS[view](base)
    if then_requires_grad:
        v.requires_grad_()
    out = USES[use](v)
    out.sum().backward()
    leaf_grad = base.grad if base.is_leaf else None
    return (None if v.grad is None else v.grad.tolist(), None if leaf_grad is None else leaf_grad.tolist(),
            v.is_leaf, v.requires_grad)


USES = {"itself": lambda v: v, "times 3": lambda v: v * 3, "a view of it": lambda v: v[..., :1] * 3}


@pytest.mark.parametrize("use", list(USES))
@pytest.mark.parametrize("then_requires_grad", (True, False))
@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("source", (_leaf_no_grad, _non_leaf_no_grad), ids=("leaf", "non-leaf"))
def test_a_no_grad_view_asked_to_require_grad_is_a_leaf(source, view, then_requires_grad, use):
    def outcome(lib):
        try:
            return _grads(lib, source, view, then_requires_grad, use)
        except RuntimeError as error:
            return type(error).__name__, str(error).split(".")[0]
    assert outcome(ember) == outcome(torch)


@pytest.mark.parametrize("lib", (ember, torch), ids=("ember", "torch"))
def test_a_view_made_before_its_base_required_grad(lib):
    x = lib.tensor([1.0, 2.0])
    v = x[:1]
    x.requires_grad_()
    v.requires_grad_()
    (v * 3).sum().backward()
    assert v.grad.tolist() == [3.0] and x.grad is None and v.is_leaf


@pytest.mark.parametrize("lib", (ember, torch), ids=("ember", "torch"))
def test_an_in_place_write_into_it_is_still_refused(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    with lib.no_grad():
        v = x[:1]
    v.requires_grad_()
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode and is being modified inplace"):
        v.mul_(2)
