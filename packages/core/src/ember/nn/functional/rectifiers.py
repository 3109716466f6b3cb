"""`prelu` and `rrelu`: leaky rectifiers whose negative slope is learned (one per channel, or one for all) or
drawn at random in training. Each records PyTorch's node (`PreluKernelBackward0`, `RreluWithNoiseBackward0`),
its gradient written in differentiable ember ops."""

from __future__ import annotations

from collections.abc import Callable

import ember
from ember._ops.dispatch import profiled
from ember._ops.inplace import make_inplace
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach, needs_input_grad
from ember.nn.functional._common import type_name
from ember.nn.functional._standardize import per_channel


class PreluKernelBackward0(Node):
    """d(where(x > 0, x, w * x)): the slope's gradient summed over everything but the channels."""

    def backward(self, grad: Tensor) -> tuple:
        input, weight = self.saved_tensors
        positive = input > 0
        slope = _slopes(weight, input.dim())
        grad_input = grad_weight = None
        if needs_input_grad(self, 0):
            grad_input = ember.where(positive, grad, grad * slope)
        if needs_input_grad(self, 1):
            per_element = ember.where(positive, 0.0, input * grad)
            if weight.numel() == 1:
                grad_weight = per_element.sum().reshape(weight.shape)
            else:
                grad_weight = per_element.sum((0, *range(2, input.dim())))
        return grad_input, grad_weight


def _slopes(weight: Tensor, ndim: int) -> Tensor:
    """The slopes shaped to broadcast over an ``ndim``-dim input: one number for all, or along dim 1."""
    return weight.reshape(()) if weight.numel() == 1 else per_channel(weight, ndim)


def _check_prelu(input: Tensor, weight: Tensor) -> None:
    """prelu's refusals, PyTorch's messages."""
    if weight.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.dim()}")
    channels = input.shape[1] if input.dim() >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{weight.numel()} and channel size = {channels}.")
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"prelu_cpu\" not implemented for '{type_name(input)}'")
    if weight._dtype is not input._dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {type_name(input)} and {type_name(weight)}")


@profiled("aten::prelu")
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, weight * x elsewhere; ``weight`` holds one slope, or one per channel (dim 1)."""
    _check_prelu(input, weight)
    with grad_mode.no_grad():
        result = ember.where(input > 0, input, input * _slopes(weight, input.dim()))
    return attach(result, PreluKernelBackward0, (input, weight), (input, weight))


class RreluWithNoiseBackward0(Node):
    """grad * noise: the slopes drawn in training (1 where x > 0), or the mean slope in eval."""

    def backward(self, grad: Tensor) -> Tensor:
        (noise,) = self.saved_tensors
        return grad * noise


class RreluWithNoiseBackward1(RreluWithNoiseBackward0):
    """The in-place rrelu's node (rrelu_): the same gradient."""


def _recorded_rrelu(node_cls: type) -> Callable[..., Tensor]:
    """rrelu recorded as a `node_cls` node."""

    def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
              generator=None) -> Tensor:
        if lower > upper:
            raise RuntimeError("Lower bound should be less than or equal to the upper bound")
        if not input._dtype.is_floating_point:
            raise NotImplementedError(f"\"rrelu_with_noise_out_cpu\" not implemented for '{type_name(input)}'")
        with grad_mode.no_grad():
            if training:
                slopes = ember.empty_like(input).uniform_(lower, upper, generator=generator)
            else:
                slopes = ember.full((), (lower + upper) / 2, dtype=input.dtype, device=input.device)
            noise = ember.where(input > 0, 1.0, slopes)
            result = input * noise
        return attach(result, node_cls, (input,), (noise,))
    return rrelu


# torch.rrelu and torch.rrelu_ (F.rrelu_ too): the slopes drawn from `generator`, no ``inplace=``.
torch_rrelu = profiled("aten::rrelu")(_recorded_rrelu(RreluWithNoiseBackward0))
torch_rrelu_ = make_inplace(profiled("aten::rrelu_")(_recorded_rrelu(RreluWithNoiseBackward1)), "rrelu_",
                            writes_out=False)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """x where x >= 0, a * x elsewhere: a drawn uniformly from [lower, upper] per element in training (from
    the device's default generator), (lower + upper) / 2 in eval."""
    return (torch_rrelu_ if inplace else torch_rrelu)(input, lower, upper, training)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
           generator=None) -> Tensor:
    """In-place rrelu."""
    return torch_rrelu_(input, lower, upper, training, generator)
