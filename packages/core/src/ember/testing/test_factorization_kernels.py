"""The LU/Cholesky family's optional kernels (`lu_factor`, `cholesky`, `triangular_solve`) against their
definitions: a factorization must rebuild its input (the row swaps of partial pivoting applied), read only
the triangle it names, and report each singular or not positive-definite matrix of a batch in `info`. How
they agree with core's composition through ember's ops is `test_optional_kernels`'s COMPOSITIONS."""
from __future__ import annotations

import numpy as np
import pytest

from ember.testing.cases import LAYOUTS, place
from ember.testing.compare import assert_matches, no_warnings
from ember.testing.harness import FLOAT_NAMES
from ember.testing.test_optional_kernels import optional_kernel

CHECKED_KERNELS = ("lu_factor", "cholesky", "triangular_solve")
MATRIX_DTYPES = tuple(name for name in FLOAT_NAMES if name != "float16")  # PyTorch factorizes no float16


def _swapped(a: np.ndarray, pivots: np.ndarray) -> np.ndarray:
    """The rows of each matrix of `a` swapped as LAPACK's 1-based `pivots` say, one after the other."""
    rows = a.reshape(-1, *a.shape[-2:]).copy()
    for matrix, swaps in zip(rows, pivots.reshape(len(rows), pivots.shape[-1])):
        for j, p in enumerate(swaps):
            matrix[[j, p - 1]] = matrix[[p - 1, j]]
    return rows.reshape(a.shape)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", MATRIX_DTYPES)
def test_lu_factor_rebuilds_its_input(ember_device, ember_rng, dtype_name, layout):
    """lu_factor(a) -> (LU, pivots, info): P^T A = L U with |L| <= 1 (partial pivoting), pivots (*, k) int32
    1-based, info (*,) int32 0 for these full-rank matrices; square, wide and tall, batched and empty."""
    kernel = optional_kernel(ember_device, "lu_factor")
    ember_device.dtype(dtype_name)
    for shape in ((4, 4), (2, 3, 5, 5), (3, 5), (5, 3), (0, 3, 3), (1, 1)):
        a = ember_rng.standard_normal(shape).astype(dtype_name)
        what = f"lu_factor(<{shape} {dtype_name}, {layout}>)"
        with no_warnings(what):
            lu, pivots, info = (ember_device.to_numpy(b) for b in kernel(place(ember_device, a, layout)))
        m, n = shape[-2:]
        k = min(m, n)
        assert pivots.dtype == np.int32 and pivots.shape == (*shape[:-2], k), f"{what}: pivots {pivots.dtype}"
        assert info.dtype == np.int32 and info.shape == shape[:-2], f"{what}: info {info.dtype} {info.shape}"
        assert_matches(info, np.zeros(shape[:-2], np.int32), f"{what}: info")
        lower = np.tril(lu, -1)[..., :k] + np.eye(m, k, dtype=dtype_name)
        upper = np.triu(lu)[..., :k, :]
        assert (np.abs(lower) <= 1).all(), f"{what}: |L| > 1, the pivots are not the largest of their column"
        assert_matches((lower.astype(np.float64) @ upper).astype(dtype_name), _swapped(a, pivots), what,
                       terms=k, magnitude=4.0 * (np.abs(a).max() if a.size else 1))


@pytest.mark.parametrize("dtype_name", MATRIX_DTYPES)
def test_lu_factor_reports_the_first_zero_pivot(ember_device, dtype_name):
    kernel = optional_kernel(ember_device, "lu_factor")
    ember_device.dtype(dtype_name)
    a = np.array([[[1, 2], [3, 4]], [[1, 2], [2, 4]], [[0, 0], [0, 0]]], dtype=dtype_name)
    _, pivots, info = (ember_device.to_numpy(b) for b in kernel(ember_device.from_numpy(a)))
    assert_matches(info, np.array([0, 2, 1], np.int32), "lu_factor's info of [invertible, rank 1, zero]")
    assert_matches(pivots, np.array([[2, 2], [2, 2], [1, 2]], np.int32), "lu_factor's pivots")


