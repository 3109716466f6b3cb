"""The profiler records kernel calls (name, device, count) under the op that made them, and costs nothing
per kernel call when no profiler runs."""
from __future__ import annotations

import ember
from ember.profiler import Kernel, KernelCalls
from ember_cpu.kernels import KERNELS as CPU_KERNELS


def _plain(device: str = "cpu") -> bool:
    """Whether `device`'s kernel table holds the backend's own functions (no recording wrapper)."""
    return ember.device(device).kernels.mul is CPU_KERNELS["mul"]


def test_kernel_calls_are_counted_under_the_op_that_made_them():
    a, b = ember.ones(2, 2), ember.ones(2, 2)
    with ember.profiler.profile() as prof:
        a * b
        a * b
        a.exp()
    calls = prof.kernel_calls()
    assert KernelCalls("aten::mul", "mul", "cpu", 2, calls[0].duration) == calls[0]
    assert [(c.op, c.name, c.device, c.calls) for c in calls[1:]] == [("aten::exp", "exp", "cpu", 1)]
    assert all(call.duration >= 0 for call in calls)


def test_function_events_list_their_kernels_as_pytorch_does():
    a = ember.ones(3)
    with ember.autograd.profiler.profile() as prof:
        a.sigmoid()
    (event,) = [event for event in prof.function_events if event.name == "aten::sigmoid"]
    assert [(k.name, k.device) for k in event.kernels] == [("sigmoid", "cpu")]
    assert isinstance(event.kernels[0], Kernel)


def test_kernel_calls_outside_any_op_have_no_op():
    x = ember.ones(3, requires_grad=True)
    y = (x * x).sum()
    with ember.profiler.profile() as prof:
        y.backward()
    calls = {(call.op, call.name): call.calls for call in prof.kernel_calls()}
    assert calls[None, "full"] == 1  # the engine's gradient seed, made outside any op
    assert calls["aten::mul", "mul"] == 2  # MulBackward0's two products


def test_kernel_tables_are_wrapped_only_while_profiling():
    ember.ones(1)  # resolves the cpu device
    assert _plain()
    with ember.profiler.profile():
        assert not _plain()
        with ember.autograd.profiler.profile():
            pass
        assert not _plain()  # the outer profiler still runs
    assert _plain()


def test_a_device_first_used_while_profiling_is_recorded_and_restored():
    placed = ember.device("cpu")
    kept = placed.kernels, placed.device_type
    placed.kernels = placed.device_type = None  # as if no tensor had been placed there yet
    try:
        with ember.profiler.profile() as prof:
            ember.ones(2) + 1
    finally:
        if placed.kernels is None:
            placed.kernels, placed.device_type = kept
    assert ("aten::add", "add", "cpu") in {(c.op, c.name, c.device) for c in prof.kernel_calls()}
    assert _plain("cpu")


def test_an_mlp_training_step_reports_its_kernel_calls():
    model = ember.nn.Sequential(ember.nn.Linear(8, 4), ember.nn.ReLU(), ember.nn.Linear(4, 3))
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = ember.randn(5, 8), ember.tensor([0, 1, 2, 0, 1])

    def step():
        optimizer.zero_grad()
        ember.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()

    step()
    with ember.profiler.profile() as prof:
        step()
    calls = prof.kernel_calls()
    names = {call.name for call in calls}
    assert {"matmul", "sgd_step"} <= names
    assert {call.device for call in calls} == {"cpu"}
    assert sum(c.calls for c in calls if c.op == "aten::linear" and c.name == "addmm") == 2
