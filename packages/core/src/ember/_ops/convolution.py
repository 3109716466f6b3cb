"""Convolution (1-d, 2-d and 3-d, transposed or not, grouped): im2col + one batched matmul per group, and
col2im for the transposed form. One ConvolutionBackward0 node, as PyTorch records it, whose backward is
written with the same differentiable pieces (the transposed convolution is the input's gradient of the
plain one, and the other way round), so gradients of every order follow.
"""
from __future__ import annotations

import math

from .. import _dtype, _memory_format
from .._memory_format import channels_last, channels_last_3d
from .._tensor import Tensor, wrap
from ..autograd import grad_mode, saved_tensor
from ..autograd.node import Node, attach, needs_input_grad
from . import views
from .dispatch import profiled
from .im2col import Window, col2im, im2col


# ----- the compositions, on (N, C, *spatial) tensors (2 or 3 spatial dims) ---------------------------------
def _correlate(input: Tensor, weight: Tensor, window: Window, groups: int, columns: Tensor | None = None) -> Tensor:
    """Cross-correlation of `input` (N, Ci, *spatial) with `weight` (Co, Ci / groups, *kernel) (`columns`:
    the input's im2col, when the caller has it)."""
    n, in_channels = input._data.shape[:2]
    out_channels = weight._data.shape[0]
    blocks = window.blocks(input._data.shape[2:])
    depth = in_channels // groups * window.volume
    columns = (im2col(input, window) if columns is None else columns).reshape(n, groups, depth, math.prod(blocks))
    output = weight.reshape(groups, out_channels // groups, depth).matmul(columns)
    return output.reshape(n, out_channels, *blocks)


def _transposed(input: Tensor, weight: Tensor, window: Window, groups: int, size) -> Tensor:
    """Transposed convolution of `input` (N, Ci, *spatial) with `weight` (Ci, Co / groups, *kernel) into an
    image of `size`: each input pixel spreads its weighted kernel over the output (the adjoint of
    `_correlate`)."""
    n, in_channels, *spatial = input._data.shape
    length = math.prod(spatial)
    depth = weight._data.shape[1] * window.volume
    per_group = weight.reshape(groups, in_channels // groups, depth).transpose(1, 2)
    columns = per_group.matmul(input.reshape(n, groups, in_channels // groups, length))
    return col2im(columns.reshape(n, groups * depth, length), size, window)


def _weight_grad(left: Tensor, right: Tensor, window: Window, groups: int, shape,
                 columns: Tensor | None = None) -> Tensor:
    """Σ over the batch of `left` (N, groups * a, L) times the windows of `right` (`columns`, when given), as a
    weight of `shape`: the weight's gradient of a convolution (left the output's gradient, right the input)
    and of a transposed one (left the input, right the output's gradient)."""
    n = left._data.shape[0]
    columns = im2col(right, window) if columns is None else columns
    depth, length = columns._data.shape[1:]
    columns = columns.reshape(n, groups, depth // groups, length)
    left = left.reshape(n, groups, left._data.shape[1] // groups, length)
    return left.matmul(columns.transpose(2, 3)).sum(0).reshape(shape)


class ConvolutionBackward0(Node):
    """Gradients of a (transposed) convolution w.r.t. input, weight and bias, in differentiable ops."""

    def backward(self, grad):
        input, weight, *kept = self.saved_tensors
        window, groups = self.window, self.groups
        grad = grad.contiguous()  # BLAS reads dense operands only (a sum's gradient is a broadcast view)
        if self.spatial == 1:
            grad, input, weight = grad.unsqueeze(2), input.unsqueeze(2), weight.unsqueeze(2)
        size = input._data.shape[2:]
        grad_input = grad_weight = grad_bias = None
        if needs_input_grad(self, 0):
            grad_input = _correlate(grad, weight, window, groups) if self.transposed else \
                _transposed(grad, weight, window, groups, size)
        if needs_input_grad(self, 1):
            # The forward's im2col columns serve a first derivative; a graph of it needs them differentiable.
            columns = kept[0] if kept and not grad_mode.state.enabled else None
            grad_weight = _weight_grad(input, grad, window, groups, weight._data.shape) if self.transposed else \
                _weight_grad(grad, input, window, groups, weight._data.shape, columns)
        if needs_input_grad(self, 2):
            grad_bias = grad.sum((0, *range(2, grad.ndim)))
        if self.spatial == 1:
            grad_input = None if grad_input is None else grad_input.squeeze(2)
            grad_weight = None if grad_weight is None else grad_weight.squeeze(2)
        if self.layout is not None:  # laid out as the output
            grad_input = None if grad_input is None else views.contiguous(grad_input, memory_format=self.layout)
            grad_weight = None if grad_weight is None else views.contiguous(grad_weight, memory_format=self.layout)
        return grad_input, grad_weight, grad_bias


# ----- argument checks, in PyTorch's order and words ---------------------------------------------------
def _ints(value, name: str, spatial: int) -> tuple:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * spatial
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        if len(value) == 1:
            return tuple(value) * spatial
        if len(value) == spatial:
            return tuple(value)
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {spatial} values to match "
                           f"the convolution dimensions, but got {name}={list(value)}")
    raise TypeError(f"conv{spatial}d(): argument '{name}' must be tuple of ints, not {type(value).__name__}")


def _check_tensors(input, weight, bias, spatial: int, op: str) -> None:
    for name, value in (("input", input), ("weight", weight)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{op}(): argument '{name}' (position {1 + (name == 'weight')}) must be Tensor, not "
                            f"{type(value).__name__}")
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"{op}(): argument 'bias' (position 3) must be Tensor, not {type(bias).__name__}")
    if input.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) input to {op}, but got "
                           f"input of size: {list(input._data.shape)}")
    if weight.ndim != spatial + 2:
        raise RuntimeError(f"expected stride to be a single integer value or a list of {weight.ndim - 2} values "
                           f"to match the convolution dimensions, but got stride={[1] * spatial}")
    others = [t._device for t in (weight, bias) if t is not None and t._device is not input._device]
    if others:
        raise RuntimeError("Expected all tensors to be on the same device, but found at least two devices, "
                           f"{input._device} and {others[0]}! (in {op})")
    if weight._dtype is not input._dtype:
        raise RuntimeError(f"expected scalar type {_dtype.TYPE_NAMES[input._dtype.name]} but found "
                           f"{_dtype.TYPE_NAMES[weight._dtype.name]}")
    if bias is not None and bias._dtype is not input._dtype:
        raise RuntimeError(f"Input type ({_dtype.C_NAMES[input._dtype.name]}) and bias type "
                           f"({_dtype.C_NAMES[bias._dtype.name]}) should be the same")


def _padding(padding, weight: Tensor, dilation: tuple, stride: tuple, spatial: int, transposed: bool) -> tuple:
    """((before, after), ...) per spatial dim from an int, ints, 'valid' or 'same'."""
    if isinstance(padding, str):
        if transposed:
            raise TypeError(f"conv_transpose{spatial}d(): argument 'padding' must be tuple of ints, not str")
        if padding == "valid":
            return ((0, 0),) * spatial
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for d, k in zip(dilation, weight._data.shape[2:])]
        return tuple((total // 2, total - total // 2) for total in totals)
    pads = _ints(padding, "padding", spatial)
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    return tuple((p, p) for p in pads)


def _named(name: str, values) -> str:
    """`values` per spatial dim as PyTorch's messages name them: 'name_depth: 1 name_height: 2 ...'."""
    return " ".join(f"{name}_{axis}: {v}" for axis, v in zip(("depth", "height", "width")[-len(values):], values))


def _check_shapes(input: Tensor, weight: Tensor, bias, window: Window, groups: int, transposed: bool,
                  output_padding: tuple) -> None:
    if any(s <= 0 for s in window.stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in window.dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(window.dilation)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    weight_shape, input_shape = list(weight._data.shape), list(input._data.shape)
    if weight_shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{weight_shape}] instead")
    expected = weight_shape[0] if transposed else weight_shape[1] * groups
    if input_shape[1] != expected:
        given = f"transposed=1, weight of size {weight_shape}" if transposed else \
            f"groups={groups}, weight of size {weight_shape}"
        raise RuntimeError(f"Given {given}, expected input{input_shape} to have {expected} channels, but got "
                           f"{input_shape[1]} channels instead")
    out_channels = weight_shape[1] * groups if transposed else weight_shape[0]
    if bias is not None and (bias.ndim != 1 or bias._data.shape[0] != out_channels):
        raise RuntimeError(f"Given weight of size {weight_shape}, expected bias to be 1-dimensional with "
                           f"{out_channels} elements, but got bias of size {list(bias._data.shape)} instead")
    kernel = weight_shape[2:]
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got {_named('kernel', kernel)}")
    if transposed:
        if any(p >= s and p >= d for p, s, d in zip(output_padding, window.stride, window.dilation)):
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                f"{_named('output_padding', output_padding)} {_named('stride', window.stride)} "
                f"{_named('dilation', window.dilation)}")
        return
    padded = [n + lo + hi for n, (lo, hi) in zip(input_shape[2:], window.padding)]
    effective = [d * (k - 1) + 1 for d, k in zip(window.dilation, kernel)]
    if any(e > p for e, p in zip(effective, padded)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                           f"size: ({' x '.join(map(str, effective))}). Kernel size can't be greater than actual "
                           "input size")


# ----- the op ---------------------------------------------------------------------------------------------
def _spatial_2d(t: Tensor, spatial: int) -> Tensor:
    """`t` with a unit height inserted for a 1-d convolution (a plain tensor: used under no_grad); 2-d and
    3-d ones run as they are."""
    if spatial != 1:
        return t
    shape = t._data.shape
    return wrap(t._device.kernels.contiguous(t._data), t._dtype, t._device).reshape(*shape[:2], 1, *shape[2:])


def _biased(output: Tensor, bias: Tensor | None) -> Tensor:
    if bias is not None:
        output += bias.reshape(1, -1, *(1,) * (output.ndim - 2))
    return output


def _layout(input: Tensor, weight: Tensor, spatial: int):
    """The memory format of PyTorch's CPU convolution's output and gradients: channels-last when the input's or
    the weight's strides suggest it (in 3-d for float32 only, oneDNN's), else None (row-major)."""
    if spatial == 1 or (spatial == 3 and input._dtype is not _dtype.float32):
        return None
    fmt = channels_last if spatial == 2 else channels_last_3d
    k = input._device.kernels
    if any(_memory_format.suggest(t._data.shape, k.strides(t._data)) is fmt for t in (input, weight)):
        return fmt
    return None


def _convolve(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups, spatial, op):
    _check_tensors(input, weight, bias, spatial, op)
    if input.ndim == spatial + 1:  # unbatched: PyTorch runs it as a batch of one and squeezes it
        return _convolve(input.unsqueeze(0), weight, bias, stride, padding, dilation, transposed, output_padding,
                         groups, spatial, op).squeeze(0)
    stride, dilation = _ints(stride, "stride", spatial), _ints(dilation, "dilation", spatial)
    pads = _padding(padding, weight, dilation, stride, spatial, transposed)
    output_padding = _ints(output_padding, "output_padding", spatial)
    if spatial == 1:
        stride, dilation, pads, output_padding = (1, *stride), (1, *dilation), ((0, 0), *pads), (0, *output_padding)
    window = Window(tuple(weight._data.shape[2:]) if spatial != 1 else (1, weight._data.shape[2]), dilation, pads,
                    stride)
    if not isinstance(groups, int) or isinstance(groups, bool):
        raise TypeError(f"{op}(): argument 'groups' must be int, not {type(groups).__name__}")
    _check_shapes(_spatial_2d(input, spatial), _spatial_2d(weight, spatial), bias, window, groups, transposed,
                  output_padding)
    saved = (input, weight)
    # an extra name of the open kernel vocabulary (docs/internals.md), for 2-d windows
    own = input._device.kernels.get("conv2d") if len(window.kernel) == 2 else None
    with grad_mode.no_grad():
        x, w = _spatial_2d(input, spatial), _spatial_2d(weight, spatial)
        if transposed:
            size = tuple((n - 1) * s - lo - hi + d * (k - 1) + extra + 1 for n, s, (lo, hi), d, k, extra in
                         zip(x._data.shape[2:], stride, pads, dilation, window.kernel, output_padding))
            output = _biased(_transposed(x, w, window, groups, size), bias)
        elif own is not None:  # the device's own convolution, bias included
            output = wrap(own(x._data, w._data, None if bias is None else bias._data, window.stride, window.padding,
                              window.dilation, groups), x._dtype, x._device)
        else:
            columns = im2col(x, window)
            output = _biased(_correlate(x, w, window, groups, columns), bias)
            # kept for the weight's gradient (freed by the backward); not under saved-tensor hooks, which get
            # the tensors PyTorch saves (input and weight) and own what is kept (save_on_cpu's memory)
            if weight._requires_grad and saved_tensor.default_hooks() is None:
                saved = (input, weight, columns)
    shape = output._data.shape
    data = output._data if spatial != 1 else views.reshape_buffer(output._device, output._data,
                                                                   (*shape[:2], shape[3]))
    layout = _layout(input, weight, spatial)
    if layout is not None:
        data = views.laid_out(output._device, data, output._dtype, _memory_format.channels_last_strides(shape, layout))
    result = wrap(data, output._dtype, output._device)
    return attach(result, ConvolutionBackward0, (input, weight, bias), saved, window=window,
                  groups=groups, transposed=transposed, spatial=spatial, layout=layout)


@profiled("aten::convolution")
def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """PyTorch's `torch.convolution`: the (transposed) convolution of 1-d, 2-d or 3-d batched inputs."""
    spatial = weight.ndim - 2 if isinstance(weight, Tensor) else 0
    name = f"conv_transpose{spatial}d" if transposed else f"conv{spatial}d"
    return _convolve(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups, spatial,
                     name)


@profiled("aten::conv1d")
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d cross-correlation of (N, Ci, L) or (Ci, L) with weight (Co, Ci / groups, k)."""
    return _convolve(input, weight, bias, stride, padding, dilation, False, 0, groups, 1, "conv1d")


@profiled("aten::conv2d")
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d cross-correlation of (N, Ci, H, W) or (Ci, H, W) with weight (Co, Ci / groups, kh, kw)."""
    return _convolve(input, weight, bias, stride, padding, dilation, False, 0, groups, 2, "conv2d")


@profiled("aten::conv_transpose1d")
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-d transposed convolution of (N, Ci, L) or (Ci, L) with weight (Ci, Co / groups, k)."""
    return _convolve(input, weight, bias, stride, padding, dilation, True, output_padding, groups, 1,
                     "conv_transpose1d")


@profiled("aten::conv_transpose2d")
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-d transposed convolution of (N, Ci, H, W) or (Ci, H, W) with weight (Ci, Co / groups, kh, kw)."""
    return _convolve(input, weight, bias, stride, padding, dilation, True, output_padding, groups, 2,
                     "conv_transpose2d")


@profiled("aten::conv3d")
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d cross-correlation of (N, Ci, D, H, W) or (Ci, D, H, W) with weight (Co, Ci / groups, kd, kh, kw)."""
    return _convolve(input, weight, bias, stride, padding, dilation, False, 0, groups, 3, "conv3d")


@profiled("aten::conv_transpose3d")
def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-d transposed convolution of (N, Ci, D, H, W) or (Ci, D, H, W) with weight (Ci, Co / groups, kd, kh,
    kw)."""
    return _convolve(input, weight, bias, stride, padding, dilation, True, output_padding, groups, 3,
                     "conv_transpose3d")
