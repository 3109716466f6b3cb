"""The matmul that CUDA graph capture records (ember_cuda/captured_gemm.py) without a GPU: its translation of
numpy's matmul into one column-major ``cublasGemmStridedBatchedEx`` call runs over numpy buffers, with that
call played by `host_gemm`, cuBLAS's documented semantics on host memory (each operand read at its
address with its op, leading dimension and batch stride). What stays unchecked here is cuBLAS itself and
the capture, which tests/test_cuda_graphs.py checks on a GPU."""
from __future__ import annotations

import ctypes
import functools

import numpy as np
import pytest

import ember

pytest.importorskip("ember_cuda")
from ember_cuda import captured_gemm, reductions  # noqa: E402
from ember_cuda.captured_gemm import OP_N, OP_T, Types, strided_batched_matmul  # noqa: E402

# cuBLAS's enumeration values (library_types.h, cublas_api.h)
TYPES = Types({np.dtype(np.float16): 2, np.dtype(np.float32): 0, np.dtype(np.float64): 1}, compute_32f=68,
              compute_32f_tf32=77, compute_64f=70, algo=-1)
DATA_DTYPES = {2: np.float16, 0: np.float32, 1: np.float64}
SCALE_DTYPES = {68: np.float32, 77: np.float32, 70: np.float64}


def address(x: np.ndarray) -> int:
    return x.__array_interface__["data"][0]


def _column_major(at: int, rows: int, cols: int, ld: int, dtype: type) -> np.ndarray:
    """The rows x cols column-major matrix with leading dimension `ld` at address `at`."""
    itemsize = np.dtype(dtype).itemsize
    span = ((rows - 1) + (cols - 1) * ld + 1) * itemsize
    memory = (ctypes.c_char * span).from_address(at)
    return np.ndarray((rows, cols), dtype, buffer=memory, strides=(itemsize, ld * itemsize))


