"""Elementwise ops: unary math, binary arithmetic with broadcasting, comparisons, where, clamp."""
from __future__ import annotations

import math
import warnings

from .. import _dtype, _profiling
from .._tensor import Tensor, wrap
from ..autograd import grad_mode
from ..autograd.node import Node, attach, cross_saved, needs_input_grad, record
from . import creation
from .binary import FUNCTIONS as _BINARY
from .dispatch import (
    DIMENSIONED,
    SCALAR,
    ZERO_DIM,
    binary_failure,
    broadcast_shapes,
    check_out,
    checked_scalar,
    operands,
    profiled,
    scalar,
    wrap_int,
)
from .dispatch import bump as _bump
from .registry import FLOATS, straight_binary

_bool = _dtype.bool_
_float16, _float32 = _dtype.float16, _dtype.float32
_WIDE_FLOATS = frozenset((_float32, _dtype.float64))


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


# ----- binary arithmetic -------------------------------------------------------------------------
def _number(value, dt, op: str):
    """A Python operand of an op computing in `dt`, as PyTorch converts it: into an integer dtype checked
    for overflow (and wrapped into an unsigned one: -1 is uint8's 255); kept as is for floats."""
    value = scalar(value, op)
    return value if dt.is_floating_point else checked_scalar(value, dt, op)


def _binary_kernel(name: str, a: Tensor, b, float_result: bool = False):
    """Run binary kernel `name` on a tensor and a tensor-or-scalar; returns (buffer, dtype)."""
    dt = a._dtype
    if b.__class__ is Tensor and b._dtype is dt and b._device is a._device and \
            (dt.is_floating_point or not float_result):
        x, y = a._data, b._data  # the common case: same dtype and device, nothing to promote
    else:
        x, y, dt = operands(a, b, name, float_result)
        if dt is _float16 and isinstance(b, Tensor) and not b._data.shape and b._dtype.itemsize > 2:
            y = b.item()  # a wider 0-d tensor is a CPU scalar to PyTorch: not rounded to float16 either
    try:
        if dt is _float16 and name in _FLOAT32_SCALAR_OPS and not hasattr(y, "shape"):
            return _half_by_number(a._device.kernels, name, x, y), dt
        return getattr(a._device.kernels, name)(x, y), dt
    except Exception as error:
        raise binary_failure(name, a, b, error) from error


# PyTorch's CPU kernels multiply and divide a float16 tensor by a Python number in float32 (the number
# is not rounded to float16 first, as numpy would): x * 0.1 differs in a third of the values otherwise.
_FLOAT32_SCALAR_OPS = frozenset(("mul", "div"))


def _half_by_number(k, name: str, x, number, out=None):
    """mul or div of a float16 buffer by a Python number, computed in float32 and rounded once."""
    data = k.astype(getattr(k, name)(k.astype(x, _float32), number), _float16)
    return data if out is None else k.copy_(out, data)


def _as_tensor_pair(input, other, op: str):
    """Put the tensor first for ops called as ``ember.add(2, t)``; scalars become 0-d tensors."""
    if isinstance(input, Tensor):
        return input, other
    if isinstance(other, Tensor):
        return creation.scalar_tensor(scalar(input, op), other._device), other
    raise TypeError(f"{op}(): expected at least one Tensor argument, got {type(input).__name__} and "
                    f"{type(other).__name__}")


def _binary_out(name: str, input: Tensor, other, out: Tensor, float_result=False) -> Tensor:
    x, y, dt = operands(input, other, name, float_result)
    shape = _result_shape(input, other, name)
    check_out(out, name, shape, dt, (input, other))
    k = input._device.kernels
    try:
        if dt is _float16 and name in _FLOAT32_SCALAR_OPS and not hasattr(y, "shape"):
            _half_by_number(k, name, x, y, out._data)
        elif out._dtype is dt:
            getattr(k, name)(x, y, out=out._data)
        else:  # a narrower or unsigned out (int8.add_(uint8) computes in int16): PyTorch's wrapping cast
            k.copy_(out._data, getattr(k, name)(x, y))
    except Exception as error:
        raise binary_failure(name, input, other, error) from error
    _bump(out)
    return out


def _result_shape(a: Tensor, b, op: str):
    """The broadcast shape of a binary op's operands (PyTorch's error when they do not broadcast)."""
    shape = broadcast_shapes(a._data.shape, b._data.shape if isinstance(b, Tensor) else ())
    if shape is None:
        raise binary_failure(op, a, b, ValueError("shapes do not broadcast"))
    return shape


