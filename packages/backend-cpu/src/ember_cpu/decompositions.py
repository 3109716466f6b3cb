"""The QR and symmetric eigen decompositions' optional kernels (`qr`, `geqrf`, `eigh`; docs/internals.md) on numpy:
numpy.linalg's LAPACK (geqrf/orgqr, syevd, as PyTorch's CPU kernels), `qr` and `eigh` through
`ember._backend_linalg`, which the CUDA backend shares."""
from __future__ import annotations

import numpy as np

from ember import _backend_linalg


def qr(a, complete):
    with np.errstate(all="ignore"):
        return _backend_linalg.qr(np, a, complete)


def geqrf(a):
    """numpy.linalg.qr's 'raw' mode is LAPACK's geqrf, its matrix in Fortran order (transposed)."""
    with np.errstate(all="ignore"):
        h, tau = np.linalg.qr(a, mode="raw")
    return np.swapaxes(h, -1, -2).copy(), tau


def eigh(a, upper, vectors):
    with np.errstate(all="ignore"):
        return _backend_linalg.eigh(np, a, upper, vectors)


KERNELS = {"qr": qr, "geqrf": geqrf, "eigh": eigh}
