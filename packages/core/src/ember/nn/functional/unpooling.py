"""`max_unpool1d`, `max_unpool2d` and `max_unpool3d`: the values of a max pooling written back at the
positions its indices name, zeros elsewhere (a partial inverse of `max_pool*d(..., return_indices=True)`).
The nodes are PyTorch's `MaxUnpool2DBackward0` and `MaxUnpool3DBackward0`, whose gradient gathers the
output's gradient at those positions (a differentiable gather, so double backward works); the 1-d form runs
the 2-d op on a unit width, as PyTorch does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import ember
from ember import _dtype
from ember._ops.dispatch import profiled
from ember._ops.scatter import check_range, take_along
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach
from ember.nn.functional._common import type_name


class MaxUnpool2DBackward0(Node):
    """The input's gradient: the output's gradient read at each input value's index."""

    shape: tuple[int, ...]  # the input's
    dims: int  # its spatial dims

    def backward(self, grad: Tensor) -> Tensor:
        (flat,) = self.saved_tensors
        return take_along(grad.flatten(-self.dims), flat.dim() - 1, flat).reshape(self.shape)


class MaxUnpool3DBackward0(MaxUnpool2DBackward0):
    """The 3-d max unpooling's gradient (PyTorch's name for it)."""


def _ints(value, count: int) -> list[int]:
    return list(value) * (count if len(value) == 1 else 1) if isinstance(value, (tuple, list)) else [value] * count


def _output_size(input: Tensor, kernel: list, stride: list, padding: list, output_size) -> list[int]:
    """PyTorch's `_unpool_output_size`: the pooled input's spatial size, or `output_size` checked against it."""
    spatial = len(kernel)
    default = [(input.shape[d - spatial] - 1) * stride[d] + kernel[d] - 2 * padding[d] for d in range(spatial)]
    if output_size is None:
        size = default
    else:
        if len(output_size) == spatial + 2:
            output_size = output_size[2:]
        if len(output_size) != spatial:
            raise ValueError(f"output_size should be a sequence containing {spatial} or {spatial + 2} elements, but "
                             f"it has a length of '{len(output_size)}'")
        for d in range(spatial):
            low, high = default[d] - stride[d], default[d] + stride[d]
            if not low < output_size[d] < high:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {low} and {high})')
        size = list(output_size)
    for d in range(spatial):
        if size[d] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial dimensions, but got "
                             f"output_size[{d}]={size[d]}")
    return size


def _unpool(input: Tensor, indices: Tensor, size: Sequence[int]) -> Tensor:
    """aten's max_unpool2d/3d: (N, C, *spatial) or (C, *spatial) values scattered into planes of `size`
    (2 or 3 spatial dims)."""
    dims = len(size)
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(f"Input to max_unpooling{dims}d should be a {dims + 1}d or {dims + 2}d Tensor, but got a "
                           f"tensor with {input.dim()} dimensions.")
    if indices._dtype is not _dtype.int64:
        got = "" if dims == 3 else f" but got: {type_name(indices)}"
        raise RuntimeError(f"elements in indices should be type int64{got}")
    if indices.shape != input.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) "
                           f"but got indices tensor with shape: {list(indices.shape)}")
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"max_unpool{dims}d\" not implemented for '{type_name(input)}'")
    volume = math.prod(size)

    def fail(bad: int) -> None:
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, size))})")

    flat = indices.flatten(-dims)
    check_range(flat, 0, volume, fail)
    lead = input.shape[:-dims]
    with grad_mode.no_grad():
        planes = ember.zeros(*lead, volume, dtype=input.dtype, device=input.device)
        output = planes.scatter_(-1, flat, input.flatten(-dims)).reshape(*lead, *size)
    node = MaxUnpool3DBackward0 if dims == 3 else MaxUnpool2DBackward0
    return attach(Tensor._make(output._data, output._dtype, output._device), node, (input,), (flat,),
                  shape=tuple(input.shape), dims=dims)


def _unpooled_size(input: Tensor, kernel_size, stride, padding, output_size, spatial: int) -> list[int]:
    """The unpooled spatial size from the pooling's arguments (stride defaulting to the kernel size)."""
    kernel = _ints(kernel_size, spatial)
    steps = kernel if stride is None else _ints(stride, spatial)
    return _output_size(input, kernel, steps, _ints(padding, spatial), output_size)


@profiled("aten::max_unpool1d")
def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """(N, C, L) or (C, L) max-pooled values put back at their `indices` (the 2-d op on a unit width)."""
    size = _unpooled_size(input, kernel_size, stride, padding, output_size, 1)
    return _unpool(input.unsqueeze(-1), indices.unsqueeze(-1), [*size, 1]).squeeze(-1)


@profiled("aten::max_unpool2d")
def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """(N, C, H, W) or (C, H, W) max-pooled values put back at their `indices` in zero planes of the
    unpooled size (``output_size``, or the size the pooling's kernel, stride and padding imply)."""
    return _unpool(input, indices, _unpooled_size(input, kernel_size, stride, padding, output_size, 2))


@profiled("aten::max_unpool3d")
def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """(N, C, D, H, W) or (C, D, H, W) max-pooled values put back at their `indices` in zero volumes of the
    unpooled size (``output_size``, or the size the pooling's kernel, stride and padding imply)."""
    return _unpool(input, indices, _unpooled_size(input, kernel_size, stride, padding, output_size, 3))
