"""Max, average and adaptive pooling over (N, C, *spatial) tensors of 2 or 3 spatial dims, through the
im2col windows of `im2col.py` (a max or a sum over each window's column) or, for adaptive windows of uneven
sizes, through one index of the flattened image. Their nodes are PyTorch's (MaxPool2DWithIndicesBackward0,
AvgPool3DBackward0, AdaptiveAvgPool2DBackward0, AdaptiveMaxPool3DBackward0...), their backward written in
differentiable ops (a scatter-add at the argmax, col2im of the shared gradient), so second derivatives
follow. The 1-d and unbatched forms run the 2-d op on an unsqueezed input and squeeze its result, as
PyTorch does.
"""
from __future__ import annotations

import functools
import itertools
import math

from .. import _dtype, _memory_format
from .._checks import queued
from .._memory_format import channels_last, channels_last_3d
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
_COUNTS = {1: "one", 2: "two", 3: "three"}
_AXES = ("T", "H", "W")  # PyTorch's names of the spatial dims in pooling messages


def _ints(value, name: str, op: str, count: int) -> tuple:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * count
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        if len(value) == 1:
            return tuple(value) * count
        if len(value) == count:
            return tuple(value)
        # PyTorch's words vary with the op and the argument
        verb = "must be" if op == "avg_pool3d" else "must be either" if name == "dilation" else "must either be"
        omitted = "omitted, " if name == "stride" else ""
        raise RuntimeError(f"{op}: {name} {verb} {omitted}a single int, or a tuple of {_COUNTS[count]} ints")
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


def _per_axis(prefix: str, values, suffix: str = "") -> str:
    """'kT: 1 kH: 2 kW: 3' (or 'kH: 2 kW: 3'): `values` named per spatial dim as PyTorch's messages name them."""
    return " ".join(f"{prefix}{axis}{suffix}: {v}" for axis, v in zip(_AXES[-len(values):], values))


def _pool_window(input: Tensor, kernel, stride, padding, dilation, ceil_mode: bool, op: str) -> tuple:
    """The `Window` of a pooling (its trailing padding grown to cover ceil mode's last windows) and the
    output size, after PyTorch's checks."""
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got {_per_axis('k', kernel)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {_per_axis('dilation', dilation)}")
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    size = input._data.shape[-len(kernel):]
    out = tuple(_output_size(n, k, p, s, d, ceil_mode) for n, k, p, s, d in zip(size, kernel, padding, stride,
                                                                                 dilation))
    if any(o < 1 for o in out):
        channels = input._data.shape[-len(kernel) - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (channels, *size)))}). Calculated output size: "
                           f"({'x'.join(map(str, (channels, *out)))}). Output size is too small")
    pads = tuple((p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p)) for n, k, p, s, d, o in
                 zip(size, kernel, padding, stride, dilation, out))
    return Window(tuple(kernel), tuple(dilation), pads, tuple(stride)), out


def _lift(op, input: Tensor, spatial: int, *args):
    """`op` (a 2-d or 3-d pooling) applied to `input`; a 1-d input runs with a unit height, squeezed back."""
    if spatial != 1:
        return op(input, *args)
    results = op(input.unsqueeze(-2), *args)
    return tuple(r.squeeze(-2) for r in results) if isinstance(results, tuple) else results.squeeze(-2)


def _layout(input: Tensor, formats: tuple):
    """The channels-last format among `formats` that `input`'s strides suggest, in which PyTorch's CPU pooling
    kernels write their results, else None (row-major)."""
    fmt = _memory_format.suggest(input._data.shape, input._device.kernels.strides(input._data))
    return fmt if fmt in formats else None


def _laid_out(t: Tensor, layout):
    """The buffer of `t` (a new result) in the channels-last format `layout`, or as it is for None."""
    if layout is None:
        return t._data
    return views.laid_out(t._device, t._data, t._dtype, _memory_format.channels_last_strides(t._data.shape, layout))


