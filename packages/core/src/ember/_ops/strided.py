"""``as_strided``: a view of a tensor's storage with any shape, strides and storage offset, as PyTorch's
(offsets count from the storage's start, bounds checked against the storage), and its gradient."""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..autograd.node import AsStridedBackward0, attach
from . import creation, views
from .dispatch import profiled


def _ints(value, op: str, param: str, position: int) -> tuple:
    if not isinstance(value, (tuple, list)) or not all(isinstance(v, int) for v in value):
        raise TypeError(f"{op}(): argument '{param}' (position {position}) must be tuple of ints, not "
                        f"{type(value).__name__}")
    return tuple(int(v) for v in value)


def extent(size, stride, offset: int) -> int:
    """The elements of storage that a view of this geometry reaches (0 when it has no element)."""
    if 0 in size:
        return 0
    return offset + sum((s - 1) * st for s, st in zip(size, stride)) + 1


def _check_geometry(root: Tensor, size, stride, offset: int) -> None:
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(st < 0 for st in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: {list(stride)}")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    itemsize, storage = root._dtype.itemsize, math.prod(views.storage_buffer(root).shape)
    needed = extent(size, stride, offset)
    if needed > storage:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {itemsize} requiring a storage size of {needed * itemsize} are out of bounds "
                           f"for storage of size {storage * itemsize}")


@profiled("aten::as_strided")
def as_strided(input, size, stride, storage_offset=None):
    """A view of `input`'s storage with shape `size`, strides `stride` (in elements), starting `storage_offset`
    elements from the storage's start (default: where `input` starts)."""
    size, stride = _ints(size, "as_strided", "size", 2), _ints(stride, "as_strided", "stride", 3)
    offset = views.storage_offset(input) if storage_offset is None else int(storage_offset)
    root = input if input._base is None else input._base
    _check_geometry(root, size, stride, offset)
    # a view without elements reads nothing: the buffer's bounds need not hold its offset (PyTorch's do not)
    data = views.strided(input._device, views.storage_buffer(root), size, stride, offset if 0 not in size else 0)
    # no replay: a view through as_strided is found by its geometry (`node.replays`), as it addresses the
    # storage, whatever the layout of the tensor that a replay would start from
    result = views.make_view(input, data)
    return attach(result, AsStridedBackward0, (input,), geometry=(size, stride, offset),
                  input_geometry=geometry(input))


def geometry(t: Tensor) -> tuple:
    """`t`'s shape, strides and storage offset: where its elements lie in its base's storage."""
    return t._data.shape, t._device.kernels.strides(t._data), views.storage_offset(t)


def _positions(size, stride, offset: int) -> np.ndarray:
    """The storage position of each element of a view of this geometry, in row-major order."""
    positions = np.full(size, offset, dtype=np.int64)
    for dim, (s, st) in enumerate(zip(size, stride)):
        positions += (np.arange(s, dtype=np.int64) * st).reshape((s,) + (1,) * (len(size) - dim - 1))
    return positions.reshape(-1)


def as_strided_backward(grad: Tensor, input_geometry, geometry) -> Tensor:
    """PyTorch's as_strided_backward, in differentiable ops: the gradient added into a zero storage where
    each element lies (elements sharing a place add up), read back where the input lies; a place that
    several elements of the input share (an expanded input) gives each its share, as PyTorch divides it."""
    size, stride, offset = geometry
    input_size, input_stride, input_offset = input_geometry
    length = max(extent(size, stride, offset), extent(input_size, input_stride, input_offset))
    storage = creation.zeros(length, dtype=grad._dtype, device=grad._device)
    index = creation.tensor(_positions(size, stride, offset), device=grad._device)
    storage = storage.index_add(0, index, grad.reshape(-1))
    shares = np.bincount(_positions(input_size, input_stride, input_offset), minlength=length)
    if shares.max(initial=0) > 1:
        storage = storage / creation.tensor(np.maximum(shares, 1), dtype=grad._dtype, device=grad._device)
    return as_strided(storage, tuple(input_size), tuple(input_stride), input_offset)
