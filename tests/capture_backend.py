"""A test backend whose "cuda" device captures graphs the way CUDA does, in Python: between
``begin_capture`` and ``end_capture`` no kernel runs. A kernel that writes (into an ``out=`` buffer or in
place) is recorded and returns its real buffer untouched; one that makes a new buffer returns a fresh buffer
of the right shape filled with garbage (NaN, or 0 for integers), and is recorded to fill it; view kernels
run (they only describe memory). ``replay`` reruns every recorded call, in order, on the same buffers.

It also offers the profiler's timer hooks with known values: each mark is a tick of a counter, and
``elapsed_us`` is 1.5 us per tick between two marks."""
from __future__ import annotations

import dataclasses

import numpy as np
from test_contract_v2 import OnDevice, _creating

from ember.plugins import CREATION_KERNELS, hookimpl
from ember_cpu.device import CPU
from ember_cpu.kernels import KERNELS as CPU_KERNELS

# Kernels that only describe memory run during capture too; to_numpy is core's to refuse.
UNCAPTURED = frozenset({"strides", "as_strided", "reshape", "permute", "slice", "storage_offset", "dlpack_device",
                        "to_numpy"})


def _snapshot(value):
    """`value` with every buffer replaced by a private copy (a kernel then cannot write the real ones)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_snapshot(item) for item in value)
    if isinstance(value, dict):
        return {key: _snapshot(item) for key, item in value.items()}
    return value


def _buffers(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _buffers(item)
    elif isinstance(value, dict):
        yield from _buffers(tuple(value.values()))


def _rebuilt(value, replaced):
    """`value` with each buffer swapped for ``replaced[id(buffer)]``."""
    if isinstance(value, np.ndarray):
        return replaced[id(value)]
    if isinstance(value, (list, tuple)):
        return type(value)(_rebuilt(item, replaced) for item in value)
    return value


class Graph:
    """The recorded calls of one capture."""

    def __init__(self, calls) -> None:
        self.calls = calls
        self.replays = 0

    def replay(self) -> None:
        self.replays += 1
        for call in self.calls:
            call()

    def reset(self) -> None:
        self.calls = []


class CapturingDevices:
    """Device type "cuda" (two devices, a queue) with CPU kernels, graph capture and timer hooks."""

    def __init__(self, capture: bool = True, timer: bool = False) -> None:
        self.capture, self.timer = capture, timer
        self.recording: list | None = None
        self.ticks = 0
        self.synchronized: list[int] = []
        self.captured_on: list[int] = []
        self.graphs: list[Graph] = []

    def begin_capture(self, index: int) -> None:
        self.captured_on.append(index)
        self.recording = []

    def end_capture(self, index: int) -> Graph:
        graph, self.recording = Graph(self.recording), None
        self.graphs.append(graph)
        return graph

    def start_timer(self, index: int) -> int:
        self.ticks += 1
        return self.ticks

    def elapsed_us(self, start: int, end: int) -> float:
        return 1.5 * (end - start)

    def device_type(self):
        hooks = {}
        if self.capture:
            hooks.update(begin_capture=self.begin_capture, end_capture=self.end_capture)
        if self.timer:
            hooks.update(start_timer=self.start_timer, elapsed_us=self.elapsed_us)
        return dataclasses.replace(
            CPU, name="cuda", is_available=lambda: True, device_count=lambda: 2,
            synchronize=self.synchronized.append, dtypes={"float32", "float64", "int64", "bool"}, has_queue=True,
            **hooks)

    def capturing(self, op: str, kernel):
        """`kernel`, recorded instead of run while a capture is on."""
        if op in UNCAPTURED:
            return kernel

        def call(*args, **kwargs):
            if self.recording is None:
                return kernel(*args, **kwargs)
            copies, copied_kwargs = _snapshot(args), _snapshot(kwargs)
            by_copy = {id(copy): original for copy, original in
                       zip(_buffers((copies, copied_kwargs)), _buffers((args, kwargs)), strict=True)}
            shaped = kernel(*copies, **copied_kwargs)  # run on private copies only, for the results' shapes
            replaced, fresh = {}, []
            for position, result in enumerate(_buffers(shaped)):
                if id(result) in by_copy:  # the kernel wrote into one of its arguments and returned it
                    replaced[id(result)] = by_copy[id(result)]
                else:
                    garbage = np.array(result, copy=True).view(type(result))
                    if isinstance(result, OnDevice):
                        garbage.index = result.index
                    garbage.fill(np.nan if garbage.dtype.kind == "f" else 0)
                    replaced[id(result)] = garbage
                    fresh.append((position, garbage))

            def run():
                again = list(_buffers(kernel(*args, **kwargs)))
                for position, target in fresh:
                    np.copyto(target, again[position])

            self.recording.append(run)
            return _rebuilt(shaped, replaced)

        return call

    @hookimpl
    def ember_register_devices(self, registry) -> None:
        registry.add_device(self.device_type())

    @hookimpl
    def ember_register_kernels(self, registry) -> None:
        kernels = {op: _creating(fn) if op in CREATION_KERNELS else fn for op, fn in CPU_KERNELS.items()}
        kernels["to_numpy"] = np.asarray
        registry.add_kernels("cuda", {op: self.capturing(op, fn) for op, fn in kernels.items()})
