"""``Tensor.record_stream(stream)``: the tensor's memory is not handed out again until the work queued on
`stream` by the time the tensor is freed has finished, as PyTorch's caching allocator promises.

Without it a buffer used on a side stream could be reused by the current stream's next allocation while
the side stream still reads it. ember keeps the buffer itself alive instead: when the tensor dies an
event is recorded on `stream`, and the buffer is dropped once the event has been reached. On a device with
one queue there is nothing to keep: the reuse is queued after the stream's work.
"""
from __future__ import annotations

import weakref
from typing import Any

from ..plugins.streams import StreamHooks
from ._single_queue import SingleQueue
from .streams import Stream

# (hooks, event, buffer): buffers of freed tensors, kept until their stream reaches the event.
_kept: list[tuple[StreamHooks, Any, Any]] = []


def record_stream(tensor: Any, stream: Stream) -> None:
    """Mark `tensor`'s memory as used by `stream` (PyTorch's ``Tensor.record_stream``)."""
    if not isinstance(stream, Stream):
        raise TypeError(f"record_stream(): argument 'stream' must be ember.cuda.Stream, not {type(stream).__name__}")
    if tensor.device.type != "cuda":
        raise NotImplementedError(f"Could not run 'aten::record_stream' with arguments from the "
                                  f"'{tensor.device.type.upper()}' backend.")
    if isinstance(stream._hooks, SingleQueue):
        return
    release_reached()
    finalizer = weakref.finalize(tensor, _keep_until_reached, stream._hooks, stream._handle, stream.device_index,
                                 tensor._data)
    finalizer.atexit = False  # at exit the device goes away with every buffer


def _keep_until_reached(hooks: StreamHooks, stream: Any, index: int, buffer: Any) -> None:
    event = hooks.new_event(index, False, False)
    hooks.record(event, stream)
    _kept.append((hooks, event, buffer))


def release_reached() -> None:
    """Drop the kept buffers whose stream has reached the point where their tensor died."""
    _kept[:] = [kept for kept in _kept if not kept[0].event_query(kept[1])]
