"""Max, average and adaptive pooling over (N, C, H, W) tensors, through the im2col windows of `im2col.py`
(a max or a sum over each window's column) or, for adaptive windows of uneven sizes, through one index
of the flattened image. Their nodes are PyTorch's (MaxPool2DWithIndicesBackward0, AvgPool2DBackward0,
AdaptiveAvgPool2DBackward0, AdaptiveMaxPool2DBackward0), their backward written in differentiable ops
(a scatter-add at the argmax, col2im of the shared gradient), so second derivatives follow. The 1-d and
unbatched forms run the 2-d op on an unsqueezed input and squeeze its result, as PyTorch does.
"""
from __future__ import annotations

import functools
import math

from .. import _dtype
from .._checks import queued
from .._tensor import Tensor, wrap
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from . import views
from .creation import arange, tensor
from .dispatch import profiled
from .im2col import Window, col2im, window_view
from .pointwise import where
from .scatter import scatter_add_along, take_along


# ----- arguments ---------------------------------------------------------------------------------------
def _ints(value, name: str, op: str, count: int) -> tuple:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * count
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        if len(value) == 1:
            return tuple(value) * count
        if len(value) == count:
            return tuple(value)
        raise RuntimeError(f"{op}: {name} must either be a single int, or a tuple of {count} ints")
    raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not {type(value).__name__}")


def _check_input(input, op: str, spatial: int) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    shape = input._data.shape
    if len(shape) not in (spatial + 1, spatial + 2) or any(n == 0 for n in shape[-spatial - 1:]):
        raise RuntimeError(f"non-empty {spatial + 1}D or {spatial + 2}D (batch mode) tensor expected for input")


def _output_size(size: int, kernel: int, pad: int, stride: int, dilation: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output size; in ceil mode the last window must start inside the input or its left
    padding."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = span // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _pool_window(input: Tensor, kernel, stride, padding, dilation, ceil_mode: bool, op: str) -> tuple:
    """The `Window` of a pooling (its bottom/right padding grown to cover ceil mode's last windows) and the
    output size, after PyTorch's checks."""
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kernel[0]} kW: {kernel[1]}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {dilation[0]} dilationW: "
                           f"{dilation[1]}")
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    size = input._data.shape[-2:]
    out = tuple(_output_size(n, k, p, s, d, ceil_mode) for n, k, p, s, d in zip(size, kernel, padding, stride,
                                                                                 dilation))
    if any(o < 1 for o in out):
        channels = input._data.shape[-3]
        raise RuntimeError(f"Given input size: ({channels}x{size[0]}x{size[1]}). Calculated output size: "
                           f"({channels}x{out[0]}x{out[1]}). Output size is too small")
    pads = tuple((p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p)) for n, k, p, s, d, o in
                 zip(size, kernel, padding, stride, dilation, out))
    return Window(tuple(kernel), tuple(dilation), pads, tuple(stride)), out


def _lift(op, input: Tensor, spatial: int, *args):
    """`op` (a 2-d pooling) applied to a 1-d input with a unit height, squeezed back."""
    if spatial == 2:
        return op(input, *args)
    results = op(input.unsqueeze(-2), *args)
    return tuple(r.squeeze(-2) for r in results) if isinstance(results, tuple) else results.squeeze(-2)


def _batched(input: Tensor):
    """`input`'s buffer as (N, C, H, W): an unbatched (C, H, W) one as a batch of one."""
    if input.ndim == 4:
        return input._data
    device = input._device
    return views.reshape_buffer(device, device.kernels.contiguous(input._data), (1, *input._data.shape))


# ----- max pooling ---------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def _lengthwise(device, length: int) -> Tensor:
    """0, 1, ..., length - 1 (int64), cached."""
    return arange(length, dtype=_dtype.int64, device=device)


@functools.lru_cache(maxsize=64)
def _planes(device, n: int, c: int, size: int) -> Tensor:
    """(n, c, 1) offsets 0, size, 2 * size, ... of n * c planes of `size` elements (int64), cached."""
    return arange(0, n * c * size, size, dtype=_dtype.int64, device=device).reshape(n, c, 1)


class MaxPool2DWithIndicesBackward0(Node):
    """The output's gradient added at each window's argmax (a scatter-add, whose own gradient gathers)."""

    def backward(self, grad):
        (indices,) = self.saved_tensors
        *lead, height, width = self.shape
        n, c = (1, *lead) if len(lead) == 1 else lead
        # One flat index into the whole input: a 1-d scatter is cheaper than one indexed along three dims.
        length = grad._data.shape[-2] * grad._data.shape[-1]
        flat = indices.reshape(n, c, length) + _planes(grad._device, n, c, height * width)
        return scatter_add_along(grad.reshape(-1), 0, flat.reshape(-1), (n * c * height * width,)).reshape(
            self.shape)


