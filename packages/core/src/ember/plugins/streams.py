"""The stream contract: what a backend with several queues per device gives ``ember.cuda.Stream`` and
``ember.cuda.Event`` (``DeviceType.streams``, docs/internals.md).

Streams and events are the backend's own objects ("handles"); core wraps them in PyTorch's classes and
makes PyTorch's checks. A device type without this hook has one queue per device: core's
``ember.cuda._single_queue.SingleQueue`` answers the same calls for it.
"""
from __future__ import annotations

from typing import Any


class StreamHooks:
    """The stream and event calls of one device type; each method below must be provided."""

    def new_stream(self, index: int, priority: int) -> Any:
        """A new stream on device `index` (lower `priority` runs first; out-of-range values clamp)."""
        raise NotImplementedError

    def default_stream(self, index: int) -> Any:
        """Device `index`'s default stream, where kernels run unless another one is made current."""
        raise NotImplementedError

    def current_stream(self, index: int) -> Any:
        """The stream device `index`'s kernels are queued on now."""
        raise NotImplementedError

    def set_stream(self, index: int, stream: Any) -> None:
        """Queue device `index`'s kernels on `stream` (one of that device's) from now on."""
        raise NotImplementedError

    def stream_ptr(self, stream: Any) -> int:
        """The native handle of `stream` as an int (``Stream.cuda_stream``): 0 for the default stream."""
        raise NotImplementedError

    def stream_priority(self, stream: Any) -> int:
        """The priority `stream` runs at (after clamping)."""
        raise NotImplementedError

    def stream_query(self, stream: Any) -> bool:
        """Whether all work queued on `stream` has finished."""
        raise NotImplementedError

    def stream_synchronize(self, stream: Any) -> None:
        """Wait until all work queued on `stream` has finished."""
        raise NotImplementedError

    def new_event(self, index: int, enable_timing: bool, blocking: bool) -> Any:
        """A new event on device `index` (core makes it at its first record, as PyTorch does)."""
        raise NotImplementedError

    def record(self, event: Any, stream: Any) -> None:
        """Mark in `event` the point `stream` has reached (the work queued on it so far)."""
        raise NotImplementedError

    def wait(self, event: Any, stream: Any) -> None:
        """Make the work queued on `stream` from now on wait until `event`'s point has been reached."""
        raise NotImplementedError

    def event_query(self, event: Any) -> bool:
        """Whether `event`'s point has been reached."""
        raise NotImplementedError

    def event_synchronize(self, event: Any) -> None:
        """Wait until `event`'s point has been reached."""
        raise NotImplementedError

    def elapsed_ms(self, start: Any, end: Any) -> float:
        """Milliseconds of device time between two reached timing events."""
        raise NotImplementedError
