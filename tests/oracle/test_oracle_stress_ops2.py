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


# ----- contiguity: advanced-index results of a row-major input, elementwise results of broadcast inputs --
def _layout_cases(lib):
    x = lib.arange(24.0).reshape(2, 3, 4)
    expanded = lib.arange(2.0).expand(3, 2)
    return {
        "x[:, idx]": lambda: x[:, lib.tensor([0, 2])],
        "x[:, :, idx]": lambda: x[:, :, lib.tensor([0, 2])],
        "xt[idx]": lambda: x.transpose(0, 2)[lib.tensor([0, 2])],
        "x[idx, :, idx]": lambda: x[lib.tensor([0, 1]), :, lib.tensor([0, 2])],
        "clamp int expanded": lambda: lib.tensor([3, 1]).expand(2, 2).clamp(1.0, 1.5),
        "to expanded": lambda: expanded.to(lib.float64),
        "exp expanded": lambda: expanded.exp(),
        "add expanded": lambda: expanded + lib.ones(3, 2, dtype=lib.float64),
        "eq expanded": lambda: expanded == 1,
        "neg transposed": lambda: x.transpose(0, 2).neg(),
        "neg stepped": lambda: x[:, :, ::2].neg(),
    }


@pytest.mark.parametrize("case", list(_layout_cases(torch)))
def test_results_are_laid_out_as_pytorchs(case):
    ours, theirs = _layout_cases(ember)[case](), _layout_cases(torch)[case]()
    assert (ours.is_contiguous(), ours.stride()) == (theirs.is_contiguous(), theirs.stride())
