"""The CPU backend's scan and sort kernels: cumsum, cumprod and sort along one axis.

Running sums and products accumulate as PyTorch's CPU kernels do (float16 in float32, float32 in float64),
so long float32 scans round once per element, not once per step. ``sort`` is stable, NaN sorting as the
largest value; 2- and 4-byte dtypes are sorted by LSD radix passes over 16-bit digits of an order-preserving
key (numpy's stable argsort of uint16 is a radix sort), others by numpy's stable argsort.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ember._backend_util import scan


def _scan(running, name: str):
    """The kernel ``name(x, axis, out=None)``: `running` (np.cumsum, np.cumprod) along `axis`, of x's dtype,
    accumulated as PyTorch's (`ember._backend_util.scan`)."""

    @np.errstate(all="ignore")  # inf - inf and overflow give NaN and inf silently, as PyTorch's
    def kernel(x, axis, out=None):
        return scan(np, running, x, axis, out)

    kernel.__name__ = kernel.__qualname__ = name
    return kernel


cumsum = _scan(np.cumsum, "cumsum")
cumprod = _scan(np.cumprod, "cumprod")

# Unsigned keys whose order is the dtype's order: the sign bit flipped for ints, for floats every bit of a
# negative number (IEEE bits read as integers run backwards there) and the sign bit of the others.
_KEY_TYPES = {np.dtype(np.float16): np.uint16, np.dtype(np.float32): np.uint32, np.dtype(np.int32): np.uint32}


def _radix_key(x: np.ndarray, descending: bool) -> np.ndarray:
    """Order-preserving unsigned keys of a 2- or 4-byte x; NaN (any sign, any payload) above inf, -0.0
    equal to 0.0; bits inverted for a descending order."""
    unsigned = _KEY_TYPES[x.dtype]
    bits = np.dtype(unsigned).itemsize * 8
    top = unsigned(1 << (bits - 1))
    if x.dtype.kind == "f":
        key = (x + x.dtype.type(0)).view(unsigned)  # -0.0 + 0.0 is 0.0, so both zeros get one key
        flip = key >> unsigned(bits - 1)
        np.negative(flip, out=flip)
        flip |= top
        key ^= flip
        nan = np.isnan(x)
        if nan.any():
            key[nan] = np.iinfo(unsigned).max
    else:
        key = x.view(unsigned) ^ top
    if descending:
        np.invert(key, out=key)
    return key


def _radix_order(key: np.ndarray) -> np.ndarray:
    """The stable ascending order of unsigned keys along the last axis, by 16-bit digits, least first."""
    digits = key.view(np.uint16).reshape(*key.shape, key.itemsize // 2)
    passes = range(digits.shape[-1]) if np.little_endian else range(digits.shape[-1] - 1, -1, -1)
    order = None
    for digit in passes:
        column = np.ascontiguousarray(digits[..., digit])
        if order is None:
            order = np.argsort(column, axis=-1, kind="stable")
        else:
            step = np.argsort(np.take_along_axis(column, order, -1), axis=-1, kind="stable")
            order = np.take_along_axis(order, step, -1)
    return order


def sort(x, axis, descending, stable):
    """(values, int64 indices) of x sorted along `axis`; always stable (ties keep their order, also when
    descending), NaN the largest value, as PyTorch's CPU sort."""
    moved = np.moveaxis(x, axis, -1)
    if x.dtype in _KEY_TYPES:
        order = _radix_order(_radix_key(np.ascontiguousarray(moved), descending))
    elif descending:  # a stable ascending sort of the reversed rows, reversed back
        n = moved.shape[-1]
        order = (n - 1) - np.argsort(moved[..., ::-1], axis=-1, kind="stable")[..., ::-1]
    else:
        order = np.argsort(moved, axis=-1, kind="stable")
    values = np.take_along_axis(moved, order, -1)
    return np.moveaxis(values, -1, axis), np.moveaxis(order.astype(np.int64, copy=False), -1, axis)


KERNELS: dict[str, Any] = {"cumsum": cumsum, "cumprod": cumprod, "sort": sort}
