"""Accumulating scatters on OpenCL (index_put_ with accumulate, scatter_reduce_'s index_reduce_ kernel): one work-item
per element updating its target by compare-and-swap, checked against numpy's ufunc.at on a million indices
with many repeats. Skipped without ember-opencl or a working OpenCL device."""
from __future__ import annotations

import numpy as np
import opencl_device  # noqa: F401,E402  (skips this module without a working OpenCL device)
import pytest

import ember

N, SLOTS = 1_000_000, 997  # ~1000 repeats of each target


def _data(dtype: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    index = rng.integers(-SLOTS, SLOTS, N)  # negative indices count from the end
    values = (rng.standard_normal(N) if dtype.startswith("float") else rng.integers(-9, 10, N)).astype(dtype)
    start = (rng.standard_normal(SLOTS) * 4).astype(dtype)
    return index, values, start


def _tolerance(dtype: str, values) -> dict:
    """Exact for integers; for floats the sum's rounding in any order (N / SLOTS terms of |v| <= max)."""
    if not dtype.startswith("float"):
        return {"rtol": 0, "atol": 0}
    eps = float(np.finfo(dtype).eps)
    return {"rtol": 0, "atol": 4 * (N / SLOTS) * eps * float(np.abs(values).max())}


@pytest.mark.parametrize("dtype", ["float32", "int32", "float64", "int64", "float16"])
def test_index_put_accumulating_a_million_repeated_indices_matches_numpy(dtype):
    index, values, start = _data(dtype)
    x = ember.tensor(start, device="opencl")
    x.index_put_((ember.tensor(index, device="opencl"),), ember.tensor(values, device="opencl"), accumulate=True)
    expected = start.astype(np.float64 if dtype == "float16" else dtype)
    np.add.at(expected, index, values.astype(expected.dtype))
    got = x.cpu().numpy()
    assert got.dtype == np.dtype(dtype)
    tolerance = {"rtol": 2e-3, "atol": 0.05} if dtype == "float16" else _tolerance(dtype, values)
    np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64), **tolerance)


@pytest.mark.parametrize("reduce", ["prod", "amax", "amin"])
@pytest.mark.parametrize("dtype", ["float32", "int32", "int64"])
def test_index_reduce_folds_every_repeat_as_numpy(dtype, reduce):
    rng = np.random.default_rng(1)
    index = rng.integers(0, 50, 20_000)
    values = (rng.uniform(0.999, 1.001, 20_000) if dtype == "float32" and reduce == "prod"
              else rng.integers(-1000, 1000, 20_000)).astype(dtype)
    if reduce == "prod" and dtype != "float32":
        values = rng.choice(np.array([1, -1, 1, 1], dtype=dtype), 20_000)
    start = np.arange(1, 51).astype(dtype)
    x = ember.tensor(start, device="opencl")
    x.scatter_reduce_(0, ember.tensor(index, device="opencl"), ember.tensor(values, device="opencl"), reduce)
    expected = start.copy()
    {"prod": np.multiply, "amax": np.maximum, "amin": np.minimum}[reduce].at(expected, index, values)
    np.testing.assert_allclose(x.cpu().numpy(), expected, rtol=1e-4 if dtype == "float32" else 0)

