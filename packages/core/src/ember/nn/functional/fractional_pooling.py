"""`fractional_max_pool2d` and `fractional_max_pool3d` (Graham's fractional max pooling): windows of a fixed
size whose starts step by a fractional stride, jittered by one random sample per batch, channel and dim.
The starts are PyTorch's sequence (computed in the input's dtype, so the same samples pick the same
windows); every window is then read with one gather and reduced with max, so the gradient (each maximum's
gradient into its element) is autograd's through ember ops on every backend, recorded as PyTorch's one node
(`_composite`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import ember
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.nn.functional._composite import attach_composite

_DIM_NAMES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _tuple(value: Any, dims: int, op: str, name: str) -> tuple:
    """An int or a `dims`-sequence as a `dims`-tuple, refused with PyTorch's error otherwise."""
    values = (value,) * dims if isinstance(value, int) else tuple(value)
    if len(values) not in (1, dims):
        raise RuntimeError(f"{op}: {name} must either be a single Int or tuple of Ints")
    return values * dims if len(values) == 1 else values


def _starts(samples: np.ndarray, size: int, out: int, pool: int) -> np.ndarray:
    """PyTorch's window starts along one dim, (..., out) for samples (...,), in the samples' dtype."""
    if out <= 1:
        return np.full((*samples.shape, out), size - pool, dtype=np.int64)
    dtype = samples.dtype.type
    alpha = dtype(size - pool) / dtype(out - 1)
    steps = np.arange(out - 1, dtype=samples.dtype)
    starts = ((steps + samples[..., None]) * alpha).astype(np.int64) - (samples * alpha).astype(np.int64)[..., None]
    last = np.full((*samples.shape, 1), size - pool, dtype=np.int64)
    return np.concatenate([starts, last], -1)


def _window_index(starts: list[np.ndarray], kernel: Sequence[int], spatial: Sequence[int]) -> np.ndarray:
    """(N, C, *out, prod(kernel)): each window element's flat position in its channel's plane."""
    dims = len(starts)
    strides = [int(np.prod(spatial[k + 1:])) for k in range(dims)]
    index = np.zeros((), dtype=np.int64)
    for k, (start, width) in enumerate(zip(starts, kernel)):
        shape = [*start.shape[:2]] + [start.shape[2] if j == k else 1 for j in range(dims)] + [1] * dims
        offsets = np.arange(width).reshape([1] * (2 + dims) + [width if j == k else 1 for j in range(dims)])
        index = index + (start.reshape(shape) + offsets) * strides[k]
    out_shape = [s.shape[2] for s in starts]
    return np.broadcast_to(index, (*starts[0].shape[:2], *out_shape, *kernel)).reshape(
        *starts[0].shape[:2], *out_shape, -1)


def _windows(input: Tensor, index: Tensor) -> Tensor:
    """(N, C, *out, prod(kernel)): each window's elements, read with one gather."""
    batch, channels = input.shape[:2]
    return input.reshape(batch, channels, -1).gather(2, index.reshape(batch, channels, -1)).reshape(index.shape)


def _check_samples(op: str, samples: Tensor, input: Tensor, batch: int, channels: int, dims: int) -> None:
    if samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != channels:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != dims:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {dims}; got {samples.shape[2]}.")


def _fractional_max_pool(input: Tensor, kernel_size: Any, output_size: Any, output_ratio: Any,
                         return_indices: bool, samples: Tensor | None, dims: int) -> Any:
    op = f"fractional_max_pool{dims}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if len(output_ratio) > dims:
            raise ValueError(f"{op} requires output_ratio to either be a single Int or tuple of Ints.")
        ratios = _tuple(output_ratio, dims, op, "output_ratio")
        output_size = [int(input.shape[k - dims] * ratio) for k, ratio in enumerate(ratios)]
    kernel = _tuple(kernel_size, dims, op, "kernel_size")
    out = _tuple(output_size, dims, op, "output_size")
    unbatched = input.dim() == dims + 1
    if samples is None:
        samples = ember.rand(1 if unbatched else input.shape[0], input.shape[-dims - 1], dims, dtype=input.dtype,
                             device=input.device)
    batched = input.unsqueeze(0) if unbatched else input
    if batched.dim() != dims + 2:
        raise RuntimeError(f"{op}(): Expected {dims + 1}D or {dims + 2}D tensor, but got: {list(input.shape)}")
    for k in range(1, batched.dim()):
        if batched.shape[k] == 0:
            raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch dimensions, but got"
                               f"{list(input.shape)} with dimension {k - int(unbatched)} being empty.")
    batch, channels, *spatial = batched.shape
    prefix = f"{op}():" if dims == 2 else f"{op}_out():"
    for name, size, width, length in zip(_DIM_NAMES[dims], spatial, kernel, out):
        if length + width - 1 > size:
            raise RuntimeError(f"{prefix} pool {name} {width} too large relative to input {name} {size}")
    _check_samples(op, samples, input, batch, channels, dims)
    drawn = samples[:batch].detach().cpu().numpy()
    # the 2-d op reads its samples (width, height), the 3-d one (time, height, width)
    order = (1, 0) if dims == 2 else (0, 1, 2)
    starts = [_starts(drawn[..., order[k]], spatial[k], out[k], kernel[k]) for k in range(dims)]
    index = ember.tensor(np.ascontiguousarray(_window_index(starts, kernel, spatial)), device=input.device)

    def pooled(a: Tensor) -> Tensor:
        maxima = _windows(a.unsqueeze(0) if unbatched else a, index).max(-1).values
        return maxima.squeeze(0) if unbatched else maxima

    with grad_mode.no_grad():
        values, chosen = _windows(batched, index).max(-1)
    values = attach_composite(values.squeeze(0) if unbatched else values, f"FractionalMaxPool{dims}DBackward0",
                              pooled, input)
    if not return_indices:
        return values
    indices = index.gather(-1, chosen.unsqueeze(-1)).squeeze(-1)
    return values, indices.squeeze(0) if unbatched else indices


@profiled("aten::fractional_max_pool2d")
def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                          return_indices: bool = False, _random_samples: Tensor | None = None) -> Any:
    """Max over ``kernel_size`` windows of the last two dims of (N, C, H, W) or (C, H, W), placed
    pseudo-randomly to give ``output_size`` (or ``output_ratio`` times the input's) outputs; with
    ``return_indices`` also each maximum's flat index in its H * W plane."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, 2)


@profiled("aten::fractional_max_pool3d")
def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                          return_indices: bool = False, _random_samples: Tensor | None = None) -> Any:
    """`fractional_max_pool2d` over the last three dims of (N, C, T, H, W) or (C, T, H, W)."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, 3)


def fractional_max_pool2d_with_indices(*args: Any, **kwargs: Any) -> Any:
    """fractional_max_pool2d's values and indices, always both."""
    return _with_indices(fractional_max_pool2d, args, kwargs)


def fractional_max_pool3d_with_indices(*args: Any, **kwargs: Any) -> Any:
    """fractional_max_pool3d's values and indices, always both."""
    return _with_indices(fractional_max_pool3d, args, kwargs)


def _with_indices(pool: Any, args: tuple, kwargs: dict) -> Any:
    names = ("input", "kernel_size", "output_size", "output_ratio", "return_indices", "_random_samples")
    bound = dict(zip(names, args)) | kwargs
    bound["return_indices"] = True
    return pool(**bound)

