"""`cross_map_lrn2d`, the op of `nn.CrossMapLRN2d` (Lua Torch's local response normalisation across channels),
kept with PyTorch's quirks: its forward's running window never drops channel 0 once past it, and its
backward is the symmetric-window formula PyTorch writes by hand rather than the forward's derivative. Both
windows are (C, C) matrices of which squares each channel sums, applied with one einsum, and the node
(`CrossMapLRN2dBackward`) writes PyTorch's backward in ember ops."""

from __future__ import annotations

import numpy as np

import ember
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach


def _forward_window(channels: int, size: int) -> np.ndarray:
    """(C, C): which channels' squares each channel's scale sums, replaying PyTorch's running sum."""
    pre_pad = int((size - 1) / 2 + 1)
    window = np.zeros((channels, channels))
    window[0, :min(pre_pad, channels)] = 1
    for c in range(1, channels):
        window[c] = window[c - 1]
        if c < channels - pre_pad + 1:
            window[c, c + pre_pad - 1] += 1
        if c > pre_pad:
            window[c, c - pre_pad] -= 1
    return window


def _backward_window(channels: int, size: int) -> np.ndarray:
    """(C, C): which channels' ratios each channel's gradient sums in PyTorch's backward."""
    inverse_pre_pad = int(size - (size - 1) / 2)
    offsets = np.arange(channels)[None, :] - np.arange(channels)[:, None]
    return ((offsets >= -inverse_pre_pad) & (offsets <= size - 1 - inverse_pre_pad)).astype(np.float64)


def _matrix(window: np.ndarray, like: Tensor) -> Tensor:
    return ember.tensor(window, dtype=like.dtype, device=like.device)


class CrossMapLRN2dBackward(Node):
    """PyTorch's hand-written gradient: g * scale^-beta - 2 alpha beta / size * x * (the window's sum of
    g * output / scale)."""

    _names_saved = ("input", "output", "scale")
    size: int
    alpha: float
    beta: float

    def backward(self, grad: Tensor) -> Tensor:
        input, output, scale = self.saved_tensors
        ratios = grad * output / scale
        window = _matrix(_backward_window(input.shape[1], self.size), input)
        summed = ember.einsum("cd,ndhw->nchw", window, ratios)
        return grad * scale.pow(-self.beta) - input * summed * (2 * self.alpha * self.beta / self.size)


def cross_map_lrn2d(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> Tensor:
    """x / (k + alpha / size * (the window's sum of squares)) ** beta over the channels of an (N, C, H, W)
    input."""
    if input.dim() != 4:
        raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
    with grad_mode.no_grad():
        window = _matrix(_forward_window(input.shape[1], size), input)
        scale = ember.einsum("cd,ndhw->nchw", window, input * input) * (alpha / size) + k
        output = input * scale.pow(-beta)
    return attach(output, CrossMapLRN2dBackward, (input,), (input, output, scale), size=size, alpha=alpha,
                  beta=beta)
