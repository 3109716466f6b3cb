"""``Tensor.view(dtype)``: a tensor's bytes read as another dtype, over the same memory (PyTorch's view.dtype).

The result shares the input's storage and version counter but is not an autograd view: as PyTorch's, it has
no ``_base``, no history and does not require grad, whatever the dtypes. A different element size changes
the last dim (stride 1) by the ratio of the sizes, with PyTorch's checks. The backend's optional
`view_dtype` kernel reads the whole storage as the new dtype; core places the result in it by `as_strided`
and keeps it as the result's `_storage`, so ``storage_offset()`` and ``as_strided`` count in the new
elements from the storage's start, as PyTorch's.
"""
from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor, wrap
from . import views
from .strided import extent


def _geometry(input: Tensor, dtype) -> tuple:
    """The result's shape, strides and storage offset, in elements of `dtype`; PyTorch's refusals."""
    old, new = input._dtype, dtype
    shape, strides = tuple(input._data.shape), tuple(input._device.kernels.strides(input._data))
    offset = views.storage_offset(input)
    if old.itemsize == new.itemsize:
        return shape, strides, offset
    what = f"to view {_dtype.TYPE_NAMES[old.name]} as {_dtype.TYPE_NAMES[new.name]} (different element sizes)"
    if not shape:
        raise RuntimeError(f"self.dim() cannot be 0 {what}")
    if old.itemsize > new.itemsize:
        ratio = old.itemsize // new.itemsize
        if strides[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
        return (shape[:-1] + (shape[-1] * ratio,), tuple(s * ratio for s in strides[:-1]) + (1,), offset * ratio)
    ratio = new.itemsize // old.itemsize
    if shape[-1] % ratio:
        raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but got {shape[-1]}")
    if offset % ratio:
        raise RuntimeError(f"self.storage_offset() must be divisible by {ratio} {what}, but got {offset}")
    if strides[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
    for dim, stride in enumerate(strides[:-1]):
        if stride % ratio:
            raise RuntimeError(f"self.stride({dim}) must be divisible by {ratio} {what}, but got {stride}")
    return (shape[:-1] + (shape[-1] // ratio,), tuple(s // ratio for s in strides[:-1]) + (1,), offset // ratio)


def _storage_as(input: Tensor, dtype):
    """The whole storage of `input` as one flat buffer of `dtype` (its last bytes dropped when they make no
    whole element)."""
    device = input._device
    k = device.kernels
    root = input if input._base is None else input._base
    storage = views.storage_buffer(root)
    length = extent(storage.shape, k.strides(storage), 0)
    old = input._dtype.itemsize
    length = length * old // dtype.itemsize * dtype.itemsize // old  # whole elements of both dtypes
    return k.view_dtype(views.strided(device, storage, (length,), (1,), 0), dtype)


def view_dtype(input: Tensor, dtype) -> Tensor:
    """`input`'s memory read as `dtype` (``x.view(ember.int32)``): shared with `input`, no copy, no history."""
    dtype = _dtype.parse(dtype, "view")
    device = input._device
    if device.kernels.view_dtype is None:
        raise NotImplementedError(f"view(dtype): device '{device}' has no optional kernel 'view_dtype' (it cannot "
                                  "read a buffer's bytes as another dtype)")
    if dtype.name not in device.device_type.dtypes:
        raise RuntimeError(f"view(): device '{device}' does not support dtype {dtype!r}")
    shape, strides, offset = _geometry(input, dtype)
    storage = _storage_as(input, dtype)
    data = views.strided(device, storage, shape, strides, offset if 0 not in shape else 0)
    result = wrap(data, dtype, device)
    result._version = input._version_counter
    result._storage = storage
    return result


def view_overload(input: Tensor, positional: tuple, size, dtype) -> Tensor:
    """``view``'s dtype overload, ``view(dtype)`` or ``view(dtype=...)``; any other call that is not a size is
    PyTorch's TypeError listing both overloads."""
    if size is views.UNSET:
        if dtype is views.UNSET and len(positional) == 1 and _dtype.names_dtype(positional[0]):
            return view_dtype(input, positional[0])
        if dtype is not views.UNSET and not positional and _dtype.names_dtype(dtype):
            return view_dtype(input, dtype)
    keywords = [f"{name}={_type_name(value)}" for name, value in (("size", size), ("dtype", dtype))
                if value is not views.UNSET]
    if positional:  # PyTorch's listing: the keywords after the positional arguments, else each one with a ", "
        given = ", ".join([_type_name(value) for value in positional] + keywords)
    else:
        given = "".join(f"{keyword}, " for keyword in reversed(keywords))
    raise TypeError(f"view() received an invalid combination of arguments - got ({given}), but expected one of:\n"
                    " * (ember.dtype dtype)\n * (tuple of ints size)\n")


def _type_name(value) -> str:
    return "ember.dtype" if isinstance(value, _dtype.dtype) else type(value).__name__