class AddBackward0(Node):
    alpha = 1

    def backward(self, grad):
        alpha = self.alpha
        return grad, (grad if alpha == 1 else grad * alpha) if self.next_functions[1][0] is not None else None


class SubBackward0(Node):
    alpha = 1

    def backward(self, grad):
        alpha = self.alpha
        return grad, (-grad if alpha == 1 else grad * -alpha) if self.next_functions[1][0] is not None else None


class RsubBackward1(Node):
    alpha = 1

    def backward(self, grad):
        return -grad if self.alpha == 1 else grad * -self.alpha


class MulBackward0(Node):
    _names_saved = ("self", "other")

    def backward(self, grad):
        a, b = self.saved_tensors  # each saved only when the other operand's gradient is wanted (cross_saved)
        return None if b is None else grad * b, None if a is None else grad * a


def _div_saved(a, b) -> tuple:
    """What a quotient's backward keeps: `b` always, `a` only for b's gradient (see `cross_saved`)."""
    return (a if isinstance(b, Tensor) and b._requires_grad else None, b)


class DivBackward0(Node):
    _names_saved = ("self", "other")

    def backward(self, grad):
        a, b = self.saved_tensors
        grad_a = grad / b if needs_input_grad(self, 0) else None
        grad_b = -grad * ((a / b) / b) if needs_input_grad(self, 1) else None
        return grad_a, grad_b


def _refuse_bool_subtraction(a: Tensor, b) -> None:
    """PyTorch refuses `-` whenever a bool tensor or a bool scalar takes part."""
    a_bool = a._dtype is _bool
    b_bool = (b._dtype is _bool) if isinstance(b, Tensor) else isinstance(b, bool)
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
                           "or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def _check_alpha(input: Tensor, other, alpha) -> None:
    """PyTorch's rules for a non-int alpha: no float alpha for an integral result, a bool one only for a
    bool result, never a complex one."""
    if isinstance(other, Tensor):
        dt = _dtype.promote(input._dtype, DIMENSIONED if input._data.shape else ZERO_DIM,
                            other._dtype, DIMENSIONED if other._data.shape else ZERO_DIM)
    else:
        dt = _dtype.promote(input._dtype, DIMENSIONED, _dtype.scalar_dtype(scalar(other, "add")), SCALAR)
    if isinstance(alpha, complex):
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a complex number.")
    if isinstance(alpha, bool):
        if dt is not _bool:
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif not dt.is_floating_point and not isinstance(scalar(alpha, "add"), int):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


def _additive(name: str, node_cls, refuses_bool: bool):
    """add or sub: input ± alpha * other, broadcasting (as torch.add / torch.sub)."""
    def op(input, other, *, alpha=1, out=None):
        input, other = _as_tensor_pair(input, other, name)
        if refuses_bool:
            _refuse_bool_subtraction(input, other)
        if alpha.__class__ is not int:
            _check_alpha(input, other, alpha)
        if alpha != 1:
            return _scaled_additive(name, node_cls, input, other, alpha, out)
        if out is not None:
            return _binary_out(name, input, other, out)
        data, dt = _binary_kernel(name, input, other)
        return attach(wrap(data, dt, input._device), node_cls, (input, other))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"input {'-' if refuses_bool else '+'} alpha * other, broadcasting (as torch.{name})."
    return straight_binary(profiled("aten::" + name)(op), name, node_cls)


def _scaled_additive(name: str, node_cls, input: Tensor, other, alpha, out) -> Tensor:
    """input ± alpha * other with the dtype promoted from input and other alone, as PyTorch: alpha scales
    in that dtype (a bool result stays bool; an int other with a float alpha does not widen float16)."""
    x, y, dt = operands(input, other, name)
    k = input._device.kernels
    if dt is not _bool:
        alpha = _number(alpha, dt, name)
    if hasattr(y, "shape"):
        y = k.mul(y, alpha)
        y = y if y.dtype == x.dtype else k.astype(y, dt)
    else:
        y = bool(y and alpha) if dt is _bool else y * alpha if dt.is_floating_point else wrap_int(y * alpha, dt)
    try:
        data = getattr(k, name)(x, y)
    except Exception as error:
        raise binary_failure(name, input, other, error) from error
    if out is None:
        return attach(wrap(data, dt, input._device), node_cls, (input, other), alpha=alpha)
    check_out(out, name, _result_shape(input, other, name), dt, (input, other))
    k.copy_(out._data, data)
    _bump(out)
    return out


