"""The profiler's device time on OpenCL (issue 8): marker events around each kernel call give every op its
device time, shown in the table's OPENCL columns. Skipped without ember-opencl or a working OpenCL device."""
from __future__ import annotations

import opencl_device  # noqa: F401  (skips this module without a working OpenCL device)

import ember
from ember.autograd.profiler import profile


def _step():
    x = ember.randn(64, 128, device="opencl", requires_grad=True)
    w = ember.randn(128, 32, device="opencl")
    (x @ w).relu().sum().backward()


def test_each_op_gets_the_device_time_of_its_kernels():
    _step()  # programs built before the profiled step
    with profile(use_device="opencl") as prof:
        _step()
    events = prof.function_events
    mm = next(event for event in events if event.name in ("aten::mm", "aten::matmul") and event.kernels)
    assert mm.self_device_time_total > 0
    for event in events:
        assert event.self_device_time_total >= 0
        assert event.self_device_time_total == sum(kernel.duration for kernel in event.kernels)
    table = prof.key_averages().table()
    for column in ("Self OPENCL", "OPENCL total"):
        assert column in table


def test_without_the_device_asked_for_no_device_time_is_taken():
    _step()
    with profile() as prof:
        _step()
    assert all(event.self_device_time_total == 0 for event in prof.function_events)
    assert "OPENCL" not in prof.key_averages().table()