class HostGemm:
    """``cublasGemmStridedBatchedEx`` on host memory: C_i = alpha op(A_i) op(B_i) + beta C_i, column-major,
    with cuBLAS's argument checks (leading dimensions at least the rows stored); records each call."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def __call__(self, transa, transb, m, n, k, alpha, a, atype, lda, stride_a, b, btype, ldb, stride_b, beta,
                 c, ctype, ldc, stride_c, count, compute, algo) -> None:
        assert atype == btype == ctype and algo == -1
        dtype, scale = DATA_DTYPES[atype], SCALE_DTYPES[compute]
        assert (compute == 70) == (dtype == np.float64)
        a_rows, a_cols = (m, k) if transa == OP_N else (k, m)
        b_rows, b_cols = (k, n) if transb == OP_N else (n, k)
        assert lda >= max(1, a_rows) and ldb >= max(1, b_rows) and ldc >= max(1, m), (lda, ldb, ldc)
        assert stride_c >= m * n and min(stride_a, stride_b) >= 0
        alpha_value = np.frombuffer((ctypes.c_char * np.dtype(scale).itemsize).from_address(alpha), scale)[0]
        beta_value = np.frombuffer((ctypes.c_char * np.dtype(scale).itemsize).from_address(beta), scale)[0]
        assert alpha_value == 1 and beta_value == 0
        itemsize = np.dtype(dtype).itemsize
        for i in range(count):
            left = _column_major(a + i * stride_a * itemsize, a_rows, a_cols, lda, dtype).astype(scale)
            right = _column_major(b + i * stride_b * itemsize, b_rows, b_cols, ldb, dtype).astype(scale)
            result = _column_major(c + i * stride_c * itemsize, m, n, ldc, dtype)
            left = left if transa == OP_N else left.T
            right = right if transb == OP_N else right.T
            result[...] = (alpha_value * (left @ right)).astype(dtype)  # beta = 0: C is not read
        self.calls.append({"transa": transa, "transb": transb, "lda": lda, "ldb": ldb, "stride_a": stride_a,
                           "stride_b": stride_b, "count": count, "compute": compute})


def matmul(a, b, out=None, *, tf32=False, gemm=None):
    return strided_batched_matmul(np, address, gemm or HostGemm(), TYPES, a, b, out, tf32=tf32)


def laid_out(array: np.ndarray, layout: str) -> np.ndarray:
    """`array` (>= 2-D for the matrix layouts) in memory laid out as `layout`: equal values, other strides."""
    if layout == "contiguous":
        return array.copy()
    if layout == "transposed":  # each matrix column-major (a weight.t(), key.transpose(-2, -1))
        return np.ascontiguousarray(array.swapaxes(-1, -2)).swapaxes(-1, -2)
    if layout == "stepped":  # every other element of a larger buffer, in every dim
        host = np.zeros(tuple(2 * n for n in array.shape), array.dtype)
        host[(slice(None, None, 2),) * array.ndim] = array
        return host[(slice(None, None, 2),) * array.ndim]
    if layout == "offset_rows":  # rows of a wider buffer, not from its start (a slice [1:, 2:])
        host = np.zeros(array.shape[:-1] + (array.shape[-1] + 3,), array.dtype)
        host = np.concatenate([host[..., :1, :], host], axis=-2) if array.ndim else host
        host[..., 1:, 2:2 + array.shape[-1]] = array
        return host[..., 1:, 2:2 + array.shape[-1]]
    if layout == "flipped":  # negative strides
        return np.flip(np.flip(array, -1).copy(), -1)
    if layout == "batch_permuted":  # batch dims stored in the other order
        return np.ascontiguousarray(np.moveaxis(array, 0, -3)).swapaxes(0, -3) if array.ndim > 3 else array.copy()
    raise ValueError(layout)


LAYOUTS = ("contiguous", "transposed", "stepped", "offset_rows", "flipped", "batch_permuted")
# The kit's matmul shapes (ember.testing.test_matmul) and more batches: broadcast either way, in several dims.
SHAPES = (
    ((3, 4), (4, 5)), ((4,), (4,)), ((4,), (4, 5)), ((3, 4), (4,)), ((1, 1), (1, 1)),
    ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (2, 4, 5)), ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)), ((0, 4), (4, 3)), ((3, 0), (0, 2)), ((2, 0, 3), (3, 1)),
    ((2, 3, 1, 4), (1, 3, 4, 2)), ((3, 2, 5, 4), (3, 2, 4, 1)), ((1, 4), (3, 4, 6)), ((7, 1), (1, 5)),
)
DTYPES = (np.float16, np.float32, np.float64)


def _tolerance(dtype) -> dict:
    return {np.float16: {"rtol": 2e-3, "atol": 2e-3}, np.float32: {"rtol": 1e-5, "atol": 1e-5},
            np.float64: {"rtol": 1e-12, "atol": 1e-12}}[dtype]


def _host(rng, shape, dtype):
    return rng.uniform(-2, 2, shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_shape_and_layout_is_numpys_matmul(dtype, layout):
    rng = np.random.default_rng(0)
    for shape_a, shape_b in SHAPES:
        a, b = _host(rng, shape_a, dtype), _host(rng, shape_b, dtype)
        placed_a = laid_out(a, layout) if a.ndim >= 2 else a
        placed_b = laid_out(b, layout) if b.ndim >= 2 else b
        result = matmul(placed_a, placed_b)
        expected = np.matmul(a.astype(np.float64), b.astype(np.float64)).astype(dtype)
        assert result.shape == expected.shape and result.dtype == dtype, (shape_a, shape_b, layout)
        np.testing.assert_allclose(result, expected, **_tolerance(dtype), err_msg=f"{shape_a} @ {shape_b} {layout}")


def test_strided_vectors_are_read_in_place():
    rng = np.random.default_rng(1)
    vector, matrix = _host(rng, (9,), np.float32)[::3], _host(rng, (3, 5), np.float32)
    gemm = HostGemm()
    np.testing.assert_allclose(matmul(vector, matrix, gemm=gemm), vector @ matrix, rtol=1e-6)
    np.testing.assert_allclose(matmul(matrix.T, vector, gemm=gemm), matrix.T @ vector, rtol=1e-6)
    # the vector, every third element: a (1, 3) column-major row (op T), then a (3, 1) row-major column
    assert (gemm.calls[0]["transb"], gemm.calls[0]["ldb"]) == (OP_T, 3)
    assert (gemm.calls[1]["transa"], gemm.calls[1]["lda"]) == (OP_N, 3)


def test_transposed_operands_are_read_in_place_with_cublass_transpose_flag():
    """nn.Linear's input @ weight.t() and attention's query @ key.transpose(-2, -1): no copy, op T."""
    rng = np.random.default_rng(2)
    x, weight = _host(rng, (8, 4), np.float32), _host(rng, (3, 4), np.float32)
    gemm = HostGemm()
    np.testing.assert_allclose(matmul(x, weight.T, gemm=gemm), x @ weight.T, rtol=1e-6)
    # B^T first: weight.T (4 x 3) is column-major, read transposed; x row-major, as it is
    assert gemm.calls == [{"transa": OP_T, "transb": OP_N, "lda": 4, "ldb": 4, "stride_a": 0, "stride_b": 0,
                           "count": 1, "compute": 68}]
    query, key = _host(rng, (2, 3, 5, 4), np.float32), _host(rng, (2, 3, 6, 4), np.float32)
    gemm = HostGemm()
    np.testing.assert_allclose(matmul(query, key.swapaxes(-1, -2), gemm=gemm), query @ key.swapaxes(-1, -2),
                               rtol=1e-5)
    assert gemm.calls[0]["transa"] == OP_T and gemm.calls[0]["stride_a"] == 24 and gemm.calls[0]["count"] == 6


def test_a_matrix_broadcast_over_a_batch_is_not_copied():
    rng = np.random.default_rng(3)
    x, weight = _host(rng, (5, 2, 3), np.float64), _host(rng, (3, 4), np.float64)
    gemm = HostGemm()
    np.testing.assert_allclose(matmul(x, weight, gemm=gemm), x @ weight, rtol=1e-12)
    assert gemm.calls[0]["stride_a"] == 0 and gemm.calls[0]["stride_b"] == 6 and gemm.calls[0]["count"] == 5
    assert gemm.calls[0]["compute"] == 70


@pytest.mark.parametrize("dtype", DTYPES)
def test_out_is_written_directly_or_through_a_copy(dtype):
    rng = np.random.default_rng(4)
    a, b = _host(rng, (2, 3, 4), dtype), _host(rng, (4, 5), dtype)
    expected = np.matmul(a.astype(np.float64), b).astype(dtype)
    out = np.full((2, 3, 5), np.nan, dtype)
    assert matmul(a, b, out) is out
    np.testing.assert_allclose(out, expected, **_tolerance(dtype))
    strided = np.full((2, 3, 10), np.nan, dtype)[..., ::2]  # not contiguous: the product is copied in
    assert matmul(a, b, strided) is strided
    np.testing.assert_allclose(strided, expected, **_tolerance(dtype))
    square = _host(rng, (4, 4), dtype)
    expected = np.matmul(square.astype(np.float64), square).astype(dtype)
    assert matmul(square, square, square) is square  # out is an input: computed apart, then copied
    np.testing.assert_allclose(square, expected, **_tolerance(dtype))


def test_an_empty_inner_dimension_gives_zeros_without_a_gemm():
    gemm = HostGemm()
    out = np.full((2, 3), np.nan, np.float32)
    assert matmul(np.ones((2, 0), np.float32), np.ones((0, 3), np.float32), out, gemm=gemm) is out
    assert gemm.calls == [] and (out == 0).all()


def test_tf32_is_asked_for_float32_only():
    rng = np.random.default_rng(5)
    for dtype, compute in ((np.float32, 77), (np.float16, 68), (np.float64, 70)):
        gemm = HostGemm()
        matmul(_host(rng, (2, 3), dtype), _host(rng, (3, 2), dtype), tf32=True, gemm=gemm)
        assert gemm.calls[0]["compute"] == compute


def test_integer_products_are_left_to_the_array_library():
    gemm = HostGemm()
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    assert (matmul(a, a.T, gemm=gemm) == a @ a.T).all()
    assert gemm.calls == []


@pytest.mark.parametrize(("shape_a", "shape_b"), [((3, 4), (5, 2)), ((4,), (5,)), ((4,), (5, 2)), ((3, 4), (5,)),
                                                  ((2, 3, 4), (2, 5, 6)), ((2, 3, 4), (3, 4, 5))])
def test_shapes_that_do_not_multiply_raise_value_error(shape_a, shape_b):
    """docs/internals.md: the matmul kernel raises ValueError, which core turns into PyTorch's message."""
    with pytest.raises(ValueError):
        matmul(np.ones(shape_a, np.float32), np.ones(shape_b, np.float32))
    with pytest.raises(ValueError, match="output shape"):
        matmul(np.ones((2, 3), np.float32), np.ones((3, 4), np.float32), np.empty((2, 5), np.float32))


