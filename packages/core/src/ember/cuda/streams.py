"""``ember.cuda.Stream``, ``Event``, ``stream``/``StreamContext``, ``current_stream``, ``default_stream`` and
``set_stream``, with PyTorch's semantics and errors, over the cuda device type's ``streams`` hooks
(docs/internals.md; a device type without them has one queue per device: ``_single_queue``).

The backend keeps which stream is current on each device (its kernels are queued there); core only wraps
the backend's stream and event objects, so ``current_stream()`` is always the backend's answer, graph
captures included.
"""
from __future__ import annotations

from typing import Any

from .._device import current_index, resolve, set_current_index
from .._device import device as _device_named
from ..plugins.streams import StreamHooks
from ._context import device_index
from ._single_queue import SingleQueue
from .graphs import check_not_capturing

CUDA_DEVICE_TYPE = 1  # PyTorch's c10::DeviceType::CUDA, what ``Stream.device_type`` reports

# id(device type) -> (the device type, core's single-queue hooks for it), for types without `streams`
_single_queues: dict[int, tuple[Any, SingleQueue]] = {}


def _hooks(index: int) -> StreamHooks:
    """The stream hooks of CUDA device `index` (its backend's, or one queue per device)."""
    device_type = resolve(_device_named("cuda", index)).device_type
    if device_type.streams is not None:
        return device_type.streams
    known = _single_queues.get(id(device_type))
    if known is None or known[0] is not device_type:
        known = _single_queues[id(device_type)] = (device_type, SingleQueue(device_type))
    return known[1]


def _stream_index(device: Any) -> int:
    """PyTorch's device choice for ``Stream(device)``: None or a negative index is the current device."""
    index = device_index(device)
    return current_index("cuda") if index < 0 else index


class Stream:
    """A queue of work on one CUDA device, independent of the device's other streams.

    ``with stream:`` (or ``ember.cuda.stream(s)``) queues the block's kernels on it. `priority`: lower runs
    first; the backend clamps it into its range.
    """

    def __init__(self, device: Any = None, priority: int = 0) -> None:
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise TypeError(f"Stream(): argument 'priority' must be int, not {type(priority).__name__}")
        index = _stream_index(device)
        hooks = _hooks(index)
        self._bind(index, hooks, hooks.new_stream(index, priority))

    @classmethod
    def _of(cls, index: int, hooks: StreamHooks, handle: Any) -> Stream:
        """The backend's stream `handle` of device `index`, wrapped."""
        stream = cls.__new__(cls)
        stream._bind(index, hooks, handle)
        return stream

    def _bind(self, index: int, hooks: StreamHooks, handle: Any) -> None:
        self.device_index = index
        self._hooks = hooks
        self._handle = handle
        self._context: list[StreamContext] = []  # the contexts `with stream:` entered, innermost last

    @property
    def device(self):
        """The CUDA device the stream belongs to."""
        return _device_named("cuda", self.device_index)

    @property
    def device_type(self) -> int:
        return CUDA_DEVICE_TYPE

    @property
    def cuda_stream(self) -> int:
        """The backend's native handle of the stream (0 for the default stream)."""
        return self._hooks.stream_ptr(self._handle)

    stream_id = cuda_stream

    @property
    def priority(self) -> int:
        return self._hooks.stream_priority(self._handle)

    def wait_event(self, event: Event) -> None:
        """Make the work queued on this stream from now on wait for `event` (without blocking the host)."""
        event.wait(self)

    def wait_stream(self, stream: Stream) -> None:
        """Make the work queued on this stream from now on wait for the work queued on `stream` so far."""
        self.wait_event(stream.record_event())

    def record_event(self, event: Event | None = None) -> Event:
        """Record `event` (a new one when None) at the point this stream has reached, and return it."""
        if event is None:
            event = Event()
        event.record(self)
        return event

    def query(self) -> bool:
        """Whether all the work queued on this stream has finished."""
        return self._hooks.stream_query(self._handle)

    def synchronize(self) -> None:
        """Wait until all the work queued on this stream has finished."""
        check_not_capturing(self.device)
        self._hooks.stream_synchronize(self._handle)

    def __enter__(self) -> Stream:
        context = StreamContext(self)
        self._context.append(context)
        context.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._context.pop().__exit__(*exc_info)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Stream):
            return False
        return (self.device_index, self.cuda_stream) == (other.device_index, other.cuda_stream)

    def __hash__(self) -> int:
        return hash((self.cuda_stream, self.device_index))

    def __cuda_stream__(self) -> tuple[int, int]:
        """The CUDA stream protocol: (version, native handle)."""
        return (0, self.cuda_stream)

    def __repr__(self) -> str:
        return f"<ember.cuda.Stream device={self.device} cuda_stream={self.cuda_stream:#x}>"


