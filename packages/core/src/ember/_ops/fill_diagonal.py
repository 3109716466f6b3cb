"""``Tensor.fill_diagonal_``: PyTorch's in-place fill of the main diagonal (every index equal), written through
an ``as_strided`` view of it as ATen's is, so autograd records the write as PyTorch's ``CopySlices``; with
`wrap`, a 2-D matrix taller than wide goes on filling below, as numpy's ``fill_diagonal(wrap=True)``."""
from __future__ import annotations

from . import strided, views


def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal of `self` (2-D, or n-D with every dimension of one length) with `fill_value`."""
    if self.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    height, width = self.shape[0], self.shape[1]
    if self.ndim > 2 and any(size != height for size in self.shape[1:]):
        raise RuntimeError("all dimensions of input must be of equal length")
    stride = sum(self.stride())
    offset = views.storage_offset(self)
    size = min(height, width)
    strided.as_strided(self, (size,), (stride,), offset).fill_(fill_value)
    step = width + 1
    if wrap and self.ndim == 2 and height > step:  # numpy's wrap: every step-th element of the flat matrix
        wrapped = (self.numel() + step - 1) // step - size
        strided.as_strided(self, (wrapped,), (stride,), offset + self.stride(0) * step).fill_(fill_value)
    return self