def test_sizes_beyond_cublass_int_are_refused():
    with pytest.raises(RuntimeError, match="exceeds cuBLAS's int limit"):
        captured_gemm._check_int("m", 2**31)


def test_the_matmul_kernel_takes_the_captured_path_only_while_capturing():
    """reductions.matmul asks the array library for the capturing matmul on each call: while there is one,
    the product is its gemm (TF32 as ember.backends.cuda.matmul.allow_tf32 says), else the library's own."""
    from tests.cudasim import StandIn

    gemm = HostGemm()

    class Capturing(StandIn):
        capturing = True

        def captured_matmul(self):
            return functools.partial(strided_batched_matmul, np, address, gemm, TYPES) if self.capturing else None

    api = Capturing()
    kernel = reductions.kernels(api)["matmul"]
    a, b = np.ones((2, 3), np.float32), np.ones((3, 4), np.float32)
    previous = ember.backends.cuda.matmul.allow_tf32
    try:
        ember.backends.cuda.matmul.allow_tf32 = True
        assert (kernel(a, b) == 3).all()
        assert [call["compute"] for call in gemm.calls] == [77] and api.tf32_calls == []
        api.capturing = False
        assert (kernel(a, b) == 3).all()
        assert len(gemm.calls) == 1 and api.tf32_calls == [True]
    finally:
        ember.backends.cuda.matmul.allow_tf32 = previous