def _in_layout(grad: Tensor, layout) -> Tensor:
    """An input's gradient in the pooling's channels-last format `layout` (PyTorch's CPU backward kernels
    write it there), differentiably; as it is for None."""
    return grad if layout is None else views.contiguous(grad, memory_format=layout)


def _batched(input: Tensor, spatial: int):
    """`input`'s buffer as (N, C, *spatial): an unbatched (C, *spatial) one as a batch of one."""
    if input.ndim == spatial + 2:
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
        lead, spatial = self.shape[:-self.dims], self.shape[-self.dims:]
        n, c = (1, *lead) if len(lead) == 1 else lead
        # One flat index into the whole input: a 1-d scatter is cheaper than one indexed along more dims.
        length, plane = math.prod(grad._data.shape[-self.dims:]), math.prod(spatial)
        flat = indices.reshape(n, c, length) + _planes(grad._device, n, c, plane)
        grad_input = scatter_add_along(grad.reshape(-1), 0, flat.reshape(-1), (n * c * plane,))
        return _in_layout(grad_input.reshape(self.shape), self.layout)


class MaxPool3DWithIndicesBackward0(MaxPool2DWithIndicesBackward0):
    """The 3-d max pooling's gradient (PyTorch's name for it)."""


class AdaptiveMaxPool2DBackward0(MaxPool2DWithIndicesBackward0):
    """The 2-d adaptive max pooling's gradient (PyTorch's name for it)."""


class AdaptiveMaxPool3DBackward0(MaxPool2DWithIndicesBackward0):
    """The 3-d adaptive max pooling's gradient (PyTorch's name for it)."""


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


def _argmax_pool(input: Tensor, windows: Tensor, table: Tensor, node, out, layout):
    """Max over dim 2 of `windows` (N, C, K, L) and the flat input index of each maximum from `table`
    (K, L), both in memory format `layout` (None: row-major); the values recorded as `node` over `input`
    ((N, C, *spatial) or (C, *spatial))."""
    lead = input._data.shape[:-len(out)]
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
        indices = wrap(_laid_out(indices, layout), _dtype.int64, input._device)
    result = wrap(_laid_out(values, layout), input._dtype, input._device)
    return attach(result, node, (input,), (indices,), shape=tuple(input._data.shape), dims=len(out),
                  layout=layout), indices


def _flat_table(positions: list, size) -> Tensor:
    """(prod(k), prod(out)) flat index into an image of `size` of each window element, from each spatial
    dim's (out_d, k_d) table of positions along it."""
    spatial = len(positions)
    terms = []
    for d, along in enumerate(positions):
        shape = [1] * (2 * spatial)
        shape[d], shape[spatial + d] = along._data.shape[1], along._data.shape[0]
        terms.append(along.t().reshape(shape) * math.prod(size[d + 1:]))
    table = functools.reduce(lambda total, term: total + term, terms)
    return table.reshape(math.prod(p._data.shape[1] for p in positions), -1)


@functools.lru_cache(maxsize=64)
def _window_table(device, size: tuple, window: Window, out: tuple) -> Tensor:
    """(prod(kernel), prod(out)) flat input index of each window element, padding clamped onto the window's
    first element (PyTorch's index for a window of -inf only); cached, as a training loop pools the same
    shapes every step."""
    return _flat_table([_positions(device, [o * s - lo for o in range(count)], [i * d for i in range(k)], n)
                        for n, count, k, d, s, (lo, _) in
                        zip(size, out, window.kernel, window.dilation, window.stride, window.padding)], size)


_MAX_NODES = {2: MaxPool2DWithIndicesBackward0, 3: MaxPool3DWithIndicesBackward0}