class AdaptiveMaxPool2DBackward0(MaxPool2DWithIndicesBackward0):
    pass


def _lowest(dt):
    if dt.is_floating_point:
        return -math.inf
    return -(1 << (8 * dt.itemsize - 1)) if dt.is_signed else 0


def _positions(device, starts: list, steps: list, size: int):
    """(len(starts), len(steps)) int64 table of start + step, clamped into [0, size)."""
    return tensor([[min(max(start + step, 0), size - 1) for step in steps] for start in starts],
                  dtype=_dtype.int64, device=device)


def _last_nan_or(first: Tensor, windows: Tensor) -> Tensor:
    """`first` (positions along dim 2 of `windows`) where a window holds no NaN, else its last NaN's
    position: PyTorch's pooling loop lets each later NaN replace the maximum found so far."""
    steps = _lengthwise(windows._device, windows._data.shape[2] + 1)[1:].reshape(-1, 1)
    last_nan = ((windows != windows) * steps).amax(2)  # one past the last NaN's position, 0 without one
    return where(last_nan > 0, last_nan - 1, first)


def _argmax_pool(input: Tensor, windows: Tensor, table: Tensor, node, out, **attributes):
    """Max over dim 2 of `windows` (N, C, K, L) and the flat input index of each maximum from `table`
    (K, L); the values recorded as `node` over `input` ((N, C, H, W) or (C, H, W))."""
    lead = input._data.shape[:-2]
    n, c, k, length = windows._data.shape
    planes, lengthwise = _planes(input._device, n, c, k * length), _lengthwise(input._device, length)
    with grad_mode.no_grad():
        first = windows.argmax(2)  # a window's first maximum, its first NaN when it holds one
        position = first * length + lengthwise  # into one (K, L) plane
        values = take_along(windows.reshape(-1), 0, (position + planes).reshape(-1)).reshape(*lead, *out)
        # the last NaN's index instead (the same value); on the CPU only when the output shows a NaN
        if input._dtype.is_floating_point and (queued(input._device) or bool((values != values).any())):
            position = _last_nan_or(first, windows) * length + lengthwise
        indices = take_along(table.reshape(-1), 0, position.reshape(-1)).reshape(*lead, *out)
    result = wrap(values._data, input._dtype, input._device)
    return attach(result, node, (input,), (indices,), shape=tuple(input._data.shape), **attributes), indices


@functools.lru_cache(maxsize=64)
def _window_table(device, height: int, width: int, window: Window, out: tuple) -> Tensor:
    """(kh * kw, rows * cols) flat input index of each window element, padding clamped onto the window's
    first element (PyTorch's index for a window of -inf only); cached, as a training loop pools the same
    shapes every step."""
    (top, _), (left, _) = window.padding
    rows = _positions(device, [o * window.stride[0] - top for o in range(out[0])],
                      [i * window.dilation[0] for i in range(window.kernel[0])], height)
    cols = _positions(device, [o * window.stride[1] - left for o in range(out[1])],
                      [j * window.dilation[1] for j in range(window.kernel[1])], width)
    table = rows.t().reshape(-1, 1, out[0], 1) * width + cols.t().reshape(1, -1, 1, out[1])
    return table.reshape(window.kernel[0] * window.kernel[1], -1)


def _max_pool2d(input: Tensor, kernel, stride, padding, dilation, ceil_mode: bool):
    window, out = _pool_window(input, kernel, stride, padding, dilation, ceil_mode, "max_pool2d")
    data = _batched(input)
    n, c, height, width = data.shape
    k = window.kernel[0] * window.kernel[1]
    device = input._device
    blocks = window_view(device, data, window, input._dtype, _lowest(input._dtype))
    columns = views.reshape_buffer(device, device.kernels.contiguous(blocks), (n, c, k, out[0] * out[1]))
    windows = wrap(columns, input._dtype, device)
    table = _window_table(device, height, width, window, tuple(out))
    return _argmax_pool(input, windows, table, MaxPool2DWithIndicesBackward0, out)


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, spatial, op):
    _check_input(input, op, spatial)
    kernel = _ints(kernel_size, "kernel_size", op, spatial)
    stride = kernel if stride is None or stride == [] or stride == () else _ints(stride, "stride", op, spatial)
    padding, dilation = _ints(padding, "padding", op, spatial), _ints(dilation, "dilation", op, spatial)
    if spatial == 1:
        kernel, stride, padding, dilation = (1, *kernel), (1, *stride), (0, *padding), (1, *dilation)
    values, indices = _lift(_max_pool2d, input, spatial, kernel, stride, padding, dilation, bool(ceil_mode))
    return (values, indices) if return_indices else values


