"""matmul while a CUDA graph captures: cuBLAS called directly on a handle of ember's own, bound to the
capture stream before the capture began.

cupy's matmul cannot be captured: each of its cuBLAS wrappers (cupy_backends.cuda.libs.cublas) first calls
``cublasSetStream`` with cupy's current stream, and refuses to on a capturing stream (NotImplementedError
"calling cuBLAS API during stream capture is currently unsupported"), although cuBLAS itself supports
capture (cuBLAS docs, "CUDA Graphs Support"). So `CapturedGemms` keeps one cuBLAS handle per device and,
in `graphs.Capturer.begin_capture`, before the stream starts capturing, sets that handle's stream to the
capture stream and its workspace to a buffer of the graph's private pool (``cublasSetWorkspace``, which
cupy does not wrap: with a user workspace cuBLAS allocates nothing during capture, and each graph owns
its own, so graphs replaying at once on different streams never share one). While that stream is the
current one, the matmul kernel calls `strided_batched_matmul`, which makes every product one
``cublasGemmStridedBatchedEx`` through ctypes, on the library cupy loaded. Outside capture nothing
changes: the kernel calls cupy's matmul.
"""
from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

# cuBLAS's recommended workspace (cublasSetWorkspace): 32 MiB on Hopper and later, 4 MiB before
WORKSPACE_BYTES = {True: 32 * 2**20, False: 4 * 2**20}
INT_MAX = 2**31 - 1  # m, n, k, leading dimensions and the batch count are C ints in cuBLAS's API
GEMM_DTYPES = frozenset(np.dtype(t) for t in (np.float16, np.float32, np.float64))
OP_N, OP_T = 0, 1  # cublasOperation_t


@dataclass(frozen=True)
class Types:
    """cuBLAS's enumerations the gemm needs (cudaDataType_t, cublasComputeType_t, cublasGemmAlgo_t),
    read from cupy_backends so that they are the values of the library cupy was built for."""

    data: dict[np.dtype, int]  # buffer dtype -> cudaDataType_t
    compute_32f: int
    compute_32f_tf32: int
    compute_64f: int
    algo: int

    def compute(self, dtype: np.dtype, tf32: bool) -> tuple[int, np.dtype]:
        """The compute type and the dtype of alpha and beta for buffers of `dtype`: float16 and float32
        accumulate in float32 (TF32 tensor cores for float32 only when `tf32`), float64 in float64."""
        if dtype == np.float64:
            return self.compute_64f, np.dtype(np.float64)
        return (self.compute_32f_tf32 if tf32 and dtype == np.float32 else self.compute_32f), np.dtype(np.float32)


@dataclass(frozen=True)
class Operand:
    """One factor as cuBLAS reads it: the buffer (kept alive for the call), the address of its first
    element, whether cuBLAS transposes it, its leading dimension and the elements between batches."""

    buffer: Any
    address: int
    op: int
    ld: int
    batch_stride: int


def _matrix_layout(shape: tuple[int, ...], strides: tuple[int, ...], itemsize: int) -> tuple[int, int] | None:
    """(op, ld) reading the row-major rows x cols matrix with byte `strides` as cuBLAS's column-major
    operand holding its transpose, or None when the strides fit neither order. Row-major data is its
    transpose in column-major order (op N, ld = the row stride); column-major data is read transposed
    (op T, ld = the column stride). A dimension of size 1 has no stride to respect; a leading dimension
    beyond cuBLAS's int is refused (the operand is then copied)."""
    (rows, cols), (row_stride, col_stride) = shape, strides
    if row_stride % itemsize or col_stride % itemsize:
        return None
    row_stride, col_stride = row_stride // itemsize, col_stride // itemsize
    if cols == 1 or col_stride == 1:  # row-major
        ld = max(1, cols) if rows == 1 else row_stride
        if max(1, cols) <= ld <= INT_MAX:
            return OP_N, ld
    if rows == 1 or row_stride == 1:  # column-major
        ld = max(1, rows) if cols == 1 else col_stride
        if max(1, rows) <= ld <= INT_MAX:
            return OP_T, ld
    return None


def _batch_stride(batch: tuple[int, ...], strides: tuple[int, ...], itemsize: int) -> int | None:
    """The one stride, in elements, stepping through `batch` (the product's batch dims; `strides` the
    operand's byte strides there, 0 where it is broadcast), or None when its batches are not evenly
    spaced (a dim of size 1 is never stepped)."""
    stride = span = None
    for size, step in zip(reversed(batch), reversed(strides), strict=True):
        if size == 1:
            continue
        if stride is None:
            if step < 0 or step % itemsize:
                return None
            stride = step
        elif step != span:
            return None
        span = step * size
    return 0 if stride is None else stride // itemsize


