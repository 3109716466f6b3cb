"""Elementwise ops: reciprocal, the logical ops, where, masked_fill, clamp; the arithmetic and comparisons
(registry entries of `arithmetic` and `binary`) named here for the other ops."""
from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype
from .._backend_util import half_source
from .._tensor import Tensor, wrap
from ..autograd.node import Node, attach, needs_input_grad
from . import creation
from .arithmetic import number
from .binary import FUNCTIONS as _BINARY
from .dispatch import (
    binary_failure,
    broadcast_error,
    check_out,
    checked_scalar,
    operands,
    profiled,
    scalar,
)
from .dispatch import bump as _bump

_bool, _float16 = _dtype.bool_, _dtype.float16
_FLOAT32_MAX = float(np.finfo(np.float32).max)


class ReciprocalBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return -grad * (result * result)


@profiled("aten::reciprocal")
def reciprocal(input):
    """1 / input, elementwise."""
    k = input._device.kernels
    dt = input._dtype if input._dtype.is_floating_point else _dtype.get_default_dtype()
    data = input._data if dt is input._dtype else k.astype(input._data, dt)
    result = wrap(k.div(1.0, data), dt, input._device)
    return attach(result, ReciprocalBackward0, (input,), (result,))


# ----- binary arithmetic: registry entries (see `arithmetic`), named here for the other ops -------------
add, sub, mul, div, pow = (_BINARY[name] for name in ("add", "sub", "mul", "div", "pow"))


def _binary_kernel(name: str, a: Tensor, b):
    """Run binary kernel `name` on a tensor and a tensor-or-scalar; returns (buffer, dtype)."""
    dt = a._dtype
    if b.__class__ is Tensor and b._dtype is dt and b._device is a._device:
        x, y = a._data, b._data  # the common case: same dtype and device, nothing to promote
    else:
        x, y, dt = operands(a, b, name)
        if dt is _float16 and isinstance(b, Tensor) and not b._data.shape and b._dtype.itemsize > 2:
            y = b.item()  # a wider 0-d tensor is a CPU scalar to PyTorch: not rounded to float16 either
    try:
        return getattr(a._device.kernels, name)(x, y), dt
    except Exception as error:
        raise binary_failure(name, a, b, error) from error


def square(input, *, out=None):
    """``input ** 2``, as torch.square: pow's entry (PowBackward0; bools square to int64, as PyTorch's)."""
    return pow(input, 2, out=out)


# Comparisons and maximum/minimum are registry entries (see `binary`), named here for the other ops.
maximum, minimum = _BINARY["maximum"], _BINARY["minimum"]
eq, ne, lt, le, gt, ge = (_BINARY[name] for name in ("eq", "ne", "lt", "le", "gt", "ge"))


def _truth(t: Tensor):
    """A tensor's elements as booleans (nonzero is true, NaN too): the logical ops' view of any dtype."""
    return t._data if t._dtype is _bool else t._device.kernels.ne(t._data, 0)


def _logical(name: str, kernel: str):
    """logical_and/or/xor of two tensors of any dtypes (nonzero is true), broadcasting; a bool tensor."""
    def op(input, other):
        for position, (param, value) in enumerate((("input", input), ("other", other))):
            if not isinstance(value, Tensor):
                raise TypeError(f"{name}(): argument '{param}' (position {position + 1}) must be Tensor, "
                                f"not {type(value).__name__}")
        a, b = wrap(_truth(input), _bool, input._device), wrap(_truth(other), _bool, other._device)
        return _on_bools(kernel, a, b)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise {name} of two tensors of any dtypes (nonzero is true), as a bool tensor."
    return profiled("aten::" + name)(op)


def _on_bools(kernel: str, a: Tensor, b) -> Tensor:
    """On bools: and = a * b, xor = a != b, or = (a + b) > 0, composed from the required kernels."""
    data, _ = _binary_kernel(kernel, a, b)
    if kernel == "ne" or kernel == "mul":
        return wrap(data, _bool, a._device)
    return wrap(a._device.kernels.gt(data, False), _bool, a._device)


