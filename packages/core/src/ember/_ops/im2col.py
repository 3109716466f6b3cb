"""im2col and col2im: the sliding windows of a (N, C, *spatial) tensor (any number of spatial dims) as
columns, and columns added back into an image. Convolution and pooling are matmuls and reductions over these
columns (`convolution.py`, `pooling.py`), so every backend runs them with its `as_strided`, `copy_`, `full`
and `add` kernels; each op's backward is the other, so gradients of any order follow. Public for 2-d
images as `F.unfold` and `F.fold` (Im2ColBackward0, Col2ImBackward0).
"""
from __future__ import annotations

import itertools
import math
from typing import NamedTuple

from .._tensor import Tensor, wrap
from ..autograd.node import Node, attach
from . import views
from .dispatch import profiled


class Window(NamedTuple):
    """Where a window reads, one entry per spatial dim: kernel (kd, kh, kw), dilation, padding ((before,
    after), ...) and stride, all ints."""

    kernel: tuple
    dilation: tuple
    padding: tuple
    stride: tuple

    def blocks(self, size) -> tuple:
        """The count of window positions along each spatial dim of an image of `size`."""
        return tuple((n + lo + hi - d * (k - 1) - 1) // s + 1 for n, (lo, hi), d, k, s in
                     zip(size, self.padding, self.dilation, self.kernel, self.stride))

    def padded(self, size) -> tuple:
        """The size of an image of `size` with its padding."""
        return tuple(n + lo + hi for n, (lo, hi) in zip(size, self.padding))

    @property
    def volume(self) -> int:
        """The count of elements in one window."""
        return math.prod(self.kernel)


def _row_major(shape) -> tuple:
    """The C-contiguous element strides of `shape`."""
    return tuple(math.prod(shape[i + 1:]) for i in range(len(shape)))


def _interior(device, image, size, window: Window):
    """The view of the padded `image` (N, C, *padded) that holds the image of `size` itself."""
    for dim, (n, (lo, _)) in enumerate(zip(size, window.padding)):
        image = views.narrow_buffer(device, image, dim + 2, lo, n)
    return image


def _padded(device, data, window: Window, dtype, fill):
    """`data` (N, C, *spatial) surrounded by `fill` as `window.padding` says, as a C-contiguous buffer."""
    k = device.kernels
    data = k.contiguous(data)
    if not any(lo or hi for lo, hi in window.padding):
        return data
    n, c, *size = data.shape
    target = k.full((n, c, *window.padded(size)), fill, dtype)
    k.copy_(_interior(device, target, size, window), data)
    return target


def window_view(device, data, window: Window, dtype, fill=0):
    """The windows of `data` (N, C, *spatial) as a (N, C, *kernel, *blocks) view of its padded copy."""
    padded = _padded(device, data, window, dtype, fill)
    n, c, *size = padded.shape
    steps = _row_major(size)
    blocks = window.blocks(data.shape[2:])
    plane = math.prod(size)
    return views.strided(device, padded, (n, c, *window.kernel, *blocks),
                         (c * plane, plane, *(d * s for d, s in zip(window.dilation, steps)),
                          *(t * s for t, s in zip(window.stride, steps))))


def im2col_buffer(device, data, window: Window, dtype, fill=0):
    """(N, C * prod(kernel), prod(blocks)): each column one window of `data` (N, C, *spatial), PyTorch's
    unfold layout."""
    blocks = window_view(device, data, window, dtype, fill)
    n, c = blocks.shape[:2]
    return views.reshape_buffer(device, device.kernels.contiguous(blocks),
                                (n, c * window.volume, math.prod(blocks.shape[2 + len(window.kernel):])))


# Below this many windows per row, col2im adds along the (N * C) planes rather than along rows: numpy-like
# backends run an add's inner loop once per row, which dominates when rows are this short.
_SHORT_ROW = 16


