"""The cuda device type's timer hooks for the profiler's device time (``DeviceType.start_timer`` and
``elapsed_us``, docs/internals.md): a mark is a CUDA event recorded on the device's current stream, where the
device's kernels run, so two marks around a kernel call time it on the GPU without synchronising."""
from __future__ import annotations

import cupy


def start_timer(index: int) -> cupy.cuda.Event:
    """Record a timing event on device `index`'s current stream and return it."""
    with cupy.cuda.Device(index):
        event = cupy.cuda.Event()
        event.record(cupy.cuda.get_current_stream())
    return event


def elapsed_us(start: cupy.cuda.Event, end: cupy.cuda.Event) -> float:
    """Microseconds of device time between two marks; waits until the later one has happened."""
    end.synchronize()
    return cupy.cuda.get_elapsed_time(start, end) * 1000.0
