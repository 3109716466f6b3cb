"""`pixel_shuffle`, `pixel_unshuffle` and `channel_shuffle` (`native_channel_shuffle` its other name):
rearrangements of channels into space, space into
channels, and channel groups, as one reshape-permute-reshape each (made contiguous, as PyTorch's kernels
write them). Each records PyTorch's node, whose gradient is the inverse rearrangement (itself recorded, so
second derivatives follow)."""

from __future__ import annotations

from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach


def _check_int(op: str, name: str, factor: int) -> None:
    if not isinstance(factor, int) or isinstance(factor, bool):
        raise TypeError(f"{op}(): argument '{name}' (position 2) must be int, not {type(factor).__name__}")


def _check_pixel_arguments(op: str, name: str, input: Tensor, factor: int) -> None:
    """pixel_(un)shuffle's refusals, in PyTorch's order: the factor's type, the input's rank, the factor."""
    _check_int(op, name, factor)
    if input.dim() < 3:
        raise RuntimeError(f"{op} expects input to have at least 3 dimensions, but got input with {input.dim()} "
                           "dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{op} expects a positive {name}, but got {factor}")


def _shuffled(input: Tensor, r: int) -> Tensor:
    """(*, C * r * r, H, W) -> (*, C, H * r, W * r): each channel's r * r values spread over an r x r block."""
    *batch, channels, height, width = input.shape
    n = len(batch)
    blocks = input.reshape(*batch, channels // (r * r), r, r, height, width)
    spread = blocks.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return spread.reshape(*batch, channels // (r * r), height * r, width * r).contiguous()


def _unshuffled(input: Tensor, r: int) -> Tensor:
    """(*, C, H * r, W * r) -> (*, C * r * r, H, W): the inverse of `_shuffled`."""
    *batch, channels, height, width = input.shape
    n = len(batch)
    blocks = input.reshape(*batch, channels, height // r, r, width // r, r)
    gathered = blocks.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return gathered.reshape(*batch, channels * r * r, height // r, width // r).contiguous()


class PixelShuffleBackward0(Node):
    """The gradient of pixel_shuffle: pixel_unshuffle of the incoming gradient."""

    upscale_factor: int

    def backward(self, grad: Tensor) -> Tensor:
        return pixel_unshuffle(grad, self.upscale_factor)


class PixelUnshuffleBackward0(Node):
    """The gradient of pixel_unshuffle: pixel_shuffle of the incoming gradient."""

    downscale_factor: int

    def backward(self, grad: Tensor) -> Tensor:
        return pixel_shuffle(grad, self.downscale_factor)


@profiled("aten::pixel_shuffle")
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C * r², H, W) -> (*, C, H * r, W * r), r the ``upscale_factor``."""
    _check_pixel_arguments("pixel_shuffle", "upscale_factor", input, upscale_factor)
    channels = input.shape[-3]
    if channels % (upscale_factor * upscale_factor):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={channels} is not divisible by "
                           f"{upscale_factor * upscale_factor}")
    with grad_mode.no_grad():
        result = _shuffled(input, upscale_factor)
    return attach(result, PixelShuffleBackward0, (input,), upscale_factor=upscale_factor)


@profiled("aten::pixel_unshuffle")
def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H * r, W * r) -> (*, C * r², H, W), r the ``downscale_factor``."""
    _check_pixel_arguments("pixel_unshuffle", "downscale_factor", input, downscale_factor)
    for name, dim in (("height", -2), ("width", -1)):
        if input.shape[dim] % downscale_factor:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({dim})={input.shape[dim]} is not divisible by {downscale_factor}")
    with grad_mode.no_grad():
        result = _unshuffled(input, downscale_factor)
    return attach(result, PixelUnshuffleBackward0, (input,), downscale_factor=downscale_factor)


class ChannelShuffleBackward0(Node):
    """The gradient of channel_shuffle into `groups` groups: channel_shuffle into C / groups groups."""

    groups: int

    def backward(self, grad: Tensor) -> Tensor:
        return channel_shuffle(grad, grad.shape[1] // self.groups)


def _channel_shuffle(op: str, input: Tensor, groups: int) -> Tensor:
    """channel_shuffle's refusals (naming `op` in a TypeError) and rearrangement."""
    _check_int(op, "groups", groups)
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes "
                           f"{list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    batch, channels, *rest = input.shape
    if channels % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {channels} channels and {groups} "
                           "groups.")
    with grad_mode.no_grad():
        grouped = input.reshape(batch, groups, channels // groups, *rest)
        result = grouped.transpose(1, 2).reshape(input.shape).contiguous()
    return attach(result, ChannelShuffleBackward0, (input,), groups=groups)


@profiled("aten::channel_shuffle")
def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Channels (dim 1) split into ``groups`` groups and interleaved: (N, g, C / g, *) read as (N, C / g, g,
    *)."""
    return _channel_shuffle("channel_shuffle", input, groups)


@profiled("aten::native_channel_shuffle")
def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """`channel_shuffle` under the name of PyTorch's kernel-level op."""
    return _channel_shuffle("native_channel_shuffle", input, groups)
