"""The cuda device type's streams and events (``DeviceType.streams``: ember.cuda.Stream/Event) on cupy's.

cupy keeps a current stream per device and launches every kernel, copy and cuBLAS call there, so making a
stream current (``set_stream``) is all it takes for ember's kernels to run on it. The default stream is
CUDA's legacy null stream (handle 0), as PyTorch's; new streams are non-blocking (they do not wait for the
null stream), as PyTorch's pool streams: order between streams comes from ``wait_stream``/``wait_event``.
Graph capture makes its capture stream current and restores the previous one after (graphs.py), so
``current_stream()`` names the capture stream meanwhile.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any

from ember.plugins.streams import StreamHooks


class CupyStreams(StreamHooks):
    """`StreamHooks` with cupy's Stream and Event objects as the handles."""

    def __init__(self, cupy: ModuleType) -> None:
        self._cuda = cupy.cuda

    def new_stream(self, index: int, priority: int) -> Any:
        with self._cuda.Device(index):
            return self._cuda.Stream(non_blocking=True, priority=priority)

    def default_stream(self, index: int) -> Any:
        return self._cuda.Stream.null

    def current_stream(self, index: int) -> Any:
        return self._cuda.get_current_stream(index)

    def set_stream(self, index: int, stream: Any) -> None:
        with self._cuda.Device(index):
            stream.use()

    def stream_ptr(self, stream: Any) -> int:
        return int(stream.ptr)

    def stream_priority(self, stream: Any) -> int:
        return int(stream.priority)

    def stream_query(self, stream: Any) -> bool:
        return bool(stream.done)

    def stream_synchronize(self, stream: Any) -> None:
        stream.synchronize()

    def new_event(self, index: int, enable_timing: bool, blocking: bool) -> Any:
        with self._cuda.Device(index):
            return self._cuda.Event(block=blocking, disable_timing=not enable_timing)

    def record(self, event: Any, stream: Any) -> None:
        event.record(stream)

    def wait(self, event: Any, stream: Any) -> None:
        stream.wait_event(event)

    def event_query(self, event: Any) -> bool:
        return bool(event.done)

    def event_synchronize(self, event: Any) -> None:
        event.synchronize()

    def elapsed_ms(self, start: Any, end: Any) -> float:
        return float(self._cuda.get_elapsed_time(start, end))
