"""Memory behaviour of autograd: training does not accumulate graphs, very long graphs backpropagate
without recursion, and backward releases the tensors a graph saved."""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from contextlib import contextmanager

import numpy as np
import pytest

import ember

F = ember.nn.functional


@contextmanager
def _cycle_collector_off():
    """Objects must be freed by reference counting alone, as PyTorch's graphs are."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _train(model, sgd, batches, steps):
    loss = None
    for step in range(steps):
        inputs, targets = batches[step % len(batches)]
        sgd.zero_grad()
        loss = F.cross_entropy(model(inputs), targets)
        loss.backward()
        sgd.step()
    return loss.item()


def test_training_memory_does_not_grow_with_steps():
    """2 000 SGD steps of a 32-64-10 MLP: memory after step 2 000 is within 256 KiB of that after step 200."""
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(32, 64), ember.nn.ReLU(), ember.nn.Linear(64, 10))
    sgd = ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    rng = np.random.default_rng(0)
    batches = [
        (ember.tensor(rng.standard_normal((16, 32)).astype("float32")), ember.tensor(rng.integers(0, 10, 16)))
        for _ in range(4)
    ]
    tracemalloc.start()
    try:
        first_loss = _train(model, sgd, batches, 200)
        gc.collect()
        after_200 = tracemalloc.get_traced_memory()[0]
        last_loss = _train(model, sgd, batches, 1800)
        gc.collect()
        after_2000 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert last_loss < first_loss, "the model did not train, so the memory check would mean little"
    growth = after_2000 - after_200
    assert growth < 256 * 1024, f"memory grew by {growth / 1024:.0f} KiB from step 200 to step 2000"


def test_backward_through_a_100000_op_chain():
    """The engine walks the graph without recursion, and the chain is torn down without it too."""
    x = ember.tensor(1.0, dtype=ember.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001**100_000, rel=1e-9)
    del y
    gc.collect()


def test_backward_through_a_100000_op_chain_of_additions_accumulates_exactly():
    x = ember.tensor([0.5, -1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (np.array([0.5, -1.0]) + 100_000), rtol=1e-6)


def _saved_intermediate():
    """x -> hidden = x.exp() -> out = hidden.sin() -> loss: sin saves hidden for its backward."""
    x = ember.tensor(np.linspace(-1.0, 1.0, 50), requires_grad=True)
    hidden = x.exp()
    loss = hidden.sin().sum()
    return loss, weakref.ref(hidden)


def test_graph_keeps_a_saved_intermediate_alive_until_backward():
    with _cycle_collector_off():
        loss, hidden = _saved_intermediate()
        assert hidden() is not None
        loss.backward(retain_graph=True)
        assert hidden() is not None, "retain_graph=True must keep the saved tensors"


def test_backward_releases_saved_tensors():
    with _cycle_collector_off():
        loss, hidden = _saved_intermediate()
        loss.backward()
        assert hidden() is None, "the graph still holds a saved tensor after backward without retain_graph"


def test_graph_is_freed_when_its_output_is_dropped_without_backward():
    """Saving an op's own output (exp, sigmoid, tanh) must not make a reference cycle tensor <-> node."""
    with _cycle_collector_off():
        x = ember.tensor(np.linspace(-1.0, 1.0, 50), requires_grad=True)
        outputs = [x.exp(), x.sigmoid(), x.tanh(), x.sin()]
        references = [weakref.ref(output) for output in outputs]
        del outputs
        assert all(reference() is None for reference in references)
