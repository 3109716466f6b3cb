"""The opencl device type's timer hooks for the profiler's device time (``DeviceType.start_timer`` and
``elapsed_us``, docs/internals.md): a mark is a marker event on the device's in-order queue, which records
when the work queued before it ended, so two marks around a kernel call time it without waiting."""
from __future__ import annotations

import pyopencl as cl

from . import device


def start_timer(index: int) -> cl.Event:
    """Enqueue a marker on device `index`'s queue and return its event."""
    return cl.enqueue_marker(device.get(index).queue)


def elapsed_us(start: cl.Event, end: cl.Event) -> float:
    """Microseconds of device time between two marks; waits until the later one has happened."""
    end.wait()
    return (end.profile.end - start.profile.end) / 1e3
