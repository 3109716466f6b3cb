"""Elementwise results in PyTorch's layout: numpy's order='K' and PyTorch's TensorIterator agree on row-major
operands, and on one dense operand, but not on operands of conflicting layouts (PyTorch follows the first
with a preference, numpy falls back to row-major), broadcast (zero-stride) views or size-1 dims, whose
results `laid_out` copies into the strides core's rule (`ember._backend_util.relaid_strides`) gives."""
from __future__ import annotations

import numpy as np

from ember import _backend_util

_NDARRAY = np.ndarray


def laid_out(result: np.ndarray, *operands) -> np.ndarray:
    """`result` of an elementwise op of `operands` (arrays or numbers) in PyTorch's layout: numpy's where it
    is PyTorch's, else copied."""
    if result.ndim < 2:
        return result
    byte_strides = _backend_util.relaid_strides(result, [x for x in operands if x.__class__ is _NDARRAY])
    if byte_strides is None:
        return result
    copy = np.ndarray(result.shape, result.dtype, np.empty(result.size, result.dtype), 0, byte_strides)
    np.copyto(copy, result)
    return copy
