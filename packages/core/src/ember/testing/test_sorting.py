"""Scans and sorting against numpy: cumsum and cumprod along each axis (with ``out=``), and sort's values
and int64 indices, stable in both directions, NaN sorting as the largest value, as PyTorch's."""
from __future__ import annotations

import numpy as np
import pytest

from ember.testing.cases import LAYOUTS, SPECIAL_ROWS, place, random_array
from ember.testing.compare import assert_matches, reference
from ember.testing.harness import DTYPE_NAMES, FLOAT_NAMES, NUMERIC_NAMES

CHECKED_KERNELS = ("cumsum", "cumprod", "sort")

# (shape, axis): one axis of each position, size-1 and empty dims; core never passes a 0-d buffer.
AXES = (((7,), 0), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 1), ((2, 3, 4), 2), ((4, 1, 3), 1), ((1, 1), 0),
        ((0,), 0), ((2, 0, 3), 2), ((2, 0, 3), 1))

SCANS = {"cumsum": np.cumsum, "cumprod": np.cumprod}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", NUMERIC_NAMES)
@pytest.mark.parametrize("op", SCANS)
def test_scan_matches_numpy(ember_device, ember_rng, op, dtype_name, layout):
    ember_device.dtype(dtype_name)
    for shape, axis in AXES:
        host = random_array(ember_rng, shape, dtype_name, "real" if op == "cumsum" else "nonzero")
        result = getattr(ember_device.kernels, op)(place(ember_device, host, layout), axis)
        expected = reference(lambda a, axis=axis: SCANS[op](a, axis=axis, dtype=a.dtype), dtype_name, host)
        assert_matches(ember_device.to_numpy(result), expected, f"{op}(<{shape} {dtype_name}, {layout}>, {axis})",
                       terms=shape[axis], magnitude=2.0 ** shape[axis] if op == "cumprod" else 2.0)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("op", SCANS)
def test_scan_writes_into_out(ember_device, ember_rng, op, layout):
    host = random_array(ember_rng, (3, 4), "float32", "nonzero")
    out = place(ember_device, np.zeros((3, 4), np.float32), layout)
    result = getattr(ember_device.kernels, op)(ember_device.from_numpy(host), 1, out=out)
    assert result is out, f"{op}(x, axis, out=out) returns out"
    expected = reference(lambda a: SCANS[op](a, axis=1), "float32", host)
    assert_matches(ember_device.to_numpy(out), expected, f"{op}(x, 1, out=<{layout} buffer>)", terms=4,
                   magnitude=16.0)


@pytest.mark.parametrize("dtype_name", ("float16", "float32"))
def test_running_sum_accumulates_in_a_wider_type(ember_device, dtype_name):
    """As PyTorch's CPU kernels (float16 in float32, float32 in float64): ones added to the first integer
    the dtype cannot step past by 1 still count, each rounded once (in the dtype's own steps they vanish)."""
    ember_device.dtype(dtype_name)
    start = 2.0 ** (np.finfo(dtype_name).nmant + 1)
    host = np.array([start] + [1.0] * 6, dtype_name)
    result = ember_device.to_numpy(ember_device.kernels.cumsum(ember_device.from_numpy(host), 0))
    expected = (start + np.arange(7, dtype=np.float64)).astype(dtype_name)
    if not np.array_equal(result, expected):  # exactly: these sums are off by a few units, well within tolerance
        raise AssertionError(f"cumsum([{start}, 1, 1, ...]) in {dtype_name} gave {result.tolist()}, expected "
                             f"{expected.tolist()} (accumulated in a wider type, each sum rounded once)")


def stable_order(host: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """The stable sorting order of `host` along `axis`, NaN the largest value (numpy's place for it)."""
    if not descending:
        return np.argsort(host, axis=axis, kind="stable")
    size = host.shape[axis]
    backwards = np.flip(host, axis)
    return (size - 1) - np.flip(np.argsort(backwards, axis=axis, kind="stable"), axis)


def _check_sort(ember_device, buffer, host, axis, descending, what):
    values, indices = ember_device.kernels.sort(buffer, axis, descending, True)
    expected = stable_order(host, axis, descending)
    assert_matches(ember_device.to_numpy(indices), expected.astype(np.int64), f"indices of {what}")
    assert_matches(ember_device.to_numpy(values), np.take_along_axis(host, expected, axis), f"values of {what}")


@pytest.mark.parametrize("descending", (False, True))
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_sort_is_stable_and_matches_numpy(ember_device, ember_rng, dtype_name, layout, descending):
    """Whole numbers in [-2, 2] make ties common: they keep their order in both directions."""
    ember_device.dtype(dtype_name)
    for shape, axis in AXES + (((300,), 0), ((3, 70), 1)):
        host = random_array(ember_rng, shape, dtype_name, "ties")
        _check_sort(ember_device, place(ember_device, host, layout), host, axis, descending,
                    f"sort(<{shape} {dtype_name}, {layout}>, {axis}, descending={descending})")


@pytest.mark.parametrize("descending", (False, True))
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_sort_puts_nan_above_inf_and_keeps_signed_zeros_in_order(ember_device, dtype_name, descending):
    ember_device.dtype(dtype_name)
    rows = np.array(SPECIAL_ROWS + ((0.0, -0.0, 0.0), (-0.0, np.nan, -np.nan)), dtype=dtype_name)
    for axis in (0, 1):
        _check_sort(ember_device, ember_device.from_numpy(rows), rows, axis, descending,
                    f"sort(<special {dtype_name} values>, {axis}, descending={descending})")


def test_sort_of_wide_integers(ember_device):
    """int64 beyond 2**31 and int32's extremes sort by value, not by their low bits."""
    for dtype_name, values in (("int64", [2**40 + 1, -(2**40), 2**31, -1, 0, 2**33]),
                               ("int32", [2**31 - 1, -(2**31), 0, -1, 1, 2**16])):
        ember_device.dtype(dtype_name)
        host = np.array(values, dtype_name)
        _check_sort(ember_device, ember_device.from_numpy(host), host, 0, False, f"sort(<wide {dtype_name}>, 0)")
