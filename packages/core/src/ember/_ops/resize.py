"""PyTorch's resizing of a tensor in place, for an ``out=`` tensor of the wrong shape (its resize_output) and
`Tensor.resize_` (resizing.py): the tensor takes the new shape, contiguous from its storage offset, in its
storage (its base sees the result), which grows when it is too small (the base is rebound to the grown
storage; other views of it keep the old memory; the new elements are uninitialized); for an ``out=``
tensor, a UserWarning when it had elements."""
from __future__ import annotations

import math
import warnings

from .._tensor import Tensor, _row_major
from .layout import contiguous_strides
from .overlap import _callers_level, root

_DEPRECATED = ("An output with one or more elements was resized since it had shape {}, which does not match the "
               "required output shape {}. This behavior is deprecated, and in a future PyTorch release outputs "
               "will not be resized unless they have zero elements. You can explicitly reuse an out tensor t by "
               "resizing it, inplace, to zero elements with t.resize_(0).")


def resize_out(out: Tensor, shape: tuple, warn: bool = True, strides: tuple | None = None) -> None:
    """Give `out` the `shape` of an op's result (already checked for everything but its shape), with the dense
    `strides` (None: row-major); `warn`: the deprecation warning when it had elements."""
    if warn and math.prod(out._data.shape):
        warnings.warn(_DEPRECATED.format(list(out._data.shape), list(shape)), UserWarning,
                      stacklevel=_callers_level())
    k, storage = out._device.kernels, root(out)
    held = storage._data
    if held is out._data:
        offset: int | None = 0
    else:
        offset = None if k.storage_offset is None else k.storage_offset(out._data, held)
    if offset is None or not _row_major(out._device, held):  # a storage of its own
        out._data, out._base = k.empty(tuple(shape), out._dtype), None
        if strides is not None:
            out._data = k.as_strided(out._data, tuple(shape), strides, 0)
        return
    needed = offset + math.prod(shape)
    if needed > math.prod(held.shape):  # the storage grows, its elements kept: the base is rebound to it
        grown = k.empty((needed,), out._dtype)
        storage._data = k.as_strided(grown, held.shape, contiguous_strides(held.shape), 0)
        if held is not out._data:
            k.copy_(storage._data, held)
        held = grown
    out._data = k.as_strided(held, tuple(shape), contiguous_strides(shape) if strides is None else strides, offset)

