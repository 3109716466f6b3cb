"""The QR and symmetric eigen decompositions' optional kernels (`qr`, `geqrf`, `eigh`) against their definitions
and numpy's LAPACK: Q orthonormal, R upper triangular with LAPACK's diagonal signs (geqrf's, which PyTorch returns),
Q R the input; geqrf's reflectors and factors as LAPACK's; eigenvalues ascending, as LAPACK's, eigenvectors
orthonormal with A V = V diag(L), only the named triangle read. Core has no composition of them (a device without
them refuses linalg.qr/geqrf/eigh), so there is no COMPOSITIONS row; the oracle tests compare the ops with
PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

from ember.testing.cases import LAYOUTS, place
from ember.testing.compare import assert_matches, no_warnings
from ember.testing.harness import FLOAT_NAMES
from ember.testing.test_optional_kernels import optional_kernel

CHECKED_KERNELS = ("qr", "geqrf", "eigh")
MATRIX_DTYPES = tuple(name for name in FLOAT_NAMES if name != "float16")  # PyTorch decomposes no float16
QR_SHAPES = ((4, 4), (2, 3, 5, 3), (3, 5), (1, 1), (0, 3, 3), (3, 0), (0, 3), (2, 0, 0))
EIGH_SHAPES = ((4, 4), (2, 3, 3, 3), (6, 6), (1, 1), (0, 2, 2), (2, 0, 0))


def _t(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


@pytest.mark.parametrize("complete", (False, True), ids=("reduced", "complete"))
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", MATRIX_DTYPES)
def test_qr_matches_lapack(ember_device, ember_rng, dtype_name, layout, complete):
    """qr(a, complete) -> (Q, R): Q (*, m, m) and R (*, m, n) when complete, else (*, m, k) and (*, k, n);
    LAPACK's factors (numpy.linalg.qr in float64: R's diagonal signs included), Q orthonormal, R exactly 0
    below its diagonal; square, tall, wide, batched and empty."""
    kernel = optional_kernel(ember_device, "qr")
    ember_device.dtype(dtype_name)
    mode = "complete" if complete else "reduced"
    for shape in QR_SHAPES:
        a = ember_rng.standard_normal(shape).astype(dtype_name)
        what = f"qr(<{shape} {dtype_name}, {layout}>, complete={complete})"
        with no_warnings(what):
            q, r = (ember_device.to_numpy(b) for b in kernel(place(ember_device, a, layout), complete))
        expected_q, expected_r = np.linalg.qr(a.astype(np.float64), mode=mode)
        m, n = shape[-2:]
        terms = 4 * max(m, n, 1)
        assert_matches(q, expected_q.astype(dtype_name), f"{what}: Q", terms=terms)
        assert_matches(r, expected_r.astype(dtype_name), f"{what}: R", terms=terms, magnitude=np.sqrt(m + 1) * 4)
        assert not np.tril(r, -1).any(), f"{what}: R has nonzero values below its diagonal"
        assert_matches(_t(q) @ q, np.broadcast_to(np.eye(q.shape[-1], dtype=dtype_name), (*shape[:-2], q.shape[-1],
                                                                                         q.shape[-1])),
                       f"{what}: Q^T Q", terms=terms)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", MATRIX_DTYPES)
def test_geqrf_matches_lapack(ember_device, ember_rng, dtype_name, layout):
    """geqrf(a) -> (A', tau): LAPACK's geqrf (numpy.linalg.qr's 'raw' mode in float64, transposed back): R on and
    above the diagonal of A', the reflectors below it, tau (*, min(m, n)); a column already reduced (zeros below
    its diagonal) has tau 0 and keeps its sign."""
    kernel = optional_kernel(ember_device, "geqrf")
    ember_device.dtype(dtype_name)
    for shape in QR_SHAPES:
        a = ember_rng.standard_normal(shape).astype(dtype_name)
        if a.size:
            a[..., 1:, 0] = 0  # the first column is reduced already: no reflector
        what = f"geqrf(<{shape} {dtype_name}, {layout}>)"
        with no_warnings(what):
            factored, tau = (ember_device.to_numpy(b) for b in kernel(place(ember_device, a, layout)))
        raw, expected_tau = np.linalg.qr(a.astype(np.float64), mode="raw")
        terms = 4 * max(*shape[-2:], 1)
        assert_matches(factored, _t(raw).astype(dtype_name), what, terms=terms, magnitude=np.sqrt(shape[-2] + 1) * 4)
        assert_matches(tau, expected_tau.astype(dtype_name), f"{what}: tau", terms=terms)


@pytest.mark.parametrize("upper", (False, True), ids=("lower", "upper"))
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", MATRIX_DTYPES)
def test_eigh_matches_lapack(ember_device, ember_rng, dtype_name, layout, upper):
    """eigh(a, upper, vectors) -> (L, V): L (*, n) ascending as LAPACK's syevd (numpy.linalg.eigvalsh in
    float64), V (*, n, n) orthonormal columns with A V = V diag(L), or None without `vectors`; only the named
    triangle of a is read."""
    kernel = optional_kernel(ember_device, "eigh")
    ember_device.dtype(dtype_name)
    for shape in EIGH_SHAPES:
        n = shape[-1]
        m = ember_rng.standard_normal(shape)
        symmetric = (m + _t(m)).astype(dtype_name)
        named = np.triu(symmetric) if upper else np.tril(symmetric)
        garbled = named + (np.tril if upper else np.triu)(np.full(shape, 1e3, dtype_name), -1 if upper else 1)
        what = f"eigh(<{shape} {dtype_name}, {layout}>, upper={upper})"
        expected = np.linalg.eigvalsh(symmetric.astype(np.float64)).astype(dtype_name)
        scale = np.abs(symmetric).max() if symmetric.size else 1.0
        with no_warnings(what):
            values, vectors = kernel(place(ember_device, garbled, layout), upper, True)
            only_values, none = kernel(place(ember_device, garbled, layout), upper, False)
        values, vectors = ember_device.to_numpy(values), ember_device.to_numpy(vectors)
        assert none is None, f"{what} without vectors returned eigenvectors"
        terms = 8 * max(n, 1)
        assert_matches(values, expected, f"{what}: eigenvalues", terms=terms, magnitude=scale)
        assert_matches(ember_device.to_numpy(only_values), expected, f"{what} without vectors: eigenvalues",
                       terms=terms, magnitude=scale)
        identity = np.broadcast_to(np.eye(n, dtype=dtype_name), shape)
        assert_matches(_t(vectors) @ vectors, identity, f"{what}: V^T V", terms=terms)
        assert_matches(symmetric @ vectors, vectors * values[..., None, :], f"{what}: A V", terms=terms,
                       magnitude=scale)


@pytest.mark.parametrize("kernel", CHECKED_KERNELS)
def test_a_device_without_the_kernel_refuses_the_op(ember_device, kernel):
    """Core has no composition: without the kernel, linalg.qr / geqrf / linalg.eigh raise NotImplementedError naming
    the op, the device and the kernel (before any kernel runs)."""
    import ember

    ember_device.dtype("float32")
    a = ember.eye(3, device=ember_device.device)
    op, call = {"qr": ("linalg.qr", ember.linalg.qr), "geqrf": ("geqrf", ember.geqrf),
                "eigh": ("linalg.eigh", ember.linalg.eigvalsh)}[kernel]
    with ember_device.composing(kernel), pytest.raises(NotImplementedError) as refused:
        call(a)
    message = str(refused.value)
    assert op in message and f"'{a.device}'" in message and f"'{kernel}'" in message, message
