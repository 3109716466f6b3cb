"""mse_loss's gradients under create_graph against PyTorch: each is a MseLossBackwardBackward0 node saving
the upstream gradient, input and target (an in-place change of one before the second backward is
PyTorch's RuntimeError), and their own gradients (broadcast shapes, every reduction) are PyTorch's."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

SHAPES = {"same": ([1.0, -2.0, 0.5], [0.5, 1.0, 2.0]), "input broadcast": ([2.0], [[1.0, 3.0]]),
          "0-d input": (0.5, [[1.0], [2.0]]), "target broadcast": ([[1.0, 2.0]], [3.0, -1.0])}


def _second_order(lib, shapes, reduction):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the size warning of a broadcast target
        x = lib.tensor(shapes[0], dtype=lib.float64, requires_grad=True)
        t = lib.tensor(shapes[1], dtype=lib.float64, requires_grad=True)
        loss = lib.nn.functional.mse_loss(x, t, reduction=reduction)
    go = (lib.ones_like(loss) * 1.5).requires_grad_()
    gx, gt = lib.autograd.grad(loss, [x, t], go, create_graph=True)
    second = lib.autograd.grad((gx ** 2).sum() + (gt * 3).sum(), [x, t, go])
    return [type(g.grad_fn).__name__ for g in (gx, gt)], [np.array(g.tolist()) for g in (gx, gt, *second)]


@pytest.mark.parametrize("reduction", ("mean", "sum", "none"))
@pytest.mark.parametrize("shapes", list(SHAPES))
def test_mse_double_backward_is_pytorchs(shapes, reduction):
    (got_fns, got), (expected_fns, expected) = (_second_order(lib, SHAPES[shapes], reduction)
                                                for lib in (ember, torch))
    if shapes != "0-d input":  # (the engine sums a gradient to a 0-d shape as sum(dims).view(()), where
        assert got_fns == expected_fns  # PyTorch records SumBackward0; to other shapes both record its nodes)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("lib", (ember, torch), ids=("ember", "torch"))
def test_a_target_changed_in_place_before_the_second_backward(lib):
    x = lib.tensor([0.5], requires_grad=True)
    target = lib.tensor([[0.0]])
    g, = lib.autograd.grad(lib.nn.functional.mse_loss(x, target[0]), [x], create_graph=True)
    target[:, 0].tanh_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        g.sum().backward()
