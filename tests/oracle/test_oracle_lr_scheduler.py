"""ember.optim.lr_scheduler against PyTorch: every schedule's rates over 40 epochs (compared as floats, exactly),
with two param groups, their state dicts and round trips, the closed forms of ``step(epoch)``, momentum
cycling, the call-order warning, and argument errors."""

from __future__ import annotations

import math
import warnings

import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

EPOCHS = 40


def _optimizer(lib, name="SGD"):
    params = [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]
    groups = [{"params": params[:1]}, {"params": params[1:], "lr": 0.05}]
    if name == "SGD":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    return getattr(lib.optim, name)(groups, lr=0.1)


class Scaled:
    """A callable object (not a function): LambdaLR saves its ``__dict__`` in state dicts."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate**epoch


SCHEDULES = {
    "StepLR": lambda s, o: s.StepLR(o, step_size=7),
    "StepLR gamma": lambda s, o: s.StepLR(o, step_size=3, gamma=0.7),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
    "ConstantLR": lambda s, o: s.ConstantLR(o),
    "ConstantLR factor": lambda s, o: s.ConstantLR(o, factor=0.3, total_iters=11),
    "LinearLR": lambda s, o: s.LinearLR(o),
    "LinearLR options": lambda s, o: s.LinearLR(o, start_factor=0.9, end_factor=0.05, total_iters=25),
    "ExponentialLR": lambda s, o: s.ExponentialLR(o, gamma=0.93),
    "PolynomialLR": lambda s, o: s.PolynomialLR(o),
    "PolynomialLR power": lambda s, o: s.PolynomialLR(o, total_iters=30, power=2.5),
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, T_max=10),
    "CosineAnnealingLR eta_min": lambda s, o: s.CosineAnnealingLR(o, T_max=13, eta_min=0.001),
    "CosineAnnealingWarmRestarts": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=7),
    "CosineAnnealingWarmRestarts T_mult": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2,
                                                                                     eta_min=0.002),
    "LambdaLR": lambda s, o: s.LambdaLR(o, lr_lambda=lambda epoch: 1 / (1 + epoch)),
    "LambdaLR per group": lambda s, o: s.LambdaLR(o, lr_lambda=[Scaled(0.9), lambda epoch: 0.5 + epoch % 3]),
    "MultiplicativeLR": lambda s, o: s.MultiplicativeLR(o, lr_lambda=lambda epoch: 0.95),
    "OneCycleLR": lambda s, o: s.OneCycleLR(o, max_lr=0.5, total_steps=EPOCHS),
    "OneCycleLR linear three-phase": lambda s, o: s.OneCycleLR(
        o, max_lr=[0.4, 0.2], epochs=4, steps_per_epoch=10, pct_start=0.25, anneal_strategy="linear",
        three_phase=True, div_factor=10.0, final_div_factor=100.0, base_momentum=0.8, max_momentum=[0.9, 0.99],
    ),
    "OneCycleLR no momentum": lambda s, o: s.OneCycleLR(o, max_lr=1.0, total_steps=45, cycle_momentum=False),
    "SequentialLR": lambda s, o: s.SequentialLR(
        o, schedulers=[s.LinearLR(o, start_factor=0.1, total_iters=5), s.ExponentialLR(o, gamma=0.9)],
        milestones=[5],
    ),
    "SequentialLR three": lambda s, o: s.SequentialLR(
        o, schedulers=[s.ConstantLR(o, factor=0.5, total_iters=4), s.CosineAnnealingLR(o, T_max=8),
                       s.StepLR(o, step_size=4, gamma=0.5)],
        milestones=[6, 20],
    ),
    "ChainedScheduler": lambda s, o: s.ChainedScheduler(
        [s.ConstantLR(o, factor=0.1, total_iters=2), s.ExponentialLR(o, gamma=0.9)]
    ),
    "ChainedScheduler with optimizer": lambda s, o: s.ChainedScheduler(
        [s.LinearLR(o, start_factor=0.5, total_iters=10), s.MultiStepLR(o, milestones=[8, 16])], optimizer=o
    ),
}


def _build(lib, name, optimizer_name="SGD"):
    optimizer = _optimizer(lib, optimizer_name)
    return optimizer, SCHEDULES[name](lib.optim.lr_scheduler, optimizer)


def _rates(optimizer, scheduler):
    return {
        "last_lr": list(scheduler.get_last_lr()),
        "lr": [group["lr"] for group in optimizer.param_groups],
        "momentum": [group.get("momentum") for group in optimizer.param_groups],
        "betas": [group.get("betas") for group in optimizer.param_groups],
    }


def _comparable(state):
    """A scheduler state dict with nested state dicts too, and floats kept exact."""
    if isinstance(state, dict):
        return {key: _comparable(value) for key, value in state.items()}
    if isinstance(state, (list, tuple)):
        return type(state)(_comparable(value) for value in state)
    return state


@pytest.mark.parametrize("optimizer_name", ["SGD", "Adam"])
@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_matches_torch_exactly(oracle, name, optimizer_name):
    ember_optimizer, ember_scheduler = _build(oracle.ember, name, optimizer_name)
    torch_optimizer, torch_scheduler = _build(torch, name, optimizer_name)
    assert _rates(ember_optimizer, ember_scheduler) == _rates(torch_optimizer, torch_scheduler), "epoch 0"
    for epoch in range(1, EPOCHS):
        for optimizer, scheduler in ((ember_optimizer, ember_scheduler), (torch_optimizer, torch_scheduler)):
            optimizer.step()
            scheduler.step()
        assert _rates(ember_optimizer, ember_scheduler) == _rates(torch_optimizer, torch_scheduler), f"epoch {epoch}"
    assert _comparable(ember_scheduler.state_dict()) == _comparable(torch_scheduler.state_dict())
    assert [{k: v for k, v in g.items() if k != "params"} for g in ember_optimizer.param_groups] == \
        [{k: v for k, v in g.items() if k != "params"} for g in torch_optimizer.param_groups]


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_state_dict_round_trip_continues_the_schedule(oracle, name):
    """Save the optimizer and the scheduler at epoch 15, build fresh ones, load both, and continue."""
    optimizer, scheduler = _build(oracle.ember, name)
    torch_optimizer, torch_scheduler = _build(torch, name)
    for _ in range(15):
        for opt, sched in ((optimizer, scheduler), (torch_optimizer, torch_scheduler)):
            opt.step()
            sched.step()
    resumed_optimizer, resumed_scheduler = _build(oracle.ember, name)
    resumed_optimizer.load_state_dict(optimizer.state_dict())
    resumed_scheduler.load_state_dict(scheduler.state_dict())
    for epoch in range(15, EPOCHS - 1):
        for opt, sched in ((resumed_optimizer, resumed_scheduler), (torch_optimizer, torch_scheduler)):
            opt.step()
            sched.step()
        assert _rates(resumed_optimizer, resumed_scheduler) == _rates(torch_optimizer, torch_scheduler), \
            f"epoch {epoch}"


CLOSED_FORM = ["StepLR gamma", "MultiStepLR", "ConstantLR factor", "LinearLR options", "ExponentialLR",
               "PolynomialLR power", "CosineAnnealingLR eta_min", "CosineAnnealingWarmRestarts T_mult", "LambdaLR"]


@pytest.mark.parametrize("name", CLOSED_FORM)
def test_step_with_an_epoch_uses_torchs_closed_form(oracle, name):
    epochs = [3, 4, 10, 9, 17, 2.5, 30] if name.startswith("CosineAnnealingWarmRestarts") else [3, 4, 10, 9, 17, 30]
    results = []
    for lib in (oracle.ember, torch):
        optimizer, scheduler = _build(lib, name)
        rates = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for epoch in epochs:
                optimizer.step()
                scheduler.step(epoch)
                rates.append(_rates(optimizer, scheduler))
        results.append((rates, sorted({str(w.message) for w in caught})))
    assert results[0] == results[1]


def test_reduce_lr_on_plateau_matches_torch(oracle):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8] + [0.8] * 30
    configs = [
        {},
        {"patience": 2},
        {"mode": "max", "factor": 0.5, "patience": 1, "threshold": 0.01, "threshold_mode": "abs", "cooldown": 2},
        {"patience": 0, "min_lr": [0.01, 0.03], "factor": 0.3},
        {"patience": 1, "min_lr": 0.02, "eps": 0.01},
    ]
    for config in configs:
        runs = []
        for lib in (oracle.ember, torch):
            optimizer = _optimizer(lib)
            scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **config)
            rates = []
            for metric in metrics:
                optimizer.step()
                scheduler.step(metric)
                rates.append((list(scheduler.get_last_lr()), scheduler.num_bad_epochs, scheduler.cooldown_counter))
            runs.append((rates, scheduler.state_dict()))
        assert runs[0] == runs[1], config


def test_reduce_lr_on_plateau_round_trip(oracle):
    optimizer = _optimizer(oracle.ember)
    scheduler = oracle.ember.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="max", patience=1)
    for metric in [1.0, 0.5, 0.5, 0.5]:
        scheduler.step(metric)
    fresh = oracle.ember.optim.lr_scheduler.ReduceLROnPlateau(_optimizer(oracle.ember))
    fresh.load_state_dict(scheduler.state_dict())
    assert fresh.mode == "max" and fresh.mode_worse == -math.inf and fresh.best == 1.0
    assert fresh.state_dict() == scheduler.state_dict()


def _warnings_of(lib, calls):
    optimizer = _optimizer(lib)
    scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for call in calls:
            if call == "optimizer":
                optimizer.step()
            elif call == "scheduler":
                scheduler.step()
            else:
                scheduler.get_lr()
    return [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize(
    "calls",
    [["scheduler", "optimizer"], ["optimizer", "scheduler"], ["optimizer", "scheduler", "get_lr"]],
    ids=["scheduler first", "optimizer first", "get_lr outside step"],
)
def test_warnings_match_torch(oracle, calls):
    assert _warnings_of(oracle.ember, calls) == _warnings_of(torch, calls)


ERRORS = [
    lambda s, o: s.ConstantLR(o, factor=1.5),
    lambda s, o: s.LinearLR(o, start_factor=0),
    lambda s, o: s.LinearLR(o, end_factor=2.0),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"),
    lambda s, o: s.LambdaLR(o, lr_lambda=[lambda e: 1.0]),
    lambda s, o: s.MultiplicativeLR(o, lr_lambda=[0.5, 0.5]),
    lambda s, o: s.OneCycleLR(o, max_lr=0.1),
    lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=0),
    lambda s, o: s.OneCycleLR(o, max_lr=0.1, epochs=0, steps_per_epoch=3),
    lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1),
    lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="exp"),
    lambda s, o: s.OneCycleLR(o, max_lr=[0.1], total_steps=10),
    lambda s, o: s.ReduceLROnPlateau(o, factor=1.0),
    lambda s, o: s.ReduceLROnPlateau(o, mode="median"),
    lambda s, o: s.ReduceLROnPlateau(o, threshold_mode="ratio"),
    lambda s, o: s.ReduceLROnPlateau(o, min_lr=[0.1]),
    lambda s, o: s.StepLR(o, step_size=2, last_epoch=3),
    lambda s, o: s.StepLR(object(), step_size=2),
    lambda s, o: s.SequentialLR(o, schedulers=[], milestones=[]),
    lambda s, o: s.SequentialLR(o, schedulers=[s.StepLR(o, 2), s.StepLR(o, 3)], milestones=[]),
    lambda s, o: s.SequentialLR(o, schedulers=[s.ReduceLROnPlateau(o)], milestones=[]),
    lambda s, o: s.ChainedScheduler([]),
]


@pytest.mark.parametrize("make", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors_match_torch(oracle, make):
    outcomes = []
    for lib in (oracle.ember, torch):
        with pytest.raises(Exception) as raised:
            make(lib.optim.lr_scheduler, _optimizer(lib))
        outcomes.append((raised.type, str(raised.value)))
    assert outcomes[0] == outcomes[1]


def test_one_cycle_past_its_total_steps_raises_like_torch(oracle):
    outcomes = []
    for lib in (oracle.ember, torch):
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=3)
        with pytest.raises(ValueError) as raised:
            for _ in range(4):
                optimizer.step()
                scheduler.step()
        outcomes.append(str(raised.value))
    assert outcomes[0] == outcomes[1]
