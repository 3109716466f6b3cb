"""Changing dtype or device: to(), the dtype shortcuts (float(), long(), ...), cpu(), cuda()."""
from __future__ import annotations

import numpy as np

from .. import _dtype, _memory_format
from .._device import device as _device_cls
from .._device import resolve
from .._memory_format import preserve_format
from .._tensor import Tensor
from ..autograd.node import Node, attach
from .dispatch import profiled
from .views import copied, laid_out, like_strides


class ToCopyBackward0(Node):
    def backward(self, grad):
        return _convert(grad, self.device, self.dtype)


def parse_to(args, kwargs):
    """(device or None, dtype or None, non_blocking, copy, memory format) from the forms of ``to`` that
    Tensor.to and Module.to share: ``to(device, dtype, non_blocking, copy)``, ``to(dtype, ...)``,
    ``to(tensor, ...)``; a bare int is an accelerator index, as in PyTorch."""
    device, dtype = kwargs.pop("device", None), _dtype.parse(kwargs.pop("dtype", None), "to")
    non_blocking, copy = kwargs.pop("non_blocking", False), kwargs.pop("copy", False)
    layout = _memory_format.parse(kwargs.pop("memory_format", None), "to", preserve_format)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    flags = []
    for arg in args:
        if _dtype.names_dtype(arg):
            dtype = _dtype.parse(arg, "to")
        elif isinstance(arg, (str, _device_cls)):
            device = arg
        elif isinstance(arg, Tensor):
            device, dtype = arg._device, arg._dtype
        elif isinstance(arg, bool):
            flags.append(arg)
        elif isinstance(arg, int):
            device = _device_cls(arg)
        elif arg is not None:
            raise TypeError("to() received an invalid combination of arguments: expected a device, a dtype or "
                            f"a Tensor, but got {type(arg).__name__}")
    if isinstance(device, int) and not isinstance(device, bool):
        device = _device_cls(device)
    if flags:
        non_blocking = flags[0]
        copy = flags[1] if len(flags) > 1 else copy
    return device, dtype, non_blocking, copy, layout


@profiled("aten::to")
def to(input, *args, **kwargs):
    """`input` on another device, with another dtype and/or in another memory format; `input` itself when
    nothing changes (as PyTorch's, a format its strides already suggest counts as no change). The copy keeps
    `input`'s layout by default (preserve_format)."""
    device, dtype, _, copy, layout = parse_to(args, dict(kwargs))
    target_device = input._device if device is None else resolve(device)
    target_dtype = input._dtype if dtype is None else dtype
    if target_device is input._device and target_dtype is input._dtype and not copy and (
            layout is preserve_format or layout is _suggested(input)):
        return input
    return _convert(input, target_device, target_dtype, layout)


def _suggested(input: Tensor):
    return _memory_format.suggest(input._data.shape, input._device.kernels.strides(input._data))


def _convert(input: Tensor, target_device, target_dtype, layout=preserve_format) -> Tensor:
    if target_dtype.name not in target_device.device_type.dtypes:
        raise RuntimeError(f"to(): device '{target_device}' does not support dtype {target_dtype!r}")
    strides = like_strides(input, layout, "to")
    k = input._device.kernels
    data = input._data
    if target_device is not input._device:
        data = _move(input, target_device, target_dtype)
    elif target_dtype is input._dtype:  # a copy (copy=True, another format) made in its layout at once
        data = copied(input, strides)
    else:
        data = k.astype(data, target_dtype)
    data = laid_out(target_device, data, target_dtype, strides)
    result = Tensor._make(data, target_dtype, target_device)
    return attach(result, ToCopyBackward0, (input,), device=input._device, dtype=input._dtype)


def _move(input: Tensor, target_device, target_dtype):
    """`input`'s values as a buffer of `target_device`: through the backend's ``copy_to`` between two devices
    of one type when it has one (no host copy), else through the host (a synchronisation of the source)."""
    k = input._device.kernels
    if k.copy_to is not None and target_device.type == input._device.type:
        moved = k.copy_to(input._data, target_device.index or 0)
        return moved if target_dtype is input._dtype else target_device.kernels.astype(moved, target_dtype)
    host = np.array(input._host(), dtype=target_dtype.numpy, copy=True, order="C")
    return target_device.kernels.from_numpy(host)


def _dtype_shortcut(name: str, target):
    def convert(input, *, memory_format=preserve_format):
        return to(input, target, memory_format=memory_format)
    convert.__name__ = convert.__qualname__ = name
    convert.__doc__ = f"``to({target!r})``."
    return convert


float_ = _dtype_shortcut("float", _dtype.float32)
double = _dtype_shortcut("double", _dtype.float64)
half = _dtype_shortcut("half", _dtype.float16)
long = _dtype_shortcut("long", _dtype.int64)
int_ = _dtype_shortcut("int", _dtype.int32)
bool_ = _dtype_shortcut("bool", _dtype.bool_)
byte = _dtype_shortcut("byte", _dtype.uint8)
char = _dtype_shortcut("char", _dtype.int8)
short = _dtype_shortcut("short", _dtype.int16)


def cpu(input, *, memory_format=preserve_format):
    """A copy on the CPU (or `input` itself when it is there, in `memory_format`)."""
    return to(input, "cpu", memory_format=memory_format)


def cuda(input, device=None, non_blocking=False, *, memory_format=preserve_format):
    """A copy on a CUDA device (needs the ember-cuda backend)."""
    where = _device_cls("cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device))
    if where.type != "cuda":
        raise RuntimeError("Invalid device, must be cuda device")
    return to(input, where, non_blocking=non_blocking, memory_format=memory_format)


def type_as(input, other):
    return to(input, other._dtype)


def type_(input, dtype=None):
    """The dtype's legacy name (``'ember.FloatTensor'``) with no argument, else ``to(dtype)``."""
    if dtype is None:
        return f"ember.{_dtype.LEGACY_NAMES[input._dtype.name]}"
    if isinstance(dtype, str):
        by_legacy_name = {f"{lib}.{legacy}": _dtype.BY_NAME[name] for name, legacy in _dtype.LEGACY_NAMES.items()
                          for lib in ("ember", "torch")}
        if dtype not in by_legacy_name:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = by_legacy_name[dtype]
    elif not isinstance(dtype, _dtype.dtype):  # PyTorch's type() takes no Python types, unlike to()
        raise ValueError(f"invalid type: '{getattr(dtype, '__name__', dtype)}'")
    return to(input, dtype)
