"""Adamax, NAdam, RAdam, ASGD, Rprop, Adafactor and Muon, CyclicLR and swa_utils against PyTorch.

The optimizers: 20-step trajectories fed the same gradients under a grid of options in float32 and float64,
a small model trained with each, their state, state-dict round trips, param groups, defaults, repr, argument
checks and differentiable steps (the checks of test_oracle_optimizers.py run on these optimizers)."""

from __future__ import annotations

import numpy as np
import pytest
from test_oracle_optimizers import TIGHT, Run, _assert_same_state, _gradients
from test_oracle_optimizers import test_differentiable_steps_match_torch_and_carry_gradients as check_differentiable
from test_oracle_optimizers import test_invalid_options_raise_torchs_error as check_invalid_options
from test_oracle_optimizers import test_param_groups_lr_edits_and_added_groups_follow_torch as check_param_groups
from test_oracle_optimizers import test_repr_and_defaults_match_torch as check_repr_and_defaults
from test_oracle_optimizers import test_step_returns_the_closures_loss_with_grad_enabled as check_closure
from test_oracle_optimizers import test_trajectory_matches_torch as check_trajectory

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

CONFIGS = {
    "Adamax": [
        {},
        {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.01, "weight_decay": 0.1, "maximize": True},
        {"lr": 0.01, "foreach": False, "differentiable": False, "capturable": False},
    ],
    "NAdam": [
        {},
        {"lr": 0.01, "momentum_decay": 0.01},
        {"lr": 0.01, "weight_decay": 0.1},
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
        {"lr": 0.01, "maximize": True, "betas": (0.8, 0.9), "foreach": False},
    ],
    "RAdam": [
        {},
        {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-6},
        {"lr": 0.01, "weight_decay": 0.1},
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
    ],
    "ASGD": [
        {},
        {"lr": 0.05, "lambd": 1e-3, "alpha": 0.5, "t0": 5},
        {"lr": 0.05, "weight_decay": 0.1, "maximize": True, "t0": 3},
    ],
    "Rprop": [
        {},
        {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.1)},
        {"lr": 0.02, "maximize": True, "foreach": False},
    ],
    "Adafactor": [
        {},
        {"lr": 0.05, "beta2_decay": -0.5, "eps": (1e-30, 1e-2), "d": 2.0},
        {"lr": 0.5, "weight_decay": 0.1, "maximize": True},
    ],
}

DTYPES = ["float32", "float64"]


def _cases():
    for name, configs in CONFIGS.items():
        for index, config in enumerate(configs):
            yield pytest.param(name, config, id=f"{name}-{index}-" + ",".join(f"{k}={v}" for k, v in config.items()))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "config"), list(_cases()))
def test_trajectory_matches_torch(oracle, name, config, dtype):
    check_trajectory(oracle, name, config, dtype)


def _train(lib, name, config, initial, data, steps=8):
    """A float64 Linear(4, 3) - Tanh - Linear(3, 2) model trained on mse_loss for `steps` steps: the model and its
    optimizer."""
    model = lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.Tanh(), lib.nn.Linear(3, 2)).double()
    with lib.no_grad():
        for parameter, values in zip(model.parameters(), initial):
            parameter.copy_(lib.tensor(values))
    optimizer = getattr(lib.optim, name)(model.parameters(), **config)
    x, y = (lib.tensor(array) for array in data)
    for _ in range(steps):
        optimizer.zero_grad()
        lib.nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()
    return model, optimizer


@pytest.mark.parametrize(("name", "config"), list(_cases()))
def test_training_a_small_model_matches_torch(oracle, name, config):
    rng = np.random.default_rng(7)
    initial = [rng.standard_normal(shape) * 0.5 for shape in [(3, 4), (3,), (2, 3), (2,)]]
    data = (rng.standard_normal((8, 4)), rng.standard_normal((8, 2)))
    ember_model, ember_optimizer = _train(oracle.ember, name, config, initial, data)
    torch_model, torch_optimizer = _train(torch, name, config, initial, data)
    for index, (e, t) in enumerate(zip(ember_model.parameters(), torch_model.parameters())):
        oracle.assert_same(e, t, f"parameter {index}", **TIGHT["float64"])
    _assert_same_state(oracle, ember_optimizer, torch_optimizer, "after training")


def _resumed(lib, run, name, config):
    """A fresh run (other initial parameters) given `run`'s parameters and optimizer state dict."""
    resumed = Run(lib, name, config, "float64", seed=5)
    with lib.no_grad():
        for mine, original in zip(resumed.params, run.params):
            mine.copy_(original)
    resumed.optimizer.load_state_dict(run.optimizer.state_dict())
    return resumed


