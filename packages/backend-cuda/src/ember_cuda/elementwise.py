"""Elementwise kernels: thin ufunc calls, plus the places where PyTorch's semantics are not the ufunc's
(sign of NaN, floor division, remainder and the ties of maximum/minimum of floats, nextafter to itself, i0
at infinity, shifts by the width or more, where with numbers, special functions of float16), each result
laid out as PyTorch's (layout.py)."""
from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from .arrays import ArrayAPI
from .creation import host_number
from .layout import in_layout

_HALF, _FLOAT = np.dtype(np.float16), np.dtype(np.float32)
# The largest finite value of each float dtype a Python number is cast into
_FINITE_MAX = {np.dtype(t): float(np.finfo(t).max) for t in (np.float16, np.float32)}


def _unary(ufunc, name: str) -> Callable:
    def kernel(x, out=None):
        return ufunc(x, out=out)

    kernel.__name__ = kernel.__qualname__ = name
    return kernel


def _binary(ufunc, name: str) -> Callable:
    """ufunc(a, b); a Python float beyond the array's dtype becomes its infinity without numpy's overflow
    warning (cupy casts the number on the host, through numpy), as PyTorch casts it silently."""
    def kernel(a, b, out=None):
        number, array = (a, b) if type(a) is float else (b, a)
        if type(number) is float and abs(number) > _FINITE_MAX.get(array.dtype, np.inf):
            with np.errstate(over="ignore"):
                return ufunc(a, b, out=out)
        return ufunc(a, b, out=out)

    kernel.__name__ = kernel.__qualname__ = name
    return kernel


def _in_float32(arg):
    """A float16 operand in float32: an array converted, a Python number rounded to float16 first (as
    PyTorch casts a number to the tensor's dtype: 70000.0 is inf)."""
    if getattr(arg, "dtype", None) is not None:
        return arg.astype(_FLOAT)
    with np.errstate(over="ignore"):
        return float(np.float16(arg))


def _in_float(function: Callable, name: str) -> Callable:
    """A special function of the api (cupyx.scipy.special's) with PyTorch's result dtype: float16 computed in
    float32 and rounded back, as PyTorch's CUDA kernels compute half (cupyx's give float32 or float64)."""
    def kernel(*args, out=None):
        half = any(getattr(arg, "dtype", None) == _HALF for arg in args)
        if not half:
            return function(*args, out=out)
        result = function(*(_in_float32(arg) for arg in args))
        if out is None:
            return result.astype(_HALF)
        out[...] = result
        return out

    kernel.__name__ = kernel.__qualname__ = name
    return kernel


def tie(api: ArrayAPI, name: str, a, b, out=None):
    """PyTorch's maximum or minimum (`name`): of floats the api's (NaN propagates, of equal operands the second,
    and x against a number bound: relu(-0.) is -0.), of integers the ufunc."""
    dtype = (a if isinstance(a, api.ndarray) else b).dtype
    if dtype.kind != "f":
        return getattr(api.xp, name)(a, b, out=out)
    if not isinstance(b, api.ndarray):
        a, b = b, a  # the number first: x, second, is kept where equal
    return getattr(api, name)(a, b, out=out)


_UNARY = {"neg": "negative", "exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tanh": "tanh",
          "sqrt": "sqrt", "abs": "absolute", "expm1": "expm1", "log2": "log2",
          "log10": "log10", "log1p": "log1p", "tan": "tan", "asin": "arcsin", "acos": "arccos",
          "atan": "arctan", "sinh": "sinh", "cosh": "cosh", "asinh": "arcsinh", "acosh": "arccosh",
          "atanh": "arctanh", "floor": "floor", "ceil": "ceil", "trunc": "trunc", "round": "rint",
          "bitwise_not": "invert"}
_BINARY = {"add": "add", "sub": "subtract", "mul": "multiply", "div": "divide",
           "eq": "equal", "ne": "not_equal", "lt": "less",
           "le": "less_equal", "gt": "greater", "ge": "greater_equal", "fmod": "fmod", "atan2": "arctan2",
           "copysign": "copysign", "logaddexp": "logaddexp", "logaddexp2": "logaddexp2", "hypot": "hypot",
           "bitwise_and": "bitwise_and", "bitwise_or": "bitwise_or", "bitwise_xor": "bitwise_xor"}
# The special functions the ArrayAPI provides (cupy has no ufunc for them).
SPECIAL = ("erf", "erfc", "lgamma", "digamma", "erfinv", "i0")
SPECIAL_BINARY = ("igamma", "igammac")
# The float functions the ArrayAPI provides (cupy's ufuncs are not PyTorch's: ufuncs.py).
FLOAT_FUNCTIONS = ("floor_divide", "remainder", "maximum", "minimum", "exp2")


