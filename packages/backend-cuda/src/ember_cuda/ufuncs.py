"""PyTorch's semantics of float ops where cupy's ufuncs differ, as cupy ufuncs (``f(a, b, out=None)``).

- floor division and remainder: numpy's and PyTorch's algorithm, C's fmod then the quotient corrected
  toward the floor. cupy's floor_divide is floor(a / b) (1.0 // 0.1 gives 10 where PyTorch gives 9, inf // 1
  gives inf where PyTorch gives nan) and its remainder a - floor(a / b) * b (0.0 % inf gives nan, not 0.0).
- maximum and minimum: NaN propagates, and of two equal operands (-0. and 0.) the second is kept, as
  PyTorch's kernels choose (the kernels put x second against a number bound: relu(-0.) is -0.).
- exp2: CUDA's exp2, as PyTorch's kernel. cupy's is pow(2, x), whose float64 result at an integer can miss the
  power of two by an ulp (frexp, composed of exp2, gave the mantissa 0.7031249999999998 for 0.703125).
- lgamma: CUDA's lgamma, as PyTorch's kernel: lgamma(-inf) is inf (cupyx.scipy.special.gammaln gives scipy's
  -inf).

float16 is computed in float, as PyTorch's CUDA kernels compute half.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any

_PREAMBLE = r"""
template <typename T> __device__ T ember_floor_divide(T a, T b) {
    if (b == 0) return a / b;
    T mod = fmod(a, b);
    T quotient = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) quotient -= 1;
    if (quotient == 0) return copysign((T)0, a / b);
    T floored = floor(quotient);
    return quotient - floored > (T)0.5 ? floored + 1 : floored;
}

template <typename T> __device__ T ember_remainder(T a, T b) {
    T mod = fmod(a, b);
    return mod != 0 && ((b < 0) != (mod < 0)) ? mod + b : mod;
}

template <typename T> __device__ T ember_maximum(T a, T b) { return a != a || a > b ? a : b; }

template <typename T> __device__ T ember_minimum(T a, T b) { return a != a || a < b ? a : b; }

template <typename T> __device__ T ember_exp2(T x) { return exp2(x); }

template <typename T> __device__ T ember_lgamma(T x) { return lgamma(x); }
"""

FUNCTIONS = ("floor_divide", "remainder", "maximum", "minimum")
UNARY_FUNCTIONS = ("exp2", "lgamma")


def _ufunc(core: ModuleType, function: str, arity: int) -> Any:
    """`ember_<function>` of `arity` floats as a cupy ufunc, float16 computed in float."""
    def loop(types: str, c_type: str, operand: str) -> tuple[str, str]:
        operands = ", ".join(operand.format(f"in{k}") for k in range(arity))
        return f"{types * arity}->{types}", f"out0 = ember_{function}<{c_type}>({operands})"

    return core.create_ufunc(f"ember_{function}", (loop("e", "float", "float({})"), loop("f", "float", "{}"),
                                                   loop("d", "double", "{}")), None, preamble=_PREAMBLE)


def ufuncs(cupy: ModuleType) -> dict[str, Any]:
    """Each of `FUNCTIONS` and `UNARY_FUNCTIONS`, of floats, on cupy."""
    from cupy import _core

    return {**{function: _ufunc(_core, function, 2) for function in FUNCTIONS},
            **{function: _ufunc(_core, function, 1) for function in UNARY_FUNCTIONS}}