@profiled("aten::max_pool1d")
def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over windows of the last dim of (N, C, L) or (C, L)."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1, "max_pool1d")


@profiled("aten::max_pool2d")
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over windows of the last two dims of (N, C, H, W) or (C, H, W); `return_indices` also gives each
    maximum's flat index in its H * W plane."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2, "max_pool2d")


@profiled("aten::max_pool1d_with_indices")
def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool1d's values and indices, always both."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, True, 1, "max_pool1d")


@profiled("aten::max_pool2d_with_indices")
def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool2d's values and indices, always both."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, True, 2, "max_pool2d")


# ----- average pooling -----------------------------------------------------------------------------------
class AvgPool2DBackward0(Node):
    """Each output's gradient shared over its window (divided by the window's divisor), summed by col2im."""

    def backward(self, grad):
        *lead, c, height, width = self.shape
        n, k = (lead or [1])[0], self.window.kernel[0] * self.window.kernel[1]
        length = grad._data.shape[-2] * grad._data.shape[-1]
        shared = (grad / self.divisor).reshape(n, c, 1, length).expand(n, c, k, length)
        return col2im(shared.reshape(n, c * k, length), (height, width), self.window).reshape(self.shape)


def _counts(size: int, out: int, kernel: int, pad: int, stride: int, include_pad: bool) -> list:
    """Per output position along one dim, how many of its window's elements the average divides by."""
    counts = []
    for o in range(out):
        start = o * stride - pad
        end = min(start + kernel, size + pad)
        if not include_pad:
            start, end = max(start, 0), min(end, size)
        counts.append(end - start)
    return counts


def _avg_pool2d(input: Tensor, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    window, out = _pool_window(input, kernel, stride, padding, (1, 1), ceil_mode, "avg_pool2d")
    if divisor_override is not None:
        divisor: Tensor | int = divisor_override
    else:
        rows, cols = (_counts(size, o, kk, p, s, count_include_pad) for size, o, kk, p, s in
                      zip(input._data.shape[-2:], out, kernel, padding, stride))
        divisor = tensor([[r * q for q in cols] for r in rows], dtype=input._dtype, device=input._device)
    device = input._device
    blocks = window_view(device, _batched(input), window, input._dtype)
    with grad_mode.no_grad():
        total = wrap(blocks, input._dtype, device).sum((2, 3)).reshape(*input._data.shape[:-2], *out)
        values = total / divisor if input._dtype.is_floating_point else total.div(divisor, rounding_mode="trunc")
    result = wrap(values._data, input._dtype, device)
    return attach(result, AvgPool2DBackward0, (input,), window=window, divisor=divisor,
                  shape=tuple(input._data.shape))


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, spatial, op):
    _check_input(input, op, spatial)
    kernel = _ints(kernel_size, "kernel_size", op, spatial)
    stride = kernel if stride is None or stride == [] or stride == () else _ints(stride, "stride", op, spatial)
    padding = _ints(padding, "padding", op, spatial)
    if divisor_override is not None and (not isinstance(divisor_override, int) or divisor_override == 0):
        raise RuntimeError("divisor must be not zero")
    if spatial == 1:
        kernel, stride, padding = (1, *kernel), (1, *stride), (0, *padding)
    return _lift(_avg_pool2d, input, spatial, kernel, stride, padding, bool(ceil_mode), bool(count_include_pad),
                 divisor_override)


@profiled("aten::avg_pool1d")
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over windows of the last dim of (N, C, L) or (C, L)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d")


@profiled("aten::avg_pool2d")
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over windows of the last two dims of (N, C, H, W) or (C, H, W)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                     "avg_pool2d")


