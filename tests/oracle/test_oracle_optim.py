"""optim.SGD against PyTorch: 20-step trajectories of a quadratic and of a small nn.Linear regression
under every combination of options that matters; parameters must equal torch's after every step."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

STEPS = 20

CONFIGS = {
    "plain": {"lr": 0.1},
    "momentum": {"lr": 0.05, "momentum": 0.9},
    "momentum, dampening": {"lr": 0.05, "momentum": 0.9, "dampening": 0.5},
    "weight decay": {"lr": 0.1, "weight_decay": 0.1},
    "nesterov": {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    "maximize": {"lr": 0.02, "maximize": True},
    "momentum, dampening, weight decay": {
        "lr": 0.05,
        "momentum": 0.8,
        "dampening": 0.3,
        "weight_decay": 0.05,
    },
    "everything": {"lr": 0.02, "momentum": 0.8, "weight_decay": 0.01, "nesterov": True, "maximize": True},
}


class Quadratic:
    """loss = sum(scale * (p - center)**2) over one parameter vector."""

    def __init__(self, lib, rng):
        self.lib = lib
        self.p = lib.tensor(rng.standard_normal(5), requires_grad=True)
        self.center = lib.tensor(rng.standard_normal(5))
        self.scale = lib.tensor(rng.uniform(0.5, 2.0, 5))

    def parameters(self):
        return [self.p]

    def loss(self):
        return (self.scale * (self.p - self.center) ** 2).sum()


class LinearRegression:
    """mse_loss of nn.Linear(4, 3) on fixed data, with torch's initial weights copied into ember."""

    def __init__(self, lib, rng, initial):
        self.lib = lib
        self.layer = lib.nn.Linear(4, 3)
        with lib.no_grad():
            for parameter, values in zip(self.layer.parameters(), initial):
                parameter.copy_(lib.tensor(values))
        self.x = lib.tensor(rng.standard_normal((8, 4)).astype("float32"))
        self.y = lib.tensor(rng.standard_normal((8, 3)).astype("float32"))

    def parameters(self):
        return list(self.layer.parameters())

    def loss(self):
        return self.lib.nn.functional.mse_loss(self.layer(self.x), self.y)


def _problems(oracle, kind):
    if kind == "quadratic":
        return Quadratic(oracle.ember, oracle.rng(0)), Quadratic(torch, oracle.rng(0))
    initial = [p.detach().cpu().numpy().copy() for p in torch.nn.Linear(4, 3).parameters()]
    return (
        LinearRegression(oracle.ember, oracle.rng(1), initial),
        LinearRegression(torch, oracle.rng(1), initial),
    )


def _assert_parameters_equal(oracle, ember_problem, torch_problem, step):
    for index, (e, t) in enumerate(zip(ember_problem.parameters(), torch_problem.parameters())):
        oracle.assert_same(e, t, f"parameter {index} after step {step}")


@pytest.mark.parametrize("kind", ["quadratic", "linear"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_sgd_trajectory_matches_torch(oracle, kind, name):
    ember_problem, torch_problem = _problems(oracle, kind)
    ember_sgd = oracle.ember.optim.SGD(ember_problem.parameters(), **CONFIGS[name])
    torch_sgd = torch.optim.SGD(torch_problem.parameters(), **CONFIGS[name])
    for step in range(STEPS):
        losses = []
        for problem, sgd in [(ember_problem, ember_sgd), (torch_problem, torch_sgd)]:
            sgd.zero_grad()
            loss = problem.loss()
            loss.backward()
            sgd.step()
            losses.append(loss)
        oracle.assert_same(losses[0], losses[1], f"loss at step {step}")
        _assert_parameters_equal(oracle, ember_problem, torch_problem, step)


def test_sgd_momentum_buffer_matches_torch(oracle):
    ember_problem, torch_problem = _problems(oracle, "quadratic")
    config = {"lr": 0.1, "momentum": 0.9, "dampening": 0.2}
    optimizers = [
        oracle.ember.optim.SGD(ember_problem.parameters(), **config),
        torch.optim.SGD(torch_problem.parameters(), **config),
    ]
    for _ in range(3):
        for problem, sgd in zip([ember_problem, torch_problem], optimizers):
            sgd.zero_grad()
            problem.loss().backward()
            sgd.step()
    ember_state, torch_state = (
        sgd.state[problem.p] for problem, sgd in zip([ember_problem, torch_problem], optimizers)
    )
    assert sorted(ember_state) == sorted(torch_state) == ["momentum_buffer"]
    oracle.assert_same(ember_state["momentum_buffer"], torch_state["momentum_buffer"])


def test_sgd_param_groups_use_their_own_options(oracle):
    ember_problem, torch_problem = _problems(oracle, "linear")

    def groups(problem):
        weight, bias = problem.parameters()
        return [{"params": [weight]}, {"params": [bias], "lr": 0.3, "momentum": 0.5}]

    ember_sgd = oracle.ember.optim.SGD(groups(ember_problem), lr=0.05, momentum=0.9, nesterov=True)
    torch_sgd = torch.optim.SGD(groups(torch_problem), lr=0.05, momentum=0.9, nesterov=True)
    assert [g["lr"] for g in ember_sgd.param_groups] == [g["lr"] for g in torch_sgd.param_groups]
    for step in range(STEPS):
        for problem, sgd in [(ember_problem, ember_sgd), (torch_problem, torch_sgd)]:
            sgd.zero_grad()
            problem.loss().backward()
            sgd.step()
        _assert_parameters_equal(oracle, ember_problem, torch_problem, step)


def test_sgd_skips_parameters_without_grad_and_zero_grad_sets_none(oracle):
    results = []
    for lib in (oracle.ember, torch):
        used = lib.tensor(np.array([1.0, -2.0]), requires_grad=True)
        unused = lib.tensor(np.array([3.0, 4.0]), requires_grad=True)
        sgd = lib.optim.SGD([used, unused], lr=0.1, momentum=0.9, weight_decay=0.1)
        for _ in range(3):
            sgd.zero_grad()
            assert used.grad is None and unused.grad is None
            (used**2).sum().backward()
            sgd.step()
        results.append((used, unused))
    oracle.assert_same(results[0][0], results[1][0], "used parameter")
    oracle.assert_same(results[0][1], results[1][1], "unused parameter")


@pytest.mark.parametrize(
    "config",
    [
        {"lr": 0.1, "nesterov": True},
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
        {"lr": -0.1},
        {"lr": 0.1, "momentum": -0.5},
        {"lr": 0.1, "weight_decay": -1.0},
    ],
    ids=[
        "nesterov without momentum",
        "nesterov with dampening",
        "negative lr",
        "negative momentum",
        "negative weight decay",
    ],
)
def test_sgd_rejects_invalid_options_like_torch(oracle, config):
    with pytest.raises(ValueError):
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], **config)
    with pytest.raises(ValueError):
        oracle.ember.optim.SGD([oracle.ember.zeros(1, requires_grad=True)], **config)
