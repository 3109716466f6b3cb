"""Adam, AdamW, RMSprop, Adagrad, Adadelta and LBFGS against PyTorch: 20-step trajectories from the same
initial parameters with the same gradients, under a grid of options, in float32 and float64; their state,
state-dict round trips (save, load into a fresh optimizer, continue) and argument checks."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

STEPS = 20
SHAPES = [(3, 4), (5,)]

CONFIGS = {
    "Adam": [
        {},
        {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.01, "amsgrad": True},
        {"lr": 0.01, "weight_decay": 0.1},
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
        {"lr": 0.01, "maximize": True, "amsgrad": True, "weight_decay": 0.05},
        {"lr": 0.01, "foreach": False, "capturable": False, "fused": None},
    ],
    "AdamW": [
        {},
        {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True},
        {"lr": 0.02, "maximize": True, "betas": (0.5, 0.9)},
    ],
}

DTYPES = ["float32", "float64"]
# The updates round as PyTorch's; what is left is an ulp where PyTorch's kernels fuse a multiply-add.
TIGHT = {"float32": {"rtol": 2e-6, "atol": 1e-7}, "float64": {"rtol": 1e-12, "atol": 1e-14}}


def _cases():
    for name, configs in CONFIGS.items():
        for index, config in enumerate(configs):
            yield pytest.param(name, config, id=f"{name}-{index}-" + ",".join(f"{k}={v}" for k, v in config.items()))


class Run:
    """One optimizer in one library over parameters and gradients drawn from a seeded numpy generator."""

    def __init__(self, lib, name, config, dtype, seed=0):
        rng = np.random.default_rng(seed)
        self.lib = lib
        self.params = [lib.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True) for shape in SHAPES]
        self.optimizer = getattr(lib.optim, name)(self.params, **config)
        self.dtype = dtype

    def step(self, grads):
        self.optimizer.zero_grad()
        for param, grad in zip(self.params, grads):
            param.grad = self.lib.tensor(grad)
        self.optimizer.step()


def _gradients(seed, dtype, steps=STEPS):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(shape).astype(dtype) for shape in SHAPES] for _ in range(steps)]


def _assert_same_state(oracle, ember_optimizer, torch_optimizer, what):
    ember_dict, torch_dict = ember_optimizer.state_dict(), torch_optimizer.state_dict()
    assert ember_dict["param_groups"] == torch_dict["param_groups"], what
    assert sorted(ember_dict["state"]) == sorted(torch_dict["state"]), what
    for index, torch_state in torch_dict["state"].items():
        ember_state = ember_dict["state"][index]
        assert sorted(ember_state) == sorted(torch_state), f"{what}: state keys of parameter {index}"
        for key, value in torch_state.items():
            oracle.assert_same(ember_state[key], value, f"{what}: state[{index}][{key!r}]")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "config"), list(_cases()))
def test_trajectory_matches_torch(oracle, name, config, dtype):
    ember_run = Run(oracle.ember, name, config, dtype)
    torch_run = Run(torch, name, config, dtype)
    for step, grads in enumerate(_gradients(1, dtype)):
        ember_run.step(grads)
        torch_run.step(grads)
        for index, (e, t) in enumerate(zip(ember_run.params, torch_run.params)):
            oracle.assert_same(e, t, f"parameter {index} after step {step}", **TIGHT[dtype])
    _assert_same_state(oracle, ember_run.optimizer, torch_run.optimizer, "after 20 steps")


@pytest.mark.parametrize(("name", "config"), list(_cases()))
def test_state_dict_round_trip_continues_the_trajectory(oracle, name, config):
    grads = _gradients(2, "float64")
    torch_run = Run(torch, name, config, "float64")
    ember_run = Run(oracle.ember, name, config, "float64")
    for step_grads in grads[:10]:
        torch_run.step(step_grads)
        ember_run.step(step_grads)
    saved = ember_run.optimizer.state_dict()
    resumed = Run(oracle.ember, name, config, "float64", seed=5)
    with oracle.ember.no_grad():
        for mine, original in zip(resumed.params, ember_run.params):
            mine.copy_(original)
    resumed.optimizer.load_state_dict(saved)
    _assert_same_state(oracle, resumed.optimizer, torch_run.optimizer, "after loading")
    for step_grads in grads[10:]:
        torch_run.step(step_grads)
        resumed.step(step_grads)
    for index, (e, t) in enumerate(zip(resumed.params, torch_run.params)):
        oracle.assert_same(e, t, f"parameter {index} after resuming", **TIGHT["float64"])
