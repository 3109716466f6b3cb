"""Creation (random draws: philox.py), host transfers, device-to-device copies and views (zero-copy,
like the CPU backend's)."""
from __future__ import annotations

import math

import numpy as np

from . import device as devices
from . import elementwise, program
from .buffer import CLArray, allocate, contiguous_strides, download, upload
from .device import cl


def empty(shape, dtype, *, index=0):
    return allocate(devices.get(index), tuple(shape), dtype.numpy)


def full(shape, value, dtype, *, index=0):
    return elementwise.copy_(empty(shape, dtype, index=index), value)


def arange(start, stop, step, dtype, *, index=0):
    """start + step * i for i < ceil((stop - start) / step), computed in double (or long for integers)
    and rounded once to the dtype, as PyTorch."""
    count = max(0, math.ceil((stop - start) / step))
    result = empty((count,), dtype, index=index)
    target = dtype.numpy
    if target.kind == "f":
        wide = np.dtype(np.float64) if "float64" in result.device.dtypes else np.dtype(np.float32)
        body = elementwise.cast(f"(a + b * ({program.ctype(wide)})i)", target)
    else:
        wide = np.dtype(np.int64)
        body = elementwise.cast("(a + b * i)", target)
    return elementwise.run(result.device, body, "", result, [start, step], [wide, wide])


def from_numpy(array, *, index=0):
    return upload(devices.get(index), array)


def to_numpy(x: CLArray) -> np.ndarray:
    return download(x)


def copy_to(x: CLArray, index: int) -> CLArray:
    """A row-major copy of x on device `index` of this type (`transfer`)."""
    return transfer(x, devices.get(index))


def transfer(x: CLArray, target: devices.Device) -> CLArray:
    """A row-major copy of x on `target`: a buffer copy on the target's queue, not through the host, where
    both devices share a context (those of one platform do), else read back and written once. The copy waits
    for x's queue, and x's queue for the copy, so neither queue's later work can race it: no host wait."""
    if target is x.device:
        return contiguous_copy(x)
    if target.context is not x.device.context:
        return upload(target, download(x))
    source = contiguous(x)
    result = allocate(target, x.shape, x.dtype)
    if result.size:
        itemsize = x.dtype.itemsize
        written = cl.enqueue_marker(x.device.queue)
        copied = cl.enqueue_copy(target.queue, result.base, source.base, byte_count=result.size * itemsize,
                                 src_offset=source.offset * itemsize, dst_offset=0, wait_for=[written])
        cl.enqueue_barrier(x.device.queue, wait_for=[copied])  # source's memory is reused only after
    return result


def contiguous_copy(x: CLArray) -> CLArray:
    return elementwise.copy_(allocate(x.device, x.shape, x.dtype), x)


# Views.

def strides(x: CLArray) -> tuple[int, ...]:
    return x.strides


def is_contiguous(x: CLArray) -> bool:
    return x.is_contiguous or 0 in x.shape  # (an empty array is, whatever its strides)


def as_strided(x: CLArray, shape, strides, offset) -> CLArray:
    return x.view(tuple(shape), tuple(strides), x.offset + offset)


def storage_offset(x: CLArray, base: CLArray) -> int:
    """Where x starts in base's memory, in elements of x (offsets count elements of each one's own dtype)."""
    if x.dtype == base.dtype:
        return x.offset - base.offset
    return (x.offset * x.dtype.itemsize - base.offset * base.dtype.itemsize) // x.dtype.itemsize