def _positive_definite(rng, shape, dtype_name):
    m = rng.standard_normal(shape)
    return (m @ np.swapaxes(m, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype_name)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", MATRIX_DTYPES)
def test_cholesky_matches_numpy_from_the_lower_triangle(ember_device, ember_rng, dtype_name, layout):
    """cholesky(a) -> (L, info): L lower triangular (zeros above) from a's lower triangle alone, info 0."""
    kernel = optional_kernel(ember_device, "cholesky")
    ember_device.dtype(dtype_name)
    for shape in ((4, 4), (2, 3, 3, 3), (1, 1), (0, 2, 2)):
        a = _positive_definite(ember_rng, shape, dtype_name)
        garbled = np.tril(a) + np.triu(np.full(shape, 1e3, dtype_name), 1)  # the upper triangle must not be read
        what = f"cholesky(<{shape} {dtype_name}, {layout}>)"
        with no_warnings(what):
            factor, info = (ember_device.to_numpy(b) for b in kernel(place(ember_device, garbled, layout)))
        assert info.dtype == np.int32 and info.shape == shape[:-2], f"{what}: info {info.dtype} {info.shape}"
        assert_matches(info, np.zeros(shape[:-2], np.int32), f"{what}: info")
        expected = np.linalg.cholesky(a.astype(np.float64)).astype(dtype_name)
        assert_matches(factor, expected, what, terms=shape[-1], magnitude=np.sqrt(np.abs(a).max() if a.size else 1))


@pytest.mark.parametrize("dtype_name", MATRIX_DTYPES)
def test_cholesky_reports_the_first_minor_not_positive_definite(ember_device, dtype_name):
    kernel = optional_kernel(ember_device, "cholesky")
    ember_device.dtype(dtype_name)
    a = np.array([np.eye(3), np.diag([1.0, -1.0, 1.0]), [[1, 2, 0], [2, 1, 0], [0, 0, 1]], np.diag([1.0, 1.0, 0.0])],
                 dtype=dtype_name)
    with no_warnings("cholesky of matrices that are not positive-definite"):
        _, info = kernel(ember_device.from_numpy(a))
    assert_matches(ember_device.to_numpy(info), np.array([0, 2, 2, 3], np.int32), "cholesky's info")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", MATRIX_DTYPES)
def test_triangular_solve_matches_numpy(ember_device, ember_rng, dtype_name, layout):
    """triangular_solve(a, b, upper, unitriangular): X with A X = B reading only A's named triangle (and
    not its diagonal when unitriangular); A and B of one batch shape."""
    kernel = optional_kernel(ember_device, "triangular_solve")
    ember_device.dtype(dtype_name)
    for (a_shape, b_shape) in (((4, 4), (4, 2)), ((2, 3, 3), (2, 3, 1)), ((0, 2, 2), (0, 2, 3))):
        a = (ember_rng.standard_normal(a_shape) + 3 * np.eye(a_shape[-1])).astype(dtype_name)
        b = ember_rng.standard_normal(b_shape).astype(dtype_name)
        for upper in (True, False):
            for unit in (False, True):
                triangle = np.triu(a) if upper else np.tril(a)
                if unit:
                    triangle = triangle - np.diagonal(triangle, 0, -2, -1)[..., None] * np.eye(a_shape[-1]) + \
                        np.eye(a_shape[-1])
                what = f"triangular_solve(<{a_shape} {dtype_name}, {layout}>, <{b_shape}>, upper={upper}, " \
                       f"unitriangular={unit})"
                with no_warnings(what):
                    x = kernel(place(ember_device, a, layout), ember_device.from_numpy(b), upper, unit)
                expected = np.linalg.solve(triangle.astype(np.float64), b.astype(np.float64)) if b.size else \
                    np.zeros(b_shape)
                assert_matches(ember_device.to_numpy(x), expected.astype(dtype_name), what,
                               terms=4 * a_shape[-1], magnitude=np.abs(expected) + 1.0)
