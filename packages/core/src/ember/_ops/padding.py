"""Padding (PyTorch's ``F.pad``): constant (negative pads crop), reflect, replicate and circular.

`pad` lists (left, right) pairs from the last dim backwards, as PyTorch's. The constant mode writes the
input into a filled buffer (`ConstantPadNdBackward0`); reflect and replicate gather each padded dim by an
index computed on the host from the sizes alone (`ReflectionPad1DBackward0`..., whose backward adds the
gradient back at those indices); circular copies the input and then its own wrapped slices into an empty
tensor, as PyTorch does, so its history is PyTorch's `CopySlices`.
"""
from __future__ import annotations

import numbers

from .. import _dtype, _memory_format
from .._tensor import Tensor, wrap
from ..autograd import grad_mode
from ..autograd.node import NO_EDGE, Node, attach, input_edges, record_edges
from . import creation, indexing, views
from .dispatch import element, profiled

_SUPPORTED = ("Supported combinations for non-constant padding:\n"
              "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
              "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
              "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _check_pad(input, pad) -> tuple:
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not {type(pad).__name__}")
    for position, p in enumerate(pad):
        if not isinstance(p, int) or isinstance(p, bool):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but found element of type "
                            f"{type(p).__name__} at pos {position}")
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.ndim}")
    return tuple(pad)


