"""Reductions (sum, max, min and their arg forms) and matmul."""
from __future__ import annotations

from collections.abc import Callable

from ember import _deterministic

from .arrays import ArrayAPI


def _matmul_settings() -> object:
    """`ember.backends.cuda.matmul`, whose `allow_tf32` the matmul kernel reads on each call (None where
    core does not have it yet: TF32 stays off, PyTorch's default)."""
    try:
        from ember.backends.cuda import matmul  # type: ignore[import-not-found]
    except ImportError:
        return None
    return matmul


def kernels(api: ArrayAPI) -> dict[str, Callable]:
    xp = api.xp

    def reduce_sum(x, axes, keepdim, out=None):
        # dtype=x.dtype: numpy and cupy would widen small-int and bool sums to int64
        return xp.sum(x, axis=axes, dtype=x.dtype, keepdims=keepdim, out=out)

    def reduce_max(x, axes, keepdim, out=None):
        return xp.max(x, axis=axes, keepdims=keepdim, out=out)

    def reduce_min(x, axes, keepdim, out=None):
        """cupy's min, then copied into `out`: cupy 14's min with `out` hands it to CUB as the dtype (and fails)."""
        result = xp.min(x, axis=axes, keepdims=keepdim)
        if out is None:
            return result
        xp.copyto(out, result)
        return out

    def argmax(x, axis, keepdim):
        return xp.argmax(x, axis=axis, keepdims=keepdim).astype(xp.int64, copy=False)

    def argmin(x, axis, keepdim):
        return xp.argmin(x, axis=axis, keepdims=keepdim).astype(xp.int64, copy=False)

    settings = _matmul_settings()

    def matmul(a, b, out=None):
        """cuBLAS through cupy; float32 uses TF32 only when ember.backends.cuda.matmul.allow_tf32. While the
        current stream captures a CUDA graph, cuBLAS called directly (captured_gemm.py: cupy's refuses). In
        deterministic mode, PyTorch's alert unless cuBLAS's workspace is configured to be reproducible."""
        if _deterministic.state.enabled:
            _deterministic.check_cublas_workspace()
        tf32 = getattr(settings, "allow_tf32", False)
        captured = api.captured_matmul()
        if captured is not None:
            return captured(a, b, out, tf32=tf32)
        api.use_tf32(tf32)
        return xp.matmul(a, b, out=out)

    return {"sum": reduce_sum, "max": reduce_max, "min": reduce_min, "argmax": argmax, "argmin": argmin,
            "matmul": matmul}
