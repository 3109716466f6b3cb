"""The gradients of ops that select values of their input, written as differentiable ops so that a
``create_graph=True`` gradient records PyTorch's nodes: value_selecting_reduction_backward (zeros with the
gradient scattered back: ScatterBackward0) and evenly_distribute_backward (zeros filled under a mask:
MaskedFillBackward1)."""
from __future__ import annotations

from .._tensor import Tensor
from . import creation
from .scatter import scatter


def value_selecting_backward(grad: Tensor, dim: int, indices: Tensor, shape: tuple, keepdim: bool) -> Tensor:
    """The gradient of values taken at `indices` along `dim` of an input of `shape` (indices distinct in
    each slice): each value's gradient goes to the element it was taken from."""
    if not keepdim and shape:
        grad, indices = grad.unsqueeze(dim), indices.unsqueeze(dim)
    return scatter(creation.zeros(shape, dtype=grad.dtype, device=grad.device), dim, indices, grad)


def evenly_distribute_backward(grad: Tensor, input: Tensor, value: Tensor) -> Tensor:
    """The gradient of `value`, one of the elements of `input` (min, max, median of all of them), shared
    evenly among the elements equal to it (among the NaNs when it is NaN)."""
    mask = input != input if bool(value != value) else input == value
    zeros = creation.zeros(input.shape, dtype=grad.dtype, device=grad.device)
    return zeros.masked_fill(mask, grad / mask.sum())
