"""Reductions against numpy: sum and max over tuples of axes with and without keepdim, and argmax."""
from __future__ import annotations

import numpy as np
import pytest

from ember.testing.cases import LAYOUTS, place, random_array
from ember.testing.compare import assert_matches, reference
from ember.testing.harness import DTYPE_NAMES, FLOAT_NAMES, NUMERIC_NAMES

CHECKED_KERNELS = ("sum", "max", "argmax")

# (shape, axes): one axis, several (adjacent or not), all of them, size-1 and empty dims.
REDUCTIONS = (
    ((7,), (0,)), ((3, 4), (0,)), ((3, 4), (1,)), ((3, 4), (0, 1)), ((2, 3, 4), (0, 2)), ((2, 3, 4), (1,)),
    ((2, 3, 4), (0, 1, 2)), ((2, 1, 3, 2), (1, 3)), ((1, 1), (0, 1)), ((0, 3), (1,)), ((2, 0, 3), (0, 2)),
)
# Summing over an empty axis gives zeros; a max over one has no value.
EMPTY_SUMS = (((0, 3), (0,)), ((2, 0, 3), (1,)), ((0,), (0,)))


def _check_reduction(ember_device, ember_rng, op, function, dtype_name, layout, keepdim, cases):
    for shape, axes in cases:
        host = random_array(ember_rng, shape, dtype_name, "ties" if op == "max" else "real")
        x = place(ember_device, host, layout)
        result = getattr(ember_device.kernels, op)(x, axes, keepdim)
        expected = reference(lambda a, axes=axes: function(a, axis=axes, keepdims=keepdim), dtype_name, host)
        terms = int(np.prod([shape[axis] for axis in axes]))
        assert_matches(ember_device.to_numpy(result), expected,
                       f"{op}(<{shape} {dtype_name}, {layout}>, axes={axes}, keepdim={keepdim})",
                       terms=terms, magnitude=2.0)


@pytest.mark.parametrize("keepdim", (False, True))
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", NUMERIC_NAMES)
def test_sum_matches_numpy(ember_device, ember_rng, dtype_name, layout, keepdim):
    ember_device.dtype(dtype_name)
    _check_reduction(ember_device, ember_rng, "sum", np.sum, dtype_name, layout, keepdim,
                     REDUCTIONS + EMPTY_SUMS)


@pytest.mark.parametrize("keepdim", (False, True))
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_max_matches_numpy(ember_device, ember_rng, dtype_name, layout, keepdim):
    ember_device.dtype(dtype_name)
    _check_reduction(ember_device, ember_rng, "max", np.max, dtype_name, layout, keepdim, REDUCTIONS)


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_max_propagates_nan(ember_device, ember_rng, dtype_name):
    ember_device.dtype(dtype_name)
    host = random_array(ember_rng, (3, 4), dtype_name)
    host[1, 2] = np.nan
    result = ember_device.kernels.max(ember_device.from_numpy(host), (1,), False)
    assert_matches(ember_device.to_numpy(result), np.max(host, axis=1), "max over a row holding a NaN is NaN")


@pytest.mark.parametrize("op", ("sum", "max"))
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", NUMERIC_NAMES)
def test_reduction_writes_into_out(ember_device, ember_rng, op, dtype_name, layout):
    ember_device.dtype(dtype_name)
    host = random_array(ember_rng, (3, 4, 2), dtype_name)
    out = place(ember_device, random_array(ember_rng, (4,), dtype_name), layout)
    result = getattr(ember_device.kernels, op)(ember_device.from_numpy(host), (0, 2), False, out=out)
    assert result is out, f"{op}(x, axes, keepdim, out=out) returns out"
    expected = reference(lambda a: getattr(np, op)(a, axis=(0, 2)), dtype_name, host)
    assert_matches(ember_device.to_numpy(out), expected, f"{op}(x, (0, 2), False, out=<{layout} buffer>)",
                   terms=6, magnitude=2.0)


# (shape, axis): axis None flattens; a 0-d buffer has only the flattened argmax.
ARGMAXES = (((), None), ((7,), None), ((7,), 0), ((3, 4), None), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 1),
            ((2, 3, 4), 2), ((1, 1), 0), ((4, 1, 3), None))


@pytest.mark.parametrize("keepdim", (False, True))
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", NUMERIC_NAMES)
def test_argmax_matches_numpy_and_picks_the_first_of_ties(ember_device, ember_rng, dtype_name, layout,
                                                          keepdim):
    ember_device.dtype(dtype_name)
    for shape, axis in ARGMAXES:
        host = random_array(ember_rng, shape, dtype_name, "ties")
        result = ember_device.kernels.argmax(place(ember_device, host, layout), axis, keepdim)
        expected = np.asarray(np.argmax(host, axis=axis, keepdims=keepdim), dtype=np.int64)
        assert_matches(ember_device.to_numpy(result), expected,
                       f"argmax(<{shape} {dtype_name}, {layout}>, axis={axis}, keepdim={keepdim})")