# ----- adaptive pooling ------------------------------------------------------------------------------------
def _adaptive_bounds(size: int, out: int) -> list:
    """PyTorch's adaptive windows: [floor(i * size / out), ceil((i + 1) * size / out)) for each output i."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


def _output_sizes(input: Tensor, output_size, op: str, spatial: int) -> tuple:
    sizes = (output_size,) * spatial if isinstance(output_size, int) or output_size is None else tuple(output_size)
    if len(sizes) != spatial:
        raise RuntimeError(f"{op}: output_size must be {spatial}")
    return tuple(input._data.shape[-spatial + i] if s is None else s for i, s in enumerate(sizes))


def _adaptive_check(input, op: str, spatial: int) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.ndim not in (spatial + 1, spatial + 2):
        if spatial == 1:
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument "
                               f"#1 'self' (while checking arguments for {op})")
        got = "got: " if "max" in op else "got "
        raise RuntimeError(f"{op}(): Expected 3D or 4D tensor, but {got}{list(input._data.shape)}")


class AdaptiveAvgPool2DBackward0(Node):
    """The gradient of rows-sum @ x @ cols-sumᵀ / counts: rowsᵀ @ (grad / counts) @ cols."""

    def backward(self, grad):
        rows, cols, counts = self.rows, self.cols, self.counts
        return rows.t().matmul(grad / counts).matmul(cols)


def _membership(bounds: list, size: int, input: Tensor) -> Tensor:
    """(out, size) 0/1 matrix: which inputs each adaptive window covers."""
    return tensor([[1 if start <= j < end else 0 for j in range(size)] for start, end in bounds],
                  dtype=input._dtype, device=input._device)


def _adaptive_avg_pool2d(input: Tensor, out: tuple):
    height, width = input._data.shape[-2:]
    if out == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    row_bounds, col_bounds = _adaptive_bounds(height, out[0]), _adaptive_bounds(width, out[1])
    rows, cols = _membership(row_bounds, height, input), _membership(col_bounds, width, input)
    counts = tensor([[(re - rs) * (ce - cs) for cs, ce in col_bounds] for rs, re in row_bounds],
                    dtype=input._dtype, device=input._device)
    with grad_mode.no_grad():
        values = rows.matmul(input).matmul(cols.t()) / counts
    return attach(wrap(values._data, input._dtype, input._device), AdaptiveAvgPool2DBackward0, (input,),
                  rows=rows, cols=cols, counts=counts)


def _adaptive_max_pool2d(input: Tensor, out: tuple):
    *lead, height, width = input._data.shape
    if 0 in out:  # nothing to pool
        k = input._device.kernels
        return (wrap(k.full((*lead, *out), 0, input._dtype), input._dtype, input._device),
                wrap(k.full((*lead, *out), 0, _dtype.int64), _dtype.int64, input._device))
    row_bounds, col_bounds = _adaptive_bounds(height, out[0]), _adaptive_bounds(width, out[1])
    kh = max(end - start for start, end in row_bounds)
    kw = max(end - start for start, end in col_bounds)
    # Each window's positions, its shorter windows repeating their last one (a repeat never changes the max
    # nor its first index).
    rows = tensor([[min(start + i, end - 1) for i in range(kh)] for start, end in row_bounds], dtype=_dtype.int64,
                  device=input._device)
    cols = tensor([[min(start + j, end - 1) for j in range(kw)] for start, end in col_bounds], dtype=_dtype.int64,
                  device=input._device)
    table = (rows.t().reshape(kh, 1, out[0], 1) * width + cols.t().reshape(1, kw, 1, out[1])).reshape(kh * kw, -1)
    with grad_mode.no_grad():
        windows = input.reshape((lead[:-1] or [1])[0], lead[-1], height * width)[:, :, table]
    return _argmax_pool(input, windows, table, AdaptiveMaxPool2DBackward0, out)


def _adaptive(op2d, input, output_size, op: str, spatial: int):
    _adaptive_check(input, op, spatial)
    out = _output_sizes(input, output_size, op, spatial)
    if any(o < 0 for o in out):
        raise RuntimeError(f"{op}: elements of output_size must be greater than or equal to 0 but received "
                           f"{list(out)}")
    return _lift(op2d, input, spatial, (1, *out) if spatial == 1 else out)


@profiled("aten::adaptive_avg_pool1d")
def adaptive_avg_pool1d(input, output_size):
    """Mean over `output_size` near-equal windows of the last dim."""
    return _adaptive(_adaptive_avg_pool2d, input, output_size, "adaptive_avg_pool1d", 1)


@profiled("aten::adaptive_avg_pool2d")
def adaptive_avg_pool2d(input, output_size):
    """Mean over near-equal windows of the last two dims, `output_size` (h, w) of them (None keeps a size)."""
    return _adaptive(_adaptive_avg_pool2d, input, output_size, "adaptive_avg_pool2d", 2)


def _adaptive_max(input, output_size, return_indices, op, spatial):
    values, indices = _adaptive(_adaptive_max_pool2d, input, output_size, op, spatial)
    return (values, indices) if return_indices else values


@profiled("aten::adaptive_max_pool1d")
def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool1d's values and indices, always both."""
    return _adaptive_max(input, output_size, True, "adaptive_max_pool1d", 1)


@profiled("aten::adaptive_max_pool2d")
def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool2d's values and indices, always both."""
    return _adaptive_max(input, output_size, True, "adaptive_max_pool2d", 2)


@profiled("aten::adaptive_max_pool1d")
def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max over `output_size` near-equal windows of the last dim."""
    return _adaptive_max(input, output_size, return_indices, "adaptive_max_pool1d", 1)


@profiled("aten::adaptive_max_pool2d")
def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over near-equal windows of the last two dims; `return_indices` also gives the flat indices."""
    return _adaptive_max(input, output_size, return_indices, "adaptive_max_pool2d", 2)
