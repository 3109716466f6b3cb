"""Indexing kernels: index, index_put_ and index_reduce_.

Index values are clamped into each dim's range before use: on a device with a queue core's range check
is still pending when the kernel runs (raised at the next synchronisation), and cupy would wrap or read
out of range. Repeated indices must reduce together: cupy's atomic `scatter_add` covers the dtypes CUDA
has atomicAdd for; every other (dtype, reduction) goes through `_segmented_reduce`, which sorts the
targets and reduces each run of equal targets with a log-step scan, exactly and with no host read. Atomic
float sums depend on the order the threads run in: under `ember.use_deterministic_algorithms(True)` every
accumulation takes the sorted path (as PyTorch's deterministic index_put_ sorts the indices).
"""
from __future__ import annotations

from collections.abc import Callable

from ember import _deterministic

from .arrays import ArrayAPI


def kernels(api: ArrayAPI) -> dict[str, Callable]:
    xp = api.xp
    ndarray = api.ndarray

    def clamped(shape: tuple, key: tuple) -> tuple[tuple, frozenset]:
        """`key` with each integer index array clamped into [-n, n) of the dim it indexes, and the dims of
        size 0 that a non-empty index array indexes: every such index is out of range (core's pending check
        raises PyTorch's error), so it is made 0 here, to read a source padded to size 1 there."""
        if not any(isinstance(part, ndarray) for part in key):
            return key, frozenset()
        used = sum(part.ndim if isinstance(part, ndarray) and part.dtype == bool else
                   0 if part is None or part is Ellipsis else 1 for part in key)
        dim, parts, empty = 0, [], set()
        for part in key:
            if part is Ellipsis:
                dim += len(shape) - used
            elif isinstance(part, ndarray) and part.dtype == bool:
                dim += part.ndim
            elif part is not None:
                if isinstance(part, ndarray) and shape[dim]:
                    part = xp.clip(part, -shape[dim], shape[dim] - 1)
                elif isinstance(part, ndarray) and part.size:
                    part = xp.zeros_like(part)
                    empty.add(dim)
                dim += 1
            parts.append(part)
        return tuple(parts), frozenset(empty)

    def index(x, key):
        """x[key] as a new buffer; row-major when x is."""
        key, empty = clamped(x.shape, key)
        if empty:  # out of range, raised at the next synchronisation: a result of the right shape meanwhile
            x = xp.zeros(tuple([1 if d in empty else n for d, n in enumerate(x.shape)]), x.dtype)
        if not any(isinstance(part, ndarray) for part in key):
            return xp.array(x[key], copy=True)  # basic indexing gives a view: the contract wants a copy
        result = x[key]
        if x.flags.c_contiguous and not result.flags.c_contiguous:
            return xp.ascontiguousarray(result)
        return result

    def _float_into_integers(x, value) -> bool:
        return isinstance(value, float) and x.dtype.kind in "iub"

    def segmented_reduce(x, key, value, ufunc) -> None:
        """x[key] = ufunc(x[key], value), folding in every value of a repeated index: the flat targets
        sorted (stably), an inclusive segmented scan of the values by doubling shifts (log2 n steps, n
        known on the host), and the last value of each run of equal targets folded into x."""
        positions = xp.arange(x.size, dtype=xp.int64).reshape(x.shape)[key]
        n = positions.size
        if n == 0:
            return
        if isinstance(value, ndarray):
            values = xp.broadcast_to(value, positions.shape).reshape(-1)
        else:  # a float into integers is folded in as a float, then cast (numpy's ufunc.at)
            values = xp.full(n, value, xp.float64 if _float_into_integers(x, value) else x.dtype)
        targets = positions.reshape(-1)
        order = xp.argsort(targets, kind=api.stable_sort)
        targets, values = targets[order], values[order]
        shift = 1
        while shift < n:
            same = targets[shift:] == targets[:-shift]
            folded = values.copy()
            folded[shift:] = xp.where(same, ufunc(values[:-shift], values[shift:]), values[shift:])
            values, shift = folded, shift * 2
        last = xp.ones(n, dtype=bool)
        last[:-1] = targets[:-1] != targets[1:]
        flat = xp.empty(x.size + 1, x.dtype)  # one spare slot takes the writes of the runs' inner values
        flat[:-1] = x.reshape(-1)
        slots = xp.where(last, targets, x.size)
        flat[slots] = ufunc(flat[slots], values)
        x[...] = flat[:-1].reshape(x.shape)

    def index_put_(x, key, value, accumulate):
        key, empty = clamped(x.shape, key)
        if empty:  # out of range, raised at the next synchronisation: nothing to write
            return x
        if not accumulate:
            x[key] = value
        elif x.dtype in api.atomic_add_dtypes and not _float_into_integers(x, value) and not (
                _deterministic.state.enabled and x.dtype.kind == "f"):
            api.scatter_add(x, key, value)
        else:
            segmented_reduce(x, key, value, xp.add)
        return x

    reductions = {"prod": xp.multiply, "amax": xp.maximum, "amin": xp.minimum}

    def index_reduce_(x, key, value, reduce):
        """x[key] = reduce(x[key], value), each repeated index folding in its value; NaN propagates
        through amax and amin (cupy's atomic max and min would drop it)."""
        key, empty = clamped(x.shape, key)
        if not empty:  # else out of range, raised at the next synchronisation: nothing to write
            segmented_reduce(x, key, value, reductions[reduce])
        return x

    return {"index": index, "index_put_": index_put_, "index_reduce_": index_reduce_}
