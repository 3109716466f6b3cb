"""Joining tensors: cat and stack."""
from __future__ import annotations

from .. import _dtype, _memory_format
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd.node import Node, attach
from . import views
from .dispatch import profiled


class CatBackward0(Node):
    def backward(self, grad):
        grads, start = [], 0
        for size in self.sizes:
            if size is None:  # a skipped 1-D empty input
                grads.append(grad.new_zeros(0))
                continue
            grads.append(views.narrow(grad, self.dim, start, size))
            start += size
        return tuple(grads)


@profiled("aten::cat")
def cat(tensors, dim=0, *, out=None):
    """Join tensors of equal shape (but along `dim`) into one along `dim`."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for position, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"cat(): expected a sequence of Tensors, got {type(t).__name__}")
        if not t._data.shape:
            raise RuntimeError(f"zero-dimensional tensor (at position {position}) cannot be concatenated")
    # PyTorch's legacy rule: 1-D empty tensors are skipped.
    joined = [t for t in tensors if t._data.shape != (0,)] or tensors[:1]
    first = joined[0]
    d = _wrap_dim(dim, first.ndim, "cat")
    dtype = first._dtype
    for t in tensors:  # skipped empty tensors take part in type promotion, as in PyTorch
        if t._dtype is not dtype:
            dtype = _dtype.promote(dtype, 2, t._dtype, 2)
    for i, t in enumerate(joined):
        if t._device is not first._device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{first._device} and {t._device}! (in cat)")
        if t.ndim != first.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {first.ndim} and {t.ndim}")
        for j, (a, b) in enumerate(zip(first._data.shape, t._data.shape)):
            if j != d and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size {a} "
                                   f"but got size {b} for tensor number {i} in the list.")
    k = first._device.kernels
    buffers = [t._data if t._dtype is dtype else k.astype(t._data, dtype) for t in joined]
    data = k.contiguous(_concatenate(first._device, buffers, d, dtype))  # contiguous, as in PyTorch
    if first.ndim in (4, 5):  # or in the channels-last format all the inputs' strides suggest
        data = views.laid_out(first._device, data, dtype, _shared_format(tensors, data.shape))
    result = wrap(data, dtype, first._device)
    if out is not None:
        from .dispatch import bump, check_out
        check_out(out, "cat", data.shape, dtype, tensors, full_too=True)
        k.copy_(out._data, data)
        bump(out)
        return out
    sizes = [t._data.shape[d] if any(t is j for j in joined) else None for t in tensors]
    return attach(result, CatBackward0, tuple(tensors), dim=d, sizes=sizes)


def _shared_format(tensors: list, shape: tuple) -> tuple | None:
    """The strides of a `shape` result in the format every one of `tensors` suggests (PyTorch's
    cat_compute_output_memory_format), None for row-major."""
    formats = {_memory_format.suggest(t._data.shape, t._device.kernels.strides(t._data)) for t in tensors}
    if len(formats) != 1 or _memory_format.contiguous_format in formats:
        return None
    return _memory_format.channels_last_strides(shape, formats.pop())


def _concatenate(device, buffers, dim, dtype):
    k = device.kernels
    if k.cat is not None:
        return k.cat(list(buffers), dim)
    shape = list(buffers[0].shape)
    shape[dim] = sum(b.shape[dim] for b in buffers)
    out = k.empty(tuple(shape), dtype)
    start = 0
    for b in buffers:
        size = b.shape[dim]
        k.copy_(views.narrow_buffer(device, out, dim, start, size), b)
        start += size
    return out


class StackBackward0(Node):
    def backward(self, grad):
        return tuple(views.select(grad, self.dim, i) for i in range(self.count))


@profiled("aten::stack")
def stack(tensors, dim=0, *, out=None):
    """Join tensors of equal shape along a new dim `dim`."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"stack(): expected a sequence of Tensors, got {type(t).__name__}")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                               f"and {list(t._data.shape)} at entry {i}")
    d = _wrap_dim(dim, len(shape) + 1, "stack")
    from ..autograd import grad_mode
    previous = grad_mode.state.enabled
    grad_mode.state.enabled = False
    try:
        expanded = [views.unsqueeze(t, d) for t in tensors]
        joined = cat(expanded, d, out=out)
    finally:
        grad_mode.state.enabled = previous
    if out is not None:
        return out
    return attach(joined, StackBackward0, tuple(tensors), dim=d, count=len(tensors))
