"""The QR and symmetric eigen decompositions' optional kernels (`qr`, `geqrf`, `eigh`; docs/internals.md) over the array
library (cupy's cuSOLVER-backed linalg), as `ember._backend_linalg` computes them for every numpy-like backend."""
from __future__ import annotations

from collections.abc import Callable

from ember import _backend_linalg

from .arrays import ArrayAPI


def kernels(api: ArrayAPI) -> dict[str, Callable]:
    xp = api.xp

    def qr(a, complete):
        return _backend_linalg.qr(xp, a, complete)

    def geqrf(a):
        return _backend_linalg.geqrf(xp, a)

    def eigh(a, upper, vectors):
        return _backend_linalg.eigh(xp, a, upper, vectors)

    return {"qr": qr, "geqrf": geqrf, "eigh": eigh}
