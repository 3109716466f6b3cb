"""prod against PyTorch where the order of the multiplications shows: overflow, underflow (a subnormal times
0.25 is 0, and 0 times inf NaN) and float16, which PyTorch's CPU kernel rounds at every step (300 * 300
* 0.001 is inf, not 90). Forward values and gradients (PyTorch's cumprod-based prod_safe_zeros_backward
where an element is 0) are compared exactly, signs of zeros and NaNs included (a NaN's where the device makes
NaNs as the CPU does: assert_same_signs)."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import assert_same_signs

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

VALUES = (0.25, -1.75, np.inf, 1.75, 1.401298464324817e-45, 3.0, -0.25, 2.5, -1e30, 1e30, 0.0, 32768.0, -2.5,
          0.75, 300.0, 1e-3, 1e-20)


def _prod(lib, x, dtype, dim, keepdim):
    t = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
    result = t.prod() if dim is None else t.prod(dim, keepdim=keepdim)
    result.sum().backward()
    return result.detach().double().cpu().numpy(), t.grad.double().cpu().numpy(), type(result.grad_fn).__name__


def _assert_same(got, expected):
    for a, b in zip(got[:2], expected[:2]):
        np.testing.assert_array_equal(a, b)
        assert_same_signs(a, b)
    assert got[2] == expected[2]


@pytest.mark.parametrize("dtype", ("float16", "float32", "float64"))
@pytest.mark.parametrize("seed", range(12))
def test_prod_in_pytorchs_order(seed, dtype):
    rng = np.random.default_rng(seed)
    for _ in range(8):
        shape = tuple(int(s) for s in rng.integers(0, 5, size=rng.integers(0, 4)))
        if np.prod(shape) >= 16:  # past 4 vectors of float64 lanes PyTorch's order depends on the machine
            shape = shape[1:]
        x = rng.choice(VALUES, size=shape)
        dim = None if not shape or rng.random() < 0.4 else int(rng.integers(-len(shape), len(shape)))
        keepdim = bool(rng.random() < 0.5)
        with np.errstate(over="ignore"):
            _assert_same(_prod(ember, x, dtype, dim, keepdim), _prod(torch, x, dtype, dim, keepdim))


@pytest.mark.parametrize(("x", "dtype", "dim"), [
    ([[[0.25, -1.75], [np.inf, 1.75]], [[1.401298464324817e-45, 3.0], [-0.25, 1.75]]], "float32", None),
    ([-32768.0, -2.5, 0.75], "float16", -1),
    ([[2.5, -1e30, -1e30], [2.25, 1.0, 0.0], [-1e30, 2.75, -0.5]], "float32", None),
    ([300.0] * 2 + [1.0] * 60 + [1e-3], "float16", None),
    ([1e30] * 3 + [1.0] * 28 + [0.0], "float32", 0),
])
def test_the_fuzzers_reproducers(x, dtype, dim):
    for keepdim in (False, True):
        _assert_same(_prod(ember, x, dtype, dim, keepdim), _prod(torch, x, dtype, dim, keepdim))
