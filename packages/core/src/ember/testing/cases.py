"""Test inputs of the conformance kit: shapes, random host data, and buffers laid out as views.

Every non-contiguous input is built with the device's own ``as_strided`` on a larger buffer, so a kernel
sees exactly the strides and storage offsets that core's view arithmetic produces.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ember.testing.compare import assert_matches
from ember.testing.harness import FLOAT_NAMES, INT_NAMES, DeviceUnderTest


def _random_shapes(seed: int, count: int) -> tuple[tuple[int, ...], ...]:
    rng = np.random.default_rng(seed)
    return tuple(tuple(int(n) for n in rng.integers(1, 6, size=rng.integers(1, 5))) for _ in range(count))


# 0-d, empty and size-1 dims first, then a few random shapes drawn once from a fixed seed.
SHAPES = ((), (0,), (1,), (7,), (1, 1), (3, 4), (2, 0, 3), (4, 1, 3)) + _random_shapes(seed=0, count=3)

# Pairs of shapes that broadcast against each other, numpy-style.
BROADCAST_PAIRS = (
    ((), ()), ((), (3,)), ((4,), ()), ((3, 4), (3, 4)), ((2, 1, 4), (3, 1)), ((1,), (5, 4)),
    ((4, 1, 3), (4, 5, 1)), ((2, 0, 3), (1, 3)), ((0,), (0,)), ((2, 3, 1, 2), (3, 4, 1)),
)

# How a buffer is laid out in device memory:
#   contiguous       a fresh buffer
#   transposed       every axis reversed (Fortran order)
#   stepped          every second element along every axis of a buffer twice as large
#   offset_permuted  ``base[1:].permute(reversed)``: a view with a storage offset, then a view of that view
#   rows_stepped     ``base[1::2]``: every second row, from a storage offset, the last stride still 1 (a
#                    kernel that takes "last stride 1" for contiguous reads the wrong elements)
LAYOUTS = ("contiguous", "transposed", "stepped", "offset_permuted", "rows_stepped")


# Value ranges of each domain of random_array: whole numbers for ints (and for "ties" in every dtype).
WHOLE_RANGES = {"real": (-5, 5), "positive": (1, 5), "nonzero": (1, 5), "ties": (-2, 2), "exponent": (0, 3),
                "any": (-9, 9), "unit": (0, 0), "above_one": (2, 5),
                "above_two": (3, 6)}
FLOAT_RANGES = {"real": (-2.0, 2.0), "positive": (0.5, 2.5), "nonzero": (0.5, 2.0), "exponent": (-2.0, 2.0),
                "any": (-9.0, 9.0), "unit": (-0.95, 0.95), "above_one": (1.05, 4.0),
                "above_two": (2.5, 6.0)}


# Values random data never holds: NaN and inf, signed zeros, huge magnitudes; ints beyond 2**31, and
# each integer dtype's extremes, which wrap around as in PyTorch.
NAN, INF = float("nan"), float("inf")
FLOAT_SPECIALS = (NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 100.0, -100.0, 1000.0, -1000.0)
INT_SPECIALS = {"int64": (2**40 + 1, 2**40 + 3, -(2**40) - 5, 2**31, -(2**31) - 1, 2**33 + 7, 0, 1, -1, 7),
                "int32": (2**31 - 1, -(2**31), 2**30 + 1, 0, 1, -1, 7),
                "int16": (2**15 - 1, -(2**15), 2**14 + 1, 0, 1, -1, 7),
                "int8": (127, -128, 65, 0, 1, -1, 7),
                "uint8": (255, 254, 128, 127, 0, 1, 7)}

# Rows of a (6, 3) float matrix: NaN first, in the middle and last, inf against -inf, only infinities.
SPECIAL_ROWS = ((NAN, 1.0, 2.0), (1.0, NAN, -INF), (2.0, 1.0, NAN), (INF, -INF, 1.0), (-INF, -INF, -INF),
                (1.0, INF, INF))


def specials(dtype_name: str) -> np.ndarray:
    """The special values of a dtype as a 1-D host array."""
    values = FLOAT_SPECIALS if dtype_name in FLOAT_NAMES else INT_SPECIALS[dtype_name]
    return np.array(values, dtype=dtype_name)


def random_array(rng: np.random.Generator, shape: tuple[int, ...], dtype_name: str,
                 domain: str = "real") -> np.ndarray:
    """Host data of ``shape`` and ``dtype_name`` drawn from ``domain``.

    Domains: ``real``, ``positive``, ``nonzero`` (magnitudes from the range, either sign), ``ties`` (whole
    numbers in [-2, 2], so that equal values are common), ``exponent``, ``any`` (wide: periodic and
    rounding functions), ``unit`` (inside (-1, 1)), ``above_one`` and ``above_two`` (past the zeros of
    lgamma and digamma, where relative errors are large); their ranges are WHOLE_RANGES for ints and
    FLOAT_RANGES for floats. Bools are fair coin flips in every domain.
    """
    if dtype_name == "bool":
        return rng.random(shape) < 0.5
    values: np.ndarray
    if dtype_name in INT_NAMES or domain == "ties":
        low, high = WHOLE_RANGES[domain]
        values = rng.integers(low, high + 1, size=shape)
    else:
        values = rng.uniform(*FLOAT_RANGES[domain], size=shape)
    if domain == "nonzero":
        values = values * rng.choice((-1, 1), size=shape)
    return np.asarray(values).astype(dtype_name)


def place(device: DeviceUnderTest, array: np.ndarray, layout: str) -> Any:
    """A device buffer equal to ``array``, laid out in device memory as ``layout`` (see LAYOUTS)."""
    kernels, ndim = device.kernels, array.ndim
    if layout == "contiguous":
        return device.from_numpy(array)
    if layout == "transposed":
        base = device.from_numpy(array.T)
        return kernels.as_strided(base, array.shape, kernels.strides(base)[::-1], 0)
    if layout == "stepped":
        host = np.zeros(tuple(2 * n for n in array.shape), dtype=array.dtype)
        host[(slice(None, None, 2),) * ndim] = array
        base = device.from_numpy(host)
        return kernels.as_strided(base, array.shape, tuple(2 * s for s in kernels.strides(base)), 0)
    if layout == "offset_permuted":
        # array == host[1:].transpose(reversed axes); host[0] is filler that the views must never show.
        if ndim == 0:
            base = device.from_numpy(np.array([1, array], dtype=array.dtype))
            return kernels.as_strided(base, (), (), 1)
        rows = array.T
        filler = np.ones((1,) + rows.shape[1:], dtype=array.dtype)
        base = device.from_numpy(np.concatenate([filler, rows]))
        strides = kernels.strides(base)
        rows_view = kernels.as_strided(base, rows.shape, strides, strides[0])
        return kernels.as_strided(rows_view, array.shape, kernels.strides(rows_view)[::-1], 0)
    if layout == "rows_stepped":
        if ndim == 0:
            base = device.from_numpy(np.array([1, 1, array], dtype=array.dtype))
            return kernels.as_strided(base, (), (), 2)
        host = np.ones((2 * array.shape[0] + 1,) + array.shape[1:], dtype=array.dtype)
        host[1::2] = array
        base = device.from_numpy(host)
        strides = kernels.strides(base)
        return kernels.as_strided(base, array.shape, (2 * strides[0],) + strides[1:], strides[0])
    raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")


def assert_fresh(ember_device, result, inputs, what):
    """Writing into ``result`` must leave every (device buffer, host copy) of ``inputs`` unchanged."""
    host_result = ember_device.to_numpy(result)
    changed = ~host_result if host_result.dtype == np.bool_ else (host_result + 1).astype(host_result.dtype)
    ember_device.kernels.copy_(result, ember_device.from_numpy(changed))
    for buffer, host in inputs:
        assert_matches(ember_device.to_numpy(buffer), host,
                       f"{what} returned a buffer sharing memory with its input (writing into it changed x)")


def on_device(device: DeviceUnderTest, key: tuple) -> tuple:
    """An indexing key with its numpy index arrays moved to the device; ints, slices, None stay."""
    return tuple(device.from_numpy(k) if isinstance(k, np.ndarray) else k for k in key)


def describe_key(key: tuple) -> str:
    """A readable form of an indexing key for failure messages: ``[:, array([2, 0])]``."""
    def one(k: object) -> str:
        if isinstance(k, slice):
            parts = ["" if v is None else str(v) for v in (k.start, k.stop, k.step)]
            return ":".join(parts[:2]) + (f":{parts[2]}" if k.step is not None else "")
        return "..." if k is Ellipsis else repr(k).replace("\n", "").replace(" ", "")
    return "[" + ", ".join(one(k) for k in key) + "]"