logical_and = _logical("logical_and", "mul")
logical_xor = _logical("logical_xor", "ne")
logical_or = _logical("logical_or", "add")


@profiled("aten::logical_not")
def logical_not(input):
    """Elementwise not of a tensor of any dtype (zero is false), as a bool tensor."""
    return wrap(input._device.kernels.eq(input._data, False if input._dtype is _bool else 0),
                _bool, input._device)


class WhereBackward0(Node):
    def backward(self, grad):
        (condition,) = self.saved_tensors
        return (where(condition, grad, 0.0) if needs_input_grad(self, 0) else None,
                where(condition, 0.0, grad) if needs_input_grad(self, 1) else None)


@profiled("aten::where")
def where(condition, input=None, other=None):
    """Elements of `input` where `condition` holds, of `other` elsewhere (broadcasting); with `condition`
    alone, the indices of its non-zero elements (one tensor per dim)."""
    if other.__class__ is float and -_FLOAT32_MAX <= other <= _FLOAT32_MAX and isinstance(input, Tensor) and \
            input._dtype.is_floating_point and isinstance(condition, Tensor) and condition._dtype is _bool and \
            condition._device is input._device:
        # The common case of backward formulas: where(mask, grad, 0.0), nothing to promote or to check.
        try:
            data = input._device.kernels.where(condition._data, input._data, half_source(other, input._dtype.numpy))
        except Exception as error:
            raise _where_failure(condition, input, other, error) from error
        return attach(wrap(data, input._dtype, input._device), WhereBackward0, (input, other), (condition,))
    if input is None and other is None and isinstance(condition, Tensor):
        from .shape import nonzero_tuple
        return nonzero_tuple(condition)
    if isinstance(condition, Tensor) and condition._dtype is _dtype.uint8:
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be removed in "
                      "a future version. Use a boolean condition instead.", UserWarning, stacklevel=3)
        condition = ne(condition, 0)
    if not isinstance(condition, Tensor) or condition._dtype is not _bool:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{getattr(condition, '_dtype', type(condition).__name__)!r}")
    tensors = [t for t in (input, other) if isinstance(t, Tensor)]
    device = condition._device
    for t in tensors:
        if t._device is not device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two "
                               f"devices, {device} and {t._device}! (in where)")
    if len(tensors) == 2:
        _, _, dt = operands(input, other, "where")
    elif tensors:
        t = tensors[0]
        s = scalar(other if t is input else input, "where")
        dt = _dtype.promote(t._dtype, 2, _dtype.scalar_dtype(s), 0)
    else:
        dt = _dtype.promote(_dtype.scalar_dtype(input), 0, _dtype.scalar_dtype(other), 0)
        # Two numbers: make one a buffer, so the kernel's result has the promoted dtype.
        input = creation.scalar_tensor(scalar(input, "where"), device, dt)
    k = device.kernels
    a = (input._data if input._dtype is dt else k.astype(input._data, dt)) if isinstance(input, Tensor) \
        else _where_number(input, dt)
    b = (other._data if other._dtype is dt else k.astype(other._data, dt)) if isinstance(other, Tensor) \
        else _where_number(other, dt)
    try:
        data = k.where(condition._data, a, b)
    except Exception as error:
        raise _where_failure(condition, input, other, error) from error
    result = wrap(data, dt, device)
    return attach(result, WhereBackward0, (input, other), (condition,))


def _where_failure(condition: Tensor, input, other, error: Exception) -> Exception:
    """PyTorch's error for a failed where kernel: its three operands (numbers are 0-d) that do not broadcast,
    in its order, or the kernel's own."""
    shapes = [tuple(t._data.shape) if isinstance(t, Tensor) else () for t in (condition, input, other)]
    return broadcast_error("where", shapes) or binary_failure(
        "where", input if isinstance(input, Tensor) else condition, other if isinstance(other, Tensor) else condition,
        error)