add = _additive("add", AddBackward0, refuses_bool=False)
sub = _additive("sub", SubBackward0, refuses_bool=True)


@profiled("aten::rsub")
def _rsub(input, other, *, alpha=1):
    """other - alpha * input: Python's ``2 - t``."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    _refuse_bool_subtraction(input, other)
    x, y, dt = operands(input, other, "rsub")
    k = input._device.kernels
    if alpha != 1:
        x = k.mul(x, alpha)
    result = wrap(k.sub(y, x), dt, input._device)
    return attach(result, RsubBackward1, (input,), alpha=alpha)


def rsub(input, other, **options):
    """other - alpha * input: Python's ``2 - t``; a floating tensor and a number straight through."""
    kind = other.__class__
    if not options and input.__class__ is Tensor and input._dtype in FLOATS and not _profiling.enabled and \
            (kind is float or (kind is int and -2**63 <= other < 2**63)):
        try:
            data = input._device.kernels.sub(other, input._data)
        except Exception:
            return _rsub(input, other)  # the general path raises PyTorch's error
        result = wrap(data, input._dtype, input._device)
        if input._requires_grad and grad_mode.state.enabled:
            record(result, RsubBackward1, (input,))
        return result
    return _rsub(input, other, **options)


@profiled("aten::mul")
def mul(input, other, *, out=None):
    """input * other, broadcasting (as torch.mul)."""
    input, other = _as_tensor_pair(input, other, "mul")
    if out is not None:
        return _binary_out("mul", input, other, out)
    data, dt = _binary_kernel("mul", input, other)
    result = wrap(data, dt, input._device)
    return attach(result, MulBackward0, (input, other), cross_saved(input, other))


@profiled("aten::div")
def div(input, other, *, rounding_mode=None, out=None):
    """True division input / other, broadcasting; integer inputs give the default float dtype. A
    `rounding_mode` ("floor", "trunc") rounds the quotient, in the operands' promoted dtype."""
    if rounding_mode is not None:
        from .binary import rounded_div
        return rounded_div(input, other, rounding_mode, out)
    input, other = _as_tensor_pair(input, other, "div")
    if out is not None:
        return _binary_out("div", input, other, out, float_result=True)
    data, dt = _binary_kernel("div", input, other, float_result=True)
    result = wrap(data, dt, input._device)
    return attach(result, DivBackward0, (input, other), _div_saved(input, other))


# The common calls, straight through (float16 times or over a number is computed in float32: not here).
mul = straight_binary(mul, "mul", MulBackward0, cross_saved, number_dtypes=_WIDE_FLOATS)
div = straight_binary(div, "div", DivBackward0, _div_saved, number_dtypes=_WIDE_FLOATS)


def rdiv(input, other):
    """other / input for a Python number `other`, as PyTorch: ``reciprocal(input) * other``."""
    if isinstance(other, Tensor):
        return div(other, input)
    return mul(reciprocal(input), other)


# The pow gradients are PyTorch's formulas (pow_backward*), so 0 ** x, x ** 0 and x ** x at 0, inf and
# NaN give its values: an exponent of 0 has gradient 0, and d(a ** b)/db is 0 where a == 0 and b >= 0.
class PowBackward0(Node):
    _names_saved = ("self",)
    exponent: float

    def backward(self, grad):
        (x,) = self.saved_tensors
        e = self.exponent
        if e == 0 and e is not False:  # PyTorch's Scalar: a bool exponent never equals 0 (0 * 0 ** -1 is NaN)
            return creation.zeros_like(x)
        return grad * (e * x.pow(e - 1))


class PowBackward1(Node):
    _names_saved = ("self", "exponent", "result")

    def backward(self, grad):
        a, b, result = self.saved_tensors
        grad_a = grad_b = None
        if needs_input_grad(self, 0):
            grad_a = where(b == 0, 0.0, grad * (b * a.pow(b - 1)))
        if needs_input_grad(self, 1):
            grad_b = grad * where((a == 0) & (b >= 0), 0.0, result * a.log())
        return grad_a, grad_b


class PowBackward2(Node):
    _names_saved = ("exponent", "result")
    base: float

    def backward(self, grad):
        (exponent, result) = self.saved_tensors
        base = self.base
        if base == 0:
            return grad * where(exponent >= 0, 0.0, result * -math.inf)
        return grad * (result * (math.log(base) if base > 0 else math.nan))


