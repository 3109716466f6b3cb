"""Reading and adding values at per-element positions along one dim (PyTorch's gather and scatter_add),
the gradients of the ops that select values by index: sort, topk, kthvalue, median, mode, cummax."""
from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor, wrap
from ..autograd.node import Node, attach
from .views import reshape_buffer

_int64 = _dtype.int64


def along_key(device, indices, dim: int) -> tuple:
    """The advanced-indexing key that reads position ``indices[i...]`` along `dim` for every element of
    `indices` (int64 buffer), and its own position along every other dim."""
    k, shape = device.kernels, indices.shape
    key = []
    for d, n in enumerate(shape):
        if d == dim:
            key.append(indices)
        else:
            positions = k.arange(0, n, 1, _int64)
            key.append(reshape_buffer(device, positions, tuple(n if i == d else 1 for i in range(len(shape)))))
    return tuple(key)


class GatherBackward0(Node):
    def backward(self, grad):
        (indices,) = self.saved_tensors
        return scatter_add_along(grad, self.dim, indices, self.shape)


class ScatterAddBackward0(Node):
    def backward(self, grad):
        (indices,) = self.saved_tensors
        return take_along(grad, self.dim, indices)


def take_along(input: Tensor, dim: int, indices: Tensor) -> Tensor:
    """``input.gather(dim, indices)``: element i... of the result is input's at position indices[i...]
    along `dim`; `indices` has input's ndim (>= 1)."""
    device = input._device
    data = device.kernels.index(input._data, along_key(device, indices._data, dim))
    return attach(wrap(data, input._dtype, device), GatherBackward0, (input,), (indices,), dim=dim,
                  shape=input.shape)


def scatter_add_along(source: Tensor, dim: int, indices: Tensor, shape: tuple) -> Tensor:
    """Zeros of `shape` with each element of `source` added at its position indices[i...] along `dim`
    (``zeros(shape).scatter_add(dim, indices, source)``); repeated positions add up."""
    device = source._device
    k = device.kernels
    data = k.full(tuple(shape), 0, source._dtype)
    k.index_put_(data, along_key(device, indices._data, dim), source._data, True)
    return attach(wrap(data, source._dtype, device), ScatterAddBackward0, (source,), (indices,), dim=dim)
