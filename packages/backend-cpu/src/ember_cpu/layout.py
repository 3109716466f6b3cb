"""Elementwise results in PyTorch's layout: numpy's order='K' and PyTorch's TensorIterator agree on row-major
operands, and on one dense operand, but not on operands of conflicting layouts (PyTorch follows the first
with a preference, numpy falls back to row-major), broadcast (zero-stride) views or size-1 dims, whose
results `laid_out` copies into the strides core's rule (`ember._backend_util.elementwise_strides`) gives."""
from __future__ import annotations

import numpy as np

from ember import _backend_util

_NDARRAY = np.ndarray


def laid_out(result: np.ndarray, *operands) -> np.ndarray:
    """`result` of an elementwise op of `operands` (arrays or numbers) in PyTorch's layout: numpy's for one
    dim or row-major operands (`row_major`), else copied where numpy chose another."""
    arrays = [x for x in operands if x.__class__ is _NDARRAY]
    if result.ndim < 2 or not result.size or row_major(arrays, result):
        return result
    element_strides = [tuple([stride // x.itemsize for stride in x.strides]) for x in arrays]
    wanted = _backend_util.elementwise_strides(result.shape, element_strides, [x.shape for x in arrays])
    itemsize = result.itemsize
    byte_strides = tuple([stride * itemsize for stride in wanted])
    if byte_strides == result.strides:
        return result
    copy = np.ndarray(result.shape, result.dtype, np.empty(result.size, result.dtype), 0, byte_strides)
    np.copyto(copy, result)
    return copy


def row_major(arrays: list, result: np.ndarray) -> bool:
    """Whether numpy's row-major `result` is PyTorch's too: the `arrays` among the operands are row-major and
    of one shape, or of shapes whose size-1 dims all broadcast (their strides are then exact: PyTorch reads
    the strides of a size-1 dim only where the result has size 1 too)."""
    if not all(x.flags.c_contiguous for x in arrays):
        return False
    shapes = {x.shape for x in arrays}
    return len(shapes) < 2 or 1 not in result.shape or not any(1 in shape for shape in shapes)
