"""`max_unpool1d` and `max_unpool2d`: the values of a max pooling written back at the positions its indices
name, zeros elsewhere (a partial inverse of `max_pool*d(..., return_indices=True)`). The node is PyTorch's
`MaxUnpool2DBackward0`, whose gradient gathers the output's gradient at those positions (a differentiable
gather, so double backward works); the 1-d form runs the 2-d op on a unit width, as PyTorch does.
"""

from __future__ import annotations

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

    def backward(self, grad: Tensor) -> Tensor:
        (flat,) = self.saved_tensors
        return take_along(grad.flatten(-2), flat.dim() - 1, flat).reshape(self.shape)


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


def _unpool2d(input: Tensor, indices: Tensor, size: Sequence[int]) -> Tensor:
    """aten's max_unpool2d: (N, C, H, W) or (C, H, W) values scattered into planes of `size` (oH, oW)."""
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with "
                           f"{input.dim()} dimensions.")
    if indices._dtype is not _dtype.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {type_name(indices)}")
    if indices.shape != input.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) "
                           f"but got indices tensor with shape: {list(indices.shape)}")
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"max_unpool2d\" not implemented for '{type_name(input)}'")
    height, width = size

    def fail(bad: int) -> None:
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size {height}x{width})")

    flat = indices.flatten(-2)
    check_range(flat, 0, height * width, fail)
    with grad_mode.no_grad():
        planes = ember.zeros(*input.shape[:-2], height * width, dtype=input.dtype, device=input.device)
        output = planes.scatter_(-1, flat, input.flatten(-2)).reshape(*input.shape[:-2], height, width)
    return attach(Tensor._make(output._data, output._dtype, output._device), MaxUnpool2DBackward0, (input,),
                  (flat,), shape=tuple(input.shape))


@profiled("aten::max_unpool2d")
def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """(N, C, H, W) or (C, H, W) max-pooled values put back at their `indices` in zero planes of the
    unpooled size (``output_size``, or the size the pooling's kernel, stride and padding imply)."""
    kernel = _ints(kernel_size, 2)
    steps = kernel if stride is None else _ints(stride, 2)
    size = _output_size(input, kernel, steps, _ints(padding, 2), output_size)
    return _unpool2d(input, indices, size)


@profiled("aten::max_unpool1d")
def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """(N, C, L) or (C, L) max-pooled values put back at their `indices` (the 2-d op on a unit width)."""
    kernel = _ints(kernel_size, 1)
    steps = kernel if stride is None else _ints(stride, 1)
    size = _output_size(input, kernel, steps, _ints(padding, 1), output_size)
    return _unpool2d(input.unsqueeze(-1), indices.unsqueeze(-1), [*size, 1]).squeeze(-1)
