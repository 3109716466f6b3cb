"""matmul against numpy: matrices, vectors on either side, batched and broadcast batches, empty dims."""
from __future__ import annotations

import numpy as np
import pytest

from ember.testing.cases import LAYOUTS, place, random_array
from ember.testing.compare import assert_matches, reference
from ember.testing.harness import NUMERIC_NAMES

CHECKED_KERNELS = ("matmul",)

MATMULS = (
    ((3, 4), (4, 5)), ((4,), (4,)), ((4,), (4, 5)), ((3, 4), (4,)), ((1, 1), (1, 1)),
    ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (2, 4, 5)), ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
    ((0, 4), (4, 3)), ((3, 0), (0, 2)), ((2, 0, 3), (3, 1)),
)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", NUMERIC_NAMES)
def test_matmul_matches_numpy(ember_device, ember_rng, dtype_name, layout):
    ember_device.dtype(dtype_name)
    for shape_a, shape_b in MATMULS:
        host_a = random_array(ember_rng, shape_a, dtype_name)
        host_b = random_array(ember_rng, shape_b, dtype_name)
        a, b = place(ember_device, host_a, layout), place(ember_device, host_b, layout)
        result = ember_device.kernels.matmul(a, b)
        assert_matches(ember_device.to_numpy(result), reference(np.matmul, dtype_name, host_a, host_b),
                       f"matmul(<{shape_a}>, <{shape_b}>) on {dtype_name}, {layout}",
                       terms=shape_b[0] if len(shape_b) == 1 else shape_b[-2], magnitude=4.0)


# Shapes that do not multiply: inner dims differ (matrices, vectors, batches) or batches do not broadcast.
MISMATCHED = (((3, 4), (5, 2)), ((4,), (5,)), ((4,), (5, 2)), ((3, 4), (5,)), ((2, 3, 4), (2, 5, 6)),
              ((2, 3, 4), (3, 4, 5)))


@pytest.mark.parametrize(("shape_a", "shape_b"), MISMATCHED)
def test_matmul_refuses_shapes_that_do_not_multiply(ember_device, ember_rng, shape_a, shape_b):
    """docs/internals.md: a kernel raises ValueError (core turns it into PyTorch's message), never computes
    on a guessed shape."""
    a, b = (ember_device.from_numpy(random_array(ember_rng, shape, "float32")) for shape in (shape_a, shape_b))
    with pytest.raises(ValueError):
        ember_device.to_numpy(ember_device.kernels.matmul(a, b))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", NUMERIC_NAMES)
def test_matmul_writes_into_out(ember_device, ember_rng, dtype_name, layout):
    ember_device.dtype(dtype_name)
    host_a = random_array(ember_rng, (2, 3, 4), dtype_name)
    host_b = random_array(ember_rng, (4, 5), dtype_name)
    out = place(ember_device, random_array(ember_rng, (2, 3, 5), dtype_name), layout)
    a, b = ember_device.from_numpy(host_a), ember_device.from_numpy(host_b)
    result = ember_device.kernels.matmul(a, b, out=out)
    assert result is out, "matmul(a, b, out=out) returns out"
    assert_matches(ember_device.to_numpy(out), reference(np.matmul, dtype_name, host_a, host_b),
                   f"matmul(a, b, out=<{layout} buffer>)", terms=4, magnitude=4.0)
