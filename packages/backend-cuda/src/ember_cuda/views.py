"""View kernels: strides and offsets in elements (cupy's strides are in bytes, as numpy's)."""
from __future__ import annotations

from collections.abc import Callable

from ember._backend_util import empty_strides, made_empty

from .arrays import ArrayAPI


def kernels(api: ArrayAPI) -> dict[str, Callable]:
    xp = api.xp

    def lost_strides(x):
        """Whether x is a size-0 array cupy made, whose zero strides stand for PyTorch's row-major ones
        (`made_empty`): cupy's memory-pointer views (`ArrayAPI.view`) have no base either, but what cupy made
        with no element has a size-0 allocation's null pointer, and a view of memory holding elements (an
        expand to size 0) does not."""
        return made_empty(x) and not api.address(x)

    def strides(x):
        if lost_strides(x):
            return empty_strides(x.shape)  # cupy's new size-0 arrays have zero strides, PyTorch's row-major
        itemsize = x.itemsize
        return tuple([stride // itemsize for stride in x.strides])

    def is_contiguous(x):
        return x.flags.c_contiguous  # row-major, size-1 dims' strides aside (as numpy's flag)

    def storage_offset(x, base):
        return (api.address(x) - api.address(base)) // x.itemsize

    def as_strided(x, shape, strides, offset):
        """A view of x's memory; `offset` counts from x's first element, so views of views compose."""
        itemsize = x.itemsize
        if offset and not x.size and not api.address(x):
            offset = 0  # a size-0 allocation has a null pointer, which cupy refuses to move (no element lies there)
        return api.view(x, tuple(shape), tuple([stride * itemsize for stride in strides]), offset * itemsize)

    def view_dtype(x, dtype):
        """The 1-d C-contiguous x's bytes read as `dtype` (cupy's view, no copy)."""
        return x.view(dtype.numpy)

    def contiguous(x):
        return x if x.flags.c_contiguous else xp.ascontiguousarray(x)

    def reshape(x, shape):
        return x.reshape(shape)  # a view when the strides allow it, else a copy

    def permute(x, dims):
        if not lost_strides(x):
            return x.transpose(dims)
        old = strides(x)  # a size-0 array cupy made: its view takes PyTorch's strides, permuted
        return as_strided(x, tuple([x.shape[d] for d in dims]), tuple([old[d] for d in dims]), 0)

    def slice_view(x, key):
        if lost_strides(x):
            x = as_strided(x, x.shape, strides(x), 0)  # a size-0 array cupy made: its views take PyTorch's strides
        # a trailing ... keeps an int for every axis a 0-d view (numpy would give a scalar)
        return x[key] if Ellipsis in key else x[(*key, ...)]

    def cat(buffers, axis):
        return xp.concatenate(buffers, axis)

    def zero_(buffers):
        for x in buffers:
            x.fill(0)

    return {"strides": strides, "is_contiguous": is_contiguous, "storage_offset": storage_offset,
            "as_strided": as_strided, "view_dtype": view_dtype,
            "contiguous": contiguous, "reshape": reshape, "permute": permute, "slice": slice_view,
            "cat": cat, "zero_": zero_}