def _max_pool_nd(input: Tensor, kernel, stride, padding, dilation, ceil_mode: bool, op: str, layout):
    window, out = _pool_window(input, kernel, stride, padding, dilation, ceil_mode, op)
    data = _batched(input, len(kernel))
    n, c, *size = data.shape
    device = input._device
    blocks = window_view(device, data, window, input._dtype, _lowest(input._dtype))
    columns = views.reshape_buffer(device, device.kernels.contiguous(blocks), (n, c, window.volume, math.prod(out)))
    windows = wrap(columns, input._dtype, device)
    table = _window_table(device, tuple(size), window, tuple(out))
    return _argmax_pool(input, windows, table, _MAX_NODES[len(kernel)], out, layout)


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, spatial, op):
    _check_input(input, op, spatial)
    kernel = _ints(kernel_size, "kernel_size", op, spatial)
    stride = kernel if stride is None or stride == [] or stride == () else _ints(stride, "stride", op, spatial)
    padding, dilation = _ints(padding, "padding", op, spatial), _ints(dilation, "dilation", op, spatial)
    if spatial == 1:
        kernel, stride, padding, dilation = (1, *kernel), (1, *stride), (0, *padding), (1, *dilation)
    name = "max_pool3d" if spatial == 3 else "max_pool2d"
    layout = _layout(input, (channels_last, channels_last_3d)) if spatial != 1 else None
    values, indices = _lift(_max_pool_nd, input, spatial, kernel, stride, padding, dilation, bool(ceil_mode), name,
                            layout)
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


@profiled("aten::max_pool3d")
def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over windows of the last three dims of (N, C, D, H, W) or (C, D, H, W); `return_indices` also
    gives each maximum's flat index in its D * H * W volume."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3, "max_pool3d")


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


@profiled("aten::max_pool3d_with_indices")
def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool3d's values and indices, always both."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, True, 3, "max_pool3d")


# ----- average pooling -----------------------------------------------------------------------------------
class AvgPool2DBackward0(Node):
    """Each output's gradient shared over its window (divided by the window's divisor), summed by col2im."""

    def backward(self, grad):
        dims = len(self.window.kernel)
        *lead, c = self.shape[:-dims]
        n, k = (lead or [1])[0], self.window.volume
        length = math.prod(grad._data.shape[-dims:])
        shared = (grad / self.divisor).reshape(n, c, 1, length).expand(n, c, k, length)
        return _in_layout(col2im(shared.reshape(n, c * k, length), self.shape[-dims:], self.window).reshape(self.shape),
                          self.layout)


class AvgPool3DBackward0(AvgPool2DBackward0):
    """The 3-d average pooling's gradient (PyTorch's name for it)."""


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


def _avg_pool_nd(input: Tensor, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override, layout):
    spatial = len(kernel)
    size = input._data.shape[-spatial:]
    if spatial == 3 and any(n < k for n, k in zip(size, kernel)):
        raise RuntimeError(f"input image ({_per_axis('', size)}) smaller than kernel size ({_per_axis('k', kernel)})")
    window, out = _pool_window(input, kernel, stride, padding, (1,) * spatial, ceil_mode, f"avg_pool{spatial}d")
    if divisor_override is not None:
        divisor: Tensor | int = divisor_override
    else:
        counts = [_counts(n, o, kk, p, s, count_include_pad) for n, o, kk, p, s in
                  zip(size, out, kernel, padding, stride)]
        divisor = tensor([math.prod(c) for c in itertools.product(*counts)], dtype=input._dtype,
                         device=input._device).reshape(out)
    device = input._device
    blocks = window_view(device, _batched(input, spatial), window, input._dtype)
    with grad_mode.no_grad():
        total = wrap(blocks, input._dtype, device).sum(tuple(range(2, 2 + spatial))).reshape(
            *input._data.shape[:-spatial], *out)
        values = total / divisor if input._dtype.is_floating_point else total.div(divisor, rounding_mode="trunc")
    result = wrap(_laid_out(values, layout), input._dtype, device)
    return attach(result, AvgPool3DBackward0 if spatial == 3 else AvgPool2DBackward0, (input,), window=window,
                  divisor=divisor, shape=tuple(input._data.shape), layout=layout)


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, spatial, op):
    _check_input(input, op, spatial)
    kernel = _ints(kernel_size, "kernel_size", op, spatial)
    stride = kernel if stride is None or stride == [] or stride == () else _ints(stride, "stride", op, spatial)
    padding = _ints(padding, "padding", op, spatial)
    if divisor_override is not None and (not isinstance(divisor_override, int) or divisor_override == 0):
        raise RuntimeError("divisor must be not zero")
    if spatial == 1:
        kernel, stride, padding = (1, *kernel), (1, *stride), (0, *padding)
    return _lift(_avg_pool_nd, input, spatial, kernel, stride, padding, bool(ceil_mode), bool(count_include_pad),
                 divisor_override, _layout(input, (channels_last,)) if spatial == 2 else None)


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


