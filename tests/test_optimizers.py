"""Adam, AdamW, RMSprop, Adagrad, Adadelta and LBFGS without the oracle: parameters after three steps, and an
LBFGS step, equal PyTorch 2.13's (values taken from it); state layouts, errors and the closure contract.
tests/oracle/test_oracle_optimizers.py compares whole trajectories with torch itself."""
from __future__ import annotations

import numpy as np
import pytest

import ember

GRADIENT = [[0.3, 0.1], [-0.2, 0.4]]

# parameters after three steps from [[1, -2], [0.5, 3]] with GRADIENT * 1, * -2, * 0.5 (float64), in PyTorch 2.13
THREE_STEPS = [
    ("Adam", {"lr": 0.1, "amsgrad": True, "weight_decay": 0.1},
     [[0.9073632470437012, -1.7262836335045357], [0.517458145521217, 2.851319242148364]]),
    ("AdamW", {"lr": 0.1}, [[0.9474457098672537, -2.0435632827101653], [0.5480587875271008, 2.9414517073144313]]),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True},
     [[0.875967690995281, -2.1240321709599774], [0.6240322744935131, 2.875967673739673]]),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.1, "initial_accumulator_value": 0.1},
     [[0.9882038907405907, -1.9938756217711806], [0.5020287438489343, 2.981024468459633]]),
    ("Adadelta", {"lr": 1.0, "weight_decay": 0.1, "maximize": True},
     [[0.999291099448454, -1.9938835970553213], [0.4985380900158622, 2.998114896954781]]),
]


def _three_steps(name, options):
    param = ember.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=ember.float64, requires_grad=True)
    optimizer = getattr(ember.optim, name)([param], **options)
    for scale in (1.0, -2.0, 0.5):
        param.grad = ember.tensor(GRADIENT, dtype=ember.float64) * scale
        optimizer.step()
    return param, optimizer


@pytest.mark.parametrize(("name", "options", "expected"), THREE_STEPS, ids=[row[0] for row in THREE_STEPS])
def test_three_steps_give_pytorchs_parameters(name, options, expected):
    param, _ = _three_steps(name, options)
    np.testing.assert_allclose(param.tolist(), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "options", "keys"),
    [("Adam", {"amsgrad": True}, ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]),
     ("AdamW", {}, ["exp_avg", "exp_avg_sq", "step"]),
     ("RMSprop", {"momentum": 0.5, "centered": True}, ["grad_avg", "momentum_buffer", "square_avg", "step"]),
     ("Adagrad", {}, ["step", "sum"]),
     ("Adadelta", {}, ["acc_delta", "square_avg", "step"])],
)
def test_state_is_keyed_by_parameter_index_with_a_tensor_step(name, options, keys):
    _, optimizer = _three_steps(name, options)
    saved = optimizer.state_dict()
    assert list(saved["state"]) == [0] and sorted(saved["state"][0]) == keys
    step = saved["state"][0]["step"]
    assert isinstance(step, ember.Tensor) and step.dtype == ember.float32 and step.shape == () and step.item() == 3
    assert saved["param_groups"][0]["params"] == [0]


def test_adamw_keeps_decoupled_weight_decay_when_loading_adams_state():
    _, adam = _three_steps("Adam", {"lr": 0.1})
    param = ember.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=ember.float64, requires_grad=True)
    adamw = ember.optim.AdamW([param])
    adamw.load_state_dict(adam.state_dict())
    assert adamw.param_groups[0]["decoupled_weight_decay"] is True
    assert adamw.param_groups[0]["lr"] == 0.1


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [("Adam", {"lr": -1}, "Invalid learning rate: -1"),
     ("Adam", {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
     ("AdamW", {"eps": -1.0}, "Invalid epsilon value: -1.0"),
     ("RMSprop", {"alpha": -0.1}, "Invalid alpha value: -0.1"),
     ("Adagrad", {"lr_decay": -0.5}, "Invalid lr_decay value: -0.5"),
     ("Adadelta", {"rho": 1.5}, "Invalid rho value: 1.5"),
     ("LBFGS", {"lr": -2.0}, "Invalid learning rate: -2.0")],
)
def test_invalid_options_raise_pytorchs_value_errors(name, options, message):
    with pytest.raises(ValueError, match=f"^{message}$".replace("(", r"\(").replace(")", r"\)")):
        getattr(ember.optim, name)([ember.zeros(2, requires_grad=True)], **options)


def test_lbfgs_strong_wolfe_step_matches_pytorch():
    """One LBFGS step (10 iterations, strong Wolfe) on a smooth 2-parameter problem; PyTorch 2.13 returns
    the first loss 5.0125, ends at these parameters, and counts 8 evaluations over 7 iterations."""
    param = ember.tensor([1.5, -0.5], dtype=ember.float64, requires_grad=True)
    optimizer = ember.optim.LBFGS([param], max_iter=10, line_search_fn="strong_wolfe")
    target = ember.tensor([3.0, 1.0], dtype=ember.float64)

    def closure():
        optimizer.zero_grad()
        loss = ((param - target) ** 2).sum() + (param**4).sum() * 0.1
        loss.backward()
        return loss

    assert optimizer.step(closure).item() == pytest.approx(5.0125, rel=1e-14)
    np.testing.assert_allclose(param.tolist(), [1.8113655546536762, 0.8688300224169085], rtol=1e-10)
    assert (optimizer.state[param]["func_evals"], optimizer.state[param]["n_iter"]) == (8, 7)


def test_lbfgs_refuses_param_groups_and_other_line_searches():
    params = [ember.zeros(1, requires_grad=True), ember.zeros(1, requires_grad=True)]
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        ember.optim.LBFGS([{"params": params[:1]}, {"params": params[1:]}])
    optimizer = ember.optim.LBFGS(params[:1], line_search_fn="backtracking")

    def closure():
        optimizer.zero_grad()
        loss = ((params[0] - 1) ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        optimizer.step(closure)
