"""ember.utils.checkpoint against torch.utils.checkpoint: values and gradients equal to the plain run and to
PyTorch's, both variants' graphs (CheckpointFunctionBackward, or the function's own nodes), random numbers
replayed in the recomputation, checkpoint_sequential, the refusals and warnings; and that the non-reentrant
form keeps no saved values between forward and backward."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from outcomes import assert_same_error  # noqa: E402

import ember  # noqa: E402

pytestmark = pytest.mark.oracle

RNG = np.random.default_rng(11)
X = RNG.standard_normal((4, 3))


def _model(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2), lib.nn.Sigmoid()).double()
    return model


def _same_weights(e_model, t_model):
    with ember.no_grad():
        for (_, e), (_, t) in zip(e_model.named_parameters(), t_model.named_parameters()):
            e.copy_(ember.tensor(t.detach().numpy()))


def _close(got, expected):
    np.testing.assert_allclose(got.detach().cpu().numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-14)


def _compare_with_torch(run) -> tuple:
    """`run(lib, model, x)` (a checkpointed output, backpropagated) on copies of one model in ember and in
    PyTorch: the outputs, their grad_fn names, the input's and parameters' gradients agree. Returns ember's
    (model, output, input gradient)."""
    t_model = _model(torch)
    e_model = _model(ember)
    _same_weights(e_model, t_model)
    runs = []
    for lib, model in ((ember, e_model), (torch, t_model)):
        x = lib.tensor(X, requires_grad=True)
        y = run(lib, model, x)
        runs.append((y, x.grad, [p.grad for p in model.parameters()]))
    (ey, ex, eps), (ty, tx, tps) = runs
    assert type(ey.grad_fn).__name__ == type(ty.grad_fn).__name__
    _close(ey, ty)
    _close(ex, tx)
    for e, t in zip(eps, tps):
        _close(e, t)
    return e_model, ey, ex


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_matches_torch_and_the_plain_run(use_reentrant):
    def run(lib, model, x):
        y = lib.utils.checkpoint.checkpoint(model, x, use_reentrant=use_reentrant)
        (y * y).sum().backward()
        return y

    e_model, ey, ex = _compare_with_torch(run)
    assert type(ey.grad_fn).__name__ == ("CheckpointFunctionBackward" if use_reentrant else "SigmoidBackward0")
    plain_x = ember.tensor(X, requires_grad=True)
    e_model.zero_grad()
    (e_model(plain_x) ** 2).sum().backward()
    assert np.array_equal(plain_x.grad.cpu().numpy(), ex.cpu().numpy())


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_recomputation_replays_the_random_numbers(use_reentrant):
    x = ember.ones(200, dtype=ember.float64, requires_grad=True)
    y = ember.utils.checkpoint.checkpoint(lambda a: ember.nn.functional.dropout(a * 3, 0.5), x,
                                          use_reentrant=use_reentrant)
    y.sum().backward()
    kept = (y != 0).to(ember.float64)
    assert 0 < kept.sum().item() < 200
    assert np.array_equal(x.grad.cpu().numpy(), (kept * 6).cpu().numpy())


def test_non_reentrant_checkpoint_keeps_no_saved_values_until_backward():
    x = ember.randn(3, requires_grad=True)
    y = ember.utils.checkpoint.checkpoint(lambda a: (a.sin() * a).exp(), x, use_reentrant=False)
    exp_node = y.grad_fn
    mul_node = exp_node.next_functions[0][0]
    assert not exp_node._saved and not mul_node._saved
    y.sum().backward()
    expected = (x.sin() * x).exp() * (x.cos() * x + x.sin())
    np.testing.assert_allclose(x.grad.cpu().numpy(), expected.detach().cpu().numpy(), rtol=1e-6)


def test_non_reentrant_checkpoint_works_with_autograd_grad_and_reentrant_refuses_it():
    for lib in (ember, torch):
        x = lib.tensor(X, requires_grad=True)
        y = lib.utils.checkpoint.checkpoint(lambda a: a.sin().sum(), x, use_reentrant=False)
        (g,) = lib.autograd.grad(y, x)
        np.testing.assert_allclose(g.detach().cpu().numpy(), np.cos(X), rtol=1e-12)

    def grad_through_reentrant(lib):
        x = lib.tensor(X, requires_grad=True)
        return lib.autograd.grad(lib.utils.checkpoint.checkpoint(lambda a: a.sin().sum(), x, use_reentrant=True), x)

    assert_same_error(grad_through_reentrant, ember, torch)


@pytest.mark.parametrize("use_reentrant", [True, False])
@pytest.mark.parametrize("segments", [1, 2, 4])
def test_checkpoint_sequential_matches_torch(segments, use_reentrant):
    def run(lib, model, x):
        y = lib.utils.checkpoint.checkpoint_sequential(model, segments, x, use_reentrant=use_reentrant)
        y.sum().backward()
        return y

    _compare_with_torch(run)


def _warnings_of(call):
    """The first sentence of each warning `call` gives (PyTorch's go on about its own versions)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message).replace("torch.", "ember.").split(". ")[0] for w in caught]


@pytest.mark.parametrize("call", [
    lambda lib: lib.utils.checkpoint.checkpoint(lambda a: a * 2, lib.ones(2, requires_grad=True)),
    lambda lib: lib.utils.checkpoint.checkpoint(lambda a: a * 2, lib.ones(2), use_reentrant=True),
    lambda lib: lib.utils.checkpoint.checkpoint_sequential([lambda a: a * 2], 1, lib.ones(2, requires_grad=True)),
])
def test_warnings_match_torch(call):
    assert _warnings_of(lambda: call(ember)) == _warnings_of(lambda: call(torch))


@pytest.mark.parametrize("call", [
    lambda lib: lib.utils.checkpoint.checkpoint(lambda a: a, lib.ones(2), use_reentrant=True, extra=1),
    lambda lib: lib.utils.checkpoint.checkpoint(lambda a: a, lib.ones(2), use_reentrant=True, debug=True),
    lambda lib: lib.utils.checkpoint.checkpoint_sequential([lambda a: a], 1, lib.ones(2), use_reentrant=True,
                                                           extra=1),
    lambda lib: lib.utils.checkpoint.detach_variable([lib.ones(2)]),
])
def test_errors_match_torch(call):
    assert_same_error(call, ember, torch)


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_recomputation_runs_under_the_forwards_autocast_state(use_reentrant):
    """The backward recomputes a Transformer layer under the autocast state its forward had (PyTorch keeps it
    for the CPU and the inputs' device type): the same float16 graph, the plain run's gradients, no
    CheckpointError; the output's dtype as PyTorch's."""
    def run(lib, device_type, checkpointed):
        lib.manual_seed(0)
        layer = lib.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
        rng = np.random.default_rng(3)
        with lib.no_grad():
            for p in layer.parameters():
                p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)) * 0.3))
        x = lib.tensor(rng.standard_normal((2, 5, 8)), dtype=lib.float32, requires_grad=True)
        with lib.autocast(device_type, dtype=lib.float16):
            y = lib.utils.checkpoint.checkpoint(layer, x, use_reentrant=use_reentrant) if checkpointed else layer(x)
        y.float().pow(2).sum().backward()
        return [str(y.dtype).split(".")[1], y, x.grad] + [p.grad for p in layer.parameters()]

    device_type = ember.get_default_device().type
    got, plain = run(ember, device_type, True), run(ember, device_type, False)
    assert got[0] == plain[0]
    for g, p in zip(got[1:], plain[1:]):
        assert np.array_equal(g.detach().cpu().numpy(), p.detach().cpu().numpy())
    if device_type == "cpu":  # PyTorch's CPU lists (opencl takes the CUDA lists)
        expected = run(torch, "cpu", True)
        assert got[0] == expected[0]
        for g, e in zip(got[1:], expected[1:]):
            np.testing.assert_allclose(g.detach().cpu().float().numpy(), e.detach().float().numpy(), rtol=2e-2,
                                       atol=2e-2)
