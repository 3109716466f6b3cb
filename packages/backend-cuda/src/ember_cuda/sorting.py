"""Scans and sort: cumsum, cumprod (accumulating as PyTorch's CPU kernels) and a stable sort."""
from __future__ import annotations

from collections.abc import Callable

from ember._backend_util import SCAN_ACCUMULATE

from .arrays import ArrayAPI


def kernels(api: ArrayAPI) -> dict[str, Callable]:
    xp = api.xp

    def _scan(running: Callable, name: str) -> Callable:
        def kernel(x, axis, out=None):
            wide = SCAN_ACCUMULATE.get(x.dtype)
            if wide is None:
                result = running(x, axis=axis, dtype=x.dtype, out=out)  # small ints would widen to int64
                if running is xp.cumsum and x.dtype.kind == "f":
                    xp.add(result, 0.0, out=result)  # PyTorch's sum starts from +0: -0 becomes +0
                return result
            result = running(x, axis=axis, dtype=wide)
            if running is xp.cumsum:
                xp.add(result, 0.0, out=result)
            if out is None:
                return result.astype(x.dtype)
            xp.copyto(out, result, casting="unsafe")
            return out

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
