"""The profiler's recorder: the hook core's op paths call while a profiler runs.

Core checks the plain module global ``enabled`` on every op and, only when it is True, wraps the op as::

    with _profiling.record("aten::div", inputs) as event:
        ...

Recording is kept cheap: one ``Event`` per op, two ``perf_counter_ns`` reads and a list append. Nesting is
tracked per thread at record time (each event remembers the event open around it), so self time is total
minus children without any sorting afterwards.

``record`` yields the event, so the code inside may attach what only it can measure:

- ``event.device_time_us``: time the op spent on a device with a queue (cuda, opencl), in microseconds,
  children included (as the host time is). A backend may set it any time before the profiler stops; the
  profiler synchronizes the device on exit, so a backend can fill it from queue timestamps then.
- ``event.cpu_memory_usage`` / ``event.device_memory_usage``: bytes allocated by the op, children included,
  shown by ``profile(profile_memory=True)``.

Device time comes from the device type's timer hooks (``DeviceType.start_timer`` / ``elapsed_us``): while a
session asks for a device type's time (``profile(use_device='cuda')``), each kernel call on a device of that
type records a mark before and after it, and when the session stops every call's device time is added to
``device_time_us`` of its op and of the ops around it.

Kernel calls are recorded too, each under the innermost open event (the op that made it), the way
PyTorch's profiler shows CUDA kernels under their op: while a profiler runs, every resolved device's
kernel table is swapped for a copy whose kernels record a ``KernelCall`` (``record_kernels_of``), and the
plain tables come back when the last profiler stops. With no profiler running, a kernel call costs
nothing more.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable
from time import perf_counter_ns
from types import FrameType
from typing import Any

enabled = False

_record_shapes = False
_with_stack = False
_events: list[Event] = []
_kernel_calls: list[KernelCall] = []
_plain_tables: dict[Any, Any] = {}  # device -> its kernel table without recording, while profiling
_sessions: list[Session] = []
_timed_types: set[str] = set()  # device types whose kernel calls record device marks
_thread_names: dict[int, str] = {}
_EMBER_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class _ThreadState(threading.local):
    """Per thread: the innermost open event and the thread's native id."""

    def __init__(self) -> None:
        self.current: Event | None = None
        self.thread = threading.get_native_id()
        _thread_names[self.thread] = threading.current_thread().name


_thread_state = _ThreadState()


class Event:
    """One recorded op or user annotation: host start/end in ns, its thread, and the event open around it."""

    __slots__ = (
        "name",
        "input_shapes",
        "stack",
        "is_user_annotation",
        "thread",
        "parent",
        "start_ns",
        "end_ns",
        "device_time_us",
        "cpu_memory_usage",
        "device_memory_usage",
    )

    def __init__(
        self,
        name: str,
        input_shapes: list[list[int]] | None = None,
        stack: list[str] | None = None,
        is_user_annotation: bool = False,
    ) -> None:
        self.name = name
        self.input_shapes = input_shapes
        self.stack = stack
        self.is_user_annotation = is_user_annotation
        self.thread = 0
        self.parent: Event | None = None
        self.start_ns = 0
        self.end_ns: int | None = None
        self.device_time_us: float | None = None
        self.cpu_memory_usage = 0
        self.device_memory_usage = 0

    def __enter__(self) -> Event:
        state = _thread_state
        self.thread = state.thread
        self.parent = state.current
        state.current = self
        _events.append(self)
        self.start_ns = perf_counter_ns()
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        self.end_ns = perf_counter_ns()
        _thread_state.current = self.parent


class KernelCall:
    """One kernel call: the kernel's name, the device (``'cpu'``, ``'cuda:1'``), the event open around it
    (None outside any op), its host start/end in ns and, on a timed device, the device's marks around it
    (``marks``, turned into ``device_us`` when the session stops)."""

    __slots__ = ("name", "device", "parent", "start_ns", "end_ns", "marks", "device_us")

    def __init__(self, name: str, device: str, parent: Event | None, start_ns: int, end_ns: int,
                 marks: tuple[Any, Any, Any] | None = None) -> None:
        self.name = name
        self.device = device
        self.parent = parent
        self.start_ns = start_ns
        self.end_ns = end_ns
        self.marks = marks  # (elapsed_us hook, start token, end token)
        self.device_us: float | None = None


def _recording(device: str) -> Any:
    """The wrapper that makes a kernel record each of its calls on `device`."""

    def wrap(name: str, kernel: Any) -> Any:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            start = perf_counter_ns()
            try:
                return kernel(*args, **kwargs)
            finally:
                _kernel_calls.append(KernelCall(name, device, _thread_state.current, start, perf_counter_ns()))

        recorded.__name__ = recorded.__qualname__ = name
        return recorded

    return wrap


