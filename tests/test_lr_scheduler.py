"""ember.optim.lr_scheduler without the oracle: schedules equal PyTorch 2.13's floats (values taken from it),
``initial_lr`` and ``last_epoch`` handling, state-dict round trips. tests/oracle/test_oracle_lr_scheduler.py
compares every schedule with torch itself."""
from __future__ import annotations

import pytest

import ember
from ember.optim import lr_scheduler


def _schedule(make, epochs=12):
    optimizer = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    scheduler = make(optimizer)
    rates = [scheduler.get_last_lr()[0]]
    for _ in range(epochs):
        optimizer.step()
        scheduler.step()
        rates.append(scheduler.get_last_lr()[0])
    return rates


SCHEDULES = {
    "CosineAnnealingLR": (
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.01),
        [0.1, 0.09140576474687263, 0.06890576474687263, 0.04109423525312736, 0.018594235253127367, 0.01,
         0.018594235253127367, 0.04109423525312739, 0.06890576474687267, 0.09140576474687269, 0.10000000000000006,
         0.09140576474687272, 0.06890576474687268]),
    "OneCycleLR": (
        lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=12),
        [0.040000000000000036, 0.3497896542195831, 0.8792851591221287, 0.9944154354509117, 0.9330129698414117,
         0.811745653949763, 0.6473789976951033, 0.46263710266697505, 0.28306099820869923, 0.1334775301888306,
         0.03456698742539522, 4e-06, 0.034566987425395164]),
    "SequentialLR": (
        lambda o: lr_scheduler.SequentialLR(
            o, [lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=3),
                lr_scheduler.StepLR(o, step_size=2, gamma=0.5)], milestones=[4]),
        [0.025, 0.05, 0.07500000000000001, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125, 0.00625]),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_equals_pytorchs_floats(name):
    make, expected = SCHEDULES[name]
    assert _schedule(make) == expected


def test_initial_lr_is_set_and_required_to_resume():
    optimizer = ember.optim.Adam([ember.zeros(1, requires_grad=True)], lr=0.5)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
        lr_scheduler.StepLR(optimizer, step_size=2, last_epoch=4)
    scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
    assert optimizer.param_groups[0]["initial_lr"] == 0.5 and scheduler.last_epoch == 0
    optimizer.param_groups[0]["lr"] = 0.2  # a rate edited by hand is what the recursive form continues from
    optimizer.step()
    scheduler.step()
    assert scheduler.get_last_lr() == [0.1] and scheduler.base_lrs == [0.5]


def test_a_loaded_state_continues_the_schedule():
    rates = _schedule(lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 5, 5], gamma=0.5), epochs=8)
    optimizer = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = lr_scheduler.MultiStepLR(optimizer, milestones=[2, 5, 5], gamma=0.5)
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    saved_optimizer, saved_scheduler = optimizer.state_dict(), scheduler.state_dict()
    optimizer = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = lr_scheduler.MultiStepLR(optimizer, milestones=[1], gamma=0.9)
    optimizer.load_state_dict(saved_optimizer)
    scheduler.load_state_dict(saved_scheduler)
    resumed = [scheduler.get_last_lr()[0]]
    for _ in range(5):
        optimizer.step()
        scheduler.step()
        resumed.append(scheduler.get_last_lr()[0])
    assert resumed == rates[3:]


def test_stepping_the_scheduler_before_the_optimizer_warns():
    optimizer = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"):
        scheduler.step()


def test_reduce_lr_on_plateau_cuts_after_patience_epochs():
    optimizer = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=2, factor=0.5, cooldown=1)
    rates = []
    for metric in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]:
        scheduler.step(metric)
        rates.append(scheduler.get_last_lr()[0])
    assert rates == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5]  # PyTorch 2.13's