@pytest.mark.parametrize(("name", "config"), list(_cases()))
def test_state_dict_round_trip_continues_the_trajectory(oracle, name, config):
    """Ten steps, a state dict loaded into a fresh optimizer (its state cast as PyTorch casts it: a 0-dim
    ``mu_product`` or ``eta`` takes the parameter's dtype, ``step`` stays), ten more steps."""
    grads = _gradients(2, "float64")
    runs = [Run(lib, name, config, "float64") for lib in (oracle.ember, torch)]
    for step_grads in grads[:10]:
        for run in runs:
            run.step(step_grads)
    ember_run, torch_run = (_resumed(lib, run, name, config) for lib, run in zip((oracle.ember, torch), runs))
    _assert_same_state(oracle, ember_run.optimizer, torch_run.optimizer, "after loading")
    for step_grads in grads[10:]:
        torch_run.step(step_grads)
        ember_run.step(step_grads)
    for index, (e, t) in enumerate(zip(ember_run.params, torch_run.params)):
        oracle.assert_same(e, t, f"parameter {index} after resuming", **TIGHT["float64"])
    _assert_same_state(oracle, ember_run.optimizer, torch_run.optimizer, "after resuming")


INVALID = [
    ("Adamax", {"lr": -1.0}),
    ("Adamax", {"eps": -1.0}),
    ("Adamax", {"betas": (1.0, 0.999)}),
    ("Adamax", {"betas": (0.9, -0.1)}),
    ("Adamax", {"weight_decay": -0.5}),
    ("NAdam", {"lr": -1.0}),
    ("NAdam", {"betas": (0.9, 1.5)}),
    ("NAdam", {"momentum_decay": -1.0}),
    ("NAdam", {"weight_decay": -1.0}),
    ("RAdam", {"lr": -0.5}),
    ("RAdam", {"eps": -1.0}),
    ("RAdam", {"betas": (-0.1, 0.9)}),
    ("ASGD", {"lr": -1.0}),
    ("ASGD", {"weight_decay": -1.0}),
    ("Rprop", {"lr": -1.0}),
    ("Rprop", {"etas": (1.5, 2.0)}),
    ("Rprop", {"etas": (0.5, 0.9)}),
    ("Adafactor", {"lr": -1.0}),
    ("Adafactor", {"beta2_decay": 0.5}),
    ("Adafactor", {"eps": (-1.0, 1e-3)}),
    ("Adafactor", {"eps": (None, -1.0)}),
    ("Adafactor", {"d": 0.5}),
    ("Adafactor", {"weight_decay": -1.0}),
]


@pytest.mark.parametrize(("name", "config"), INVALID, ids=[f"{n}-{c}" for n, c in INVALID])
def test_invalid_options_raise_torchs_error(oracle, name, config):
    check_invalid_options(oracle, name, config)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_param_groups_lr_edits_and_added_groups_follow_torch(oracle, name):
    check_param_groups(oracle, name)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_repr_and_defaults_match_torch(oracle, name):
    check_repr_and_defaults(oracle, name)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_step_returns_the_closures_loss_with_grad_enabled(oracle, name):
    check_closure(oracle, name)


@pytest.mark.parametrize(
    ("name", "config"),
    [("NAdam", {"lr": 0.1}), ("NAdam", {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True}),
     ("RAdam", {"lr": 0.1}), ("ASGD", {"lr": 0.1, "t0": 2}), ("Rprop", {"lr": 0.1, "maximize": True})],
)
def test_differentiable_steps_match_torch_and_carry_gradients(oracle, name, config):
    """(Not Adamax: PyTorch's own differentiable Adamax step fails its backward, a saved moment having been
    modified in place.)"""
    check_differentiable(oracle, name, config)


