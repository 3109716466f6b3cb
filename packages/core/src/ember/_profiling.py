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
_sessions: list[Session] = []
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


class Session:
    """One profiler's recording window over the shared event buffer; sessions may overlap."""

    def __init__(self, record_shapes: bool = False, with_stack: bool = False) -> None:
        self.record_shapes = record_shapes
        self.with_stack = with_stack
        self.start_ns = 0
        self.end_ns = 0
        self._first = 0

    def start(self) -> None:
        """Begin recording: from now on core records every op."""
        _sessions.append(self)
        _update_flags()
        self._first = len(_events)
        self.start_ns = perf_counter_ns()

    def stop(self) -> list[Event]:
        """Stop recording; return the events this session saw start and finish, in start order."""
        self.end_ns = perf_counter_ns()
        events = [event for event in _events[self._first :] if event.end_ns is not None]
        _sessions.remove(self)
        if not _sessions:
            _events.clear()
        _update_flags()
        return events


def _update_flags() -> None:
    """Recompute the globals core and ``record`` read from the sessions now running."""
    global enabled, _record_shapes, _with_stack
    enabled = bool(_sessions)
    _record_shapes = any(session.record_shapes for session in _sessions)
    _with_stack = any(session.with_stack for session in _sessions)
