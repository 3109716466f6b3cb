"""The LU/Cholesky family's optional kernels (docs/internals.md) on numpy: LU and the triangular solve as
`ember._backend_linalg` computes them for every numpy-like backend (numpy.linalg has neither), Cholesky
through numpy.linalg (LAPACK's potrf, as PyTorch's), column by column only when a matrix is not
positive-definite, to find each one's info."""
from __future__ import annotations

import numpy as np

from ember import _backend_linalg


def lu_factor(a):
    with np.errstate(all="ignore"):
        return _backend_linalg.lu_factor(np, a)


def cholesky(a):
    matrices = _backend_linalg.batched(np, a)
    try:
        factor = np.linalg.cholesky(matrices)
    except np.linalg.LinAlgError:
        with np.errstate(all="ignore"):
            return _backend_linalg.cholesky(np, a)
    return factor.reshape(a.shape), np.zeros(a.shape[:-2], np.int32)


def triangular_solve(a, b, upper, unitriangular):
    with np.errstate(all="ignore"):
        return _backend_linalg.triangular_solve(np, a, b, upper, unitriangular)


KERNELS = {"lu_factor": lu_factor, "cholesky": cholesky, "triangular_solve": triangular_solve}
