"""add, sub, rsub, mul, div and pow as op-registry entries (see `ember._ops.registry.Binary`): their
PyTorch refusals (bool subtraction, alpha's type, integers to negative powers), forward special cases
(alpha scaling, pow's exponents) and nodes (AddBackward0 ... PowBackward2), declared here once;
`binary` builds them with the other binary ops. Gradient formulas follow PyTorch's derivatives.yaml.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._backend_util import half_source
from .._tensor import Tensor
from ..autograd.node import cross_saved, needs_input_grad, wants_gradient
from . import zero_tensors
from .creation import zeros_like
from .dispatch import checked_scalar, scalar, wrap_int
from .registry import Binary, Gradient

_bool, _float16, _float32 = _dtype.bool_, _dtype.float16, _dtype.float32
_NUMERIC = ("float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64")


def number(value, dt, op: str):
    """A Python operand of an op computing in `dt`, as PyTorch converts it: into an integer dtype checked
    for overflow (and wrapped into an unsigned one: -1 is uint8's 255); into a float dtype as is, but into
    float16 through float32 (PyTorch's half kernels take the number as a float)."""
    value = scalar(value, op)
    return half_source(value, dt.numpy) if dt.is_floating_point else checked_scalar(value, dt, op)


# ----- refusals ------------------------------------------------------------------------------------------
def _refuse_bool_subtraction(a, b) -> None:
    """PyTorch refuses `-` whenever a bool tensor or a bool scalar takes part."""
    a_bool = (a._dtype is _bool) if isinstance(a, Tensor) else isinstance(a, bool)
    b_bool = (b._dtype is _bool) if isinstance(b, Tensor) else isinstance(b, bool)
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
                           "or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def _check_alpha(dt, alpha) -> None:
    """PyTorch's rules for a non-int alpha of a result of dtype `dt`: no float alpha for an integral result,
    a bool one only for a bool result, never a complex one."""
    if alpha.__class__ is int:
        return
    if isinstance(alpha, complex):
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a complex number.")
    if isinstance(alpha, bool):
        if dt is not _bool:
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif not dt.is_floating_point and not isinstance(scalar(alpha, "add"), int):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


def _check_add(input, other, dt, alpha=1) -> None:
    _check_alpha(dt, alpha)


def _check_sub(input, other, dt, alpha=1) -> None:
    _refuse_bool_subtraction(input, other)
    _check_alpha(dt, alpha)


def _check_rsub(input, other, dt, alpha=1) -> None:
    _refuse_bool_subtraction(input, other)
    _check_alpha(dt, alpha)


def _check_pow(input, exponent, dt) -> None:
    """An integer tensor to a negative integer power is PyTorch's error; a number exponent is converted to
    a narrow dtype with its overflow check. Bools have no power kernel but for a number exponent."""
    if isinstance(exponent, Tensor) or not isinstance(input, Tensor):
        if dt is _bool:
            raise NotImplementedError('"pow" not implemented for \'Bool\'')
        return
    exponent = scalar(exponent, "pow")
    if not isinstance(exponent, float) and exponent < 0 and not input._dtype.is_floating_point:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if dt.itemsize < 8 and dt is not _float32:
        checked_scalar(exponent, dt, "pow")


# ----- forward -------------------------------------------------------------------------------------------
def _scaling(op: str):
    """add's or sub's operands: y scaled by alpha in the dtype promoted from x and y alone, as PyTorch (a
    bool result stays bool; an int y with a float alpha does not widen float16)."""
    def prepare(k, x, y, dt, alpha=1):
        if alpha == 1:
            return x, y
        if dt is not _bool:
            alpha = number(alpha, dt, op)
        if hasattr(y, "shape"):
            y = k.mul(y, alpha)
            return x, y if not hasattr(x, "shape") or y.dtype == x.dtype else k.astype(y, dt)
        return x, bool(y and alpha) if dt is _bool else y * alpha if dt.is_floating_point else wrap_int(y * alpha, dt)
    return prepare


_SUB_SCALING = _scaling("sub")


def _scaling_input(k, x, y, dt, alpha=1):
    """rsub's operands: x (the input, which rsub subtracts) scaled by alpha, as `_scaling` scales sub's y."""
    other, input = _SUB_SCALING(k, y, x, dt, alpha)
    return input, other


def _pow_forward(k, base, exponent, dt, out):
    """base ** exponent on buffers (either may be a Python number) with PyTorch's special cases: a float
    exponent of 0.5 or -0.5 is sqrt or 1 / sqrt in float32 and float64 (so (-0.) ** -0.5 is -inf and
    (-inf) ** 0.5 NaN), and an integer base to a negative integer power is 1 for base 1, (-1) ** n for
    base -1 and 0 otherwise. A number base gives a contiguous result whatever the exponent's layout, as
    PyTorch's."""
    number_base = not hasattr(base, "shape")
    if dt.is_floating_point:
        if exponent.__class__ is float and exponent in (0.5, -0.5) and dt is not _float16:
            root = k.sqrt(base)
            data = root if exponent > 0 else k.div(1.0, root)
        else:
            data = k.pow(base, exponent)
    elif not hasattr(exponent, "shape"):
        data = k.pow(base, exponent)  # a Python exponent here is never negative (checked by _check_pow)
    else:
        if number_base:
            base = k.full((), base, dt)
        negative = k.lt(exponent, 0)
        flipped = k.neg(exponent)  # |n| for the sign of (-1) ** n; the most negative integer stays negative
        power = k.pow(base, k.where(negative, k.where(k.lt(flipped, 0), 0, flipped), exponent))  # (it is even)
        data = k.where(k.mul(negative, k.ne(k.abs(base), 1)), 0, power)
    if number_base:
        data = k.contiguous(data)
    return data if out is None else k.copy_(out, data)


# ----- gradients (each a node's backward method) ------------------------------------------------------
def _add_backward(node, grad):
    alpha = node.alpha
    return grad, (grad if alpha == 1 else grad * alpha) if node.next_functions[1][0] is not None else None


def _sub_backward(node, grad):
    alpha = node.alpha
    return grad, (-grad if alpha == 1 else grad * -alpha) if node.next_functions[1][0] is not None else None


def _rsub_backward(node, grad):
    """torch.rsub(input, other, alpha) = other - alpha * input."""
    return _rsub_number_backward(node, grad) if needs_input_grad(node, 0) else None, \
        grad if needs_input_grad(node, 1) else None


def _rsub_number_backward(node, grad):
    alpha = node.alpha
    return -grad if alpha == 1 else grad * -alpha


def _mul_backward(node, grad):
    # each operand saved only when the other operand's gradient is wanted (cross_saved)
    return node.saved_product(grad, 1), node.saved_product(grad, 0)


def _div_saved(a, b, result) -> tuple:
    """What a quotient's backward keeps: `b` always, `a` only for b's gradient (see `cross_saved`)."""
    return (a if wants_gradient(b) else None, b)


def _div_backward(node, grad):
    a, b = node.saved_tensors
    grad_a = grad / b if needs_input_grad(node, 0) else None
    grad_b = -grad * ((a / b) / b) if needs_input_grad(node, 1) else None
    return grad_a, grad_b


# The pow gradients are PyTorch's formulas (pow_backward*), so 0 ** x, x ** 0 and x ** x at 0, inf and
# NaN give its values: an exponent of 0 has gradient 0, and d(a ** b)/db is 0 where a == 0 and b >= 0.
def _pow_number_backward(node, grad):
    (x,) = node.saved_tensors
    e = node.exponent
    if e == 0 and e is not False:  # PyTorch's Scalar: a bool exponent never equals 0 (0 * 0 ** -1 is NaN)
        return zeros_like(x)
    return grad * (e * x.pow(e - 1))


def _pow_backward(node, grad):
    from .pointwise import where
    a, b, result = node.saved_tensors
    grad_a = grad_b = None
    if needs_input_grad(node, 0):
        grad_a = where(b == 0, 0.0, grad * (b * a.pow(b - 1)))
    if needs_input_grad(node, 1):
        grad_b = grad * where((a == 0) & (b >= 0), 0.0, result * a.log())
    return grad_a, grad_b


def _pow_base_backward(node, grad):
    from .pointwise import where
    exponent, result = node.saved_tensors
    base = node.base
    if base == 0:
        return grad * where(exponent >= 0, 0.0, result * -math.inf)
    return grad * (result * (math.log(base) if base > 0 else math.nan))


# ----- reflected operators -------------------------------------------------------------------------------
def rdiv(input, other):
    """other / input for a Python number `other`, as PyTorch: ``reciprocal(input) * other``."""
    if isinstance(other, Tensor):
        return other / input
    return input.reciprocal() * other


def _rounding(rounding_mode=None):
    """div's route: with a rounding mode, the rounded quotient (PyTorch's error for an unknown mode)."""
    if rounding_mode is None:
        return None
    from .binary import rounding
    return rounding(rounding_mode)


_ALPHA = (("alpha", 1),)

ARITHMETIC: tuple[Binary, ...] = (
    Binary("add", gradients=(Gradient("AddBackward0", _add_backward), None, None), params=_ALPHA,
           prepare=_scaling("add"), check=_check_add, wide_scalars=True, numbers="tensor", zeros=zero_tensors.total,
           operators=("__add__", "__radd__", "__iadd__"), reflected="same", reference=np.add),
    Binary("sub", gradients=(Gradient("SubBackward0", _sub_backward), None, None), params=_ALPHA,
           prepare=_SUB_SCALING, check=_check_sub, wide_scalars=True, numbers="tensor", zeros=zero_tensors.difference,
           operators=("__sub__", "__rsub__", "__isub__"), reflected="rsub", reference=np.subtract,
           kit_dtypes=_NUMERIC, aliases=("subtract",)),
    # torch.rsub and Python's ``2 - t``: other - alpha * input (no Tensor.rsub: see `binary.FUNCTIONS`)
    Binary("rsub", gradients=(Gradient("RsubBackward0", _rsub_backward),
                              Gradient("RsubBackward1", _rsub_number_backward), None), params=_ALPHA,
           prepare=_scaling_input, kernel="sub", swapped=True, check=_check_rsub, numbers="other", in_place=False,
           public=False),
    Binary("mul", gradients=(Gradient("MulBackward0", _mul_backward, ("self", "other"), cross_saved), None, None),
           wide_scalars=True, half_by_number=True, numbers="tensor", operators=("__mul__", "__rmul__", "__imul__"),
           reflected="same", reference=np.multiply, aliases=("multiply",), zeros=zero_tensors.product),
    Binary("div", gradients=(Gradient("DivBackward0", _div_backward, ("self", "other"), _div_saved), None, None),
           params=(("rounding_mode", None),), route=_rounding, dtypes="float", wide_scalars=True,
           half_by_number=True, numbers="tensor", operators=("__truediv__", "__rtruediv__", "__itruediv__"),
           reflected=rdiv, reference=np.true_divide, domains=("real", "nonzero"), aliases=("divide", "true_divide"),
           zeros=zero_tensors.quotient),
    Binary("pow", gradients=(Gradient("PowBackward1", _pow_backward, ("self", "exponent", "result"),
                                      lambda a, b, result: (a, b, result)),
                             Gradient("PowBackward0", _pow_number_backward, ("self",), lambda a, b, result: (a,),
                                      "exponent"),
                             Gradient("PowBackward2", _pow_base_backward, ("exponent", "result"),
                                      lambda a, b, result: (b, result), "base")),
           forward=_pow_forward, check=_check_pow, operand="exponent", operators=("__pow__", "__rpow__", "__ipow__"),
           reference=np.power, domains=("positive", "exponent"), kit_dtypes=_NUMERIC),
)