def _padded_dims(input: Tensor, pad: tuple):
    """(dim, left, right, size) of each padded dim, the last dim first."""
    return [(input.ndim - 1 - i, pad[2 * i], pad[2 * i + 1], input._data.shape[input.ndim - 1 - i])
            for i in range(len(pad) // 2)]


# ----- constant -------------------------------------------------------------------------------------
class ConstantPadNdBackward0(Node):
    def backward(self, grad):
        return constant_pad_nd(grad, [-p for p in self.pad])


@profiled("aten::constant_pad_nd")
def constant_pad_nd(input, pad, value=0):
    """`input` with `value` added around its last dims (a negative pad crops)."""
    pad = _check_pad(input, pad)
    shape = list(input._data.shape)
    k = input._device.kernels
    source = input._data
    regions = []
    for dim, left, right, size in _padded_dims(input, pad):
        shape[dim] = size + left + right
        if shape[dim] < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        regions.append((dim, max(-left, 0), max(left, 0), size - max(-left, 0) - max(-right, 0)))
    if not isinstance(value, numbers.Real):
        raise TypeError(f"pad(): argument 'value' (position 4) must be float, not {type(value).__name__}")
    dt = input._dtype
    fill = element(value, dt)
    # laid out in the format the input's strides suggest, as PyTorch's
    strides = _memory_format.suggested_strides(input._data.shape, k.strides(input._data), shape)
    target = views.allocate(input._device, tuple(shape), strides, lambda dims: k.full(dims, fill, dt))
    if all(length > 0 for *_, length in regions):
        region = target
        for dim, start, at, length in regions:
            source = views.narrow_buffer(input._device, source, dim, start, length)
            region = views.narrow_buffer(input._device, region, dim, at, length)
        k.copy_(region, source)
    return attach(wrap(target, dt, input._device), ConstantPadNdBackward0, (input,), pad=pad)


# ----- reflect and replicate: one gather per padded dim -------------------------------------------
class _GatherPadBackward(Node):
    """The gradient added back, dim by dim, at the indices the forward gathered; under create_graph recorded
    as one node, PyTorch's ``<...>PadNDBackwardBackward0`` over the gradient and the padded input."""

    double: type

    def backward(self, grad):
        with grad_mode.no_grad():
            grad_input = grad
            for shape, key in reversed(self.steps):
                grad_input = indexing._index_backward(grad_input, shape, key)
            if self.layout is not None:  # the input's channels-last strides, as PyTorch's backward kernels
                grad_input = wrap(views.laid_out(grad_input._device, grad_input._data, grad_input._dtype, self.layout),
                                  grad_input._dtype, grad_input._device)
        if not grad_mode.state.enabled:
            return grad_input
        found = input_edges((grad,))
        edge, meta = (found[0][0], found[1][0]) if found is not None else (NO_EDGE, None)
        return record_edges(grad_input, self.double, (edge, self.next_functions[0]), (meta, self._input_meta[0]),
                            attributes={"steps": self.steps, "single": type(self)})


class _GatherPadDoubleBackward(Node):
    """The padding again for the gradient; zeros for the padded input (PyTorch's ``zeros_like(self)``)."""

    def backward(self, grad):
        shape, dtype = self._input_meta[1]
        return _gathered(grad, self.steps, self.single), creation.zeros(shape, dtype=dtype, device=grad.device)


def _pad_nodes(prefix: str, n: int) -> type:
    name = f"{prefix}Pad{n}DBackward"
    double = type(name + "Backward0", (_GatherPadDoubleBackward,), {})
    return type(name + "0", (_GatherPadBackward,), {"double": double})


_NODES = {(prefix, n): _pad_nodes(prefix, n) for prefix in ("Reflection", "Replication") for n in (1, 2, 3)}


def _source_index(position: int, size: int, mode: str) -> int:
    """The input index an output position (counted from the input's first element) reads."""
    if mode == "replicate":
        return min(max(position, 0), size - 1)
    if position < 0:
        return -position
    return 2 * (size - 1) - position if position >= size else position


def _gather_pad(input: Tensor, pad: tuple, mode: str) -> Tensor:
    dims = _padded_dims(input, pad)
    count = len(dims)
    if mode == "reflect":
        for i, (dim, left, right, size) in enumerate(dims):
            if left >= size or right >= size:
                raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding "
                                   f"input dimension, but got: padding ({left}, {right}) at dimension {dim} of "
                                   f"input {list(input._data.shape)}")
    kernel = f"{'reflection' if mode == 'reflect' else 'replication'}_pad{count}d"
    if input._dtype is _dtype.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    shape, steps = list(input._data.shape), []
    for dim, left, right, size in dims:
        positions = range(-left, size + right)
        index = creation.tensor([_source_index(p, size, mode) for p in positions], dtype=_dtype.int64,
                                device=input._device)._data
        steps.append((tuple(shape), (slice(None),) * dim + (index,)))
        shape[dim] = len(positions)
    prefix = "Reflection" if mode == "reflect" else "Replication"
    return _gathered(input, steps, _NODES[prefix, count])


def _gathered(input: Tensor, steps: list, node_cls: type) -> Tensor:
    """`input` gathered at each step's key in turn (a reflection or replication pad), recorded as `node_cls`."""
    k = input._device.kernels
    data = input._data
    for _, key in steps:
        data = k.index(data, key)
    # laid out in the format the input's strides suggest, as PyTorch's (and so is the input's gradient)
    shape, strides = input._data.shape, k.strides(input._data)
    wanted = _memory_format.suggested_strides(shape, strides, data.shape)
    data = views.laid_out(input._device, data, input._dtype, wanted)
    return attach(wrap(data, input._dtype, input._device), node_cls, (input,), steps=steps,
                  layout=_memory_format.suggested_strides(shape, strides, shape))


# Each gather is its own op, PyTorch's kernel, as autocast's CPU lists name them.
_GATHER_PADS = {f"{kernel}_pad{n}d": profiled(f"aten::{kernel}_pad{n}d")(_gather_pad)
                for kernel in ("reflection", "replication") for n in (1, 2, 3)}


# ----- circular: PyTorch's composition -----------------------------------------------------------
def _circular_pad(input: Tensor, pad: tuple) -> Tensor:
    dims = _padded_dims(input, pad)
    for _, left, right, size in dims:
        if left > size or right > size:
            raise RuntimeError("Padding value causes wrapping around more than once.")
    shape = list(input._data.shape)
    for dim, left, right, size in dims:
        shape[dim] = size + left + right
    out = creation.empty(tuple(shape), dtype=input._dtype, device=input._device)
    center, source = out, input
    for dim, left, right, size in dims:
        length = size - max(-left, 0) - max(-right, 0)
        center = views.narrow(center, dim, max(left, 0), length)
        source = views.narrow(source, dim, max(-left, 0), length)
    center.copy_(source)
    for dim, left, right, _ in dims:
        extent = shape[dim]
        if left > 0:
            views.narrow(out, dim, 0, left).copy_(views.narrow(out, dim, extent - left - max(right, 0), left))
        if right > 0:
            views.narrow(out, dim, extent - right, right).copy_(views.narrow(out, dim, max(left, 0), right))
    return out


@profiled("aten::pad")
def pad(input, pad, mode="constant", value=None):
    """PyTorch's F.pad: pads (left, right) pairs from the last dim backwards."""
    pad = _check_pad(input, pad)
    if not isinstance(mode, str):
        raise TypeError(f"pad(): argument 'mode' (position 3) must be str, not {type(mode).__name__}")
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    count = len(pad) // 2
    if count not in (1, 2, 3) or input.ndim not in (count + 1, count + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
                                  + _SUPPORTED)
    checked = input._data.shape[1:] if input.ndim == count + 2 else input._data.shape
    if mode != "circular" and 0 in checked:
        raise RuntimeError(f"Expected {count + 1}D or {count + 2}D (batch mode) tensor with possibly 0 batch size and "
                           f"other non-zero dimensions for input, but got: {list(input._data.shape)}")
    if mode == "circular":
        return _circular_pad(input, pad)
    return _GATHER_PADS[f"{'reflection' if mode == 'reflect' else 'replication'}_pad{count}d"](input, pad, mode)
