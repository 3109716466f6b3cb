"""im2col and col2im: the sliding windows of a (N, C, H, W) tensor as columns, and columns added back into an
image. Convolution and pooling are matmuls and reductions over these columns (`convolution.py`, `pooling.py`),
so every backend runs them with its `as_strided`, `copy_`, `full` and `add` kernels; each op's backward is the
other, so gradients of any order follow. Public as `F.unfold` and `F.fold` (Im2ColBackward0, Col2ImBackward0).
"""
from __future__ import annotations

from typing import NamedTuple

from .._tensor import Tensor, wrap
from ..autograd.node import Node, attach
from . import views
from .dispatch import profiled


class Window(NamedTuple):
    """Where a 2-D window reads: kernel (kh, kw), dilation (dh, dw), padding ((top, bottom), (left, right)) and
    stride (sh, sw), all ints."""

    kernel: tuple
    dilation: tuple
    padding: tuple
    stride: tuple

    def blocks(self, size) -> tuple:
        """The count of window positions (rows, cols) over an image of `size` (H, W)."""
        return tuple((n + lo + hi - d * (k - 1) - 1) // s + 1 for n, (lo, hi), d, k, s in
                     zip(size, self.padding, self.dilation, self.kernel, self.stride))


def _padded(device, data, window: Window, dtype, fill):
    """`data` (N, C, H, W) surrounded by `fill` as `window.padding` says, as a C-contiguous buffer."""
    k = device.kernels
    data = k.contiguous(data)
    (top, bottom), (left, right) = window.padding
    if not (top or bottom or left or right):
        return data
    n, c, h, w = data.shape
    target = k.full((n, c, h + top + bottom, w + left + right), fill, dtype)
    region = views.narrow_buffer(device, views.narrow_buffer(device, target, 2, top, h), 3, left, w)
    k.copy_(region, data)
    return target


def window_view(device, data, window: Window, dtype, fill=0):
    """The windows of `data` (N, C, H, W) as a (N, C, kh, kw, rows, cols) view of its padded copy."""
    padded = _padded(device, data, window, dtype, fill)
    n, c, height, width = padded.shape
    rows, cols = window.blocks(data.shape[2:])
    (kh, kw), (dh, dw), (sh, sw) = window.kernel, window.dilation, window.stride
    plane = height * width
    return views.strided(device, padded, (n, c, kh, kw, rows, cols),
                         (c * plane, plane, dh * width, dw, sh * width, sw))


def im2col_buffer(device, data, window: Window, dtype, fill=0):
    """(N, C * kh * kw, rows * cols): each column one window of `data` (N, C, H, W), PyTorch's unfold layout."""
    blocks = window_view(device, data, window, dtype, fill)
    n, c, kh, kw, rows, cols = blocks.shape
    return views.reshape_buffer(device, device.kernels.contiguous(blocks), (n, c * kh * kw, rows * cols))


# Below this many windows per row, col2im adds along the (N * C) planes rather than along rows: numpy-like
# backends run an add's inner loop once per row, which dominates when rows are this short.
_SHORT_ROW = 16


def _col2im_planes_last(device, blocks, size, window: Window, dtype):
    """col2im_buffer of `blocks` (N, C, kh, kw, rows, cols) through an image laid out (H, W, N * C): the same
    additions in the same order, each over long runs of planes, then one copy back to (N, C, H, W) that
    also drops the padding."""
    k = device.kernels
    n, c, kh, kw, rows, cols = blocks.shape
    planes, length = n * c, rows * cols
    (dh, dw), (sh, sw) = window.dilation, window.stride
    (top, bottom), (left, right) = window.padding
    height, width = size[0] + top + bottom, size[1] + left + right
    last = k.contiguous(views.strided(device, blocks, (kh, kw, rows, cols, planes),
                                      (kw * length, length, cols, 1, kh * kw * length)))
    image = k.full((height, width, planes), 0, dtype)
    for i in range(kh):
        for j in range(kw):
            region = views.strided(device, image, (rows, cols, planes), (sh * width * planes, sw * planes, 1),
                                   (i * dh * width + j * dw) * planes)
            source = views.strided(device, last, (rows, cols, planes), (cols * planes, planes, 1),
                                   (i * kw + j) * length * planes)
            k.add(region, source, out=region)
    return k.contiguous(views.strided(device, image, (n, c, size[0], size[1]), (c, 1, width * planes, planes),
                                      (top * width + left) * planes))


def col2im_buffer(device, columns, size, window: Window, dtype):
    """(N, C, H, W) of `size` (H, W): each column of `columns` (N, C * kh * kw, rows * cols) added back where
    its window read (the adjoint of `im2col_buffer`)."""
    k = device.kernels
    (kh, kw), (dh, dw), (sh, sw) = window.kernel, window.dilation, window.stride
    (top, bottom), (left, right) = window.padding
    rows, cols = window.blocks(size)
    n = columns.shape[0]
    c = columns.shape[1] // (kh * kw)
    blocks = views.reshape_buffer(device, k.contiguous(columns), (n, c, kh, kw, rows, cols))
    height, width = size[0] + top + bottom, size[1] + left + right
    if cols < _SHORT_ROW and n * c:
        return _col2im_planes_last(device, blocks, size, window, dtype)
    image = k.full((n, c, height, width), 0, dtype)
    plane = height * width
    for i in range(kh if n * c else 0):  # an empty image has no offsets to view
        for j in range(kw):
            region = views.strided(device, image, (n, c, rows, cols), (c * plane, plane, sh * width, sw),
                                   i * dh * width + j * dw)
            k.add(region, views.select_buffer(device, views.select_buffer(device, blocks, 2, i), 2, j), out=region)
    if not (top or bottom or left or right):
        return image
    return k.contiguous(views.narrow_buffer(device, views.narrow_buffer(device, image, 2, top, size[0]), 3, left,
                                            size[1]))


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
    """The windows of `input` (N, C, H, W) or (C, H, W) as columns (N, C * kh * kw, rows * cols) (or without
    the N), zero-padded."""
    data = _unbatched(im2col_buffer, input._device, input._data, 4, window, input._dtype)
    return attach(wrap(data, input._dtype, input._device), Im2ColBackward0, (input,), window=window,
                  size=tuple(input._data.shape[-2:]))


def col2im(columns: Tensor, size, window: Window) -> Tensor:
    """`columns` (N, C * kh * kw, rows * cols) or (C * kh * kw, rows * cols) summed into a (N, C, H, W) (or
    (C, H, W)) image of `size` (H, W)."""
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