def kernels(api: ArrayAPI) -> dict[str, Callable]:
    xp = api.xp
    ndarray = api.ndarray

    def sign(x, out=None):
        """-1, 0 or 1, and 0 for NaN, as PyTorch's."""
        result = xp.sign(x, out=out)
        if result.dtype.kind == "f":
            xp.copyto(result, 0, where=xp.isnan(result))
        return result

    def floor_divide(a, b, out=None):
        """PyTorch's floor division: the api's for floats (fmod-based, as numpy's), the ufunc's for integers."""
        return (api.floor_divide if _dtype(a, b).kind == "f" else xp.floor_divide)(a, b, out=out)

    def remainder(a, b, out=None):
        """The divisor's sign, as Python's: the api's for floats (fmod-based: a zero result takes the
        dividend's sign, -4 % 2 is -0.0, as PyTorch's), the ufunc's for integers."""
        return (api.remainder if _dtype(a, b).kind == "f" else xp.remainder)(a, b, out=out)

    def nextafter(a, b, out=None):
        """The next float after a toward b, and b where they are equal; cupy's float16 one gives NaN for
        nextafter(inf, inf) and for any step away from an infinity, which reaches the largest finite float."""
        equal = xp.equal(a, b)  # before out, which may be a or b
        half = _dtype(a, b) == _HALF
        if half:
            leaving = xp.isinf(a) & ~equal & ~xp.isnan(b)
            largest = xp.copysign(xp.asarray(_FINITE_MAX[_HALF], _HALF), a)
        result = xp.nextafter(a, b, out=out)
        xp.copyto(result, host_number(b, result.dtype), where=equal)
        if half:
            xp.copyto(result, largest, where=leaving)
        return result

    def exp2(x, out=None):
        """2 ** x: of floats the api's (CUDA's exp2, exact at integers, as PyTorch's kernel), else the ufunc's."""
        return (api.exp2 if x.dtype.kind == "f" else xp.exp2)(x, out=out)

    def i0(x, out=None):
        """The modified Bessel function I0, and NaN at either infinity, as PyTorch's Cephes-based one gives
        (cupyx's gives inf)."""
        infinite = xp.isinf(x)  # before out, which may be x
        result = special_i0(x, out=out)
        xp.copyto(result, xp.nan, where=infinite)
        return result

    # PyTorch's kernels (CUDA's and the CPU's) take these number powers of a float as a copy, products and
    # quotients; cupy's C pow is not exact there (its float64 x ** 1 can be an ulp off x)
    powers = {1: lambda x, out: xp.positive(x, out=out),
              2: lambda x, out: xp.multiply(x, x, out=out),
              3: lambda x, out: xp.multiply(xp.multiply(x, x), x, out=out),
              -1: lambda x, out: xp.divide(1.0, x, out=out),
              -2: lambda x, out: xp.divide(1.0, xp.multiply(x, x), out=out)}

    def pow(a, b, out=None):
        """a ** b; a bool array to a bool power stays bool (a or not b), as PyTorch's (cupy gives int8); a
        float array to a number power in `powers` as PyTorch's."""
        if type(b) is bool and a.dtype.kind == "b":
            return xp.logical_or(a, not b, out=out)
        if type(b) in (bool, int, float) and b in powers and a.dtype.kind == "f":
            return powers[b](a, out)
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
        number out of the dtype's range becomes inf, silently, as PyTorch's)."""
        return xp.full((), host_number(value, like.dtype), like.dtype) if not isinstance(value, ndarray) else value

    def where(cond, a, b, out=None):
        if not isinstance(a, ndarray):
            a = _as_buffer(a, b) if isinstance(b, ndarray) else a
        elif not isinstance(b, ndarray):
            b = _as_buffer(b, a)
        result = xp.where(cond, a, b)
        return result if out is None else _into(out, result)  # through a temporary: out may be a or b

    table = {name: _unary(getattr(xp, ufunc), name) for name, ufunc in _UNARY.items()}
    table.update({name: _in_float(getattr(api, name), name) for name in SPECIAL})
    special_i0 = table["i0"]  # wrapped by `i0` below
    table.update({"sign": sign, "exp2": exp2, "i0": i0, "bitwise_left_shift": bitwise_left_shift,
                  "bitwise_right_shift": bitwise_right_shift, "where": where})
    binaries = {name: getattr(xp, ufunc) for name, ufunc in _BINARY.items()}
    binaries.update({name: _in_float(getattr(api, name), name) for name in SPECIAL_BINARY})
    binaries.update({"pow": pow, "floor_divide": floor_divide, "remainder": remainder, "nextafter": nextafter})
    binaries.update({name: functools.partial(tie, api, name) for name in ("maximum", "minimum")})
    table.update({name: _binary(function, name) for name, function in binaries.items()})
    return {name: in_layout(xp, kernel) for name, kernel in table.items()}