def _operand(xp: ModuleType, address: Callable[[Any], int], x: Any, batch: tuple[int, ...]) -> Operand:
    """`x` (..., rows, cols), broadcast over `batch`, as cuBLAS reads it: in place when its strides allow,
    else copied contiguous (an elementwise copy, which a graph captures): its own elements first, and the
    broadcast batch too only when its batches still are not evenly spaced."""
    matrix = x.shape[-2:]
    for copy in (None, xp.ascontiguousarray, lambda y: xp.ascontiguousarray(xp.broadcast_to(y, batch + matrix))):
        if copy is not None:
            x = copy(x)
        own = tuple(0 if size == 1 else step for size, step in zip(x.shape[:-2], x.strides[:-2], strict=True))
        layout = _matrix_layout(matrix, x.strides[-2:], x.itemsize)
        step = _batch_stride(batch, (0,) * (len(batch) - len(own)) + own, x.itemsize)
        if layout is not None and step is not None:
            return Operand(x, address(x), layout[0], layout[1], step)
    raise AssertionError(f"no cuBLAS layout for a contiguous {x.shape} array")  # a dense array always has one


def _check_int(name: str, value: int) -> None:
    if value > INT_MAX:
        raise RuntimeError(f"matmul during CUDA graph capture: {name} {value} exceeds cuBLAS's int limit {INT_MAX}")


def strided_batched_matmul(xp: ModuleType, address: Callable[[Any], int], gemm: Callable[..., None],
                           types: Types, a: Any, b: Any, out: Any = None, *, tf32: bool = False) -> Any:
    """numpy's matmul of `a` and `b` (1-D, 2-D or batched with broadcasting; one float dtype) as one
    ``cublasGemmStridedBatchedEx`` call: `gemm(transa, transb, m, n, k, alpha, A, Atype, lda, strideA,
    B, Btype, ldb, strideB, beta, C, Ctype, ldc, strideC, batchCount, computeType, algo)` with cuBLAS's
    column-major arguments. Row-major C = A @ B is column-major C^T = B^T A^T, so B comes first. Other
    dtypes (integers, bool: cupy's own kernels, no cuBLAS) go to `xp.matmul`. Written into `out` when
    given (directly when it is a contiguous buffer of the dtype that overlaps neither factor)."""
    dtype = np.promote_types(a.dtype, b.dtype)
    if dtype not in GEMM_DTYPES:
        return xp.matmul(a, b, out=out)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: Input operand does not have enough dimensions (a 0-d operand)")
    a2 = a.astype(dtype, copy=False).reshape((1,) + a.shape) if a.ndim == 1 else a.astype(dtype, copy=False)
    b2 = b.astype(dtype, copy=False).reshape(b.shape + (1,)) if b.ndim == 1 else b.astype(dtype, copy=False)
    (m, k), (k_b, n) = a2.shape[-2:], b2.shape[-2:]
    if k != k_b:
        raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0 (size {k_b} is "
                         f"different from {k}): shapes {a.shape} and {b.shape}")
    batch = tuple(np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]))  # ValueError when they do not broadcast
    shape = batch + ((m,) if a.ndim > 1 else ()) + ((n,) if b.ndim > 1 else ())
    if out is not None and tuple(out.shape) != shape:
        raise ValueError(f"matmul: output shape {tuple(out.shape)} is not the product's {shape}")
    direct = (out is not None and out.dtype == dtype and out.flags.c_contiguous
              and not xp.may_share_memory(out, a) and not xp.may_share_memory(out, b))
    c = out if direct else xp.empty(shape, dtype)
    count = int(np.prod(batch))
    if c.size and k == 0:
        c.fill(0)
    elif c.size:
        for name, value in (("m", m), ("n", n), ("k", k), ("batch count", count)):
            _check_int(name, value)
        left, right = _operand(xp, address, b2, batch), _operand(xp, address, a2, batch)
        compute, scale = types.compute(dtype, tf32)
        one, zero = np.ones((), scale), np.zeros((), scale)
        data = types.data[dtype]
        gemm(left.op, right.op, n, m, k, one.ctypes.data, left.address, data, left.ld, left.batch_stride,
             right.address, data, right.ld, right.batch_stride, zero.ctypes.data, address(c), data, max(1, n),
             m * n, count, compute, types.algo)
    if out is None or direct:
        return c
    out[...] = c
    return out


