"""float16 for the kernel families whose generated code reads buffers directly (reductions, sort, indexing,
matmul, the fused kernels): their float16 operands are widened to float32 copies, the float32
kernel runs, and its floating results are rounded back to float16 once, as PyTorch's CPU kernels compute
float16 in float. Elementwise and scan kernels read and write half themselves, so they need none of this.
A call without a float16 operand goes straight to the kernel.
"""
from __future__ import annotations

import functools

import numpy as np

from . import elementwise
from .buffer import CLArray

_HALF = np.dtype(np.float16)
_FLOAT = np.dtype(np.float32)


def _has_half(value) -> bool:
    if isinstance(value, CLArray):
        return value.dtype == _HALF
    return isinstance(value, (list, tuple)) and any(_has_half(item) for item in value)


def _widened(value, copies: dict):
    """`value` with each float16 array replaced by a float32 copy (recorded in `copies`: copy id -> original)."""
    if isinstance(value, CLArray) and value.dtype == _HALF:
        wide = elementwise.converted(value, _FLOAT)
        copies[id(wide)] = (value, wide)
        return wide
    if isinstance(value, (list, tuple)):
        return type(value)(_widened(item, copies) for item in value)
    return value


def _narrowed(value, copies: dict):
    """A result with each widened operand it returns replaced by its original, and each new float32 array
    rounded to float16."""
    if isinstance(value, CLArray):
        if id(value) in copies:
            return copies[id(value)][0]
        return elementwise.converted(value, _HALF) if value.dtype == _FLOAT else value
    if isinstance(value, (list, tuple)):
        return type(value)(_narrowed(item, copies) for item in value)
    return value


def widening(kernel, mutated: tuple[int, ...] = ()):
    """`kernel` taking float16 operands through float32; the arguments at positions `mutated` (arrays, or
    lists of arrays and None) are updated in place, so their float32 copies are written back."""

    @functools.wraps(kernel)
    def call(*args, **kwargs):
        if not (_has_half(args) or _has_half(tuple(kwargs.values()))):
            return kernel(*args, **kwargs)
        out = kwargs.pop("out", None)
        copies: dict = {}
        wide_args = [_widened(arg, copies) for arg in args]
        result = kernel(*wide_args, **{name: _widened(value, copies) for name, value in kwargs.items()})
        for position in mutated:
            targets = wide_args[position] if isinstance(wide_args[position], (list, tuple)) else [wide_args[position]]
            for wide in targets:
                if wide is not None and id(wide) in copies:
                    original, _ = copies[id(wide)]
                    elementwise.copy_(original, wide)
        if out is not None:  # rounded once, from the float32 result
            return elementwise.copy_(out, result)
        return _narrowed(result, copies)

    return call
