"""The sign of zero in sums, running sums and products, bitwise as PyTorch's: a sum starts from +0 (so
-0s sum to +0), a product from 1; found where the OpenCL reduction seeded a sum with its first element and
the CPU's running sum (numpy's accumulate) did too."""
from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

ROWS = ([-0.0, -0.0], [-0.0], [-0.0, 1.0, -1.0, -0.0], [1.0, -1.0], [-0.0, -0.0, 2.0], [0.0, -0.0])
OPS = {
    "sum": lambda lib, x: x.sum(),
    "sum(dim)": lambda lib, x: x.reshape(1, -1).sum(1),
    "mean": lambda lib, x: x.mean(),
    "cumsum": lambda lib, x: x.cumsum(0),
    "cumprod": lambda lib, x: x.cumprod(0),
}


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("op", OPS)
def test_zero_signs_are_pytorchs(op, dtype):
    for row in ROWS:
        expected = OPS[op](torch, torch.tensor(row, dtype=getattr(torch, dtype))).numpy()
        got = OPS[op](ember, ember.tensor(row, dtype=getattr(ember, dtype))).cpu().numpy()
        what = f"{op} of {row} ({dtype})"
        np.testing.assert_array_equal(got, expected, err_msg=what)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(expected), err_msg=what + ": sign of zero")
