"""The LU/Cholesky family's kernels as every numpy-like backend computes them (numpy, cupy: the array module
`xp`), vectorised over the batch with a Python loop over the columns (geqrf too), and the SVD, QR and symmetric
eigen decompositions through the library's own; kept here once so that backends do not copy each other
(docs/internals.md, the `lu_factor`, `cholesky`, `triangular_solve`, `svd`, `qr`, `geqrf` and `eigh` kernels)."""
from __future__ import annotations

import math


def batched(xp, a):
    """A C-contiguous copy of `a` (*, m, n) as (batch, m, n)."""
    return xp.array(a, order="C").reshape(math.prod(a.shape[:-2]), *a.shape[-2:])


def lu_factor(xp, a):
    """(LU, pivots, info) of (*, m, n): LAPACK getrf's results by partial pivoting, pivots and info 1-based
    int32 (a zero pivot leaves its column unscaled and is reported in info)."""
    m, n = a.shape[-2:]
    lu = batched(xp, a)
    steps = min(m, n)
    pivots = xp.empty((lu.shape[0], steps), xp.int32)
    info = xp.zeros(lu.shape[0], xp.int32)
    matrices = xp.arange(lu.shape[0])
    for j in range(steps):
        pivot_row = j + xp.argmax(xp.abs(lu[:, j:, j]), axis=1)
        pivots[:, j] = pivot_row + 1
        row = lu[matrices, pivot_row].copy()
        lu[matrices, pivot_row] = lu[:, j]
        lu[:, j] = row
        pivot = lu[:, j, j]
        zero = pivot == 0
        info[:] = xp.where((info == 0) & zero, j + 1, info)
        lu[:, j + 1:, j] /= xp.where(zero, 1, pivot)[:, None]
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:]
    batch = a.shape[:-2]
    return lu.reshape(a.shape), pivots.reshape(*batch, steps), info.reshape(batch)


def cholesky(xp, a):
    """(L, info) of (*, n, n) from its lower triangle, column by column; info the order of the first leading
    minor that is not positive-definite (L unspecified from there)."""
    matrices = batched(xp, a)
    factor = xp.zeros_like(matrices)
    info = xp.zeros(matrices.shape[0], xp.int32)
    for j in range(matrices.shape[-1]):
        row = factor[:, j, :j]
        square = matrices[:, j, j] - (row * row).sum(-1)
        info[:] = xp.where((info == 0) & ~(square > 0), j + 1, info)
        root = xp.sqrt(square)
        factor[:, j, j] = root
        below = matrices[:, j + 1:, j] - (factor[:, j + 1:, :j] @ row[:, :, None])[:, :, 0]
        factor[:, j + 1:, j] = below / root[:, None]
    return factor.reshape(a.shape), info.reshape(a.shape[:-2])


def triangular_solve(xp, a, b, upper: bool, unitriangular: bool):
    """X with A X = B by substitution, A's `upper` (or lower) triangle read, its diagonal ones when
    `unitriangular`; A (*, n, n) and B (*, n, k) of one batch shape."""
    n = a.shape[-1]
    x = xp.array(b, order="C")
    for i in reversed(range(n)) if upper else range(n):
        solved = slice(i + 1, n) if upper else slice(0, i)
        rest = b[..., i, :] - (a[..., i:i + 1, solved] @ x[..., solved, :])[..., 0, :]
        x[..., i, :] = rest if unitriangular else rest / a[..., i, i][..., None]
    return x


def qr(xp, a, complete: bool):
    """(Q, R) of (*, m, n) as LAPACK's geqrf then orgqr give them (numpy.linalg.qr, cupy.linalg.qr: R's
    diagonal signs LAPACK's, as PyTorch's); `complete`: Q (*, m, m) and R (*, m, n), else Q (*, m, k) and R
    (*, k, n), k = min(m, n)."""
    return xp.linalg.qr(a, mode="complete" if complete else "reduced")


def geqrf(xp, a):
    """(A', tau) of (*, m, n) as LAPACK's geqrf gives them (dlarfg's reflectors: beta = -sign(alpha) ||x||, none
    where x below alpha is 0), column by column, vectorised over the batch: R on and above the diagonal of A',
    reflector j's entries below its unit first one under the diagonal of column j, tau (*, min(m, n))."""
    m, n = a.shape[-2:]
    steps = min(m, n)
    w = batched(xp, a)
    tau = xp.zeros((w.shape[0], steps), w.dtype)
    for j in range(steps):
        alpha, below = w[:, j, j].copy(), w[:, j + 1:, j]
        scale = xp.abs(below).max(axis=1) if j + 1 < m else xp.zeros_like(alpha)
        scaled = below / xp.where(scale > 0, scale, 1)[:, None]
        xnorm = scale * xp.sqrt((scaled * scaled).sum(axis=1))
        reflect = xnorm != 0
        beta = xp.where(reflect, -xp.copysign(xp.hypot(alpha, xnorm), alpha), alpha)
        tau[:, j] = xp.where(reflect, (beta - alpha) / xp.where(reflect, beta, 1), 0)
        w[:, j + 1:, j] = below / xp.where(reflect, alpha - beta, 1)[:, None]
        w[:, j, j] = beta
        v = xp.concatenate([xp.ones_like(alpha)[:, None], w[:, j + 1:, j]], axis=1)
        projected = (v[:, :, None] * w[:, j:, j + 1:]).sum(axis=1) * tau[:, j, None]
        w[:, j:, j + 1:] -= v[:, :, None] * projected[:, None, :]
    return w.reshape(a.shape), tau.reshape(*a.shape[:-2], steps)


def eigh(xp, a, upper: bool, vectors: bool):
    """(eigenvalues (*, n) ascending, eigenvectors (*, n, n) as columns, or None without `vectors`) of the
    symmetric matrices whose `upper` (else lower) triangle (*, n, n) holds (LAPACK's syevd, as PyTorch's)."""
    uplo = "U" if upper else "L"
    if vectors:
        return tuple(xp.linalg.eigh(a, UPLO=uplo))
    return xp.linalg.eigvalsh(a, UPLO=uplo), None
def svd(xp, a, full_matrices: bool, compute_uv: bool):
    """(U, S, Vh) of (*, m, n) through the library's LAPACK (numpy.linalg.svd, cupy's), S descending; U and
    Vh None without `compute_uv`. A matrix with a non-finite entry gives NaN everywhere (LAPACK may not
    converge on it); empty matrices give the identity's columns as their singular vectors."""
    *batch, m, n = a.shape
    k = min(m, n)
    if not all(a.shape):
        s = xp.zeros((*batch, k), a.dtype)
        if not compute_uv:
            return None, s, None
        columns, rows = (m, n) if full_matrices else (k, k)
        u = xp.broadcast_to(xp.eye(m, columns, dtype=a.dtype), (*batch, m, columns))
        vh = xp.broadcast_to(xp.eye(rows, n, dtype=a.dtype), (*batch, rows, n))
        return u.copy(), s, vh.copy()
    finite = xp.isfinite(a).all(axis=(-2, -1))
    results = xp.linalg.svd(xp.where(finite[..., None, None], a, 0), full_matrices=full_matrices,
                            compute_uv=compute_uv)
    u, s, vh = results if compute_uv else (None, results, None)
    s = xp.where(finite[..., None], s, xp.nan).astype(a.dtype, copy=False)
    if not compute_uv:
        return None, s, None
    kept = finite[..., None, None]
    u, vh = (xp.where(kept, factor, xp.nan).astype(a.dtype, copy=False) for factor in (u, vh))
    return u, s, vh
