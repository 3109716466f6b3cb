"""`group_norm`: normalise each sample over groups of channels (and all spatial dims), then scale and shift
per channel. The node is `NativeGroupNormBackward0`, as PyTorch names it, with differentiable gradients. A
float16 input is computed in float32, with float16 or (mixed type) float32 weight and bias."""

from __future__ import annotations

from ember import _dtype
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach, needs_input_grad
from ember.nn.functional._common import type_name
from ember.nn.functional._mixed_dtype import opmath, parameter_dtype
from ember.nn.functional._standardize import per_channel, standardized_grad, statistics

_GROUPED_DIMS = (2,)  # the statistics of a (N, G, values per group) view are over its last dim


class NativeGroupNormBackward0(Node):
    """Gradients of ``standardize(x grouped as (N, G, -1)) * weight + bias`` (weight and bias per channel);
    the statistics are recomputed from x when the gradient's graph is recorded."""

    groups: int
    eps: float

    def backward(self, grad: Tensor) -> tuple:
        input, weight, mean, invstd = self.saved_tensors
        compute = opmath(input._dtype)  # the gradients are computed in float32 for a float16 input
        input, grad = input.to(compute), grad.to(compute)
        weight = None if weight is None else weight.to(compute)
        grouped = _grouped(input, self.groups)
        if grad_mode.state.enabled:
            _, centered, _, invstd = statistics(grouped, _GROUPED_DIMS, self.eps)
        else:
            centered = grouped - mean
        normalized = centered * invstd
        channel_dims = (0, *range(2, input.dim()))
        grad_input = grad_weight = grad_bias = None
        if needs_input_grad(self, 0):
            grad_normalized = grad if weight is None else grad * per_channel(weight, input.dim())
            grouped_grad = standardized_grad(_grouped(grad_normalized, self.groups), normalized, invstd,
                                             _GROUPED_DIMS)
            grad_input = grouped_grad.reshape(input.shape)
        if needs_input_grad(self, 1):
            grad_weight = (grad * normalized.reshape(input.shape)).sum(channel_dims)
        if needs_input_grad(self, 2):
            grad_bias = grad.sum(channel_dims)
        return grad_input, grad_weight, grad_bias


def _grouped(x: Tensor, groups: int) -> Tensor:
    """(N, C, *) viewed (or copied) as (N, groups, C // groups * prod(*))."""
    batch = x.shape[0]
    return x.reshape(batch, groups, x.numel() // (batch * groups) if batch else 0)


def _check_arguments(input: Tensor, num_groups: int, weight: Tensor | None, bias: Tensor | None) -> _dtype.dtype:
    """group_norm's checks, in PyTorch's order, with its error classes and messages; the parameters' dtype."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    shape = list(input.shape)
    values = shape[0] * shape[1] // num_groups  # PyTorch's batch-size check: samples per group statistic
    for size in shape[2:]:
        values *= size
    if values == 1:
        raise ValueError(
            "Expected more than 1 value per channel when training, got input size "
            f"{[shape[0] * shape[1] // num_groups, num_groups, *shape[2:]]}"
        )
    if shape[1] % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input of shape "
            f"{shape} and num_groups={num_groups}"
        )
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and (tensor.dim() != 1 or tensor.numel() != shape[1]):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in input, but got "
                f"{name} of shape {list(tensor.shape)} and input of shape {shape}"
            )
    parameters = parameter_dtype(input, weight, bias)
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"GroupNormKernelImpl\" not implemented for '{type_name(input)}'")
    return parameters


@profiled("aten::group_norm")
def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise ``input`` (N, C, *) by the mean and variance of each of ``num_groups`` groups of C //
    num_groups channels per sample, then scale by ``weight`` and shift by ``bias`` (each (C,), optional)."""
    parameters = _check_arguments(input, num_groups, weight, bias)
    ndim = input.dim()
    compute = opmath(input._dtype)
    with grad_mode.no_grad():
        grouped = _grouped(input.detach().to(compute), num_groups)
        mean, centered, _, invstd = statistics(grouped, _GROUPED_DIMS, eps)
        output = (centered * invstd).reshape(input.shape)
        if weight is not None:
            output = output * per_channel(weight.detach().to(compute), ndim)
        if bias is not None:
            output = output + per_channel(bias.detach().to(compute), ndim)
        output = output.to(input._dtype)
        # PyTorch's backward reads the statistics it kept in the parameters' dtype (float16 without mixing)
        mean, invstd = mean.to(parameters).to(compute), invstd.to(parameters).to(compute)
    output = Tensor._make(output._data, output._dtype, output._device)
    return attach(output, NativeGroupNormBackward0, (input, weight, bias), (input, weight, mean, invstd),
                  groups=num_groups, eps=eps)
