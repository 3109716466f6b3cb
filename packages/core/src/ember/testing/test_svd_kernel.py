"""The optional `svd` kernel against its definition: singular values as numpy's (descending), orthonormal
singular vectors (completed to full square matrices with `full_matrices`, and where a singular value is 0) that
rebuild the input, every layout, batched and empty inputs, and NaN for a matrix with a non-finite entry. Core
has no composition of it (a device without it refuses the SVD family), so there is no agreement check."""
from __future__ import annotations

import numpy as np
import pytest

from ember.testing.cases import LAYOUTS, place
from ember.testing.compare import assert_matches, no_warnings
from ember.testing.test_factorization_kernels import MATRIX_DTYPES
from ember.testing.test_optional_kernels import optional_kernel

CHECKED_KERNELS = ("svd",)


def _check_factors(ember_device, kernel, a: np.ndarray, layout: str, full_matrices: bool) -> None:
    """svd(a) must give S as numpy's and U, Vh orthonormal with U diag(S) Vh = a, of PyTorch's shapes."""
    dtype_name = a.dtype.name
    *batch, m, n = a.shape
    k = min(m, n)
    what = f"svd(<{a.shape} {dtype_name}, {layout}>, full_matrices={full_matrices})"
    with no_warnings(what):
        u, s, vh = (ember_device.to_numpy(b) for b in kernel(place(ember_device, a, layout), full_matrices, True))
    expected = np.linalg.svd(a.astype(np.float64), compute_uv=False) if a.size else np.zeros((*batch, k))
    scale = float(np.abs(expected).max()) if expected.size else 1.0
    terms = 8 * max(m, n, 1)
    assert_matches(s, expected.astype(dtype_name), f"{what}: S", terms=terms, magnitude=scale)
    columns, rows = (m, n) if full_matrices else (k, k)
    assert u.shape == (*batch, m, columns) and u.dtype == a.dtype, f"{what}: U {u.dtype} {u.shape}"
    assert vh.shape == (*batch, rows, n) and vh.dtype == a.dtype, f"{what}: Vh {vh.dtype} {vh.shape}"
    wide_u, wide_vh = u.astype(np.float64), vh.astype(np.float64)
    assert_matches((np.swapaxes(wide_u, -1, -2) @ wide_u).astype(dtype_name),
                   np.broadcast_to(np.eye(columns, dtype=dtype_name), (*batch, columns, columns)),
                   f"{what}: U^T U", terms=terms)
    assert_matches((wide_vh @ np.swapaxes(wide_vh, -1, -2)).astype(dtype_name),
                   np.broadcast_to(np.eye(rows, dtype=dtype_name), (*batch, rows, rows)), f"{what}: Vh Vh^T",
                   terms=terms)
    rebuilt = (wide_u[..., :k] * s.astype(np.float64)[..., None, :]) @ wide_vh[..., :k, :]
    assert_matches(rebuilt.astype(dtype_name), a, f"{what}: U diag(S) Vh", terms=terms, magnitude=scale)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", MATRIX_DTYPES)
def test_svd_rebuilds_its_input(ember_device, ember_rng, dtype_name, layout):
    """svd(a, full_matrices, True) -> (U, S, Vh): square, wide and tall, batched, one element and empty."""
    kernel = optional_kernel(ember_device, "svd")
    ember_device.dtype(dtype_name)
    for shape in ((4, 4), (2, 3, 5, 3), (3, 5), (6, 2), (1, 1), (0, 3, 3), (2, 4, 0), (0, 3)):
        a = ember_rng.standard_normal(shape).astype(dtype_name)
        for full_matrices in (True, False):
            _check_factors(ember_device, kernel, a, layout, full_matrices)


@pytest.mark.parametrize("dtype_name", MATRIX_DTYPES)
def test_svd_of_rank_deficient_matrices(ember_device, dtype_name):
    """Zero and repeated singular values: S exact, the singular vectors still orthonormal and complete."""
    kernel = optional_kernel(ember_device, "svd")
    ember_device.dtype(dtype_name)
    for a in (np.ones((4, 3)), np.zeros((3, 5)), np.eye(4)[:, [0, 0, 1]], np.diag([2.0, 2.0, 0.0]),
              np.outer([1.0, 2.0, 3.0], [1.0, -1.0])):
        for full_matrices in (True, False):
            _check_factors(ember_device, kernel, a.astype(dtype_name), "contiguous", full_matrices)


@pytest.mark.parametrize("dtype_name", MATRIX_DTYPES)
def test_svd_values_alone(ember_device, ember_rng, dtype_name):
    """compute_uv=False gives (None, S, None)."""
    kernel = optional_kernel(ember_device, "svd")
    ember_device.dtype(dtype_name)
    a = ember_rng.standard_normal((3, 4, 6)).astype(dtype_name)
    with no_warnings("svd(compute_uv=False)"):
        u, s, vh = kernel(ember_device.from_numpy(a), False, False)
    assert u is None and vh is None, "svd(compute_uv=False) must give (None, S, None)"
    expected = np.linalg.svd(a.astype(np.float64), compute_uv=False)
    assert_matches(ember_device.to_numpy(s), expected.astype(dtype_name), "svd(compute_uv=False): S", terms=48,
                   magnitude=float(expected.max()))


@pytest.mark.parametrize("dtype_name", MATRIX_DTYPES)
def test_svd_of_a_non_finite_matrix_is_nan(ember_device, dtype_name):
    """A matrix with a NaN or an infinity gives NaN in its U, S and Vh (core raises PyTorch's error for NaN);
    the other matrices of the batch are unaffected, and no warning is emitted."""
    kernel = optional_kernel(ember_device, "svd")
    ember_device.dtype(dtype_name)
    a = np.array([np.diag([3.0, 1.0]), [[1.0, np.nan], [0.0, 1.0]], [[np.inf, 0.0], [0.0, 1.0]]], dtype=dtype_name)
    with no_warnings("svd of non-finite matrices"):
        u, s, vh = (ember_device.to_numpy(b) for b in kernel(ember_device.from_numpy(a), True, True))
    assert_matches(s, np.array([[3, 1], [np.nan, np.nan], [np.nan, np.nan]], dtype_name), "svd's S")
    assert np.isnan(u[1:]).all() and np.isnan(vh[1:]).all(), "svd: U and Vh of a non-finite matrix must be NaN"
    assert_matches(np.abs(u[0] @ vh[0]), np.eye(2, dtype=dtype_name), "svd of diag(3, 1): |U Vh|")