def _offsets(window: Window, steps) -> list:
    """Each kernel element's offset (in elements of an image with `steps` strides), in row-major order."""
    return [sum(i * d * s for i, d, s in zip(index, window.dilation, steps))
            for index in itertools.product(*(range(k) for k in window.kernel))]


def _col2im_planes_last(device, blocks, size, window: Window, dtype):
    """col2im_buffer of `blocks` (N, C, *kernel, *blocks) through an image laid out (*spatial, N * C): the
    same additions in the same order, each over long runs of planes, then one copy back to
    (N, C, *spatial) that also drops the padding."""
    k = device.kernels
    spatial = len(size)
    n, c = blocks.shape[:2]
    counts = blocks.shape[2 + spatial:]
    planes, length, volume = n * c, math.prod(counts), window.volume
    padded = window.padded(size)
    steps = _row_major(padded)
    last = k.contiguous(views.strided(device, blocks, (volume, *counts, planes),
                                      (length, *_row_major(counts), volume * length)))
    image = k.full((*padded, planes), 0, dtype)
    region_strides = tuple(t * s * planes for t, s in zip(window.stride, steps)) + (1,)
    source_strides = tuple(s * planes for s in _row_major(counts)) + (1,)
    for position, offset in enumerate(_offsets(window, steps)):
        region = views.strided(device, image, (*counts, planes), region_strides, offset * planes)
        source = views.strided(device, last, (*counts, planes), source_strides, position * length * planes)
        k.add(region, source, out=region)
    start = sum(lo * s for (lo, _), s in zip(window.padding, steps))
    return k.contiguous(views.strided(device, image, (n, c, *size), (c, 1, *(s * planes for s in steps)),
                                      start * planes))


def col2im_buffer(device, columns, size, window: Window, dtype):
    """(N, C, *size): each column of `columns` (N, C * prod(kernel), prod(blocks)) added back where its
    window read (the adjoint of `im2col_buffer`)."""
    k = device.kernels
    counts = window.blocks(size)
    n = columns.shape[0]
    c = columns.shape[1] // window.volume
    columns = k.contiguous(columns)
    if counts[-1] < _SHORT_ROW and n * c:
        blocks = views.reshape_buffer(device, columns, (n, c, *window.kernel, *counts))
        return _col2im_planes_last(device, blocks, size, window, dtype)
    padded = window.padded(size)
    image = k.full((n, c, *padded), 0, dtype)
    steps = _row_major(padded)
    plane = math.prod(padded)
    region_strides = (c * plane, plane, *(t * s for t, s in zip(window.stride, steps)))
    flat = views.reshape_buffer(device, columns, (n, c, window.volume, *counts))
    for position, offset in enumerate(_offsets(window, steps) if n * c else []):  # an empty image has no offsets
        region = views.strided(device, image, (n, c, *counts), region_strides, offset)
        k.add(region, views.select_buffer(device, flat, 2, position), out=region)
    if not any(lo or hi for lo, hi in window.padding):
        return image
    return k.contiguous(_interior(device, image, size, window))


class Im2ColBackward0(Node):
    def backward(self, grad):
        return col2im(grad, self.size, self.window)


class Col2ImBackward0(Node):
    def backward(self, grad):
        return im2col(grad, self.window)


def _unbatched(buffer_op, device, data, batched_ndim: int, *args):
    """`buffer_op` (of a batched buffer) applied to `data`, whose batch dim may be missing (one less dim
    than `batched_ndim`): run as a batch of one, the result's batch dim dropped again. PyTorch's im2col and
    col2im take both forms as one op (one node), and so do these."""
    if data.ndim == batched_ndim:
        return buffer_op(device, data, *args)
    batched = views.reshape_buffer(device, device.kernels.contiguous(data), (1, *data.shape))
    result = buffer_op(device, batched, *args)
    return views.reshape_buffer(device, result, result.shape[1:])


