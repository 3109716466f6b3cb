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


# ----- matmul: PyTorch's decomposition (fold into mm/mv, or expand + bmm) and its node chain ------------
MATMUL_SHAPES = [(3,), (2, 3), (4, 2, 3), (5, 4, 2, 3), (1, 2, 3)]
MATMUL_RIGHT = [(3,), (3, 2), (4, 3, 2), (5, 4, 3, 2), (1, 3, 2), (1, 1, 3, 2)]


def _chain(fn, depth=4) -> list:
    names = []
    while fn is not None and len(names) < depth:
        names.append(type(fn).__name__)
        fn = next((f for f, _ in fn.next_functions if f is not None), None)
    return names


def _matmul_run(lib, a_shape, b_shape, grads):
    a = lib.tensor(np.linspace(-1.0, 1.0, int(np.prod(a_shape))).reshape(a_shape), requires_grad="a" in grads)
    b = lib.tensor(np.linspace(0.5, -2.0, int(np.prod(b_shape))).reshape(b_shape), requires_grad="b" in grads)
    result = a @ b
    leaves = [t for t in (a, b) if t.requires_grad]
    gradients = lib.autograd.grad(result.sum(), leaves)
    return _chain(result.grad_fn), [np.asarray(g.tolist()) for g in gradients], result.is_contiguous()


@pytest.mark.parametrize("grads", ["ab", "a", "b"])
@pytest.mark.parametrize("b_shape", MATMUL_RIGHT, ids=str)
@pytest.mark.parametrize("a_shape", MATMUL_SHAPES, ids=str)
def test_matmul_node_chain_and_gradients_are_pytorchs(a_shape, b_shape, grads):
    ours, theirs = _matmul_run(ember, a_shape, b_shape, grads), _matmul_run(torch, a_shape, b_shape, grads)
    assert ours[0] == theirs[0] and ours[2] == theirs[2]
    for g_ours, g_theirs in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(g_ours, g_theirs, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("shape", [(3,), (2, 3), (4, 2, 3)], ids=str)
@pytest.mark.parametrize("bias", [False, True])
def test_linear_node_chain_is_pytorchs(shape, bias):
    def run(lib, functional):
        x = lib.ones(*shape, requires_grad=True)
        weight, b = lib.ones(5, 3, requires_grad=True), lib.ones(5, requires_grad=True) if bias else None
        return _chain(functional.linear(x, weight, b).grad_fn)
    assert run(ember, ember_functional) == run(torch, torch_functional)
