"""Shared read-only zero arrays for elementwise kernels: numpy's maximum runs its SIMD loop only when both
operands are arrays (against a broadcast scalar 0 it is ~3x slower), so ``relu`` compares with one of
these. One flat buffer per dtype, grown to the largest size asked for, up to ``LIMIT`` elements."""
from __future__ import annotations

import numpy as np

LIMIT = 1 << 20  # elements: at most 8 MB kept per dtype (float64)

_buffers: dict[np.dtype, np.ndarray] = {}


def zeros_like(x: np.ndarray) -> np.ndarray | None:
    """A read-only array of zeros with x's shape and dtype, or None when x has more than LIMIT elements."""
    size = x.size
    if size > LIMIT:
        return None
    buffer = _buffers.get(x.dtype)
    if buffer is None or buffer.size < size:
        buffer = np.zeros(max(size, 4096), x.dtype)
        buffer.flags.writeable = False
        _buffers[x.dtype] = buffer
    return buffer[:size].reshape(x.shape)