@profiled("aten::pow")
def pow(input, exponent, *, out=None):
    """input ** exponent, elementwise, broadcasting (as torch.pow)."""
    if not isinstance(input, Tensor):
        return _rpow(exponent, input)
    if not isinstance(exponent, Tensor):
        exponent = scalar(exponent, "pow")
        if not isinstance(exponent, float) and exponent < 0 and not input._dtype.is_floating_point:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
    x, y, dt = operands(input, exponent, "pow")
    if not hasattr(y, "shape") and dt.itemsize < 8 and dt is not _float32:
        checked_scalar(exponent, dt, "pow")  # PyTorch converts the exponent to a narrow dtype, with its check
    if out is not None:
        check_out(out, "pow", _result_shape(input, exponent, "pow"), dt, (input, exponent))
    k = input._device.kernels
    try:
        data = _power(k, x, y, dt)
    except Exception as error:
        raise binary_failure("pow", input, exponent, error) from error
    if out is not None:
        k.copy_(out._data, data)
        _bump(out)
        return out
    result = wrap(data, dt, input._device)
    if isinstance(exponent, Tensor):
        return attach(result, PowBackward1, (input, exponent), (input, exponent, result))
    return attach(result, PowBackward0, (input,), (input,), exponent=exponent)


def _power(k, base, exponent, dt):
    """base ** exponent on buffers (either may be a Python number) with PyTorch's special cases: a float
    exponent of 0.5 or -0.5 is sqrt or 1 / sqrt in float32 and float64 (so (-0.) ** -0.5 is -inf and
    (-inf) ** 0.5 NaN), and an integer base to a negative integer power is 1 for base 1, (-1) ** n for
    base -1 and 0 otherwise."""
    if dt.is_floating_point:
        if exponent.__class__ is float and exponent in (0.5, -0.5) and dt is not _float16:
            root = k.sqrt(base)
            return root if exponent > 0 else k.div(1.0, root)
        return k.pow(base, exponent)
    if not hasattr(exponent, "shape"):
        return k.pow(base, exponent)  # a Python exponent here is never negative (checked by pow)
    if not hasattr(base, "shape"):
        base = k.full((), base, dt)
    negative = k.lt(exponent, 0)
    flipped = k.neg(exponent)  # |n| for the sign of (-1) ** n; the most negative integer stays negative
    power = k.pow(base, k.where(negative, k.where(k.lt(flipped, 0), 0, flipped), exponent))  # (it is even)
    vanishing = k.mul(negative, k.ne(k.abs(base), 1))
    return k.where(vanishing, 0, power)


def _rpow(input: Tensor, base):
    """base ** input for a Python number `base` (Python's ``2 ** t``)."""
    base = scalar(base, "pow")
    x, y, dt = operands(input, base, "pow", float_result=isinstance(base, float))
    k = input._device.kernels
    result = wrap(k.contiguous(_power(k, y, x, dt)), dt, input._device)  # contiguous, as PyTorch's
    return attach(result, PowBackward2, (input,), (input, result), base=base)


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
    if other.__class__ is float and isinstance(input, Tensor) and input._dtype.is_floating_point and \
            isinstance(condition, Tensor) and condition._dtype is _bool and condition._device is input._device:
        # The common case of backward formulas: where(mask, grad, 0.0), nothing to promote.
        try:
            data = input._device.kernels.where(condition._data, input._data, other)
        except Exception as error:
            raise binary_failure("where", input, condition, error) from error
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
        else _number(input, dt, "where")
    b = (other._data if other._dtype is dt else k.astype(other._data, dt)) if isinstance(other, Tensor) \
        else _number(other, dt, "where")
    try:
        data = k.where(condition._data, a, b)
    except Exception as error:
        raise binary_failure("where", input if isinstance(input, Tensor) else condition,
                             other if isinstance(other, Tensor) else condition, error) from error
    result = wrap(data, dt, device)
    return attach(result, WhereBackward0, (input, other), (condition,))


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
        raise binary_failure("masked_fill", input, mask, error) from error
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
    data = input._data if dt is input._dtype else k.astype(input._data, dt)
    if min is not None:
        data = k.maximum(data, _number(min, dt, "clamp"))
    if max is not None:
        data = k.minimum(data, _number(max, dt, "clamp"))
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