@profiled("aten::avg_pool3d")
def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over windows of the last three dims of (N, C, D, H, W) or (C, D, H, W)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3,
                     "avg_pool3d")


# ----- adaptive pooling ------------------------------------------------------------------------------------
def _adaptive_bounds(size: int, out: int) -> list:
    """PyTorch's adaptive windows: [floor(i * size / out), ceil((i + 1) * size / out)) for each output i."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


def _output_sizes(input: Tensor, output_size, op: str, spatial: int) -> tuple:
    sizes = (output_size,) * spatial if isinstance(output_size, int) or output_size is None else tuple(output_size)
    if len(sizes) != spatial:
        if "max" in op and spatial > 1:
            raise RuntimeError(f"{op}(): internal error: output_size.size() must be {spatial}")
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
        raise RuntimeError(f"{op}(): Expected {spatial + 1}D or {spatial + 2}D tensor, but {got}"
                           f"{list(input._data.shape)}")


def _along_each(x: Tensor, matrices: list) -> Tensor:
    """`x` with each of its last len(matrices) dims mapped by its matrix (out_d, n_d): Σ_j M[i, j] x[..., j, ...]."""
    spatial = len(matrices)
    for d, matrix in enumerate(matrices[:-1]):
        axis = x.ndim - spatial + d
        shape = x.shape
        rest = math.prod(shape[axis + 1:])
        x = matrix.matmul(x.reshape(*shape[:axis], shape[axis], rest)).reshape(
            *shape[:axis], matrix.shape[0], *shape[axis + 1:])
    return x.matmul(matrices[-1].t())


class AdaptiveAvgPool2DBackward0(Node):
    """The gradient of the windows' sums (one 0/1 membership matrix per dim) over counts: each matrix's
    transpose applied to grad / counts."""

    def backward(self, grad):
        return _in_layout(_along_each(grad / self.counts, [m.t() for m in self.members]), self.layout)


class AdaptiveAvgPool3DBackward0(AdaptiveAvgPool2DBackward0):
    """The 3-d adaptive average pooling's gradient (PyTorch's name for it)."""


def _membership(bounds: list, size: int, input: Tensor) -> Tensor:
    """(out, size) 0/1 matrix: which inputs each adaptive window covers."""
    return tensor([[1 if start <= j < end else 0 for j in range(size)] for start, end in bounds],
                  dtype=input._dtype, device=input._device).reshape(len(bounds), size)


def _adaptive_avg_pool_nd(input: Tensor, out: tuple, layout):
    spatial = len(out)
    size = input._data.shape[-spatial:]
    if all(o == 1 for o in out):
        mean = input.mean(tuple(range(-1, -spatial - 1, -1)), keepdim=True)
        if layout is None:
            return mean
        # PyTorch restrides the mean in place (AsStridedBackward1) to its channels-last strides
        return mean.as_strided_(mean.shape, _memory_format.channels_last_strides(mean.shape, layout))
    bounds = [_adaptive_bounds(n, o) for n, o in zip(size, out)]
    members = [_membership(b, n, input) for b, n in zip(bounds, size)]
    counts = tensor([math.prod(end - start for start, end in window) for window in itertools.product(*bounds)],
                    dtype=input._dtype, device=input._device).reshape(out)
    with grad_mode.no_grad():
        values = _along_each(input, members) / counts
    node = AdaptiveAvgPool3DBackward0 if spatial == 3 else AdaptiveAvgPool2DBackward0
    return attach(wrap(_laid_out(values, layout), input._dtype, input._device), node, (input,), members=members,
                  counts=counts, layout=layout)


def _adaptive_max_pool_nd(input: Tensor, out: tuple, layout):
    spatial = len(out)
    lead, size = input._data.shape[:-spatial], input._data.shape[-spatial:]
    if 0 in out:  # nothing to pool
        k = input._device.kernels
        return (wrap(k.full((*lead, *out), 0, input._dtype), input._dtype, input._device),
                wrap(k.full((*lead, *out), 0, _dtype.int64), _dtype.int64, input._device))
    # Each window's positions along each dim, its shorter windows repeating their last one (a repeat never
    # changes the max nor its first index).
    positions = []
    for n, o in zip(size, out):
        bounds = _adaptive_bounds(n, o)
        k = max(end - start for start, end in bounds)
        positions.append(tensor([[min(start + i, end - 1) for i in range(k)] for start, end in bounds],
                                dtype=_dtype.int64, device=input._device))
    table = _flat_table(positions, size)
    with grad_mode.no_grad():
        windows = input.reshape((lead[:-1] or [1])[0], lead[-1], math.prod(size))[:, :, table]
    node = AdaptiveMaxPool3DBackward0 if spatial == 3 else AdaptiveMaxPool2DBackward0
    return _argmax_pool(input, windows, table, node, out, layout)


def _adaptive(pool, input, output_size, op: str, spatial: int):
    _adaptive_check(input, op, spatial)
    out = _output_sizes(input, output_size, op, spatial)
    if any(o < 0 for o in out):
        raise RuntimeError(f"{op}: elements of output_size must be greater than or equal to 0 but received "
                           f"{list(out)}")
    return _lift(pool, input, spatial, (1, *out) if spatial == 1 else out,
                 _layout(input, (channels_last,)) if spatial == 2 else None)


@profiled("aten::adaptive_avg_pool1d")
def adaptive_avg_pool1d(input, output_size):
    """Mean over `output_size` near-equal windows of the last dim."""
    return _adaptive(_adaptive_avg_pool_nd, input, output_size, "adaptive_avg_pool1d", 1)


@profiled("aten::adaptive_avg_pool2d")
def adaptive_avg_pool2d(input, output_size):
    """Mean over near-equal windows of the last two dims, `output_size` (h, w) of them (None keeps a size)."""
    return _adaptive(_adaptive_avg_pool_nd, input, output_size, "adaptive_avg_pool2d", 2)


def _adaptive_max(input, output_size, return_indices, op, spatial):
    values, indices = _adaptive(_adaptive_max_pool_nd, input, output_size, op, spatial)
    return (values, indices) if return_indices else values


@profiled("aten::adaptive_avg_pool3d")
def adaptive_avg_pool3d(input, output_size):
    """Mean over near-equal windows of the last three dims, `output_size` (d, h, w) of them (None keeps a
    size)."""
    return _adaptive(_adaptive_avg_pool_nd, input, output_size, "adaptive_avg_pool3d", 3)


@profiled("aten::adaptive_max_pool1d")
def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool1d's values and indices, always both."""
    return _adaptive_max(input, output_size, True, "adaptive_max_pool1d", 1)


@profiled("aten::adaptive_max_pool1d")
def adaptive_max_pool1d_pair(input, output_size):
    """torch.adaptive_max_pool1d: the values and the indices, always both (no ``return_indices``)."""
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


@profiled("aten::adaptive_max_pool3d")
def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool3d's values and indices, always both."""
    return _adaptive_max(input, output_size, True, "adaptive_max_pool3d", 3)


@profiled("aten::adaptive_max_pool3d")
def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max over near-equal windows of the last three dims; `return_indices` also gives the flat indices."""
    return _adaptive_max(input, output_size, return_indices, "adaptive_max_pool3d", 3)