class Cublas:
    """The cuBLAS entry points capture needs, from the library cupy loaded, with their C signatures."""

    def __init__(self, library: ctypes.CDLL, check: Callable[[int], None]) -> None:
        p, i, i64 = ctypes.c_void_p, ctypes.c_int, ctypes.c_int64
        signatures = {
            "cublasCreate_v2": [ctypes.POINTER(p)],
            "cublasSetStream_v2": [p, p],
            "cublasSetWorkspace_v2": [p, p, ctypes.c_size_t],
            "cublasGemmStridedBatchedEx": [p, i, i, i, i, i, p, p, i, i, i64, p, i, i, i64, p, p, i, i, i64, i, i, i],
        }
        self._functions = {}
        for name, argtypes in signatures.items():
            function = getattr(library, name)
            function.argtypes, function.restype = argtypes, i
            self._functions[name] = function
        self._check = check  # cupy's check_status: CUBLASError naming the status

    def create(self) -> int:
        handle = ctypes.c_void_p()
        self._check(self._functions["cublasCreate_v2"](ctypes.byref(handle)))
        return int(handle.value or 0)

    def bind(self, handle: int, stream: int, workspace: int, size: int) -> None:
        """Launch on `stream` with `workspace` (setting the stream resets the workspace: it comes second)."""
        self._check(self._functions["cublasSetStream_v2"](handle, stream))
        self._check(self._functions["cublasSetWorkspace_v2"](handle, workspace, size))

    def gemm(self, handle: int) -> Callable[..., None]:
        """``cublasGemmStridedBatchedEx`` on `handle`, its status checked."""
        function, check = self._functions["cublasGemmStridedBatchedEx"], self._check

        def call(*args: Any) -> None:
            check(function(handle, *args))

        return call


@functools.cache
def _cublas() -> tuple[Cublas, Types]:
    """cuBLAS as cupy loaded it (cupy 14 loads it through cuda.pathfinder, which returns the same library
    again) and its enumerations."""
    from cuda import pathfinder
    from cupy_backends.cuda.api import runtime
    from cupy_backends.cuda.libs import cublas

    loaded = pathfinder.load_nvidia_dynamic_lib("cublas")
    if loaded.abs_path is None:
        raise RuntimeError("matmul during CUDA graph capture: cuda.pathfinder does not say where libcublas is")
    types = Types({np.dtype(np.float16): runtime.CUDA_R_16F, np.dtype(np.float32): runtime.CUDA_R_32F,
                   np.dtype(np.float64): runtime.CUDA_R_64F}, cublas.CUBLAS_COMPUTE_32F,
                  cublas.CUBLAS_COMPUTE_32F_FAST_TF32, cublas.CUBLAS_COMPUTE_64F, cublas.CUBLAS_GEMM_DEFAULT)
    return Cublas(ctypes.CDLL(loaded.abs_path), cublas.check_status), types


class CapturedGemms:
    """The cuBLAS handle of each device that graph capture uses, and the streams they are bound to now."""

    def __init__(self, cupy: ModuleType) -> None:
        self._cupy = cupy
        self._handles: dict[int, int] = {}  # device index -> handle (kept for the process, as cupy's)
        self._bound: dict[int, Callable[..., Any]] = {}  # capture stream pointer -> its matmul

    def workspace_bytes(self, index: int) -> int:
        return WORKSPACE_BYTES[int(self._cupy.cuda.Device(index).compute_capability) >= 90]

    def bind(self, index: int, stream: Any, workspace: Any) -> None:
        """Make device `index`'s handle launch on `stream` with `workspace` (a memory pointer of
        `workspace_bytes(index)` bytes): call before `stream` begins capturing."""
        cublas, types = _cublas()
        with self._cupy.cuda.Device(index):
            if index not in self._handles:
                self._handles[index] = cublas.create()
            handle = self._handles[index]
            cublas.bind(handle, stream.ptr, workspace.ptr, self.workspace_bytes(index))
        self._bound[stream.ptr] = functools.partial(strided_batched_matmul, self._cupy,
                                                    lambda x: int(x.data.ptr), cublas.gemm(handle), types)

    def unbind(self, stream: Any) -> None:
        """`stream` captures no more: matmul goes back to cupy's."""
        self._bound.pop(stream.ptr, None)

    def for_current_stream(self) -> Callable[..., Any] | None:
        """The capturing matmul when the current stream is a bound capture stream, else None."""
        if not self._bound:
            return None
        return self._bound.get(self._cupy.cuda.get_current_stream().ptr)
