"""The optional `svd` kernel (docs/internals.md) over the array library (cupy's batched SVD), as
`ember._backend_linalg` computes it for every numpy-like backend."""
from __future__ import annotations

from collections.abc import Callable

from ember import _backend_linalg

from .arrays import ArrayAPI


def kernels(api: ArrayAPI) -> dict[str, Callable]:
    xp = api.xp

    def svd(a, full_matrices, compute_uv):
        return _backend_linalg.svd(xp, a, full_matrices, compute_uv)

    return {"svd": svd}
