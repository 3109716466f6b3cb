"""Elementwise results in PyTorch's layout. cupy's ufuncs and the fused kernels write row-major results;
PyTorch's TensorIterator keeps the layout of a permuted operand (a transposed or channels-last input), and
core's rule (`ember._backend_util.relaid_strides`) says which: `laid_out` copies a result into it where
the two differ (never for row-major operands, the common case)."""
from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from ember._backend_util import relaid_strides


def laid_out(xp: ModuleType, result: Any, operands: tuple) -> Any:
    """`result`, a new elementwise result of `operands` (buffers and numbers), in PyTorch's layout."""
    if result.ndim < 2:
        return result
    byte_strides = relaid_strides(result, [x for x in operands if isinstance(x, xp.ndarray)])
    if byte_strides is None:
        return result
    copy = xp.lib.stride_tricks.as_strided(xp.empty(result.size, result.dtype), result.shape, byte_strides)
    xp.copyto(copy, result)
    return copy


def in_layout(xp: ModuleType, kernel: Callable) -> Callable:
    """`kernel` (``f(*operands, out=None)``) whose new results are `laid_out`."""
    def run(*operands, out=None):
        result = kernel(*operands, out=out)
        return result if out is not None else laid_out(xp, result, operands)

    run.__name__ = run.__qualname__ = kernel.__name__
    return run
