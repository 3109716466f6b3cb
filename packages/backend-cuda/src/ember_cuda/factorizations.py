"""The LU/Cholesky family's optional kernels (docs/internals.md) over the array library (cupy), as
`ember._backend_linalg` computes them for every numpy-like backend: batched, no host read."""
from __future__ import annotations

from collections.abc import Callable

from ember import _backend_linalg

from .arrays import ArrayAPI


def kernels(api: ArrayAPI) -> dict[str, Callable]:
    xp = api.xp

    def lu_factor(a):
        return _backend_linalg.lu_factor(xp, a)

    def cholesky(a):
        return _backend_linalg.cholesky(xp, a)

    def triangular_solve(a, b, upper, unitriangular):
        return _backend_linalg.triangular_solve(xp, a, b, upper, unitriangular)

    return {"lu_factor": lu_factor, "cholesky": cholesky, "triangular_solve": triangular_solve}
