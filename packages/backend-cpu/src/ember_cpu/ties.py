"""maximum, minimum and relu with PyTorch's choice between equal operands (-0. against 0.). PyTorch keeps x
against a number bound (relu, clamp(min=0), hardtanh: relu(-0.) is -0.), and between two tensors its vectorized
loops keep the second operand (float16 too). numpy keeps the first for float16 and the second for float32 and
float64: probed once here, per dtype, so that another numpy's choice is followed too."""
from __future__ import annotations

import math
import numbers

import numpy as np

from . import zeros
from .layout import laid_out


def _keeps_second(ufunc: np.ufunc, dtype: np.dtype) -> bool:
    first, second = np.full(17, -0.0, dtype), np.zeros(17, dtype)  # long enough for numpy's SIMD loops
    return not np.signbit(ufunc(first, second)).any()


_FLOATS = tuple(np.dtype(name) for name in ("float16", "float32", "float64"))
_SECOND = {ufunc: frozenset(dt for dt in _FLOATS if _keeps_second(ufunc, dt)) for ufunc in (np.maximum, np.minimum)}


_FINITE = {dt: float(np.finfo(dt).max) for dt in _FLOATS}


def _held(number, dtype: np.dtype):
    """`number` as a buffer of `dtype` holds it: one beyond the dtype's range cast silently (to the inf of
    its sign, or the largest value it rounds to), as PyTorch's ``maximum(h, tensor(1e6))``."""
    if number.__class__ is float and abs(number) > _FINITE.get(dtype, math.inf):
        with np.errstate(over="ignore"):
            return dtype.type(number)
    return number


def _choosing_as_pytorch(ufunc: np.ufunc):
    keeps_second = _SECOND[ufunc]

    def kernel(a, b, out=None):
        first, second = a, b
        if isinstance(b, numbers.Number):
            b = _held(b, a.dtype)
            if a.dtype in keeps_second:  # a number bound: x kept where equal to it
                a, b = b, a
        elif not isinstance(a, np.ndarray):
            a = _held(a, b.dtype)
        elif a.dtype in _FLOATS and a.dtype not in keeps_second:
            a, b = b, a  # two buffers: the second kept
        if out is not None:
            return ufunc(a, b, out=out)
        result = np.asarray(ufunc(a, b))
        return result if result.ndim < 2 else laid_out(result, first, second)

    kernel.__name__ = kernel.__qualname__ = ufunc.__name__
    kernel.__doc__ = (f"{ufunc.__name__}(a, b): where a and b are equal, b when both are buffers, a when b is "
                      "a number (PyTorch's clamp and relu).")
    return kernel


maximum, minimum = _choosing_as_pytorch(np.maximum), _choosing_as_pytorch(np.minimum)


def relu(x, out=None):
    """max(x, 0), x where it is a zero (-0. stays -0.) or NaN, as in PyTorch; contiguous floats compare with a
    zero array, numpy's fast loop (see zeros.py), other layouts with 0 (the result keeps x's layout)."""
    zero = zeros.zeros_like(x) if x.dtype.kind == "f" and x.flags.c_contiguous else None  # None past its limit
    if zero is None:
        return maximum(x, 0, out=out)
    first, second = (zero, x) if x.dtype in _SECOND[np.maximum] else (x, zero)
    return np.asarray(np.maximum(first, second)) if out is None else np.maximum(first, second, out=out)


KERNELS = {"maximum": maximum, "minimum": minimum, "relu": relu}
