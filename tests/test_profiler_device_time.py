"""The profiler's device time (``use_cuda=True``, ``use_device='cuda'``, ``ProfilerActivity.CUDA``) from the
device type's timer hooks, on tests/capture_backend.py's fake "cuda" device whose marks are ticks of a counter
and whose elapsed time is 1.5 us per tick: each kernel call then takes exactly 1.5 us on the device."""
from __future__ import annotations

import pytest
from capture_backend import CapturingDevices

import ember
from ember.autograd.profiler import profile
from ember.plugins import register_plugin
from ember.plugins.manager import _reset_for_tests
from ember.profiler import ProfilerActivity
from ember.profiler import profile as torch_style_profile

PER_KERNEL_US = 1.5


@pytest.fixture
def backend(without_installed_cuda):
    _reset_for_tests()
    plugin = CapturingDevices(capture=False, timer=True)
    register_plugin(plugin, "timed-devices")
    yield plugin
    for placed in ember.device._interned.values():
        if placed.type == "cuda":
            placed.kernels = placed.device_type = None
    _reset_for_tests()


def _kernels_under(event):
    return len(event.kernels) + sum(_kernels_under(child) for child in event.cpu_children)


def _step():
    x = ember.ones(4, 3, device="cuda", requires_grad=True)
    w = ember.ones(3, 2, device="cuda")
    (x @ w).relu().sum().backward()


def test_each_op_reports_the_device_time_of_its_kernels(backend):
    a, b = ember.ones(3, device="cuda"), ember.ones(3, device="cuda")
    with pytest.warns(FutureWarning):
        with profile(use_cuda=True) as prof:
            (a + b).sum()
            _step()
    events = prof.function_events
    assert events
    for event in events:
        assert event.device_time_total == pytest.approx(PER_KERNEL_US * _kernels_under(event))
        assert event.self_device_time_total == pytest.approx(PER_KERNEL_US * len(event.kernels))
        for kernel in event.kernels:
            assert kernel.device == "cuda:0" and kernel.duration == pytest.approx(PER_KERNEL_US)
    add = next(event for event in events if event.name == "aten::add")
    assert add.device_time_total == pytest.approx(PER_KERNEL_US)
    table = prof.key_averages().table()
    for column in ("Self CUDA", "Self CUDA %", "CUDA total", "CUDA time avg"):
        assert column in table


def test_profiler_activity_cuda_times_the_device_and_cpu_alone_does_not(backend):
    with torch_style_profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        _step()
    total = sum(event.self_device_time_total for event in prof.events())
    assert total == pytest.approx(PER_KERNEL_US * sum(len(event.kernels) for event in prof.events())) and total > 0
    assert "CUDA total" in prof.key_averages().table()
    marks = backend.ticks
    with torch_style_profile(activities=[ProfilerActivity.CPU]) as prof:
        _step()
    assert backend.ticks == marks  # no device marks when the device is not profiled
    assert all(event.device_time_total == 0 for event in prof.events())
    assert "CUDA total" not in prof.key_averages().table()


def test_no_marks_once_the_profiler_stopped(backend):
    with profile(use_device="cuda"):
        _step()
    marks = backend.ticks
    _step()
    assert backend.ticks == marks


def test_a_device_type_without_timer_hooks_reports_no_device_time(without_installed_cuda):
    _reset_for_tests()
    register_plugin(CapturingDevices(capture=False, timer=False), "untimed-devices")
    try:
        with profile(use_device="cuda") as prof:
            _step()
        assert all(event.device_time_total == 0 for event in prof.function_events)
    finally:
        for placed in ember.device._interned.values():
            if placed.type == "cuda":
                placed.kernels = placed.device_type = None
        _reset_for_tests()
