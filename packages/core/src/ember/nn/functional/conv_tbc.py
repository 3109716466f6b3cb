"""`conv_tbc`: the 1-d convolution of time-major sequences (time, batch, channels) with a (kernel width,
in channels, out channels) filter, as PyTorch's fairseq-era op; one conv1d on the (batch, channels, time)
view, so its gradients are conv1d's (recorded as PyTorch's one node, ConvTbcBackward0)."""

from __future__ import annotations

from functools import partial

from ember._ops.convolution import conv1d
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.nn.functional._composite import composite


@profiled("aten::conv_tbc")
def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:
    """(T, B, Ci) convolved with ``weight`` (K, Ci, Co) plus ``bias`` (Co,), ``pad`` zero steps at both ends:
    (T + 2 pad - K + 1, B, Co)."""
    if not isinstance(bias, Tensor):
        raise TypeError(f"conv_tbc(): argument 'bias' (position 3) must be Tensor, not {type(bias).__name__}")
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, out_channels.")
    if bias.dim() != 1 or bias.shape[0] != weight.shape[2]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    steps = input.shape[0] + 2 * pad - weight.shape[0] + 1
    if steps < 0:
        shape = [steps, input.shape[1], weight.shape[2]]
        raise RuntimeError(f"Trying to create tensor with negative dimension {steps}: {shape}")
    return composite("ConvTbcBackward0", partial(_convolved, pad=pad), input, weight, bias)


def _convolved(input: Tensor, weight: Tensor, bias: Tensor, pad: int) -> Tensor:
    output = conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad)
    return output.permute(2, 0, 1)
