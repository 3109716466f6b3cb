"""Tensor.unfold: the sliding windows of one dim, as a new last dim of a view (no copy)."""
from __future__ import annotations

from .. import _dtype
from .._tensor import _wrap_dim
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from . import indexing, views
from .creation import tensor
from .dispatch import profiled


class UnfoldBackward0(Node):
    """Each window's gradient added back where the window read (windows overlap when step < size)."""

    def backward(self, grad):
        dim, size, step, shape = self.dim, self.size, self.step, self.shape
        if not shape:
            return grad.reshape(())
        windows = grad._data.shape[dim]
        positions = tensor([w * step + j for w in range(windows) for j in range(size)], dtype=_dtype.int64,
                           device=grad._device)
        with grad_mode.no_grad():
            flat = grad.movedim(-1, dim + 1).reshape(*shape[:dim], windows * size, *shape[dim + 1:])
            grad_input = indexing._index_backward(flat, shape, (slice(None),) * dim + (positions._data,))
        return attach(grad_input, UnfoldBackwardBackward0, (grad,), dim=dim, size=size, step=step)


class UnfoldBackwardBackward0(Node):
    """unfold's gradient under create_graph, as PyTorch records it: its own gradient is the windows again."""

    def backward(self, grad):
        return unfold(grad, self.dim, self.size, self.step)


@profiled("aten::unfold")
def unfold(self, dimension, size, step):
    """Windows of `size` along `dimension`, `step` apart: that dim becomes the window count and a new
    last dim of `size` holds each window (PyTorch's Tensor.unfold)."""
    for position, (name, value) in enumerate((("dimension", dimension), ("size", size), ("step", step))):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"unfold(): argument '{name}' (position {position + 1}) must be int, not "
                            f"{type(value).__name__}")
    ndim = self.ndim
    dim = _wrap_dim(dimension, ndim, "unfold")
    shape, strides = list(self._data.shape), list(self._device.kernels.strides(self._data))
    extent = shape[dim] if ndim else 1
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > extent:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {extent} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if ndim:
        stride = strides[dim]
        shape[dim], strides[dim] = (extent - size) // step + 1, stride * step
    else:
        stride = 1
    data = views.strided(self._device, self._data, shape + [size], strides + [stride])
    return views._view(self, data, UnfoldBackward0, lambda t: unfold(t, dim, size, step), dim=dim, size=size,
                       step=step, shape=tuple(self._data.shape))
