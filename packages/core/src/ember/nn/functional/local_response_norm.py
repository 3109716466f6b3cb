"""`local_response_norm`: divide each value by a power of the mean square over its neighbouring channels,
composed of differentiable ember ops as PyTorch's is (its node: DivBackward0)."""

from __future__ import annotations

from ember._ops.dispatch import profiled
from ember._ops.pooling import avg_pool2d, avg_pool3d
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
    # PyTorch's composition: an average pool over the channels, so that autocast's lists (avg_pool3d, pow) apply
    squares = input.mul(input)
    if ndim == 3:
        squares = pad(squares.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        window_mean = avg_pool2d(squares, (size, 1), stride=1).squeeze(1)
    else:
        shape = input.shape
        squares = pad(squares.view(shape[0], 1, shape[1], shape[2], -1), (0, 0, 0, 0, size // 2, (size - 1) // 2))
        window_mean = avg_pool3d(squares, (size, 1, 1), stride=1).squeeze(1).view(shape)
    return input / window_mean.mul(alpha).add(k).pow(beta)