def _where_number(value, dt):
    """where's number operand as PyTorch converts it: checked into `dt` (1e39 is no float32: a RuntimeError),
    but any float into float16, where one beyond its range becomes inf."""
    return number(value, dt, "where") if dt is _float16 else checked_scalar(scalar(value, "where"), dt, "where")


class MaskedFillBackward0(Node):
    """masked_fill with a number: nothing flows back where the mask holds."""

    def backward(self, grad):
        (mask,) = self.saved_tensors
        return where(mask, 0.0, grad)


class MaskedFillBackward1(Node):
    """masked_fill with a 0-d tensor: the value's gradient is the sum over the filled elements."""

    def backward(self, grad):
        (mask,) = self.saved_tensors
        return (where(mask, 0.0, grad) if needs_input_grad(self, 0) else None,
                where(mask, grad, 0.0).sum().to(self.value_dtype) if needs_input_grad(self, 1) else None)


@profiled("aten::masked_fill")
def masked_fill(input, mask, value):
    """`value` where the bool `mask` holds, `input` elsewhere (broadcasting); the result keeps input's
    dtype, a number is converted to it as PyTorch does (truncated into ints, RuntimeError out of range).
    The result is row-major whatever input's layout, as PyTorch's (a copy of input, then filled)."""
    if not isinstance(mask, Tensor) or mask._dtype is not _bool:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{getattr(mask, '_dtype', type(mask).__name__)!r}")
    dt, k = input._dtype, input._device.kernels
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        fill = value._data if value._dtype is dt else k.astype(value._data, dt)
    else:
        fill = checked_scalar(scalar(value, "masked_fill"), dt, "masked_fill")
        fill = bool(fill) if dt is _bool else fill if dt.is_floating_point else int(fill)
    try:
        data = k.contiguous(k.where(mask._data, fill, input._data))
    except Exception as error:
        raise broadcast_error("masked_fill", (mask._data.shape, input._data.shape)) or \
            binary_failure("masked_fill", input, mask, error) from error
    result = wrap(data, dt, input._device)
    if isinstance(value, Tensor):
        return attach(result, MaskedFillBackward1, (input, value), (mask,), value_dtype=value._dtype)
    return attach(result, MaskedFillBackward0, (input,), (mask,))


class ClampBackward1(Node):
    _names_saved = ("self",)
    min: float | None
    max: float | None

    def backward(self, grad):
        (x,) = self.saved_tensors
        keep = None
        if self.min is not None:
            keep = x >= self.min
        if self.max is not None:
            upper = x <= self.max
            keep = upper if keep is None else keep & upper
        return where(keep, grad, 0.0)


class ClampBackward0(Node):
    """Gradients of clamp with tensor bounds, as PyTorch's clamp_backward and clamp_backward_min_max."""

    _names_saved = ("self", "min", "max")

    def backward(self, grad):
        x, low, high = self.saved_tensors
        keep = x >= low if high is None else x <= high if low is None else (x >= low) & (x <= high)
        grad_low = grad_high = None
        if needs_input_grad(self, 1):
            below = x < low
            grad_low = where(below if high is None else below & (low < high), grad, 0.0)
        if needs_input_grad(self, 2):
            above = x > high
            grad_high = where(above if low is None else above | (high < low), grad, 0.0)
        return where(keep, grad, 0.0), grad_low, grad_high


class ClampMinBackward0(ClampBackward1):
    """clamp_min with a number."""

    max = None


class ClampMaxBackward0(ClampBackward1):
    """clamp_max with a number."""

    min = None


class ClampMinBackward1(Node):
    """clamp_min with a tensor bound: the bound gets the gradient where it was taken."""

    _names_saved = ("self", "min")

    def backward(self, grad):
        x, low = self.saved_tensors
        return where(x >= low, grad, 0.0), where(x < low, grad, 0.0) if needs_input_grad(self, 1) else None


