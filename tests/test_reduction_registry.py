"""The reductions made from declarations (max/min as `Extreme` entries, var/std by `spreading`): their
names, docstrings, Tensor methods, profiler names and grad_fn classes are PyTorch's (names from torch 2.13)."""

from __future__ import annotations

import pytest

import ember
from ember._ops import reduction
from ember.autograd import profiler

GENERATED = ("max", "min", "amax", "amin", "argmax", "argmin", "var", "std")


@pytest.mark.parametrize("name", sorted(reduction.FUNCTIONS))
def test_each_reduction_is_exported_and_a_method_under_its_name(name):
    function = reduction.FUNCTIONS[name]
    assert function.__name__ == name and function.__doc__
    assert getattr(ember, name) is function
    x = ember.tensor([[1.0, 2.0], [3.0, 0.5]])
    assert getattr(x, name)().tolist() == function(x).tolist()


@pytest.mark.parametrize("name", GENERATED)
def test_the_generated_reductions_are_profiled_under_atens_name(name):
    x = ember.tensor([[1.0, 2.0], [3.0, 0.5]])
    with profiler.profile() as prof:
        getattr(x, name)(1)
    assert f"aten::{name}" in {event.key for event in prof.key_averages()}


@pytest.mark.parametrize("call, grad_fn", [
    (lambda x: x.max(), "MaxBackward1"), (lambda x: x.min(), "MinBackward1"),
    (lambda x: x.max(0).values, "MaxBackward0"), (lambda x: x.min(1).values, "MinBackward0"),
    (lambda x: x.amax(0), "AmaxBackward0"), (lambda x: x.amin(), "AminBackward0"),
    (lambda x: x.var(0), "VarBackward0"), (lambda x: x.std(), "StdBackward0"),
])
def test_the_generated_reductions_record_pytorchs_grad_fn(call, grad_fn):
    result = call(ember.tensor([[1.0, 2.0], [3.0, 0.5]], requires_grad=True))
    assert type(result.grad_fn).__name__ == grad_fn


def test_min_selects_through_flipped_max_without_its_optional_kernels(monkeypatch):
    kernels = ember.tensor(0.0)._device.kernels
    for name in ("min", "argmin"):
        monkeypatch.setattr(kernels, name, None)
    x = ember.tensor([[1.0, -2.0], [3.0, 0.5]])
    values, indices = x.min(1)
    assert values.tolist() == [-2.0, 0.5] and indices.tolist() == [1, 1]
    assert ember.tensor([True, False]).amin().item() is False and x.argmin().item() == 1
