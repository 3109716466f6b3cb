"""(log_)softmax's gradients under create_graph against PyTorch: one SoftmaxBackwardDataBackward0
(LogSoftmaxBackwardDataBackward0) node over the upstream gradient and the result, whose own gradients
(w.r.t. the input, through the result, and w.r.t. the upstream gradient) are PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

RTOL = {"float16": 1e-2, "float32": 1e-5, "float64": 1e-12}
X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
W = [[1.0, 2.0, -1.0], [0.5, 3.0, 1.0]]
GO = [[1.0, -2.0, 0.5], [2.0, 1.0, -1.0]]


def _second_order(lib, fn, dtype, dim):
    dt = getattr(lib, dtype)
    x = lib.tensor(X, dtype=dt, requires_grad=True)
    go = lib.tensor(GO, dtype=dt, requires_grad=True)
    g, = lib.autograd.grad(getattr(lib.nn.functional, fn)(x, dim=dim), x, go, create_graph=True)
    gx, ggo = lib.autograd.grad((g * lib.tensor(W, dtype=dt)).sum(), [x, go])
    return type(g.grad_fn).__name__, [np.array(t.double().tolist()) for t in (g, gx, ggo)]


@pytest.mark.parametrize("dim", (0, 1, -1))
@pytest.mark.parametrize("dtype", list(RTOL))
@pytest.mark.parametrize("fn", ("softmax", "log_softmax"))
def test_softmax_double_backward_is_pytorchs(fn, dtype, dim):
    (got_fn, got), (expected_fn, expected) = (_second_order(lib, fn, dtype, dim) for lib in (ember, torch))
    assert got_fn == expected_fn
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=RTOL[dtype], atol=RTOL[dtype] / 10)


def test_the_fuzzers_reproducer():
    def grad_fn(lib):
        x1 = lib.tensor([0.0], dtype=lib.float64, requires_grad=True)
        loss = lib.nn.functional.cross_entropy(x1, lib.tensor(0), ignore_index=0)
        g4, = lib.autograd.grad(loss, [x1], create_graph=True)
        return type(g4.double().grad_fn).__name__
    assert grad_fn(ember) == grad_fn(torch)
