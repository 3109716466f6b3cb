"""Two engine cases the fuzzer found: a leaf given a grad_fn in place after the graph was recorded (PyTorch's
AccumulateGrad refuses it), and the gradient through a view re-derived after an in-place change of its base
(AsStridedBackward0): a view of a fresh tensor in the base's layout, made without grad mode, as PyTorch's."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.oracle


def _outcome(call):
    try:
        return call()
    except RuntimeError as error:
        return f"RuntimeError: {str(error).splitlines()[0][:60]}"


def test_a_leaf_moved_into_the_graph_interior_is_refused(oracle):
    def run(L):
        a, c = L.ones(2, requires_grad=True), L.ones(2, requires_grad=True)
        b = a * 2
        a.requires_grad_(False)
        a.mul_(c)
        return _outcome(lambda: b.sum().backward())
    expected = "RuntimeError: leaf variable has been moved into the graph interior"
    assert run(oracle.ember) == run(oracle.torch) == expected


def test_the_gradient_through_a_rederived_view_is_a_no_grad_view_of_a_fresh_tensor(oracle):
    def run(L):
        x = L.tensor([[[-1.0]], [[1.0]]], requires_grad=True)
        view = x.squeeze(-1)
        with L.no_grad():
            x.sigmoid_()
        (g,) = L.autograd.grad(view.sum(), [x])
        contiguous = g.is_contiguous()
        error = _outcome(lambda: g.copy_(L.tensor(1.0, requires_grad=True)))
        return contiguous, g.detach().cpu().tolist(), error
    assert run(oracle.ember) == run(oracle.torch)
