"""Sign ops, as PyTorch's: signbit (the sign bit, of -0.0 and NaN too), sgn (sign, for real tensors) and
heaviside, composed of copysign, comparisons and where."""
from __future__ import annotations

from .. import _dtype
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from . import binary, creation, pointwise, unary, zero_tensors


def signbit(input):
    """Whether each element's sign bit is set (True for -0.0 and negative NaN), as a bool tensor."""
    if input.dtype.is_floating_point:
        return binary.FUNCTIONS["copysign"](creation.ones_like(input), input) < 0
    if input.dtype in (_dtype.bool_, _dtype.uint8):
        return creation.zeros_like(input, dtype=_dtype.bool_)
    return input < 0


class SgnBackward0(Node):
    """sgn's gradient for real tensors: an efficient zero tensor (PyTorch's sgn_backward), which keeps a product
    with it zero where a zero tensor of values would give NaN (0 * inf)."""

    def backward(self, grad):
        return zero_tensors.efficient_zeros(grad._data.shape, grad._dtype, grad._device)


def sgn(input):
    """The sign of each element (-1, 0 or 1; bool unchanged): PyTorch's sign, which sgn is for real tensors,
    recorded as SgnBackward0."""
    with grad_mode.no_grad():
        result = unary.FUNCTIONS["sign"](input)
    return attach(result, SgnBackward0, (input,))


def heaviside(input, values):
    """The Heaviside step function: 0 where input < 0, 1 where input > 0 (and for NaN, 0), `values` where it
    is 0. Not differentiable, as in PyTorch."""
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    input, values = input.detach(), values.detach()
    return pointwise.where(input == 0, values, (input > 0).to(input.dtype))
