"""Elementwise kernels: thin ufunc calls, plus the few places where PyTorch's semantics are not the
ufunc's (sign of NaN, remainder's zero sign, shifts by the width or more, where with numbers)."""
from __future__ import annotations

from collections.abc import Callable

from .arrays import ArrayAPI


def _unary(ufunc, name: str) -> Callable:
    def kernel(x, out=None):
        return ufunc(x, out=out)

    kernel.__name__ = kernel.__qualname__ = name
    return kernel


def _binary(ufunc, name: str) -> Callable:
    def kernel(a, b, out=None):
        return ufunc(a, b, out=out)

    kernel.__name__ = kernel.__qualname__ = name
    return kernel


_UNARY = {"neg": "negative", "exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tanh": "tanh",
          "sqrt": "sqrt", "abs": "absolute", "exp2": "exp2", "expm1": "expm1", "log2": "log2",
          "log10": "log10", "log1p": "log1p", "tan": "tan", "asin": "arcsin", "acos": "arccos",
          "atan": "arctan", "sinh": "sinh", "cosh": "cosh", "asinh": "arcsinh", "acosh": "arccosh",
          "atanh": "arctanh", "floor": "floor", "ceil": "ceil", "trunc": "trunc", "round": "rint",
          "bitwise_not": "invert"}
_BINARY = {"add": "add", "sub": "subtract", "mul": "multiply", "div": "divide",
           "maximum": "maximum", "minimum": "minimum", "eq": "equal", "ne": "not_equal", "lt": "less",
           "le": "less_equal", "gt": "greater", "ge": "greater_equal", "floor_divide": "floor_divide",
           "fmod": "fmod", "atan2": "arctan2", "copysign": "copysign", "logaddexp": "logaddexp",
           "logaddexp2": "logaddexp2", "hypot": "hypot", "nextafter": "nextafter", "bitwise_and": "bitwise_and",
           "bitwise_or": "bitwise_or", "bitwise_xor": "bitwise_xor"}
# The special functions the ArrayAPI provides (cupy has no ufunc for them).
SPECIAL = ("erf", "erfc", "lgamma", "digamma", "erfinv", "i0")
SPECIAL_BINARY = ("igamma", "igammac")


def kernels(api: ArrayAPI) -> dict[str, Callable]:
    xp = api.xp
    ndarray = api.ndarray

    def sign(x, out=None):
        """-1, 0 or 1, and 0 for NaN, as PyTorch's."""
        result = xp.sign(x, out=out)
        if result.dtype.kind == "f":
            xp.copyto(result, 0, where=xp.isnan(result))
        return result

    def remainder(a, b, out=None):
        """The divisor's sign, as Python's; a zero result of floats takes the dividend's sign, as
        PyTorch's fmod-based remainder does (-4 % 2 is -0.0)."""
        dividend = xp.copysign(1, a) if isinstance(a, ndarray) and a.dtype.kind == "f" else a  # before out
        result = xp.remainder(a, b, out=out)
        if result.dtype.kind == "f":
            xp.copyto(result, xp.copysign(result, dividend), where=result == 0)
        return result

    def pow(a, b, out=None):
        """a ** b; a bool array to a bool power stays bool (a or not b), as PyTorch's (cupy gives int8)."""
        if type(b) is bool and a.dtype.kind == "b":
            return xp.logical_or(a, not b, out=out)
        return xp.power(a, b, out=out)

    def _dtype(a, b):
        return (a if isinstance(a, ndarray) else b).dtype

    def bitwise_left_shift(a, b, out=None):
        """a << b, and 0 where b is negative or at least the width (C leaves those undefined)."""
        return _shift(xp.left_shift, a, b, out, zero_outside=True)

    def bitwise_right_shift(a, b, out=None):
        """a >> b; where b is negative or at least the width, the sign: a >> (width - 1) for signed
        dtypes, 0 for unsigned ones, as PyTorch's."""
        return _shift(xp.right_shift, a, b, out, zero_outside=_dtype(a, b).kind == "u")

    def _shift(ufunc, a, b, out, zero_outside: bool):
        width = 8 * _dtype(a, b).itemsize
        if not isinstance(b, ndarray):
            if 0 <= b < width:
                return ufunc(a, b, out=out)
            return xp.multiply(a, 0, out=out) if zero_outside else ufunc(a, width - 1, out=out)
        outside = (b < 0) | (b >= width)
        result = ufunc(a, xp.where(outside, 0 if zero_outside else width - 1, b).astype(b.dtype, copy=False))
        if zero_outside:
            result = xp.where(outside, xp.zeros((), result.dtype), result)
        return result if out is None else _into(out, result)

    def _into(out, result):
        xp.copyto(out, result)
        return out

    def _as_buffer(value, like):
        """A number of `where` as a 0-d buffer of the other operand's dtype, cast on the device (a
        number out of the dtype's range becomes inf, as PyTorch's)."""
        return xp.full((), value, like.dtype) if not isinstance(value, ndarray) else value

    def where(cond, a, b, out=None):
        if not isinstance(a, ndarray):
            a = _as_buffer(a, b) if isinstance(b, ndarray) else a
        elif not isinstance(b, ndarray):
            b = _as_buffer(b, a)
        result = xp.where(cond, a, b)
        return result if out is None else _into(out, result)  # through a temporary: out may be a or b

    table = {name: _unary(getattr(xp, ufunc), name) for name, ufunc in _UNARY.items()}
    table.update({name: _binary(getattr(xp, ufunc), name) for name, ufunc in _BINARY.items()})
    table.update({"sign": sign, "pow": pow, "remainder": remainder, "bitwise_left_shift": bitwise_left_shift,
                  "bitwise_right_shift": bitwise_right_shift, "where": where})
    table.update({name: _unary(getattr(api, name), name) for name in SPECIAL})
    table.update({name: _binary(getattr(api, name), name) for name in SPECIAL_BINARY})
    return table
