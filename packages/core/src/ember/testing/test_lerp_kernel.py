"""The optional `lerp` kernel: PyTorch's two-sided lerp, ``base + coefficient * (end - start)`` with (start,
weight) while |weight| < 0.5, else (end, weight - 1), in float32 for float16 (rounded to float16 at the end).
PyTorch's CPU kernel fuses that multiply-add under its AVX2/AVX512 capabilities and rounds each step under its
default one: each element must be exactly one of the two roundings (the multiply-add rounded once, or the product
and then the sum), checked against exact rational arithmetic on random values of many magnitudes, both sides of
weight 0.5 and at 0.5 itself."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from ember.testing.harness import FLOAT_NAMES
from ember.testing.test_optional_kernels import optional_kernel

CHECKED_KERNELS = ("lerp",)


def _round(exact: Fraction, dtype) -> Fraction:
    """`exact` rounded once to `dtype` (float32 or float64), to nearest, ties to even."""
    guess = np.array(float(exact), dtype)
    candidates = (np.nextafter(guess, dtype(-np.inf)), guess, np.nextafter(guess, dtype(np.inf)))
    finite = [c for c in candidates if np.isfinite(c)]
    return Fraction(float(min(finite, key=lambda c: (abs(Fraction(float(c)) - exact), int(np.array(c).view(
        np.int64 if dtype == np.float64 else np.int32)) & 1))))


def _roundings(start, end, weight, dtype_name):
    """The fused and the unfused result of each element, in `dtype_name`."""
    opmath = np.float64 if dtype_name == "float64" else np.float32
    fused, unfused = [], []
    for a, b, w in zip(start.astype(opmath), end.astype(opmath), np.broadcast_to(weight, start.shape).astype(opmath)):
        diff = Fraction(float(opmath(b - a)))
        base, coefficient = (a, w) if abs(w) < 0.5 else (b, opmath(w - opmath(1)))
        base, product = Fraction(float(base)), Fraction(float(coefficient)) * diff
        fused.append(float(_round(base + product, opmath)))
        unfused.append(float(_round(base + _round(product, opmath), opmath)))
    return tuple(np.array(results, opmath).astype(dtype_name) for results in (fused, unfused))


@pytest.mark.parametrize("by_tensor", (True, False), ids=("tensor_weight", "number_weight"))
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_lerp_kernel_rounds_as_one_of_pytorchs_kernels(ember_device, ember_rng, dtype_name, by_tensor):
    lerp = optional_kernel(ember_device, "lerp")
    ember_device.dtype(dtype_name)
    n = 400
    scale = ember_rng.choice(np.array([1e-3, 1.0, 1e3]), (2, n))
    start, end = (((ember_rng.standard_normal(n) * scale[i]).astype(dtype_name)) for i in range(2))
    weights = [ember_rng.uniform(-1.0, 2.0, n).astype(dtype_name)] if by_tensor else [0.3, 0.7, -0.6, 1.25, 0.5]
    for weight in weights:
        got = ember_device.to_numpy(lerp(ember_device.from_numpy(start), ember_device.from_numpy(end),
                                         ember_device.from_numpy(weight) if by_tensor else weight))
        assert got.dtype == np.dtype(dtype_name) and got.shape == (n,), f"lerp on {dtype_name}: {got.dtype}"
        fused, unfused = _roundings(start, end, np.asarray(weight), dtype_name)
        bits = f"u{got.dtype.itemsize}"
        wrong = np.flatnonzero((got.view(bits) != fused.view(bits)) & (got.view(bits) != unfused.view(bits)))
        assert wrong.size == 0, (f"lerp on {dtype_name} (weight {'tensor' if by_tensor else weight}): element "
                                 f"{wrong[:1]} is {got[wrong[:1]]}, the multiply-add rounded once "
                                 f"{fused[wrong[:1]]}, each step rounded {unfused[wrong[:1]]}")