class Event:
    """A marker in a stream's work: to wait for (``wait``, ``synchronize``), to test (``query``) and, with
    ``enable_timing=True``, to time the work between two (``elapsed_time``, in milliseconds).

    As in PyTorch the device event is made at the first ``record``, on the recording stream's device;
    `blocking` asks ``synchronize`` to wait without spinning. `external` only changes how CUDA graphs
    capture cross-stream events, and ember captures on a single stream, so it changes nothing here.
    """

    def __init__(self, enable_timing: bool = False, blocking: bool = False, interprocess: bool = False,
                 external: bool = False) -> None:
        if interprocess:
            raise RuntimeError("ember.cuda.Event(interprocess=True): ember does not share events between "
                               "processes")
        self.enable_timing = bool(enable_timing)
        self.blocking = bool(blocking)
        self.external = bool(external)
        self._handle: Any = None
        self._index = -1
        self._hooks: StreamHooks | None = None

    @property
    def device(self):
        """The device of the stream the event was first recorded on (None before)."""
        return None if self._handle is None else _device_named("cuda", self._index)

    def record(self, stream: Stream | None = None) -> None:
        """Mark the point `stream` (the current stream by default) has reached."""
        if stream is None:
            stream = current_stream()
        if not isinstance(stream, Stream):
            raise TypeError(f"record(): argument 'stream' must be ember.cuda.Stream, not {type(stream).__name__}")
        if self._handle is None:
            self._hooks = stream._hooks
            self._handle = self._hooks.new_event(stream.device_index, self.enable_timing, self.blocking)
            self._index = stream.device_index
        elif stream.device_index != self._index:
            raise RuntimeError(f"Event device {self._index} does not match recording stream's device "
                               f"{stream.device_index}.")
        stream._hooks.record(self._handle, stream._handle)

    def wait(self, stream: Stream | None = None) -> None:
        """Make the work queued on `stream` (the current stream by default) from now on wait for this event;
        an event never recorded is no wait."""
        if stream is None:
            stream = current_stream()
        if not isinstance(stream, Stream):
            raise TypeError(f"wait(): argument 'stream' must be ember.cuda.Stream, not {type(stream).__name__}")
        if self._handle is not None:
            stream._hooks.wait(self._handle, stream._handle)

    def query(self) -> bool:
        """Whether the work before the event has finished (True for an event never recorded)."""
        return self._hooks is None or self._hooks.event_query(self._handle)

    def synchronize(self) -> None:
        """Wait until the work before the event has finished (nothing to wait for if never recorded)."""
        if self._hooks is not None:
            check_not_capturing(self.device)
            self._hooks.event_synchronize(self._handle)

    def elapsed_time(self, end_event: Event) -> float:
        """Milliseconds between this event and `end_event`, both recorded with timing and both reached."""
        if not isinstance(end_event, Event):
            raise TypeError(f"elapsed_time(): argument 'end_event' must be ember.cuda.Event, not "
                            f"{type(end_event).__name__}")
        if not (self.enable_timing and end_event.enable_timing):
            raise ValueError("Both events must be created with argument 'enable_timing=True'.")
        if self._hooks is None or end_event._hooks is None:
            raise ValueError("Both events must be recorded before calculating elapsed time.")
        if not (self.query() and end_event.query()):
            raise RuntimeError("Both events must be completed before calculating elapsed time.")
        return float(self._hooks.elapsed_ms(self._handle, end_event._handle))

    def __repr__(self) -> str:
        if self._handle is None:
            return "<ember.cuda.Event uninitialized>"
        return f"<ember.cuda.Event device={self.device}>"


def current_stream(device: Any = None) -> Stream:
    """The stream CUDA device `device` (the current device by default) queues its kernels on now."""
    index = device_index(device)
    hooks = _hooks(index)
    return Stream._of(index, hooks, hooks.current_stream(index))


def default_stream(device: Any = None) -> Stream:
    """The default stream of CUDA device `device` (the current device by default)."""
    index = device_index(device)
    hooks = _hooks(index)
    return Stream._of(index, hooks, hooks.default_stream(index))


def set_stream(stream: Stream | None) -> None:
    """Make `stream` current on its device, and its device the current device (None: no-op). The
    ``stream`` context manager is the better way: it restores both after the block."""
    if stream is None:
        return
    if not isinstance(stream, Stream):
        raise TypeError(f"set_stream(): argument 'stream' must be ember.cuda.Stream, not {type(stream).__name__}")
    if current_index("cuda") != stream.device_index:
        set_current_index("cuda", stream.device_index)
    stream._hooks.set_stream(stream.device_index, stream._handle)


class StreamContext:
    """Queue the kernels of the block on `stream` (None: a no-op), and restore after it the stream that
    was current on the stream's device and on the current device, and the current device."""

    def __init__(self, stream: Stream | None) -> None:
        from . import is_available

        self.stream = stream
        self.idx = current_index("cuda") if is_available() else -1  # PyTorch's: the current device, if any
        self.src_prev_stream: Stream | None = None
        self.dst_prev_stream: Stream | None = None

    def __enter__(self) -> None:
        target = self.stream
        if target is None or self.idx == -1:
            return
        self.src_prev_stream = current_stream(None)
        if self.src_prev_stream.device != target.device:
            self.dst_prev_stream = current_stream(target.device_index)
        set_stream(target)

    def __exit__(self, *exc_info: object) -> None:
        target = self.stream
        if target is None or self.idx == -1:
            return
        if self.dst_prev_stream is not None:
            set_stream(self.dst_prev_stream)
        set_stream(self.src_prev_stream)


def stream(stream: Stream | None) -> StreamContext:
    """``with ember.cuda.stream(s):`` queues the block's kernels on `s` (a no-op for None)."""
    return StreamContext(stream)
