"""Rules of the kernel contract that every numpy-like backend computes the same way (numpy, cupy): kept
here once so that backends do not copy each other."""
from __future__ import annotations

import math

import numpy as np

# The dtype each floating dtype's running sums and products accumulate in (PyTorch's CPU acc_type):
# float16 in float32 and float32 in float64, so each element is rounded once.
SCAN_ACCUMULATE: dict[np.dtype, type] = {np.dtype(np.float16): np.float32, np.dtype(np.float32): np.float64}


def arange(xp, start: float, stop: float, step: float, dtype):
    """``arange(start, stop, step)`` of ember `dtype` in array library `xp` (numpy, cupy) on the current
    device: a floating one is ``start + step * i`` computed in float64 and rounded once to its dtype, as
    PyTorch computes it (a float32 arange would add up a step already rounded to float32)."""
    if not dtype.is_floating_point:
        return xp.arange(start, stop, step, dtype=dtype.numpy)
    values = xp.arange(max(0, math.ceil((stop - start) / step)), dtype=xp.float64)
    values *= step
    values += start
    return values.astype(dtype.numpy, copy=False)


def draw_dtype(dtype) -> type:
    """The dtype random draws of ember `dtype` are made in: numpy's and cupy's generators draw float32
    or float64, and float16 is drawn as float32 and rounded."""
    return np.float64 if dtype.numpy == np.float64 else np.float32


def elementwise_strides(shape: tuple[int, ...], operand_strides: list[tuple[int, ...]],
                        operand_shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    """Element strides of an elementwise result of `shape`, laid out as PyTorch's TensorIterator lays it out
    (a transposed input gives a transposed result), for backends whose arrays have no numpy order='K':
    core's own rule (``_ops.layout``), with the operands' missing leading dims broadcast."""
    from ._ops.layout import _iterator_output_strides

    ndim = len(shape)
    operands = [((1,) * (ndim - len(op_shape)) + tuple(op_shape), (0,) * (ndim - len(strides)) + tuple(strides))
                for op_shape, strides in zip(operand_shapes, operand_strides)]
    return _iterator_output_strides(tuple(shape), operands)


def empty_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """PyTorch's element strides of a new tensor with no element (row-major, a size-0 dim counted as 1), for
    backends whose arrays lose them (numpy 2.4 gives a new size-0 array zero strides)."""
    from ._ops.layout import contiguous_strides

    return contiguous_strides(shape)