def view_dtype(x: CLArray, dtype) -> CLArray:
    """The 1-d contiguous x's bytes read as `dtype`: the same base buffer, the offset counted in the new
    elements (an offset that is not a whole number of them cannot be addressed)."""
    start, itemsize = x.offset * x.dtype.itemsize, dtype.itemsize
    if start % itemsize:
        raise ValueError(f"view_dtype: a {x.dtype} buffer starting {start} bytes into its memory cannot be read as "
                         f"{dtype.name} ({itemsize}-byte elements)")
    count = x.size * x.dtype.itemsize // itemsize
    return CLArray(x.base, (count,), (1,), start // itemsize, dtype.numpy, x.device)


def contiguous(x: CLArray) -> CLArray:
    return x if x.is_contiguous else contiguous_copy(x)


def permute(x: CLArray, dims) -> CLArray:
    return x.view(tuple(x.shape[d] for d in dims), tuple(x.strides[d] for d in dims), x.offset)


def reshape(x: CLArray, shape) -> CLArray:
    """A view when x's strides allow it (numpy's rule, through `_reshaped_strides`), else a copy."""
    shape = tuple(shape)
    if -1 in shape:
        known = math.prod(size for size in shape if size != -1)
        shape = tuple(x.size // known if size == -1 else size for size in shape)
    new_strides = _reshaped_strides(x.shape, x.strides, shape)
    if new_strides is None:
        x = contiguous_copy(x)
        new_strides = contiguous_strides(shape)
    return x.view(shape, new_strides, x.offset)


def _reshaped_strides(old_shape, old_strides, new_shape):
    """Strides viewing (old_shape, old_strides) as new_shape, or None when a copy is needed (numpy's
    _attempt_nocopy_reshape)."""
    old = [(size, stride) for size, stride in zip(old_shape, old_strides) if size != 1]
    if math.prod(new_shape) == 0 or not old:
        return contiguous_strides(new_shape)
    result = [0] * len(new_shape)
    oi = ni = 0
    new_dims = [(d, size) for d, size in enumerate(new_shape)]
    while oi < len(old) and ni < len(new_dims):
        op, np_ = old[oi][0], new_dims[ni][1]
        oj, nj = oi + 1, ni + 1
        while op != np_:
            if np_ < op:
                np_ *= new_dims[nj][1]
                nj += 1
            else:
                op *= old[oj][0]
                oj += 1
        for k in range(oi, oj - 1):
            if old[k][1] != old[k + 1][0] * old[k + 1][1]:
                return None
        stride = old[oj - 1][1]
        for k in range(nj - 1, ni - 1, -1):
            result[new_dims[k][0]] = stride
            stride *= new_dims[k][1]
        oi, ni = oj, nj
    for k in range(ni, len(new_dims)):  # trailing size-1 dims
        result[new_dims[k][0]] = 1
    return tuple(result)


def slice_view(x: CLArray, key) -> CLArray:
    """x[key] for basic keys (ints, slices with step > 0, None, Ellipsis) as a view."""
    key = expand_ellipsis(key, x.ndim)
    shape, strides_, offset, d = [], [], x.offset, 0
    for item in key:
        if item is None:
            shape.append(1)
            strides_.append(0)
        elif isinstance(item, slice):
            start, stop, step = item.indices(x.shape[d])
            shape.append(len(range(start, stop, step)))
            strides_.append(x.strides[d] * step)
            offset += start * x.strides[d]
            d += 1
        else:
            offset += (item + x.shape[d] if item < 0 else item) * x.strides[d]
            d += 1
    shape += x.shape[d:]
    strides_ += x.strides[d:]
    return x.view(tuple(shape), tuple(strides_), offset)


class NewAxis:
    """A key item that adds a dim of size 1 and indexes it with `index` (x[True]: [0], x[False]: [])."""

    __slots__ = ("index",)

    def __init__(self, index: CLArray) -> None:
        self.index = index


def expand_ellipsis(key: tuple, ndim: int) -> tuple:
    """key with its Ellipsis (or a trailing one) replaced by full slices."""
    used = sum(1 for item in key if item is not None and item is not Ellipsis and not isinstance(item, NewAxis)
               and not (isinstance(item, CLArray) and item.dtype == np.bool_))
    used += sum(item.ndim for item in key if isinstance(item, CLArray) and item.dtype == np.bool_)
    if Ellipsis not in key:
        key = (*key, Ellipsis)
    at = key.index(Ellipsis)
    return (*key[:at], *(slice(None),) * (ndim - used), *key[at + 1:])


def zero_(buffers) -> None:
    for buffer in buffers:
        elementwise.copy_(buffer, 0)