def _timed_recording(device: Any) -> Any:
    """The wrapper that makes a kernel record each of its calls on `device` with device marks around it."""
    name_of_device, index = str(device), device.index or 0
    mark, elapsed_us = device.device_type.start_timer, device.device_type.elapsed_us

    def wrap(name: str, kernel: Any) -> Any:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            start = perf_counter_ns()
            first = mark(index)
            try:
                return kernel(*args, **kwargs)
            finally:
                last = mark(index)
                _kernel_calls.append(KernelCall(name, name_of_device, _thread_state.current, start,
                                                perf_counter_ns(), (elapsed_us, first, last)))

        recorded.__name__ = recorded.__qualname__ = name
        return recorded

    return wrap


def record_kernels_of(device: Any) -> None:
    """Make the kernels of a resolved `device` record their calls until the last profiler stops (with
    device marks when a session times its device type and the type has timer hooks)."""
    if device not in _plain_tables:
        _plain_tables[device] = device.kernels
        timed = (device.type in _timed_types and device.device_type.start_timer is not None
                 and device.device_type.elapsed_us is not None)
        device.kernels = device.kernels.wrapped(_timed_recording(device) if timed else _recording(str(device)))


def _record_kernels(on: bool) -> None:
    """Swap every resolved device's kernel table for its recording copy (on) or back (off)."""
    if on:
        from ._device import device

        for placed in list(device._interned.values()):
            if placed.kernels is not None:
                record_kernels_of(placed)
    else:
        for placed, table in _plain_tables.items():
            placed.kernels = table
        _plain_tables.clear()


def record(name: str, inputs: Iterable[Any] = (), *, user_annotation: bool = False) -> Event:
    """Return the event of one op call, to be entered around it; shapes and stack are taken when asked for.

    ``inputs`` are the op's arguments: anything with a ``.shape`` gives its shape, anything else ``[]`` (as
    PyTorch shows scalars and tensor lists).
    """
    shapes = None
    if _record_shapes:
        shapes = [list(arg.shape) if hasattr(arg, "shape") else [] for arg in inputs]
    return Event(name, shapes, _python_stack() if _with_stack else None, user_annotation)


def _python_stack() -> list[str]:
    """The caller's Python stack, innermost first, as ``file(line): function``, without ember's frames."""
    entries = []
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_EMBER_DIR):
            entries.append(f"{filename}({frame.f_lineno}): {frame.f_code.co_name}")
        frame = frame.f_back
    return entries


def thread_name(thread: int) -> str:
    """The name of the Python thread with this native id, as seen when it first recorded."""
    return _thread_names.get(thread, str(thread))


def _add_device_time(calls: list[KernelCall]) -> None:
    """Turn each timed call's marks into its device time, and add it to its op and every op around it."""
    for call in calls:
        if call.marks is None:
            continue
        elapsed_us, first, last = call.marks
        call.device_us = float(elapsed_us(first, last))
        event = call.parent
        while event is not None:
            event.device_time_us = (event.device_time_us or 0.0) + call.device_us
            event = event.parent


class Session:
    """One profiler's recording window over the shared event buffer; sessions may overlap. `timed_device`
    names a device type whose kernels are timed on the device while the session runs."""

    def __init__(self, record_shapes: bool = False, with_stack: bool = False,
                 timed_device: str | None = None) -> None:
        self.record_shapes = record_shapes
        self.with_stack = with_stack
        self.timed_device = timed_device
        self.start_ns = 0
        self.end_ns = 0
        self.kernel_calls: list[KernelCall] = []
        self._first = 0
        self._first_kernel_call = 0

    def start(self) -> None:
        """Begin recording: from now on core records every op and every kernel call."""
        _sessions.append(self)
        _update_flags()
        self._first = len(_events)
        self._first_kernel_call = len(_kernel_calls)
        self.start_ns = perf_counter_ns()

    def stop(self) -> list[Event]:
        """Stop recording; return the events this session saw start and finish, in start order (the
        kernel calls it saw are left in ``kernel_calls``)."""
        self.end_ns = perf_counter_ns()
        events = [event for event in _events[self._first :] if event.end_ns is not None]
        self.kernel_calls = _kernel_calls[self._first_kernel_call :]
        if self.timed_device is not None:
            _add_device_time(self.kernel_calls)
        _sessions.remove(self)
        if not _sessions:
            _events.clear()
            _kernel_calls.clear()
        _update_flags()
        return events


def _update_flags() -> None:
    """Recompute the globals core and ``record`` read from the sessions now running."""
    global enabled, _record_shapes, _with_stack, _timed_types
    timed_types = {session.timed_device for session in _sessions if session.timed_device is not None}
    if timed_types != _timed_types and enabled:  # re-wrap the kernel tables with or without device marks
        _record_kernels(False)
        enabled = False
    _timed_types = timed_types
    if enabled != bool(_sessions):
        _record_kernels(bool(_sessions))
    enabled = bool(_sessions)
    _record_shapes = any(session.record_shapes for session in _sessions)
    _with_stack = any(session.with_stack for session in _sessions)