class _FakeCublas:
    def __init__(self):
        self.log = []

    def create(self):
        self.log.append("create")
        return 7

    def bind(self, handle, stream, workspace, size):
        self.log.append(("bind", handle, stream, workspace, size))

    def gemm(self, handle):
        return HostGemm()


def test_only_the_bound_capture_stream_gets_the_capturing_matmul(monkeypatch):
    from types import SimpleNamespace

    current = [SimpleNamespace(ptr=0)]

    class Device:
        compute_capability = "90"

        def __init__(self, index):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    cupy = SimpleNamespace(cuda=SimpleNamespace(Device=Device, get_current_stream=lambda: current[0]))
    cublas = _FakeCublas()
    monkeypatch.setattr(captured_gemm, "_cublas", lambda: (cublas, TYPES))
    gemms = captured_gemm.CapturedGemms(cupy)
    assert gemms.for_current_stream() is None and gemms.workspace_bytes(0) == 32 * 2**20
    capture, other = SimpleNamespace(ptr=0x10), SimpleNamespace(ptr=0x30)
    gemms.bind(0, capture, SimpleNamespace(ptr=0x20))
    gemms.bind(0, other, SimpleNamespace(ptr=0x40))  # a later capture: the device's handle again
    assert cublas.log == ["create", ("bind", 7, 0x10, 0x20, 32 * 2**20), ("bind", 7, 0x30, 0x40, 32 * 2**20)]
    assert gemms.for_current_stream() is None  # the null stream is current
    current[0] = capture
    assert callable(gemms.for_current_stream())
    gemms.unbind(capture)
    assert gemms.for_current_stream() is None
    Device.compute_capability = "80"
    assert gemms.workspace_bytes(0) == 4 * 2**20


def test_a_leading_dimension_beyond_cublass_int_is_copied_not_passed():
    assert captured_gemm._matrix_layout((2, 3), (4 * 2**31, 4), 4) is None
    assert captured_gemm._matrix_layout((2, 3), (4 * 5, 4), 4) == (OP_N, 5)