def im2col(input: Tensor, window: Window) -> Tensor:
    """The windows of `input` (N, C, *spatial) or (C, *spatial) as columns (N, C * prod(kernel),
    prod(blocks)) (or without the N), zero-padded."""
    spatial = len(window.kernel)
    data = _unbatched(im2col_buffer, input._device, input._data, spatial + 2, window, input._dtype)
    return attach(wrap(data, input._dtype, input._device), Im2ColBackward0, (input,), window=window,
                  size=tuple(input._data.shape[-spatial:]))


def col2im(columns: Tensor, size, window: Window) -> Tensor:
    """`columns` (N, C * prod(kernel), prod(blocks)) or (C * prod(kernel), prod(blocks)) summed into a
    (N, C, *size) (or (C, *size)) image."""
    data = _unbatched(col2im_buffer, columns._device, columns._data, 3, tuple(size), window, columns._dtype)
    return attach(wrap(data, columns._dtype, columns._device), Col2ImBackward0, (columns,), window=window)


def _pair(value, name: str, op: str) -> tuple:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return tuple(value)
    raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, but found element of type "
                    f"{type(value).__name__}")


def _window(kernel_size, dilation, padding, stride, op: str) -> Window:
    kernel, dil, pad, step = (_pair(v, n, op) for v, n in ((kernel_size, "kernel_size"), (dilation, "dilation"),
                                                           (padding, "padding"), (stride, "stride")))
    checks = ((kernel, "kernel size", lambda v: v > 0, "greater than zero"),
              (dil, "dilation", lambda v: v > 0, "greater than zero"),
              (pad, "padding", lambda v: v >= 0, "non-negative"),
              (step, "stride", lambda v: v > 0, "greater than zero"))
    for values, name, good, says in checks:
        if not all(good(v) for v in values):
            raise RuntimeError(f"{op}(): {name} should be {says}, but got {name}_height: {values[0]} "
                               f"{name}_width: {values[1]}")
    return Window(kernel, dil, ((pad[0], pad[0]), (pad[1], pad[1])), step)


@profiled("aten::im2col")
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """`F.unfold`: the sliding blocks of a (N, C, H, W) or (C, H, W) input as columns (im2col)."""
    window = _window(kernel_size, dilation, padding, stride, "im2col")
    if input.ndim not in (3, 4) or any(n == 0 for n in input._data.shape[-3:]):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {list(input._data.shape)}")
    rows, cols = window.blocks(input._data.shape[-2:])
    if rows < 1 or cols < 1:
        h, w = input._data.shape[-2:]
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), kernel_size=({window.kernel[0]}, {window.kernel[1]}), "
            f"dilation=({window.dilation[0]}, {window.dilation[1]}), padding=({window.padding[0][0]}, "
            f"{window.padding[1][0]}), calculated shape of the array of sliding blocks as ({rows}, {cols}), "
            "but its components must be at least one.")
    return im2col(input, window)


@profiled("aten::col2im")
def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """`F.fold`: columns (N, C * kh * kw, L) or (C * kh * kw, L) summed into an image of `output_size`."""
    size = _pair(output_size, "output_size", "col2im")
    window = _window(kernel_size, dilation, padding, stride, "col2im")
    if input.ndim not in (2, 3) or any(n == 0 for n in input._data.shape[-2:]):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {list(input._data.shape)}")
    blocks = window.kernel[0] * window.kernel[1]
    channels, length = input._data.shape[-2:]
    if channels % blocks:
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={channels} and kernel_size=({window.kernel[0]}, "
                           f"{window.kernel[1]}).")
    rows, cols = window.blocks(size)
    if rows * cols != length:
        raise RuntimeError(
            f"Given output_size=({size[0]}, {size[1]}), kernel_size=({window.kernel[0]}, {window.kernel[1]}), "
            f"dilation=({window.dilation[0]}, {window.dilation[1]}), padding=({window.padding[0][0]}, "
            f"{window.padding[1][0]}), stride=({window.stride[0]}, {window.stride[1]}), expected size of input's "
            f"dimension 2 to match the calculated number of sliding blocks {rows} * {cols} = {rows * cols}, but "
            f"got input.size(2)={length}.")
    return col2im(input, size, window)
