"""The OpenCL backend's GEMM kernels (ember_opencl/matmul.py) against numpy through ember's public API:
odd and prime shapes around the kernels' block sizes, views read through their strides and offsets
(each of the kernels' layouts: B's rows dense, A's rows and B's columns dense, B packed), broadcast
batches, empty operands, every dtype, and the fused bias of `linear`. Skipped without a working OpenCL
device."""
from __future__ import annotations

import numpy as np
import opencl_device  # noqa: F401,E402  (skips this module without a working OpenCL device)
import pytest
from ember_opencl import buffer, device, matmul  # noqa: E402

import ember
import ember.nn.functional as F

DTYPES = ["float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool"]


def _values(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    if dtype == "bool":
        return rng.random(shape) < 0.3
    if dtype.startswith("float"):
        return rng.uniform(-1, 1, shape).astype(dtype)
    low = 0 if dtype == "uint8" else -4
    return rng.integers(low, 5, shape).astype(dtype)


def _on_device(values: np.ndarray) -> ember.Tensor:
    if values.dtype == np.float64 and "float64" not in device.get(0).dtypes:
        pytest.skip(f"{device.get(0).describe()} has no float64")
    return ember.tensor(values, device="opencl")


def _check(result: ember.Tensor | np.ndarray, expected: np.ndarray, inner: int) -> None:
    got = result.cpu().numpy() if isinstance(result, ember.Tensor) else result
    assert got.shape == expected.shape and got.dtype == expected.dtype
    if expected.dtype.kind == "f":
        tolerance = (1e-6 if expected.dtype == np.float32 else 1e-14) * max(inner, 1)
        np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)
    else:
        np.testing.assert_array_equal(got, expected)


# M x K x N around the blocks: 8 rows by 16 columns (B's rows dense), 4 x 4 dots 16 deep (vectors along k).
SHAPES = [(1, 1, 1), (1, 17, 1), (2, 3, 5), (7, 13, 17), (8, 16, 16), (9, 15, 33), (31, 37, 41), (64, 100, 10),
          (3, 300, 1), (1, 64, 129), (130, 70, 47)]


@pytest.mark.parametrize("m,k,n", SHAPES)
@pytest.mark.parametrize("layout", ["nn", "nt", "tn", "tt"])
def test_float32_products_of_odd_shapes_in_each_layout(m, k, n, layout):
    rng = np.random.default_rng(m * 10007 + k * 101 + n)
    a = _values(rng, (m, k) if layout[0] == "n" else (k, m), "float32")
    b = _values(rng, (k, n) if layout[1] == "n" else (n, k), "float32")
    x, y = _on_device(a), _on_device(b)
    if layout[0] == "t":
        a, x = a.T, x.t()
    if layout[1] == "t":
        b, y = b.T, y.t()
    _check(x @ y, a @ b, k)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,k,n", [(5, 23, 19), (9, 40, 3), (1, 16, 17)])
def test_every_dtype_matches_numpy_in_both_kernels(dtype, m, k, n):
    rng = np.random.default_rng(k)
    a, b, w = _values(rng, (m, k), dtype), _values(rng, (k, n), dtype), _values(rng, (n, k), dtype)
    x, y, v = _on_device(a), _on_device(b), _on_device(w)
    _check(x @ y, a @ b, k)
    _check(x @ v.t(), a @ w.T, k)


def test_integer_sums_wrap_and_bool_products_are_any_of_the_terms():
    """numpy's int8 matmul wraps around; bool's is an OR of ANDs, true even after 256 true products."""
    a = np.full((3, 300), 5, np.int8)
    _check(_on_device(a) @ _on_device(a.T.copy()), a @ a.T, 300)
    _check(_on_device(a) @ _on_device(a).t(), a @ a.T, 300)
    ones, mixed = np.ones((2, 300), bool), np.random.default_rng(0).random((300, 20)) < 0.01
    mixed[:, 0] = False
    _check(_on_device(ones) @ _on_device(np.ones((300, 20), bool)), np.ones((2, 20), bool), 300)
    _check(_on_device(ones) @ _on_device(mixed), ones @ mixed, 300)


