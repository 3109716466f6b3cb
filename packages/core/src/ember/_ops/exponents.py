"""float_power, ldexp and frexp, as PyTorch's: a power computed in float64, a scaling by a power of two and
the split of a float into mantissa and exponent, composed of pow, mul, log2, exp2 and where (no kernel of
their own: frexp's scalings by exact powers of two and its correction step make it exact)."""
from __future__ import annotations

import math

from .. import _dtype, return_types
from .._tensor import Tensor
from .._typeinfo import result_type
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from .dispatch import profiled, type_name
from .linalg import write_out
from .pointwise import pow, where  # noqa: A004 - PyTorch's name

_SIGNATURES = ("received an invalid combination of arguments - got ({}, {}), but expected one of:\n"
               " * (Tensor input, Tensor exponent, *, Tensor out = None)\n"
               " * (Number self, Tensor exponent, *, Tensor out = None)\n"
               " * (Tensor input, Number exponent, *, Tensor out = None)\n")


@profiled("aten::float_power")
def float_power(input, exponent, *, out=None):
    """input ** exponent computed in float64 (either may be a Python number, not both): PyTorch's
    ``pow(input.double(), exponent.double())``, so its nodes are pow's (PowBackward0/1/2)."""
    tensor_input, tensor_exponent = isinstance(input, Tensor), isinstance(exponent, Tensor)
    if not (tensor_input or tensor_exponent) or not (tensor_input or isinstance(input, (int, float))) or \
            not (tensor_exponent or isinstance(exponent, (int, float))):
        raise TypeError("float_power() " + _SIGNATURES.format(type(input).__name__, type(exponent).__name__))
    double = _dtype.float64
    base = input.to(double) if tensor_input else input
    power = exponent.to(double) if tensor_exponent else float(exponent)
    if out is None:
        return pow(base, power)
    if isinstance(out, Tensor) and out.dtype is not double:
        raise RuntimeError(f"the output given to float_power has dtype {type_name(out.dtype)} but the operation's "
                           "result requires dtype Double")
    return pow(base, power, out=out)


def float_power_(self, exponent):
    """In-place float_power: `self` must be float64 already (PyTorch's error otherwise)."""
    if self.dtype is not _dtype.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {type_name(self.dtype)} but the operation's "
                           "result requires dtype Double")
    return self.pow_(exponent.to(_dtype.float64) if isinstance(exponent, Tensor) else float(exponent))


class LdexpBackward0(Node):
    """d/dinput = grad * 2 ** other, d/dother = grad * result * ln 2 (derivatives.yaml)."""

    _names_saved = ("other", "result")

    def backward(self, grad):
        other, result = self.saved_tensors
        return grad * pow(2.0, other), grad * result * math.log(2)


def _refuse_tensor(position: int, param: str, value) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"ldexp(): argument '{param}' (position {position}) must be Tensor, not "
                        f"{type(value).__name__}")


def _scaled(input, other):
    """input * 2 ** other in the promoted floating dtype (float16 in float32, rounded once)."""
    dt = result_type(input, other)
    if not dt.is_floating_point:
        dt = _dtype.get_default_dtype()
    work = _dtype.float32 if dt is _dtype.float16 else dt
    with grad_mode.no_grad():
        return (input.to(work) * pow(2.0, other.to(work))).to(dt)


@profiled("aten::ldexp")
def ldexp(input, other, *, out=None):
    """input * 2 ** other (LdexpBackward0), floating (integer operands give the default float dtype)."""
    _refuse_tensor(1, "input", input)
    _refuse_tensor(2, "other", other)
    if out is not None and not out.dtype.is_floating_point:
        raise RuntimeError(f"ldexp can't be cast to the desired output type {type_name(out.dtype)}")
    result = _scaled(input, other)
    if out is not None:
        return write_out(out, "ldexp", result._data, result._dtype, (input, other), reads=(input, other))
    if grad_mode.state.enabled and (input.requires_grad or other.requires_grad):
        return attach(result, LdexpBackward0, (input, other), (other, result))
    return result


class FrexpBackward0(Node):
    """The mantissa's gradient: grad / 2 ** exponent (the exponent has none)."""

    _names_saved = ("exponent",)

    def backward(self, grad):
        (exponent,) = self.saved_tensors
        return grad / exponent.exp2()


def _split(x):
    """(mantissa, exponent) of floating `x` in its dtype: |mantissa| in [0.5, 1), x = mantissa * 2 ** exponent;
    x itself and 0 for zeros, infinities and NaN. The exponent is estimated from log2 and corrected by one step
    where rounding put it off by one; the scaling goes in two halves, so no factor leaves the normal range."""
    magnitude = x.abs()
    regular = (magnitude > 0) & (magnitude < math.inf)
    estimate = where(regular, magnitude.log2().floor() + 1, 0.0)
    half = (-estimate / 2).floor()
    mantissa = x * half.exp2() * (-estimate - half).exp2()  # exact: powers of two in range
    high, low = (mantissa.abs() >= 1) & regular, (mantissa.abs() < 0.5) & regular
    mantissa = where(high, mantissa * 0.5, where(low, mantissa * 2, mantissa))
    exponent = estimate + high.to(x.dtype) - low.to(x.dtype)
    return mantissa, exponent


@profiled("aten::frexp")
def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2 ** exponent, |mantissa| in [0.5, 1), exponent int32;
    zeros, infinities and NaN give themselves and 0, as PyTorch's (C's frexp)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"frexp(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not input.dtype.is_floating_point:
        raise RuntimeError("ember.frexp() only supports floating-point dtypes")
    dt = input.dtype
    with grad_mode.no_grad():
        x = input.to(_dtype.float32) if dt is _dtype.float16 else input  # every float16 is a normal float32
        mantissa, exponent = _split(x)
        mantissa, exponent = mantissa.to(dt), exponent.to(_dtype.int32)
    if out is not None:
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError("frexp(): argument 'out' must be tuple of Tensors")
        if out[1].dtype is not _dtype.int32:
            raise RuntimeError(f"ember.frexp() expects exponent to have int dtype but got {type_name(out[1].dtype)}")
        if out[0].dtype is not dt:
            raise RuntimeError(f"ember.frexp() expects mantissa to have dtype {type_name(dt)} but got "
                               f"{type_name(out[0].dtype)}")
        return return_types.frexp(write_out(out[0], "frexp", mantissa._data, dt, (input,), reads=(input,)),
                                  write_out(out[1], "frexp", exponent._data, _dtype.int32, (input,), reads=(input,)))
    if grad_mode.state.enabled and input.requires_grad:
        attach(mantissa, FrexpBackward0, (input,), (exponent,))
    return return_types.frexp(mantissa, exponent)
