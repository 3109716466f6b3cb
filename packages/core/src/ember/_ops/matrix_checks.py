"""The checks the LU/Cholesky family shares: PyTorch's argument errors (dims, square matrices, dtypes) and its
`LinAlgError` for a singular or not positive-definite input, raised from the `info` the factorizations return
(read at once on the CPU, pending until the next synchronisation on a device with a queue)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import _checks
from .._tensor import Tensor
from .dispatch import type_name


class LinAlgError(RuntimeError):
    """PyTorch's ``torch.linalg.LinAlgError``: a factorization or solve found a singular or not
    positive-definite matrix."""


def check_matrices(op: str, a, name: str = "A", *, square: bool = True, half: str | None = None) -> None:
    """PyTorch's checks of a (*, n, n) floating input `a` of `op`; `half` is its error for float16 (PyTorch's
    kernels have none), by default ``"<op>: Low precision dtypes not supported. Got Half"``."""
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(a).__name__}")
    if a.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if not a._dtype.is_floating_point:
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {type_name(a._dtype)}")
    if square:
        check_square(op, a, name)
    if a._dtype.itemsize < 4:
        if half is None:
            raise RuntimeError(f"{op}: Low precision dtypes not supported. Got {type_name(a._dtype)}")
        raise NotImplementedError(f'"{half}" not implemented for \'{type_name(a._dtype)}\'')


def check_square(op: str, a: Tensor, name: str = "A") -> None:
    """PyTorch's squareCheckInputs: its error when the matrices of `a` are not square (`op`, when given, the
    message's prefix)."""
    if a.shape[-1] != a.shape[-2]:
        prefix = f"{op}: " if op else ""
        raise RuntimeError(f"{prefix}{name} must be batches of square matrices, but they are {a.shape[-2]} by "
                           f"{a.shape[-1]} matrices")


def check_same_dtype(op: str, a: Tensor, b: Tensor) -> None:
    if a._dtype is not b._dtype:
        raise RuntimeError(f"{op}: Expected A and B to have the same dtype, but found A of type "
                           f"{type_name(a._dtype)} and B of type {type_name(b._dtype)} instead")


def raise_on_info(info: Tensor, message: Callable[[str, int], str], error: type = LinAlgError) -> None:
    """`error` with PyTorch's text for the first nonzero entry of `info` (the factorizations' per-matrix
    codes); ``message(where, code)`` is its text, `where` "(Batch element i): " in a batch, else empty."""
    batched = info.ndim > 0

    def judge(codes) -> None:
        flat = np.asarray(codes).reshape(-1)
        failed = np.flatnonzero(flat)
        if failed.size:
            where = f"(Batch element {failed[0]}): " if batched else ""
            raise error(message(where, int(flat[failed[0]])))

    if _checks.queued(info._device):
        _checks.defer(info._device, (info._data,), judge)
    else:
        judge(info._device.kernels.to_numpy(info._data))
