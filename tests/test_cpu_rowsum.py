"""The CPU backend's trailing-dim float sums (ember_cpu.rowsum): einsum over blocks, the blocks added
pairwise. Same shapes as add.reduce, and an error as small as pairwise summation's on long rows."""
import numpy as np
import pytest

from ember_cpu import kernels, rowsum

SHAPES = [((1000, 1000), (1,)), ((300, 200), (1,)), ((2_000_001,), (0,)), ((7, 3, 5000), (1, 2)),
          ((40, 1025), (1,)), ((5, 8, 1024), (2,)), ((40000, 1), (1,)), ((0, 40000), (1,)),
          ((40000, 0), (1,))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize(("shape", "axes"), SHAPES)
def test_trailing_sums_match_add_reduce(shape, axes, keepdim, dtype):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    assert x.size >= rowsum.LARGE or 0 in shape
    result = kernels.reduce_sum(x, axes, keepdim)
    expected = np.add.reduce(x.astype(np.float64), axes, keepdims=keepdim)
    assert type(result) is np.ndarray and result.dtype == x.dtype and result.shape == expected.shape
    np.testing.assert_allclose(result, expected, rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-3)


@pytest.mark.parametrize("n", [1024, 4096, 100_000, 1_000_000])
def test_long_float32_rows_are_as_exact_as_pairwise_summation(n):
    # a float32 einsum over a whole 1M row drifts ~100x further from the exact sum than pairwise summation
    x = np.random.default_rng(1).random((max(1, 2_000_000 // n), n)).astype(np.float32)
    exact = np.add.reduce(x.astype(np.float64), 1)
    error = np.abs(kernels.reduce_sum(x, (1,), False) - exact) / exact
    pairwise = np.abs(np.add.reduce(x, 1) - exact) / exact
    # the float32 result's own rounding is up to half an epsilon, however exactly it was summed
    assert error.mean() <= 2 * pairwise.mean() + np.finfo(np.float32).eps
    assert error.max() <= 2 * pairwise.max() + np.finfo(np.float32).eps


def test_non_finite_values_propagate():
    x = np.ones((8, 8192), np.float32)
    x[0, 5], x[1, 9000 % 8192], x[1, 3] = np.nan, np.inf, -np.inf
    x[2, 8191] = np.inf
    result = kernels.reduce_sum(x, (1,), False)
    assert np.isnan(result[0]) and np.isnan(result[1]) and result[2] == np.inf and result[3] == 8192


def test_leading_or_scattered_dims_take_add_reduce():
    x = np.random.default_rng(3).random((40, 30, 50))
    for axes in ((0,), (0, 2), (1,), (0, 1)):
        np.testing.assert_allclose(kernels.reduce_sum(x, axes, True), np.add.reduce(x, axes, keepdims=True))


def test_other_layouts_and_dtypes_take_add_reduce():
    x = np.random.default_rng(2).random((300, 400))
    for array, axes in ((x.T, (1,)), (x, (0,)), (x.astype(np.int64), (1,)), (x[:, ::2], (1,))):
        np.testing.assert_allclose(kernels.reduce_sum(array, axes, False), np.add.reduce(array, axes))