def test_strided_and_offset_views_are_read_in_place():
    rng = np.random.default_rng(1)
    a, b = _values(rng, (40, 60), "float32"), _values(rng, (70, 50), "float32")
    x, y = _on_device(a), _on_device(b)
    cases = [
        (x[3:20, 5:30], y[10:35, 2:19], a[3:20, 5:30], b[10:35, 2:19]),  # offsets, dense rows
        (x[::2, 1::3], y[:60:3, ::2], a[::2, 1::3], b[:60:3, ::2]),  # every stride non-unit: B packed
        (x[1:, :].t()[:25, :], y[:39, 3:], a[1:, :].T[:25, :], b[:39, 3:]),  # A transposed with an offset
        (x[:, 7:47], y[1:, 5:45].t(), a[:, 7:47], b[1:, 5:45].T),  # B's columns dense at an offset
        (x[5], y[:60, 3], a[5], b[:60, 3]),  # 1-D operands
        (x[2, :50], y[:50], a[2, :50], b[:50]),
    ]
    for left, right, a_view, b_view in cases:
        _check(left @ right, a_view @ b_view, a_view.shape[-1])


def test_batches_broadcast_and_unravel():
    rng = np.random.default_rng(2)
    for a_shape, b_shape in [((2, 1, 5, 7), (3, 7, 20)), ((5, 7), (2, 3, 7, 4)), ((4, 9, 17), (17,)),
                             ((17,), (3, 17, 6)), ((2, 3, 6, 18), (1, 3, 18, 19))]:
        a, b = _values(rng, a_shape, "float32"), _values(rng, b_shape, "float32")
        _check(_on_device(a) @ _on_device(b), a @ b, a_shape[-1])
    a, b = _values(rng, (3, 6, 20), "float32"), _values(rng, (3, 5, 20), "float32")  # batched x @ w.T
    _check(_on_device(a) @ _on_device(b).transpose(1, 2), a @ b.transpose(0, 2, 1), 20)
    a, b = _values(rng, (6, 20), "float32"), _values(rng, (20, 5), "float32")  # a broadcast (stride 0) batch
    _check(_on_device(a).expand(4, 6, 20) @ _on_device(b), np.broadcast_to(a, (4, 6, 20)) @ b, 20)


def test_empty_operands_give_empty_or_zero_results():
    for m, k, n in [(0, 3, 4), (3, 0, 4), (3, 4, 0), (0, 0, 0), (17, 0, 33)]:
        a, b = np.ones((m, k), np.float32), np.ones((k, n), np.float32)
        _check(_on_device(a) @ _on_device(b), a @ b, 0)
        _check(_on_device(a) @ _on_device(b.T.copy()).t(), a @ b, 0)
    _check(_on_device(np.ones((2, 0, 5), np.float32)) @ _on_device(np.ones((5, 3), np.float32)),
           np.zeros((2, 0, 3), np.float32), 5)


@pytest.mark.parametrize("bias_shape", [(19,), (1, 19), (33, 19), (1,), ()])
def test_linear_adds_its_bias_in_the_kernel(bias_shape):
    """F.linear calls the fused `addmm` kernel with the weight transposed as a view (the dots kernel)."""
    rng = np.random.default_rng(3)
    x, w, b = _values(rng, (33, 50), "float32"), _values(rng, (19, 50), "float32"), _values(rng, bias_shape, "float32")
    _check(F.linear(_on_device(x), _on_device(w), _on_device(b)), x @ w.T + b, 51)
    dense = matmul.addmm(_on_device(b)._data, _on_device(x)._data, _on_device(w.T.copy())._data)  # B's rows dense
    _check(buffer.download(dense), x @ w.T + b, 51)
