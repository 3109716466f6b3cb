"""Streams and events for a device type without the ``streams`` hook: one queue per device.

Every stream of a device is that one queue, so work runs in the order it is queued whichever stream is
current: waits are already satisfied and need nothing. A timing event is a mark from the type's
``start_timer`` hook when it has one (``elapsed_us`` times two of them on the device), else the wall-clock
time once the device has finished the work queued before it.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from ..plugins.registry import DeviceType
from ..plugins.streams import StreamHooks


@dataclass(frozen=True)
class QueueStream:
    """A stream of a single-queue device: a name for the device's queue (id 0 is the default stream)."""

    index: int
    id: int
    priority: int = 0


@dataclass
class QueueEvent:
    """An event of a single-queue device: its timer mark or wall-clock time once recorded."""

    index: int
    timing: bool
    mark: Any = None


class SingleQueue(StreamHooks):
    """`StreamHooks` over a device type's `synchronize` (and its timer hooks when it has both)."""

    def __init__(self, device_type: DeviceType) -> None:
        self._type = device_type
        self._current: dict[int, QueueStream] = {}
        self._ids = itertools.count(1)
        self._timers = device_type.start_timer is not None and device_type.elapsed_us is not None

    def new_stream(self, index: int, priority: int) -> QueueStream:
        return QueueStream(index, next(self._ids), priority)

    def default_stream(self, index: int) -> QueueStream:
        return QueueStream(index, 0)

    def current_stream(self, index: int) -> QueueStream:
        return self._current.get(index) or self.default_stream(index)

    def set_stream(self, index: int, stream: QueueStream) -> None:
        self._current[index] = stream

    def stream_ptr(self, stream: QueueStream) -> int:
        return stream.id

    def stream_priority(self, stream: QueueStream) -> int:
        return stream.priority

    def stream_query(self, stream: QueueStream) -> bool:
        """True once the device's queue has run dry (waiting for it: the one queue has no cheaper test)."""
        self.stream_synchronize(stream)
        return True

    def stream_synchronize(self, stream: QueueStream) -> None:
        if self._type.has_queue:
            self._type.synchronize(stream.index)

    def new_event(self, index: int, enable_timing: bool, blocking: bool) -> QueueEvent:
        return QueueEvent(index, enable_timing)

    def record(self, event: QueueEvent, stream: QueueStream) -> None:
        if not event.timing:
            return
        if self._timers:
            event.mark = self._type.start_timer(stream.index)  # type: ignore[misc]
        else:
            self.stream_synchronize(stream)
            event.mark = time.perf_counter()

    def wait(self, event: QueueEvent, stream: QueueStream) -> None:
        """Nothing to do: the work before the event is ahead of `stream`'s in the device's one queue."""

    def event_query(self, event: QueueEvent) -> bool:
        self.event_synchronize(event)
        return True

    def event_synchronize(self, event: QueueEvent) -> None:
        if self._type.has_queue:
            self._type.synchronize(event.index)

    def elapsed_ms(self, start: QueueEvent, end: QueueEvent) -> float:
        if self._timers:
            return self._type.elapsed_us(start.mark, end.mark) / 1000.0  # type: ignore[misc]
        return (end.mark - start.mark) * 1000.0
