"""The three primitives of the LU/Cholesky family, on buffers of any batch shape: a device's optional kernel
when it has one (`lu_factor`, `cholesky`, `triangular_solve`; docs/internals.md), else core's composition of
ember ops (LU with partial pivoting column by column, Cholesky column by column, substitution row by row),
which runs on the device without reading values on the host. Callers hold no_grad: results carry no history."""
from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor, wrap
from . import creation
from .pointwise import where


def _wrapped(like: Tensor, data, dtype=None) -> Tensor:
    return wrap(data, dtype or like._dtype, like._device)


def lu_factor(a: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(LU, pivots, info) of a (*, m, n): L below the diagonal (its unit diagonal implied) and U on and above
    it, pivots (*, min(m, n)) int32 as LAPACK's (1-based: row i was swapped with row pivots[i]), info (*,)
    int32: the 1-based index of the first zero pivot U[i, i], 0 when none."""
    kernel = a._device.kernels.get("lu_factor")
    if kernel is not None:
        lu, pivots, info = kernel(a._data)
        return _wrapped(a, lu), _wrapped(a, pivots, _dtype.int32), _wrapped(a, info, _dtype.int32)
    return _composed_lu_factor(a)


def _composed_lu_factor(a: Tensor):
    *batch, m, n = a.shape
    lu = a.contiguous().clone()
    steps = min(m, n)
    pivots = creation.zeros((*batch, steps), dtype=_dtype.int64, device=a.device)
    info = creation.zeros(tuple(batch), dtype=_dtype.int64, device=a.device)
    for j in range(steps):
        pivot_row = lu[..., j:, j].abs().argmax(-1) + j  # the first largest |value|, as LAPACK's idamax
        rows = pivot_row[..., None, None].expand(*batch, 1, n)
        row_j = lu[..., j:j + 1, :].clone()
        lu[..., j:j + 1, :] = lu.gather(-2, rows)
        lu.scatter_(-2, rows, row_j)
        pivots[..., j] = pivot_row + 1
        pivot = lu[..., j, j]
        zero = pivot == 0
        info = where((info == 0) & zero, j + 1, info)
        if j + 1 < m:  # a zero pivot leaves its (zero) column unscaled, as LAPACK's getrf
            lu[..., j + 1:, j].div_(where(zero, 1.0, pivot)[..., None])
            lu[..., j + 1:, j + 1:].sub_(lu[..., j + 1:, j:j + 1] * lu[..., j:j + 1, j + 1:])
    return lu, pivots.to(_dtype.int32), info.to(_dtype.int32)


def cholesky(a: Tensor) -> tuple[Tensor, Tensor]:
    """(L, info) of a (*, n, n) read from its lower triangle: L lower triangular with A = L L^T, info (*,)
    int32 the order of the first leading minor that is not positive-definite (0 when none; L is then
    unspecified from that column on)."""
    kernel = a._device.kernels.get("cholesky")
    if kernel is not None:
        factor, info = kernel(a._data)
        return _wrapped(a, factor), _wrapped(a, info, _dtype.int32)
    return _composed_cholesky(a)


def _composed_cholesky(a: Tensor):
    *batch, n, _ = a.shape
    factor = creation.zeros(a.shape, dtype=a.dtype, device=a.device)
    info = creation.zeros(tuple(batch), dtype=_dtype.int64, device=a.device)
    for j in range(n):
        row = factor[..., j, :j]
        square = a[..., j, j] - (row * row).sum(-1)
        info = where((info == 0) & ~(square > 0), j + 1, info)
        root = square.sqrt()
        factor[..., j, j] = root
        if j + 1 < n:
            below = a[..., j + 1:, j] - (factor[..., j + 1:, :j] @ row[..., None])[..., 0]
            factor[..., j + 1:, j] = below / root[..., None]
    return factor, info.to(_dtype.int32)


def triangular_solve(a: Tensor, b: Tensor, upper: bool, unitriangular: bool) -> Tensor:
    """X with A X = B for A (*, n, n) triangular (only its `upper` or lower triangle read; its diagonal taken
    as ones when `unitriangular`) and B (*, n, k) of the same batch shape and dtype."""
    kernel = a._device.kernels.get("triangular_solve")
    if kernel is not None:
        return _wrapped(a, kernel(a._data, b._data, upper, unitriangular))
    n = a.shape[-1]
    x = b.contiguous().clone()
    for i in reversed(range(n)) if upper else range(n):
        solved = slice(i + 1, n) if upper else slice(0, i)
        rest = b[..., i, :] - (a[..., i:i + 1, solved] @ x[..., solved, :])[..., 0, :]
        x[..., i, :] = rest if unitriangular else rest / a[..., i, i][..., None]
    return x
