"""An OpenCL training step in steady state (issue 8): after the first steps, an MLP 784-256-10 CrossEntropy +
SGD-momentum step builds no program, allocates no new buffer (the memory pool gives back the blocks of the
previous step's dead tensors), makes no host round trip and launches at most 16 kernels, as
ember_opencl.counters counts them. Skipped without ember-opencl or a working OpenCL device."""
from __future__ import annotations

import numpy as np
import opencl_device  # noqa: F401,E402  (skips this module without a working OpenCL device)
import pytest
from ember_opencl import counters, memory  # noqa: E402

import ember

pytestmark = pytest.mark.usefixtures("no_pending_checks")


def _mlp_step(batch=64):
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(784, 256), ember.nn.ReLU(), ember.nn.Linear(256, 10)).to("opencl")
    optimizer = ember.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = ember.nn.CrossEntropyLoss()
    x = ember.randn(batch, 784).to("opencl")
    y = ember.tensor(np.random.default_rng(0).integers(0, 10, batch), device="opencl")

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def test_a_steady_state_step_builds_allocates_and_reads_nothing_and_launches_at_most_16_kernels():
    step = _mlp_step()
    step()
    step().item()
    before = counters.snapshot()
    for _ in range(5):
        step()
    per_step = counters.snapshot() - before
    assert (per_step.builds, per_step.allocations, per_step.round_trips) == (0, 0, 0), per_step
    assert per_step.launches <= 5 * 16, per_step
    losses = step()
    assert np.isfinite(losses.item())  # the steps' one pending target check judged: all targets were good


def test_a_step_read_back_each_time_makes_two_round_trips():
    """The loss's value and the pending target flags: nothing else crosses to the host."""
    step = _mlp_step()
    step().item()
    step().item()
    before = counters.snapshot()
    step().item()
    assert (counters.snapshot() - before).round_trips == 2


def test_a_dead_tensors_memory_is_reused():
    x = memory.empty((1000,), ember.float32)
    del x
    before = counters.snapshot()
    y = memory.empty((25, 20), ember.int64)  # the same size class (4000 bytes)
    assert (counters.snapshot() - before).allocations == 0
    z = memory.empty((1000,), ember.float32)  # y holds the block: another one (new, or one freed earlier)
    assert y.base is not z.base


def test_a_view_keeps_its_base_alive():
    """A block goes back to the pool when the last view of it dies, not when its first array does."""
    x = ember.arange(8.0).to("opencl")
    view = x[2:]
    del x
    ember.ones(8, device="opencl")  # would take x's block, were it given back
    np.testing.assert_array_equal(view.cpu().numpy(), np.arange(2.0, 8.0, dtype=np.float32))
