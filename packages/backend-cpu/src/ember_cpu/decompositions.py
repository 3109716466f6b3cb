"""The QR and symmetric eigen decompositions' optional kernels (`qr`, `eigh`; docs/internals.md) on numpy:
numpy.linalg's LAPACK (geqrf/orgqr, syevd, as PyTorch's CPU kernels), through `ember._backend_linalg`, which
the CUDA backend shares."""
from __future__ import annotations

import numpy as np

from ember import _backend_linalg


def qr(a, complete):
    with np.errstate(all="ignore"):
        return _backend_linalg.qr(np, a, complete)


def eigh(a, upper, vectors):
    with np.errstate(all="ignore"):
        return _backend_linalg.eigh(np, a, upper, vectors)


KERNELS = {"qr": qr, "eigh": eigh}
