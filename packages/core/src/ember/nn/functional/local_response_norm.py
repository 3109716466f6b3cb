"""`local_response_norm`: divide each value by a power of the mean square over its neighbouring channels,
composed of differentiable ember ops as PyTorch's is (its node: DivBackward0)."""

from __future__ import annotations

from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.nn.functional.padding import pad


@profiled("aten::local_response_norm")
def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """x / (k + alpha * mean(x² over ``size`` channels around it, zeros beyond the ends)) ** beta, for an
    input (N, C, *) of at least 3 dims."""
    ndim = input.dim()
    if ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {ndim} "
                         "dimensions)")
    if input.numel() == 0:
        return input
    channel_padding = (0, 0) * (ndim - 2) + (size // 2, (size - 1) // 2)
    squares = pad(input.mul(input), channel_padding)
    windows = squares.unfold(1, size, 1)
    # PyTorch's average pooling of integers divides as integers
    window_mean = windows.mean(-1) if input._dtype.is_floating_point else windows.sum(-1) // size
    return input / window_mean.mul(alpha).add(k).pow(beta)
