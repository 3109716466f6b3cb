"""The backend's array: a base ``cl.Buffer`` with a shape, element strides, an element offset and a dtype.

Every view (slice, permute, broadcast, as_strided) is a new `CLArray` over the same base buffer: no
copy. Kernels take the base buffer and the offset, and read elements through the strides. bool is
stored as one byte (uchar), 0 or 1, as numpy stores it.
"""
from __future__ import annotations

import math

import numpy as np

from .counters import COUNTS
from .device import Device, cl


def contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


class CLArray:
    """A strided view of device memory. Core reads only `.shape`; kernels read the rest."""

    __slots__ = ("base", "shape", "strides", "offset", "dtype", "device", "__weakref__")

    def __init__(self, base, shape: tuple[int, ...], strides: tuple[int, ...], offset: int,
                 dtype: np.dtype, device: Device) -> None:
        self.base = base  # a cl.Buffer, or None for an array with no elements
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.dtype = dtype
        self.device = device

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def is_contiguous(self) -> bool:
        """Whether the elements lie in row-major order without gaps (size-1 dims' strides do not count)."""
        step = 1
        for size, stride in zip(reversed(self.shape), reversed(self.strides)):
            if size != 1 and stride != step:
                return False
            step *= size
        return True

    def view(self, shape: tuple[int, ...], strides: tuple[int, ...], offset: int) -> CLArray:
        return CLArray(self.base, tuple(shape), tuple(strides), offset, self.dtype, self.device)

    def __repr__(self) -> str:
        return (f"CLArray(shape={self.shape}, strides={self.strides}, offset={self.offset}, "
                f"dtype={self.dtype}, device={self.device.describe()})")


def allocate(device: Device, shape: tuple[int, ...], dtype: np.dtype, strides: tuple[int, ...] | None = None
             ) -> CLArray:
    """A new C-contiguous array (or one of dense `strides`; uninitialised), its memory from the device's
    pool: a block of its size class that a dead array gave back (its base returns there when the last view
    of it dies), else new."""
    shape = tuple(int(size) for size in shape)
    nbytes = math.prod(shape) * dtype.itemsize
    base = None
    if nbytes:
        held = device.pool.held_blocks
        base = device.pool.allocate(nbytes)
        if device.pool.held_blocks == held:  # none was free: the pool allocated
            COUNTS.allocations += 1
    return CLArray(base, shape, contiguous_strides(shape) if strides is None else strides, 0, dtype, device)


def upload(device: Device, array: np.ndarray) -> CLArray:
    """A device copy of a host array (any layout)."""
    host = np.ascontiguousarray(array)  # 1-d for a 0-d array: the shape comes from `array`
    result = allocate(device, array.shape, host.dtype)
    if host.size:
        cl.enqueue_copy(device.queue, result.base, host, is_blocking=True)
        COUNTS.round_trips += 1
    return result


def span(array: CLArray) -> tuple[int, int]:
    """The first and one-past-last element the view can touch, in elements of the base buffer."""
    low = high = array.offset
    for size, stride in zip(array.shape, array.strides):
        if size == 0:
            return array.offset, array.offset
        if stride < 0:
            low += stride * (size - 1)
        else:
            high += stride * (size - 1)
    return low, high + 1


def download(array: CLArray) -> np.ndarray:
    """A host copy of the view: the memory it spans is read once, then viewed with its strides."""
    if not array.size:
        return np.empty(array.shape, array.dtype)
    low, high = span(array)
    itemsize = array.dtype.itemsize
    host = np.empty(high - low, array.dtype)
    cl.enqueue_copy(array.device.queue, host, array.base, src_offset=low * itemsize, is_blocking=True)
    COUNTS.round_trips += 1
    view = np.ndarray(array.shape, array.dtype, host, (array.offset - low) * itemsize,
                      tuple(stride * itemsize for stride in array.strides))
    return view.copy()  # row-major, and 0-d stays 0-d (ascontiguousarray would make it 1-d)
