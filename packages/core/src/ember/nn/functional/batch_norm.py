"""`batch_norm`: normalise each channel (dim 1) over the batch and spatial dims, with running statistics.

The forward is ember ops under no_grad; the node, `NativeBatchNormBackward0` as PyTorch names it, computes
its gradients in differentiable ember ops (so double backward works on every backend). A float16 input is
computed in float32, with float16 or (mixed type) float32 parameters and running statistics.
"""

from __future__ import annotations

import ember
from ember import _dtype
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach, needs_input_grad
from ember.nn.functional._common import type_name
from ember.nn.functional._mixed_dtype import opmath, parameter_dtype
from ember.nn.functional._standardize import per_channel, statistics


class NativeBatchNormBackward0(Node):
    """Gradients of ``(x - mean) * invstd * weight + bias``: in training mean and invstd are the batch's
    (recomputed from x when the gradient's graph is recorded, so that they are differentiated too); in
    evaluation they are the running statistics, constants. With S = sum(grad * (x - mean)) per channel,
    weight's gradient is S * invstd, and in training x's is
    scale * (grad - sum(grad) / M) - (x - mean) * scale * invstd² * S / M, scale = weight * invstd."""

    dims: tuple[int, ...]
    training: bool
    eps: float

    def backward(self, grad: Tensor) -> tuple:
        input, weight, mean, invstd = self.saved_tensors
        compute = opmath(input._dtype)  # the gradients are computed in float32 for a float16 input
        input, grad = input.to(compute), grad.to(compute)
        weight = None if weight is None else weight.to(compute)
        if self.training and grad_mode.state.enabled:
            _, centered, _, invstd = statistics(input, self.dims, self.eps)
        else:
            centered = input - mean
        wants_input, wants_weight = needs_input_grad(self, 0), needs_input_grad(self, 1)
        grad_centered = None
        if wants_weight or (wants_input and self.training):
            grad_centered = (grad * centered).sum(self.dims, keepdim=True)
        wants_bias = needs_input_grad(self, 2)
        # One per-channel sum of the gradient serves both the bias's gradient and the input's mean term.
        grad_sum = grad.sum(self.dims, keepdim=True) if wants_bias or (wants_input and self.training) else None
        grad_input = grad_weight = grad_bias = None
        if wants_input:
            scale = invstd if weight is None else invstd * per_channel(weight, input.dim())
            if self.training:
                count = input.numel() // input.shape[1]
                grad_mean = grad_sum / count
                grad_input = (grad - grad_mean) * scale - centered * (scale * invstd * invstd * grad_centered / count)
            else:
                grad_input = grad * scale
        if wants_weight:
            grad_weight = (grad_centered * invstd).flatten()
        if wants_bias:
            assert grad_sum is not None  # summed above whenever the bias wants a gradient
            grad_bias = grad_sum.flatten()
        return grad_input, grad_weight, grad_bias


def _batch_size_check(input: Tensor) -> None:
    """PyTorch's ValueError when training on one value per channel (no variance to normalise by)."""
    shape = input.shape
    values = shape[0]
    for size in shape[2:]:
        values *= size
    if values == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {shape}")


def _check_arguments(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None,
    bias: Tensor | None,
    training: bool,
    eps: float,
) -> None:
    """batch_norm's argument checks, in PyTorch's order, with its error classes and messages."""
    if input.dim() < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    if training:
        _batch_size_check(input)
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if (running_mean is None) != (running_var is None) and training:
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    if not training:
        for name, stat in (("running_mean", running_mean), ("running_var", running_var)):
            if stat is None:
                raise RuntimeError(f"{name} must be defined in evaluation mode")
    channels = input.shape[1]
    named = (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias))
    for name, tensor in named:
        if tensor is not None and tensor.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {tensor.numel()}")


def _parameter_dtype(input: Tensor, parameters: tuple, training: bool) -> _dtype.dtype:
    """The dtype of the ``parameters`` (weight, bias, running_mean, running_var), after PyTorch's kernel's
    refusals of the input's and the parameters' dtypes (which an empty input never reaches)."""
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"batch_norm\" not implemented for '{type_name(input)}'")
    # PyTorch's training kernel reads the running statistics before the weight and bias
    read_order = (*parameters[2:], *parameters[:2]) if training else None
    return parameter_dtype(input, *parameters, read_order=read_order)


def _update_running(
    running_mean: Tensor, running_var: Tensor, mean: Tensor, biased_var: Tensor, count: int, momentum: float
) -> None:
    """running = momentum * batch statistic + (1 - momentum) * running, with the unbiased variance."""
    unbiased_var = biased_var * (count / (count - 1))
    running_mean.copy_(mean * momentum + running_mean * (1 - momentum))
    running_var.copy_(unbiased_var * momentum + running_var * (1 - momentum))


@profiled("aten::batch_norm")
def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise ``input`` (N, C, *) per channel: by the batch's statistics when ``training`` (updating
    ``running_mean``/``running_var`` in place, if given, by ``momentum``), else by the running ones; then
    scale by ``weight`` and shift by ``bias`` (each (C,), optional)."""
    _check_arguments(input, running_mean, running_var, weight, bias, training, eps)
    if input.numel() == 0:  # nothing to normalise, and no statistics to update: PyTorch returns a copy
        return input.clone()
    parameters = _parameter_dtype(input, (weight, bias, running_mean, running_var), training)
    ndim = input.dim()
    dims = (0, *range(2, ndim))
    compute = opmath(input._dtype)
    with grad_mode.no_grad():
        x = input.detach().to(compute)
        if training:
            mean, centered, variance, invstd = statistics(x, dims, eps)
            if running_mean is not None and running_var is not None:
                count = x.numel() // x.shape[1]
                _update_running(running_mean, running_var, mean.flatten(), variance.flatten(), count, momentum)
            if parameters is not compute:  # unmixed float16: PyTorch normalises by statistics rounded to float16
                mean, invstd = mean.to(parameters).to(compute), invstd.to(parameters).to(compute)
                centered = x - mean
        else:
            assert running_mean is not None and running_var is not None  # checked above
            mean = per_channel(running_mean.to(compute), ndim)
            invstd = per_channel((running_var.to(compute) + eps).rsqrt(), ndim)
            centered = x - mean
        scale = invstd if weight is None else invstd * per_channel(weight.detach().to(compute), ndim)
        output = centered * scale
        if bias is not None:
            output = output + per_channel(bias.detach().to(compute), ndim)
        output = output.to(input._dtype)
    output = ember.Tensor._make(output._data, output._dtype, output._device)
    return attach(output, NativeBatchNormBackward0, (input, weight, bias), (input, weight, mean, invstd),
                  dims=dims, training=training, eps=eps)
