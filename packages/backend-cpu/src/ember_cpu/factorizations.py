"""The LU/Cholesky family's optional kernels (docs/internals.md): LU with partial pivoting and the triangular
solve vectorised over the batch with numpy (numpy.linalg has neither), Cholesky through numpy.linalg (LAPACK's
potrf, as PyTorch's) with each matrix's info found column by column when one is not positive-definite."""
from __future__ import annotations

import numpy as np


def _batched(a: np.ndarray) -> np.ndarray:
    """A C-contiguous float copy of `a` as (batch, rows, columns)."""
    return np.array(a, order="C").reshape(int(np.prod(a.shape[:-2])), *a.shape[-2:])


def lu_factor(a):
    """(LU, pivots, info) of (*, m, n): LAPACK getrf's results, pivots and info 1-based int32."""
    m, n = a.shape[-2:]
    lu = _batched(a)
    steps = min(m, n)
    pivots = np.empty((lu.shape[0], steps), np.int32)
    info = np.zeros(lu.shape[0], np.int32)
    matrices = np.arange(lu.shape[0])
    with np.errstate(all="ignore"):
        for j in range(steps):
            pivot_row = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)
            pivots[:, j] = pivot_row + 1
            row = lu[matrices, pivot_row].copy()
            lu[matrices, pivot_row] = lu[:, j]
            lu[:, j] = row
            pivot = lu[:, j, j]
            zero = pivot == 0
            info[(info == 0) & zero] = j + 1
            lu[:, j + 1:, j] /= np.where(zero, 1, pivot)[:, None]
            lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:]
    batch = a.shape[:-2]
    return lu.reshape(a.shape), pivots.reshape(*batch, steps), info.reshape(batch)


def cholesky(a):
    """(L, info) of (*, n, n) from its lower triangle; info the order of the first leading minor that is not
    positive-definite (L unspecified from there)."""
    matrices = _batched(a)
    info = np.zeros(matrices.shape[0], np.int32)
    try:
        factor = np.linalg.cholesky(matrices)
    except np.linalg.LinAlgError:
        factor, info = _column_cholesky(matrices)
    return factor.reshape(a.shape), info.reshape(a.shape[:-2])


def _column_cholesky(matrices):
    factor = np.zeros_like(matrices)
    info = np.zeros(matrices.shape[0], np.int32)
    with np.errstate(all="ignore"):
        for j in range(matrices.shape[-1]):
            row = factor[:, j, :j]
            square = matrices[:, j, j] - np.einsum("bk,bk->b", row, row)
            info[(info == 0) & ~(square > 0)] = j + 1
            root = np.sqrt(square)
            factor[:, j, j] = root
            below = matrices[:, j + 1:, j] - np.einsum("bik,bk->bi", factor[:, j + 1:, :j], row)
            factor[:, j + 1:, j] = below / root[:, None]
    return factor, info


def triangular_solve(a, b, upper, unitriangular):
    """X with A X = B, A's `upper` (or lower) triangle read, its diagonal ones when `unitriangular`."""
    n = a.shape[-1]
    x = np.array(b, order="C")
    with np.errstate(all="ignore"):
        for i in reversed(range(n)) if upper else range(n):
            solved = slice(i + 1, n) if upper else slice(0, i)
            rest = b[..., i, :] - (a[..., i:i + 1, solved] @ x[..., solved, :])[..., 0, :]
            x[..., i, :] = rest if unitriangular else rest / a[..., i, i][..., None]
    return x


KERNELS = {"lu_factor": lu_factor, "cholesky": cholesky, "triangular_solve": triangular_solve}
