"""float16 nll_loss (and cross_entropy through it) reduced as PyTorch's CPU kernel reduces it: the terms,
in the targets' order and skipping ignored targets, cascaded into 8 float16 partial sums (so
(32768, -1.25, -32768) sums to 0, not 1.25); the mean divides by the float16 count or the cascaded weights.
Values are compared exactly, gradients too (but a weighted mean's, which PyTorch rounds in another order)."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

# magnitudes whose float16 sums round, and inf
VALUES = (32768.0, -32768.0, 1.25, -1.25, 0.5, 1000.0, -2048.0, 0.1, 3e4, 7.0)
CLASSES = 3


def _case(seed: int, n: int, ignored: float):
    rng = np.random.default_rng(seed)
    x = rng.choice(VALUES, size=(n, CLASSES))
    t = rng.integers(0, CLASSES, size=n)
    t[rng.random(n) < ignored] = -100
    return x, t, rng.choice([0.5, 1.0, 3.0, 0.1], size=CLASSES)


def _loss(lib, x, t, w, reduction, weighted, call="nll_loss"):
    xi = lib.tensor(x, dtype=lib.float16, requires_grad=True)
    weight = lib.tensor(w, dtype=lib.float16) if weighted else None
    loss = getattr(lib.nn.functional, call)(xi, lib.tensor(t), weight=weight, reduction=reduction)
    loss.backward()
    return loss.item(), xi.grad.float().cpu().numpy(), type(loss.grad_fn).__name__


@pytest.mark.parametrize("weighted", (False, True), ids=("unweighted", "weighted"))
@pytest.mark.parametrize("reduction", ("sum", "mean"))
@pytest.mark.parametrize("ignored", (0.0, 0.1, 0.5))
@pytest.mark.parametrize("n", (1, 4, 17, 33, 100, 257, 600))
def test_float16_nll_loss_sums_as_pytorch(n, ignored, reduction, weighted):
    x, t, w = _case(n * 7 + int(ignored * 10), n, ignored)
    got, expected = _loss(ember, x, t, w, reduction, weighted), _loss(torch, x, t, w, reduction, weighted)
    np.testing.assert_array_equal(got[0], expected[0])
    assert got[2] == expected[2]
    if weighted and reduction == "mean":  # PyTorch's gradient w[t] * -(1 / total) rounds in another order
        np.testing.assert_allclose(got[1], expected[1], rtol=2e-3)
    else:
        np.testing.assert_array_equal(got[1], expected[1])


def test_the_fuzzers_reproducer():
    """An ignored first target (no move up at 0), then 32768 - 1.25 - 32768 in float16: 0."""
    x = [[np.inf, -np.inf, 0.0], [0.75, 3.0, 32768.0], [3.0, 0.25, -1.25], [0.0, -32768.0, 0.25]]
    t = [-100, 2, 2, 1]
    for reduction in ("sum", "mean"):
        assert _loss(ember, x, t, None, reduction, False)[0] == _loss(torch, x, t, None, reduction, False)[0] == 0.0


@pytest.mark.parametrize("reduction", ("sum", "mean"))
def test_float16_cross_entropy_and_nd_targets(reduction):
    rng = np.random.default_rng(5)
    x = rng.choice(VALUES, size=(3, CLASSES, 4, 40)) / 64
    t = rng.integers(0, CLASSES, size=(3, 4, 40))
    t[0, 1] = -100
    for call in ("nll_loss", "cross_entropy"):
        got, expected = (_loss(lib, x, t, None, reduction, False, call) for lib in (ember, torch))
        np.testing.assert_array_equal(got[0], expected[0])
        assert got[2] == expected[2]