MUON = [
    {},
    {"lr": 0.02, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
    {"lr": 0.02, "adjust_lr_fn": "match_rms_adamw", "ns_steps": 3, "ns_coefficients": (3.0, -3.2, 1.2)},
    {"lr": 0.01, "adjust_lr_fn": "original", "eps": 1e-5},
]


def _muon_draws(steps=8):
    """Initial values of a wide (3, 5) and a tall (6, 2) matrix, and `steps` steps of their gradients."""
    rng = np.random.default_rng(4)
    shapes = [(3, 5), (6, 2)]
    return [rng.standard_normal(shape) for shape in shapes], [[rng.standard_normal(s) for s in shapes]
                                                              for _ in range(steps)]


def _muon_steps(lib, params, optimizer, grads):
    for step_grads in grads:
        for param, grad in zip(params, step_grads):
            param.grad = lib.tensor(grad)
        optimizer.step()


def _muon_run(lib, config, initial, grads):
    """Muon over parameters of the `initial` values stepped with `grads`: the parameters and the optimizer."""
    params = [lib.tensor(values, requires_grad=True) for values in initial]
    optimizer = lib.optim.Muon(params, **config)
    _muon_steps(lib, params, optimizer, grads)
    return params, optimizer


@pytest.mark.parametrize("config", MUON, ids=str)
def test_muon_matches_torch_with_its_newton_schulz_in_the_parameters_dtype(oracle, config, monkeypatch):
    """PyTorch's Muon with its bfloat16 cast made a copy (ember has no bfloat16): the same float64 steps."""
    monkeypatch.setattr(torch.Tensor, "bfloat16", lambda self: self.clone())
    ember_params, ember_optimizer = _muon_run(oracle.ember, config, *_muon_draws())
    torch_params, torch_optimizer = _muon_run(torch, config, *_muon_draws())
    for index, (e, t) in enumerate(zip(ember_params, torch_params)):
        oracle.assert_same(e, t, f"parameter {index}", **TIGHT["float64"])
    _assert_same_state(oracle, ember_optimizer, torch_optimizer, "after 8 steps")


@pytest.mark.parametrize("config", MUON, ids=str)
def test_muon_matches_torchs_bfloat16_steps_to_bfloat16_precision(oracle, config):
    """Against PyTorch's own bfloat16 iteration: within 3% of how far the parameters moved in 8 steps."""
    initial, grads = _muon_draws()
    ember_params, _ = _muon_run(oracle.ember, config, initial, grads)
    torch_params, _ = _muon_run(torch, config, initial, grads)
    for index, (e, t, start) in enumerate(zip(ember_params, torch_params, initial)):
        moved = np.abs(t.detach().numpy() - start).max()
        oracle.assert_same(e, t, f"parameter {index}", rtol=0, atol=0.03 * moved)


@pytest.mark.parametrize(("config", "shape"), [
    ({"lr": -1.0}, (2, 2)), ({"momentum": -0.5}, (2, 2)), ({"weight_decay": -0.1}, (2, 2)),
    ({"adjust_lr_fn": "sqrt"}, (2, 2)), ({}, (3,)), ({}, (2, 2, 2)),
], ids=str)
def test_muon_errors_match_torch(oracle, config, shape):
    with pytest.raises(Exception) as expected:
        torch.optim.Muon([torch.zeros(shape, requires_grad=True)], **config)
    with pytest.raises(expected.type) as got:
        oracle.ember.optim.Muon([oracle.ember.zeros(shape, requires_grad=True)], **config)
    assert str(got.value) == str(expected.value).replace("torch.Size", "ember.Size")


def test_muon_defaults_repr_and_step_errors_match_torch(oracle):
    results = []
    for lib in (oracle.ember, torch):
        param = lib.zeros((2, 3), requires_grad=True)
        optimizer = lib.optim.Muon([param], ns_steps=100)
        param.grad = lib.ones(2, 3)
        with pytest.raises(ValueError) as error:
            optimizer.step()
        results.append((optimizer.defaults, repr(optimizer), str(error.value)))
    assert results[0] == results[1]


def _one_param_optimizer(lib, name, **options):
    return getattr(lib.optim, name)([lib.zeros(2, requires_grad=True)], **options)


class Shrinking:
    """A custom scale function that is an object: CyclicLR's state dict saves its ``__dict__``."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x):
        return self.rate**x

    def __repr__(self):  # a stable test id: pytest-xdist's workers must collect the same names
        return f"Shrinking({self.rate})"


CYCLIC = [
    ("SGD", {"momentum": 0.9}, {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}),
    ("SGD", {"momentum": 0.9}, {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "step_size_down": 5,
                                "mode": "triangular2", "base_momentum": 0.7, "max_momentum": 0.95}),
    ("Adam", {}, {"base_lr": 0.001, "max_lr": 0.01, "step_size_up": 4, "mode": "exp_range", "gamma": 0.9}),
    ("Adam", {}, {"base_lr": 0.001, "max_lr": 0.01, "step_size_up": 2, "scale_fn": Shrinking(0.8),
                  "scale_mode": "iterations"}),
    ("Adagrad", {}, {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "cycle_momentum": False}),
]


@pytest.mark.parametrize(("name", "options", "config"), CYCLIC, ids=[f"{n}-{c}" for n, _, c in CYCLIC])
def test_cyclic_lr_rates_momenta_and_state_dict_match_torch(oracle, name, options, config):
    runs = []
    for lib in (oracle.ember, torch):
        optimizer = _one_param_optimizer(lib, name, lr=1.0, **options)
        scheduler = lib.optim.lr_scheduler.CyclicLR(optimizer, **config)
        trace = []
        for _ in range(20):
            optimizer.step()
            scheduler.step()
            group = optimizer.param_groups[0]
            trace.append((scheduler.get_last_lr(), group.get("momentum"), group.get("betas")))
        runs.append((trace, scheduler.state_dict()))
    assert runs[0] == runs[1]


def test_cyclic_lr_resumes_from_its_state_dict(oracle):
    lib = oracle.ember
    optimizer = _one_param_optimizer(lib, "SGD", lr=1.0, momentum=0.9)
    scheduler = lib.optim.lr_scheduler.CyclicLR(optimizer, 0.01, 0.1, step_size_up=3, mode="triangular2")
    for _ in range(7):
        optimizer.step()
        scheduler.step()
    resumed_optimizer = _one_param_optimizer(lib, "SGD", lr=1.0, momentum=0.9)
    resumed = lib.optim.lr_scheduler.CyclicLR(resumed_optimizer, 0.5, 0.6, mode="exp_range")
    resumed.load_state_dict(scheduler.state_dict())
    for _ in range(5):
        optimizer.step()
        scheduler.step()
        resumed_optimizer.step()
        resumed.step()
        assert resumed.get_last_lr() == scheduler.get_last_lr()


CYCLIC_INVALID = [
    ("SGD", {"momentum": 0.9}, {"base_lr": 0.01, "max_lr": 0.1, "mode": "zigzag"}),
    ("Adagrad", {}, {"base_lr": 0.01, "max_lr": 0.1}),
    ("SGD", {"momentum": 0.9}, {"base_lr": [0.01, 0.02], "max_lr": 0.1}),
]


@pytest.mark.parametrize(("name", "options", "config"), CYCLIC_INVALID,
                         ids=[f"{n}-{c}" for n, _, c in CYCLIC_INVALID])
def test_cyclic_lr_errors_match_torch(oracle, name, options, config):
    with pytest.raises(Exception) as expected:
        torch.optim.lr_scheduler.CyclicLR(_one_param_optimizer(torch, name, lr=1.0, **options), **config)
    with pytest.raises(expected.type) as got:
        oracle.ember.optim.lr_scheduler.CyclicLR(_one_param_optimizer(oracle.ember, name, lr=1.0, **options),
                                                 **config)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("config", [
    {"swa_lr": 0.05}, {"swa_lr": 0.05, "anneal_epochs": 3, "anneal_strategy": "linear"},
    {"swa_lr": 0.2, "anneal_epochs": 0}, {"swa_lr": [0.05, 0.01], "anneal_epochs": 4},
], ids=str)
def test_swalr_rates_and_state_dict_match_torch(oracle, config):
    runs = []
    for lib in (oracle.ember, torch):
        optimizer = lib.optim.SGD([{"params": [lib.zeros(2, requires_grad=True)]},
                                   {"params": [lib.zeros(1, requires_grad=True)], "lr": 0.3}], lr=0.5)
        scheduler = lib.optim.swa_utils.SWALR(optimizer, **config)
        rates = []
        for _ in range(12):
            optimizer.step()
            scheduler.step()
            rates.append(scheduler.get_last_lr())
        runs.append((rates, scheduler.state_dict(), [group["swa_lr"] for group in optimizer.param_groups]))
    assert runs[0] == runs[1]


@pytest.mark.parametrize(("config", "bad"), [
    ({"swa_lr": 0.1, "anneal_strategy": "step"}, "anneal_strategy"),
    ({"swa_lr": 0.1, "anneal_epochs": -1}, "anneal_epochs"),
    ({"swa_lr": 0.1, "anneal_epochs": 2.5}, "anneal_epochs"),
])
def test_swalr_errors_match_torch(oracle, config, bad):
    with pytest.raises(ValueError) as expected:
        torch.optim.swa_utils.SWALR(_one_param_optimizer(torch, "SGD", lr=0.5), **config)
    with pytest.raises(ValueError) as got:
        oracle.ember.optim.swa_utils.SWALR(_one_param_optimizer(oracle.ember, "SGD", lr=0.5), **config)
    assert str(got.value) == str(expected.value) and bad in str(got.value)


def _averaging_options(lib, kind):
    swa_utils = lib.optim.swa_utils
    return {
        "default": {},
        "ema multi": {"multi_avg_fn": swa_utils.get_ema_multi_avg_fn(0.9)},
        "swa multi": {"multi_avg_fn": swa_utils.get_swa_multi_avg_fn()},
        "ema avg_fn": {"avg_fn": swa_utils.get_ema_avg_fn(0.8)},
        "swa avg_fn, buffers": {"avg_fn": swa_utils.get_swa_avg_fn(), "use_buffers": True},
        "ema multi, buffers": {"multi_avg_fn": swa_utils.get_ema_multi_avg_fn(0.5), "use_buffers": True},
    }[kind]


def _averaged_training(lib, kind, initial, batches):
    """SGD on a Linear - BatchNorm1d - Linear model, folding each step's weights into an AveragedModel; then
    update_bn over the batches: the averaged model, its output and the trained model."""
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Linear(4, 1)).double()
    with lib.no_grad():
        for parameter, values in zip(model.parameters(), initial):
            parameter.copy_(lib.tensor(values))
    averaged = lib.optim.swa_utils.AveragedModel(model, **_averaging_options(lib, kind))
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    for x, y in batches:
        optimizer.zero_grad()
        lib.nn.functional.mse_loss(model(lib.tensor(x)), lib.tensor(y)).backward()
        optimizer.step()
        averaged.update_parameters(model)
    loader = [[lib.tensor(x), lib.tensor(y)] for x, y in batches]
    lib.optim.swa_utils.update_bn(loader, averaged)
    averaged.eval()
    return averaged, averaged(lib.tensor(batches[0][0])), model


@pytest.mark.parametrize("kind", ["default", "ema multi", "swa multi", "ema avg_fn", "swa avg_fn, buffers",
                                  "ema multi, buffers"])
def test_averaged_model_and_update_bn_match_torch(oracle, kind):
    rng = np.random.default_rng(11)
    initial = [rng.standard_normal(shape) * 0.5 for shape in [(4, 3), (4,), (4,), (4,), (1, 4), (1,)]]
    batches = [(rng.standard_normal((6, 3)), rng.standard_normal((6, 1))) for _ in range(6)]
    ember_averaged, ember_out, _ = _averaged_training(oracle.ember, kind, initial, batches)
    torch_averaged, torch_out, _ = _averaged_training(torch, kind, initial, batches)
    ember_state, torch_state = ember_averaged.state_dict(), torch_averaged.state_dict()
    assert list(ember_state) == list(torch_state)
    for key, value in torch_state.items():
        oracle.assert_same(ember_state[key], value, key, **TIGHT["float64"])
    oracle.assert_same(ember_out, torch_out, "averaged model's output", **TIGHT["float64"])


def test_update_bn_without_batch_norm_and_averaging_errors_match_torch(oracle):
    for lib in (oracle.ember, torch):
        model = lib.nn.Linear(2, 2)
        lib.optim.swa_utils.update_bn([lib.ones(3, 2)], model)  # no batch norm: nothing to do, no forward
        with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn should be provided"):
            lib.optim.swa_utils.AveragedModel(model, avg_fn=lib.optim.swa_utils.get_swa_avg_fn(),
                                              multi_avg_fn=lib.optim.swa_utils.get_swa_multi_avg_fn())
        with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided. Please provide a value in \[0,1\]"):
            lib.optim.swa_utils.get_ema_multi_avg_fn(1.5)
        with pytest.raises(ValueError, match=r"Invalid decay value -0.1 provided"):
            lib.optim.swa_utils.get_ema_avg_fn(-0.1)


def test_muon_state_dict_round_trip_continues_the_trajectory(oracle, monkeypatch):
    """Four steps, the state dict loaded into a fresh Muon over copies of the parameters, four more: as
    PyTorch's run of eight (its Newton-Schulz iteration in the parameters' dtype, as ember's)."""
    monkeypatch.setattr(torch.Tensor, "bfloat16", lambda self: self.clone())
    lib = oracle.ember
    config = {"lr": 0.02, "momentum": 0.9}
    initial, grads = _muon_draws()
    params, optimizer = _muon_run(lib, config, initial, grads[:4])
    resumed, resumed_optimizer = _muon_run(lib, {"lr": 0.5}, [param.detach().cpu().numpy() for param in params], [])
    resumed_optimizer.load_state_dict(optimizer.state_dict())
    _muon_steps(lib, resumed, resumed_optimizer, grads[4:])
    torch_params, torch_optimizer = _muon_run(torch, config, initial, grads)
    for index, (e, t) in enumerate(zip(resumed, torch_params)):
        oracle.assert_same(e, t, f"parameter {index} after resuming", **TIGHT["float64"])
    _assert_same_state(oracle, resumed_optimizer, torch_optimizer, "after resuming")
