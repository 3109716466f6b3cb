"""Indexing: ``t[key]`` and ``t[key] = value`` with ints, slices, None, Ellipsis, int and bool tensors."""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node, attach, link, needs_grad
from . import views
from .dispatch import bump, profiled, scalar


def _is_advanced(item) -> bool:
    return isinstance(item, (Tensor, list, np.ndarray)) or (isinstance(item, tuple))


def _normalize(key) -> tuple:
    if not isinstance(key, tuple):
        key = (key,)
    for item in key:
        if isinstance(item, bool):
            raise IndexError("ember does not support indexing with Python bools; use a bool tensor")
        if not (item is None or item is Ellipsis or isinstance(item, (slice, numbers.Integral, Tensor, list,
                                                                        tuple, np.ndarray))):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                             f"are valid indices (got {type(item).__name__})")
    return key


def _expand_ellipsis(key: tuple, ndim: int) -> tuple:
    consumed = sum(1 for item in key if item is not None and item is not Ellipsis and
                   not (isinstance(item, Tensor) and item._dtype is _dtype.bool_))
    consumed += sum(item.ndim - 1 for item in key if isinstance(item, Tensor) and item._dtype is _dtype.bool_)
    ellipses = [i for i, item in enumerate(key) if item is Ellipsis]
    if len(ellipses) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    if ellipses:
        i = ellipses[0]
        return key[:i] + (slice(None),) * (ndim - consumed) + key[i + 1:]
    return key + (slice(None),) * (ndim - consumed)


def _basic(input: Tensor, key: tuple) -> Tensor:
    """Apply ints, slices and Nones one view at a time, as PyTorch does (so grad_fn names match)."""
    single = len(key) == 1 and isinstance(key[0], slice)
    result, dim = input, 0
    for item in _expand_ellipsis(key, input.ndim):
        if item is None:
            result = views.unsqueeze(result, dim)
            dim += 1
        elif isinstance(item, slice):
            start, stop, step = item.start, item.stop, 1 if item.step is None else item.step
            if not single and start in (None, 0) and stop is None and step == 1:
                dim += 1
                continue
            result = views.slice_dim(result, dim, start, stop, step)
            dim += 1
        else:
            result = views.select(result, dim, int(item))
    if result is input:
        return views.alias(input)
    return result


def _key_buffers(input: Tensor, key: tuple):
    """The key with tensors and sequences as device buffers (int64 or bool) for index/index_put_."""
    k = input._device.kernels
    converted = []
    for item in _expand_ellipsis(key, input.ndim):
        if isinstance(item, Tensor):
            if item._device is not input._device:
                raise RuntimeError(f"indices should be either on cpu or on the same device as the indexed "
                                   f"tensor ({input._device}), got {item._device}")
            if item._dtype.is_floating_point:
                raise IndexError("tensors used as indices must be long, int or bool tensors")
            converted.append(item._data if item._dtype is not _dtype.int32 else k.astype(item._data, _dtype.int64))
        elif isinstance(item, (list, tuple, np.ndarray)):
            array = np.asarray(item)
            if array.dtype.kind not in "iub":
                raise IndexError("tensors used as indices must be long, int or bool tensors")
            array = array.astype(np.bool_ if array.dtype.kind == "b" else np.int64)
            converted.append(k.from_numpy(np.ascontiguousarray(array)))
        else:
            converted.append(item)
    return tuple(converted)


class IndexBackward0(Node):
    def backward(self, grad):
        return _index_backward(grad, self.shape, self.key)


class IndexBackwardBackward0(Node):
    def backward(self, grad):
        return _index_with(grad, self.key)


def _index_with(input: Tensor, key: tuple) -> Tensor:
    try:
        data = input._device.kernels.index(input._data, key)
    except IndexError as error:
        raise IndexError(f"index out of range in {list(input._data.shape)} tensor: {error}") from None
    result = Tensor._make(data, input._dtype, input._device)
    return attach(result, IndexBackward0, (input,), shape=input._data.shape, key=key)


def _index_backward(grad: Tensor, shape, key) -> Tensor:
    """Zeros of `shape` with `grad` added at `key` (repeated indices add up): differentiable."""
    k = grad._device.kernels
    data = k.full(tuple(shape), 0, grad._dtype)
    k.index_put_(data, key, grad._data, True)
    return attach(Tensor._make(data, grad._dtype, grad._device), IndexBackwardBackward0, (grad,), key=key)


@profiled("aten::index")
def getitem(input, key):
    """``input[key]``: a view for ints/slices/None/Ellipsis, a copy when tensors or lists take part."""
    key = _normalize(key)
    if any(_is_advanced(item) for item in key):
        return _index_with(input, _key_buffers(input, key))
    if not input._data.shape and any(item is not None and item is not Ellipsis for item in key):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    return _basic(input, key)


class CopySlices(Node):
    """The gradient of ``t[key] = value``: nothing flows to the overwritten part of t."""

    def backward(self, grad):
        kept = grad.clone()
        kept[self.key] = 0
        grad_value = grad[self.key] if self.next_functions[1][0] is not None else None
        return kept, grad_value


@profiled("aten::index_put_")
def setitem(input, key, value):
    """``input[key] = value``: write into `input` in place (broadcasting `value`), tracked by autograd."""
    raw_key = key
    key = _normalize(key)
    if isinstance(value, Tensor):
        if value._device is not input._device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{input._device} and {value._device}! (in index_put_)")
        data = value._data if value._dtype is input._dtype else input._device.kernels.astype(value._data,
                                                                                           input._dtype)
    else:
        data = scalar(value, "setitem")
    tracked = needs_grad((input, value))
    if tracked:
        check_inplace(input, "setitem")
    k = input._device.kernels
    if any(_is_advanced(item) for item in key):
        k.index_put_(input._data, _key_buffers(input, key), data, False)
    else:
        target = _basic(Tensor._make(input._data, input._dtype, input._device), key)._data
        k.copy_(target, data)
    if tracked:
        node = CopySlices.__new__(CopySlices)
        node.key = raw_key
        link(node, (input, value))
        input.grad_fn, input._requires_grad, input._output_nr = node, True, 0
    bump(input)


def check_inplace(t: Tensor, op: str) -> None:
    """PyTorch's refusals of in-place changes that would corrupt the graph (checked before writing)."""
    if not grad_mode.state.enabled:
        return
    if t._requires_grad and t.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = t._base
    if base is not None and base._requires_grad:
        if base.grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        raise RuntimeError(f"{op}: in-place modification of a view of a tensor that requires grad is not "
                           "supported by ember's autograd; modify the base tensor, or use out-of-place ops.")
