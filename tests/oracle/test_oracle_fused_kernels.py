"""The fused training-step paths against PyTorch: cross_entropy with grad (every reduction, ignored
targets, a class of its own, second derivatives), linear through addmm, an MLP step with SGD momentum."""
from __future__ import annotations

import numpy as np
import pytest
from outcomes import assert_same_signs

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def _cross_entropy(lib, logits, target, weights, **options):
    """(loss, the gradient of a weighted sum of it w.r.t. the logits) in `lib`."""
    x = lib.tensor(logits, requires_grad=True)
    loss = lib.nn.functional.cross_entropy(x, lib.tensor(target), **options)
    (loss * lib.tensor(weights[: loss.numel()].reshape(tuple(loss.shape)))).sum().backward()
    return loss.detach().cpu().numpy(), x.grad.cpu().numpy()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("target, options", [
    ([0, 1, 2, 3, 0, 1], {}), ([0, -100, 2, 3, 0, 1], {}), ([0, 1, 2, 3, 0, 1], {"ignore_index": 1}),
    ([-100] * 6, {}), ([3, 3, 3, 3, 3, 3], {"ignore_index": 3}),
], ids=["plain", "ignored", "ignore_index 1", "all ignored", "all ignore_index 3"])
def test_cross_entropy_with_grad_matches_torch(reduction, target, options):
    rng = np.random.default_rng(0)
    logits, weights = rng.normal(size=(6, 4)).astype(np.float32), rng.uniform(0.5, 1.5, 6).astype(np.float32)
    (t_loss, t_grad), (e_loss, e_grad) = (_cross_entropy(lib, logits, target, weights, reduction=reduction,
                                                         **options) for lib in (torch, ember))
    np.testing.assert_allclose(e_loss, t_loss, rtol=1e-6, atol=1e-7)
    assert_same_signs(e_loss, t_loss)  # an all-ignored mean is 0 / 0: NaN
    np.testing.assert_allclose(e_grad, t_grad, rtol=1e-5, atol=1e-7)


def test_cross_entropy_of_one_class_is_minus_zero_as_torchs():
    for reduction in ("none", "mean", "sum"):
        (t_loss, t_grad), (e_loss, e_grad) = (_cross_entropy(lib, np.zeros((2, 1), np.float32), [0, 0],
                                                             np.ones(2, np.float32), reduction=reduction)
                                              for lib in (torch, ember))
        np.testing.assert_array_equal(np.signbit(e_loss), np.signbit(t_loss))
        np.testing.assert_array_equal(e_grad, t_grad)


def test_cross_entropy_second_derivative_matches_torch():
    logits = np.random.default_rng(1).normal(size=(4, 5))
    hessians = []
    for lib in (torch, ember):
        x = lib.tensor(logits, requires_grad=True)
        (grad,) = lib.autograd.grad(lib.nn.functional.cross_entropy(x, lib.tensor([1, -100, 4, 0])), x,
                                    create_graph=True)
        (grad.sin() * grad).sum().backward()
        hessians.append(x.grad.cpu().numpy())
    np.testing.assert_allclose(hessians[1], hessians[0], rtol=1e-10, atol=1e-14)


def test_an_mlp_step_with_sgd_momentum_matches_torch():
    rng = np.random.default_rng(2)
    shapes = ((16, 12), (16,), (3, 16), (3,))
    values = [rng.uniform(-0.3, 0.3, shape).astype(np.float32) for shape in shapes]
    x, y = rng.normal(size=(8, 12)).astype(np.float32), rng.integers(0, 3, 8)
    results = []
    for lib in (torch, ember):
        model = lib.nn.Sequential(lib.nn.Linear(12, 16), lib.nn.ReLU(), lib.nn.Linear(16, 3))
        with lib.no_grad():
            for param, value in zip(model.parameters(), values):
                param.copy_(lib.tensor(value))
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01)
        losses = []
        for _ in range(3):
            optimizer.zero_grad(set_to_none=False)
            loss = lib.nn.CrossEntropyLoss()(model(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        results.append((losses, [param.detach().cpu().numpy().copy() for param in model.parameters()]))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5)
    for ours, theirs in zip(results[1][1], results[0][1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_hooks_between_the_fused_nodes_see_pytorchs_gradients(reduction, create_graph):
    """A hook on cross_entropy's NllLossBackward0 (or a pre-hook on its LogSoftmaxBackward0) sees the
    log-probabilities' gradient, as in PyTorch, although the fused backward skips it when nothing looks."""

    def run(lib):
        x = lib.tensor([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0], [2.0, -2.0, 0.5]], requires_grad=True)
        loss = lib.nn.functional.cross_entropy(x, lib.tensor([0, 2, 1]), reduction=reduction)
        seen = []
        loss.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append(grad_inputs[0]))
        loss.grad_fn.next_functions[0][0].register_prehook(lambda grad_outputs: seen.append(grad_outputs[0]))
        upstream = lib.ones(loss.shape) * 0.5
        (g,) = lib.autograd.grad(loss, x, upstream, create_graph=create_graph)
        first_pass = [s.tolist() for s in seen]  # what the two hooks saw in this backward
        second = lib.autograd.grad((g * g).sum(), x)[0].tolist() if create_graph else None
        return first_pass, g.tolist(), second

    got, expected = run(ember), run(torch)
    np.testing.assert_allclose(np.array(got[0]), np.array(expected[0]), rtol=1e-6)
    assert np.signbit(np.array(got[0])).tolist() == np.signbit(np.array(expected[0])).tolist()
    np.testing.assert_allclose(np.array(got[1]), np.array(expected[1]), rtol=1e-5)
    if expected[2] is not None:
        np.testing.assert_allclose(np.array(got[2]), np.array(expected[2]), rtol=1e-4, atol=1e-7)
