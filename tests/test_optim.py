"""ember.optim: Optimizer bookkeeping and SGD's exact update rule, one behaviour per test.

The SGD trajectories are checked against a numpy transcription of PyTorch's documented rule, for every
combination of options, through the device's fused ``sgd_step`` kernel and through composed ops.
"""

from __future__ import annotations

import copy
import itertools

import numpy as np
import pytest

import ember
from ember import nn, optim


def values(t):
    return t.detach().numpy().copy()


def param(*data):
    return nn.Parameter(ember.tensor(list(data), dtype=ember.float64))


# ----- construction and validation ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options, message",
    [
        ({"lr": -0.1}, "Invalid learning rate: -0.1"),
        ({"momentum": -0.5}, "Invalid momentum value: -0.5"),
        ({"weight_decay": -1}, "Invalid weight_decay value: -1"),
        ({"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
        (
            {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
            "Nesterov momentum requires a momentum and zero",
        ),
    ],
)
def test_sgd_rejects_invalid_options_with_value_errors(options, message):
    with pytest.raises(ValueError, match=message):
        optim.SGD([param(1.0)], **options)


def test_optimizer_needs_at_least_one_parameter():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)


def test_optimizer_params_must_be_an_iterable_not_a_tensor():
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got ember.Parameter"):
        optim.SGD(param(1.0), lr=0.1)


def test_optimizer_refuses_non_leaf_tensors():
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([param(1.0) * 2], lr=0.1)


def test_param_group_refuses_a_set_of_parameters():
    with pytest.raises(TypeError, match="optimizer parameters need to be organized in ordered collections"):
        optim.SGD([{"params": {param(1.0)}}], lr=0.1)


def test_param_groups_fill_in_defaults_and_keep_overrides():
    first, second = param(1.0), param(2.0)
    opt = optim.SGD([{"params": [first]}, {"params": second, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [group["lr"] for group in opt.param_groups] == [0.1, 0.5]
    assert all(group["momentum"] == 0.9 for group in opt.param_groups)
    assert opt.param_groups[1]["params"] == [second]


def test_add_param_group_refuses_a_parameter_already_optimised():
    shared = param(1.0)
    opt = optim.SGD([shared], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [shared, param(2.0)]})


def test_add_param_group_adds_a_later_unfrozen_layer():
    opt = optim.SGD([param(1.0)], lr=0.1)
    opt.add_param_group({"params": nn.Linear(2, 2).parameters(), "lr": 0.01})
    assert len(opt.param_groups) == 2 and len(opt.param_groups[1]["params"]) == 2


def test_sgd_repr_lists_each_group_like_torch():
    torch = pytest.importorskip("torch")
    expected = repr(torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1, momentum=0.9, nesterov=True))
    assert repr(optim.SGD([param(1.0)], lr=0.1, momentum=0.9, nesterov=True)) == expected


# ----- zero_grad, step --------------------------------------------------------------------------------------
def test_zero_grad_sets_gradients_to_none_by_default():
    p = param(1.0)
    p.grad = ember.ones(1, dtype=ember.float64)
    optim.SGD([p], lr=0.1).zero_grad()
    assert p.grad is None


def test_zero_grad_without_set_to_none_keeps_zeroed_tensors():
    p = param(1.0)
    grad = p.grad = ember.ones(1, dtype=ember.float64)
    optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert p.grad is grad and values(grad)[0] == 0


def test_step_returns_the_closure_loss_computed_with_grad_enabled():
    p = param(3.0)
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0
    np.testing.assert_allclose(values(p), [3.0 - 0.1 * 6.0])


def test_step_skips_parameters_without_gradients():
    with_grad, without = param(1.0), param(1.0)
    with_grad.grad = ember.ones(1, dtype=ember.float64)
    opt = optim.SGD([with_grad, without], lr=0.1, momentum=0.9)
    opt.step()
    assert values(without)[0] == 1.0 and without not in opt.state and with_grad in opt.state


def test_momentum_buffer_starts_as_a_copy_of_the_first_update_direction():
    p = param(2.0)
    p.grad = ember.tensor([0.5], dtype=ember.float64)
    opt = optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.1)
    opt.step()
    buffer = opt.state[p]["momentum_buffer"]
    np.testing.assert_allclose(values(buffer), [0.5 + 0.1 * 2.0])
    p.grad.zero_()
    np.testing.assert_allclose(values(buffer), [0.7])


def test_without_momentum_no_state_is_kept():
    p = param(1.0)
    p.grad = ember.ones(1, dtype=ember.float64)
    opt = optim.SGD([p], lr=0.1)
    opt.step()
    assert opt.state_dict()["state"] == {}


def test_step_counts_as_an_inplace_change_for_autograd():
    p = param(1.0, 2.0)
    loss = (p * p).sum()
    p.grad = ember.ones(2, dtype=ember.float64)
    optim.SGD([p], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_fused_true_needs_the_device_kernel(monkeypatch):
    p = param(1.0)
    p.grad = ember.ones(1, dtype=ember.float64)
    monkeypatch.setattr(p.device.kernels, "sgd_step", None)
    with pytest.raises(RuntimeError, match="has no sgd_step kernel"):
        optim.SGD([p], lr=0.1, fused=True).step()


def test_differentiable_sgd_records_the_update_in_the_graph():
    w = ember.ones(2, dtype=ember.float64, requires_grad=True)
    p = w * 2
    p.grad = ember.tensor([1.0, 3.0], dtype=ember.float64)
    optim.SGD([p], lr=0.5, differentiable=True).step()
    assert type(p.grad_fn).__name__ == "AddBackward0"
    p.sum().backward()
    np.testing.assert_array_equal(values(w.grad), [2.0, 2.0])


# ----- the update rule ------------------------------------------------------------------------------------
def reference_sgd(theta, grads, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """PyTorch's documented SGD algorithm, transcribed in numpy; returns theta after each step."""
    theta, buffer, trajectory = theta.copy(), None, []
    for t, grad in enumerate(grads):
        g = -grad if maximize else grad.copy()
        if weight_decay != 0:
            g = g + weight_decay * theta
        if momentum != 0:
            buffer = g.copy() if t == 0 else momentum * buffer + (1 - dampening) * g
            g = g + momentum * buffer if nesterov else buffer
        theta = theta - lr * g
        trajectory.append(theta.copy())
    return trajectory


def option_combinations():
    for momentum, dampening, weight_decay, nesterov, maximize in itertools.product(
        [0.0, 0.9], [0.0, 0.3], [0.0, 0.1], [False, True], [False, True]
    ):
        if nesterov and (momentum == 0 or dampening != 0):
            continue
        yield {
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }


@pytest.mark.parametrize("fused", [None, False], ids=["sgd_step_kernel", "composed_ops"])
@pytest.mark.parametrize(
    "options", list(option_combinations()), ids=lambda o: "-".join(f"{v}" for v in o.values())
)
def test_sgd_follows_the_reference_trajectory(options, fused):
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(5)
    grads = [rng.standard_normal(5) for _ in range(4)]
    p = nn.Parameter(ember.tensor(theta))
    opt = optim.SGD([p], lr=0.05, fused=fused, **options)
    for grad, expected in zip(grads, reference_sgd(theta, grads, lr=0.05, **options)):
        p.grad = ember.tensor(grad)
        opt.step()
        np.testing.assert_allclose(values(p), expected, rtol=1e-12, atol=1e-12)


def test_sgd_uses_the_device_kernel_when_present(monkeypatch):
    calls = []
    p = param(1.0)
    kernel = p.device.kernels.sgd_step
    monkeypatch.setattr(p.device.kernels, "sgd_step", lambda *args: calls.append(args) or kernel(*args))
    p.grad = ember.ones(1, dtype=ember.float64)
    optim.SGD([p], lr=0.1, momentum=0.9).step()
    assert len(calls) == 1


def test_sgd_composes_ops_when_the_device_has_no_kernel(monkeypatch):
    p = param(1.0)
    monkeypatch.setattr(p.device.kernels, "sgd_step", None)
    p.grad = ember.ones(1, dtype=ember.float64)
    optim.SGD([p], lr=0.1, momentum=0.9).step()
    np.testing.assert_allclose(values(p), [0.9])


# ----- state dicts ------------------------------------------------------------------------------------------
def test_state_dict_refers_to_parameters_by_integer_ids():
    first, second = param(1.0), param(2.0)
    opt = optim.SGD([{"params": [first]}, {"params": [second], "lr": 0.5}], lr=0.1, momentum=0.9)
    second.grad = ember.ones(1, dtype=ember.float64)
    opt.step()
    state = opt.state_dict()
    assert [group["params"] for group in state["param_groups"]] == [[0], [1]]
    assert list(state["state"]) == [1] and "momentum_buffer" in state["state"][1]
    assert state["param_groups"][1]["lr"] == 0.5


def test_load_state_dict_continues_the_same_trajectory():
    rng = np.random.default_rng(1)
    theta, grads = rng.standard_normal(3), [rng.standard_normal(3) for _ in range(4)]
    original, restored = nn.Parameter(ember.tensor(theta)), nn.Parameter(ember.tensor(theta))
    opt = optim.SGD([original], lr=0.1, momentum=0.9, nesterov=True)
    for grad in grads[:2]:
        original.grad = ember.tensor(grad)
        opt.step()
    restored.data.copy_(original.detach())
    resumed = optim.SGD([restored], lr=1.0)
    resumed.load_state_dict(copy.deepcopy(opt.state_dict()))  # as saved to and loaded from a file
    assert resumed.param_groups[0]["lr"] == 0.1 and resumed.param_groups[0]["params"] == [restored]
    for grad in grads[2:]:
        original.grad, restored.grad = ember.tensor(grad), ember.tensor(grad)
        opt.step()
        resumed.step()
    np.testing.assert_array_equal(values(restored), values(original))


def test_load_state_dict_refuses_a_different_number_of_groups():
    opt = optim.SGD([param(1.0)], lr=0.1)
    two_groups = optim.SGD([{"params": [param(1.0)]}, {"params": [param(2.0)]}], lr=0.1)
    with pytest.raises(ValueError, match="loaded state dict has a different number of parameter groups"):
        opt.load_state_dict(two_groups.state_dict())


def test_load_state_dict_refuses_groups_of_another_size():
    opt = optim.SGD([param(1.0)], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(optim.SGD([param(1.0), param(2.0)], lr=0.1).state_dict())


def test_load_state_dict_casts_state_to_the_parameter_dtype():
    source = nn.Parameter(ember.ones(2, dtype=ember.float64))
    source.grad = ember.ones(2, dtype=ember.float64)
    opt = optim.SGD([source], lr=0.1, momentum=0.9)
    opt.step()
    target = nn.Parameter(ember.ones(2))
    resumed = optim.SGD([target], lr=0.1, momentum=0.9)
    resumed.load_state_dict(opt.state_dict())
    assert resumed.state[target]["momentum_buffer"].dtype is ember.float32


def test_training_a_linear_model_reduces_the_loss():
    ember.manual_seed(0)
    x = ember.randn(64, 3)
    y = x @ ember.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    model = nn.Linear(3, 1)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(80):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 1e-3 * losses[0]
