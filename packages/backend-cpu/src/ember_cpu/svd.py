"""The optional `svd` kernel (docs/internals.md) on numpy: LAPACK's gesdd through numpy.linalg.svd, as
`ember._backend_linalg` computes it for every numpy-like backend."""
from __future__ import annotations

import numpy as np

from ember import _backend_linalg


def svd(a, full_matrices, compute_uv):
    return _backend_linalg.svd(np, a, full_matrices, compute_uv)


KERNELS = {"svd": svd}
