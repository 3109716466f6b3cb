"""Scans and sort: cumsum, cumprod (accumulating as PyTorch's CPU kernels) and a stable sort."""
from __future__ import annotations

from collections.abc import Callable

from ember._backend_util import scan

from .arrays import ArrayAPI


def kernels(api: ArrayAPI) -> dict[str, Callable]:
    xp = api.xp

    def _scan(running: Callable, name: str) -> Callable:
        def kernel(x, axis, out=None):
            return scan(xp, running, x, axis, out)

        kernel.__name__ = kernel.__qualname__ = name
        return kernel

    def sort(x, axis, descending, stable):
        """(values, int64 indices) along `axis`; always stable (ties keep their order in both directions),
        NaN the largest value."""
        moved = xp.moveaxis(x, axis, -1)
        if descending:  # a stable ascending sort of the reversed rows, reversed back
            last = moved.shape[-1] - 1
            order = last - xp.argsort(moved[..., ::-1], axis=-1, kind=api.stable_sort)[..., ::-1]
        else:
            order = xp.argsort(moved, axis=-1, kind=api.stable_sort)
        values = xp.take_along_axis(moved, order, -1)
        return xp.moveaxis(values, -1, axis), xp.moveaxis(order.astype(xp.int64, copy=False), -1, axis)

    return {"cumsum": _scan(xp.cumsum, "cumsum"), "cumprod": _scan(xp.cumprod, "cumprod"), "sort": sort}
