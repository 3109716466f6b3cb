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


def _dense(shape: tuple[int, ...], strides: tuple[int, ...]) -> bool:
    """Whether a view of `shape` covers its elements exactly once (any order, no gaps)."""
    step = 1
    for stride, size in sorted((abs(t), n) for t, n in zip(strides, shape) if n != 1):
        if stride != step:
            return False
        step *= size
    return True


def elementwise_strides(shape: tuple[int, ...], operand_strides: list[tuple[int, ...]],
                        operand_shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    """Element strides of an elementwise result of `shape`, laid out as PyTorch's TensorIterator lays it
    out, for backends whose arrays have no numpy order='K': operands of the result's shape that share one
    dense layout give it exactly; otherwise dims are sorted innermost-first by the operands' strides (the
    first operand whose strides of two dims are both non-zero decides: the smaller stride goes inside, on
    equal strides the smaller dim; broadcast dims never decide)."""
    ndim = len(shape)
    if operand_shapes and all(tuple(s) == tuple(shape) for s in operand_shapes):
        first = tuple(operand_strides[0])
        if all(tuple(t) == first for t in operand_strides) and _dense(shape, first) and min(first, default=0) >= 0:
            return first
    aligned = []
    for strides, op_shape in zip(operand_strides, operand_shapes):
        pad = ndim - len(op_shape)
        aligned.append([0 if d < pad or op_shape[d - pad] != shape[d] else abs(strides[d - pad])
                        for d in range(ndim)])

    def should_swap(d0: int, d1: int) -> int:
        for strides in aligned:
            s0, s1 = strides[d0], strides[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return -1 if s0 < s1 else 1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    perm = list(reversed(range(ndim)))  # innermost first; an insertion sort that steps over ties
    for i in range(1, ndim):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            comparison = should_swap(perm[d0], perm[d1])
            if comparison > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif comparison < 0:
                break
    result = [0] * ndim
    step = 1
    for d in perm:
        result[d] = step
        step *= max(shape[d], 1)
    return tuple(result)