class ClampMaxBackward1(Node):
    """clamp_max with a tensor bound."""

    _names_saved = ("self", "max")

    def backward(self, grad):
        x, high = self.saved_tensors
        return where(x <= high, grad, 0.0), where(x > high, grad, 0.0) if needs_input_grad(self, 1) else None


def _clamp_between_tensors(input, min, max, out, node_cls=ClampBackward0):
    """clamp(input, min, max) with tensor bounds: min(max(input, min), max), broadcasting, NaN-propagating."""
    if not all(bound is None or isinstance(bound, Tensor) for bound in (min, max)):
        names = ", ".join(type(v).__name__ if v is not None else "NoneType" for v in (input, min, max))
        raise TypeError(f"clamp() received an invalid combination of arguments - got ({names}), but expected "
                        "(Tensor input, Tensor min, Tensor max) or (Tensor input, Number min, Number max)")
    result = input
    for bound, name in ((min, "maximum"), (max, "minimum")):
        if bound is not None:
            data, dt = _binary_kernel(name, result, bound)
            result = wrap(data, dt, input._device)
    if out is not None:
        check_out(out, "clamp", result._data.shape, result._dtype, (input, min, max))
        input._device.kernels.copy_(out._data, result._data)
        _bump(out)
        return out
    inputs = (input, min, max) if node_cls is ClampBackward0 else (input, max if min is None else min)
    return attach(result, node_cls, inputs, inputs)


@profiled("aten::clamp")
def clamp(input, min=None, max=None, *, out=None):
    """Clamp every element into [min, max] (either bound may be None)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return _clamp(input, min, max, out, ClampBackward1, ClampBackward0)


def _clamp(input, min, max, out, number_node: type, tensor_node: type):
    """clamp, recorded as `number_node` with number bounds and as `tensor_node` with tensor bounds."""
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_between_tensors(input, min, max, out, tensor_node)
    k = input._device.kernels
    dt = input._dtype
    for bound in (min, max):
        if bound is not None:
            dt = _dtype.promote(dt, _dtype.DIMENSIONED, _dtype.scalar_dtype(scalar(bound, "clamp")),
                                _dtype.SCALAR)
    # PyTorch converts the bounds to the dtype checked: 1e6 does not fit float16 (a RuntimeError), inf does
    low, high = (None if bound is None else checked_scalar(scalar(bound, "clamp"), dt, "clamp") for bound in (min, max))
    data = input._data if dt is input._dtype else k.astype(input._data, dt)
    if low is not None:
        data = k.maximum(data, low)
    if high is not None:
        data = k.minimum(data, high)
    if out is not None:
        check_out(out, "clamp", data.shape, dt, (input,))
        k.copy_(out._data, data)
        _bump(out)
        return out
    result = wrap(data, dt, input._device)
    if number_node is ClampBackward1:
        return attach(result, number_node, (input,), (input,), min=min, max=max)
    return attach(result, number_node, (input,), (input,), **({"max": max} if min is None else {"min": min}))


def _check_bound(op: str, bound) -> None:
    """clamp_min's and clamp_max's bound is a tensor or a number (PyTorch's TypeError for None)."""
    if bound is None:
        raise TypeError(f"{op}() received an invalid combination of arguments - got (Tensor, NoneType), but "
                        f"expected (Tensor input, Tensor {op[6:]}) or (Tensor input, Number {op[6:]})")


@profiled("aten::clamp_min")
def clamp_min(input, min, *, out=None):
    """``clamp(input, min=min)``, recorded as PyTorch's ClampMinBackward0/1."""
    _check_bound("clamp_min", min)
    return _clamp(input, min, None, out, ClampMinBackward0, ClampMinBackward1)


@profiled("aten::clamp_max")
def clamp_max(input, max, *, out=None):
    """``clamp(input, max=max)``, recorded as PyTorch's ClampMaxBackward0/1."""
    _check_bound("clamp_max", max)
    return _clamp(input, None, max, out, ClampMaxBackward0, ClampMaxBackward1)
