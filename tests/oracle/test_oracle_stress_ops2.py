"""Issue 6, ops against PyTorch: nll_loss gradients with ignored targets, matmul's grad_fn chains,
contiguity of elementwise and advanced-index results."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as ember_functional

torch = pytest.importorskip("torch")
torch_functional = pytest.importorskip("torch.nn.functional")

pytestmark = pytest.mark.oracle


# ----- nll_loss: an ignored target's gradient is 0, even when no target is kept ------------------------
NLL_CASES = {
    "all ignored": dict(target=[0, 0], ignore_index=0, weight=None),
    "zero weights": dict(target=[0, 1], ignore_index=-100, weight=[0.0, 0.0, 0.0]),
    "ignored and zero weight": dict(target=[0, 1], ignore_index=0, weight=[1.0, 0.0, 1.0]),
    "some kept": dict(target=[0, 2], ignore_index=0, weight=None),
}


def _nll_grad(lib, functional, case):
    spec = NLL_CASES[case]
    x = lib.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), requires_grad=True)
    weight = None if spec["weight"] is None else lib.tensor(spec["weight"], dtype=lib.float64)
    loss = functional.nll_loss(x.log_softmax(-1), lib.tensor(spec["target"]), weight=weight,
                               ignore_index=spec["ignore_index"])
    (grad,) = lib.autograd.grad(loss, [x])
    return np.asarray(loss.tolist()), np.asarray(grad.tolist())


@pytest.mark.parametrize("case", list(NLL_CASES))
def test_nll_loss_gradient_of_ignored_targets_is_zero(case):
    ours, theirs = _nll_grad(ember, ember_functional, case), _nll_grad(torch, torch_functional, case)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, equal_nan=True)
