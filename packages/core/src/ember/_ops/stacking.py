"""Stacking and gridding tensors, as PyTorch's: vstack, hstack, dstack, column_stack, row_stack,
atleast_1d/2d/3d, ravel, tile, meshgrid, cartesian_prod and block_diag, composed of cat, stack, views and pad
(so every backend has them and their gradients)."""
from __future__ import annotations

import warnings

from .. import _dtype
from .._tensor import Tensor
from . import creation, joining, shape, views
from .padding import constant_pad_nd


def _at_least(ndim: int, places: tuple, tensors) -> Tensor | tuple:
    """Each tensor with fewer than `ndim` dims viewed with size-1 dims added; `places[k]` is where a k-dim
    tensor's dims go. One tensor given alone comes back alone, as in PyTorch."""
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and not single:
        tensors = tuple(tensors[0])
    grown = []
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"atleast_{ndim}d(): expected Tensor as element 0 in argument 0, but got "
                            f"{type(t).__name__}")
        if t.ndim == 0:
            t = views.reshape(t, [1] * ndim)
        elif t.ndim < ndim:
            kept = places[t.ndim]
            for dim in range(ndim):
                if dim not in kept:
                    t = views.unsqueeze(t, dim)
        grown.append(t)
    return grown[0] if single else tuple(grown)


def atleast_1d(*tensors):
    """Tensors viewed with at least one dim (a 0-d tensor as shape (1,))."""
    return _at_least(1, ((),), tensors)


def atleast_2d(*tensors):
    """Tensors viewed with at least two dims (a 1-d tensor as one row)."""
    return _at_least(2, ((), (1,)), tensors)


def atleast_3d(*tensors):
    """Tensors viewed with at least three dims ((N,) as (1, N, 1), (M, N) as (M, N, 1))."""
    return _at_least(3, ((), (1,), (0, 1)), tensors)


def _tensor_list(op: str, tensors) -> list:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    return tensors


def vstack(tensors, *, out=None):
    """Tensors joined as rows (1-d tensors count as one row each)."""
    return joining.cat(atleast_2d(_tensor_list("vstack", tensors)), 0, out=out)


row_stack = vstack


def hstack(tensors, *, out=None):
    """Tensors joined along dim 1 (along dim 0 when they are 1-d)."""
    grown = atleast_1d(_tensor_list("hstack", tensors))
    return joining.cat(grown, 0 if grown[0].ndim == 1 else 1, out=out)


def dstack(tensors, *, out=None):
    """Tensors joined along dim 2, each seen as at least 3-d."""
    return joining.cat(atleast_3d(_tensor_list("dstack", tensors)), 2, out=out)


def column_stack(tensors, *, out=None):
    """Tensors joined as columns (0-d and 1-d tensors count as one column each)."""
    columns = [views.reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t
               for t in _tensor_list("column_stack", tensors)]
    return joining.cat(columns, 1, out=out)


def ravel(input):
    """`input` as one dim (a view when its layout allows it)."""
    return views.reshape(input, (-1,))


def tile(input, dims):
    """`input` repeated `dims[i]` times along each dim; missing leading dims of either side count as 1."""
    if isinstance(dims, int) or not all(isinstance(d, int) for d in dims):
        raise TypeError(f"tile(): argument 'dims' (position 2) must be tuple of ints, not {type(dims).__name__}")
    dims = (1,) * (input.ndim - len(dims)) + tuple(dims)
    return shape.repeat(input, dims)


def _tile_method(self, *sizes, dims=views.UNSET):
    sizes = views.sizes_argument("tile", "dims", sizes, dims)
    return tile(self, tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], int) else sizes)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids of 0-d/1-d tensors: output k varies along dim k (indexing="ij"); "xy" swaps the roles
    of the first two inputs (outputs and dims). Without `indexing`, "ij" and PyTorch's warning."""
    if len(tensors) == 1 and not isinstance(tensors[0], Tensor):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                      "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
        if t.device != tensors[0].device:
            raise RuntimeError("meshgrid expects all tensors to have the same device")
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    swap = indexing == "xy" and len(tensors) >= 2
    order = list(tensors)
    if swap:
        order[0], order[1] = order[1], order[0]
    size = [t.numel() for t in order]
    grids = []
    for k, t in enumerate(order):
        view = [1] * len(order)
        view[k] = size[k]
        grids.append(views.expand(views.reshape(t, view), size))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors):
    """Every combination of one element of each 1-d tensor, as rows (one tensor comes back as itself)."""
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return joining.stack([ravel(g) for g in grids], 1)


def block_diag(*tensors):
    """The tensors (0-d as 1x1, 1-d as one row) along the diagonal of a zero matrix of their promoted dtype."""
    blocks = []
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.ndim} dimensions")
        blocks.append(views.reshape(t, (1, -1) if t.ndim == 1 else (1, 1)) if t.ndim < 2 else t)
    if not blocks:
        return creation.empty(1, 0)
    dtype = blocks[0].dtype
    for t in blocks[1:]:
        dtype = _dtype.promote(dtype, 2, t.dtype, 2)
    width = sum(t.shape[1] for t in blocks)
    rows, start = [], 0
    for t in blocks:
        t = t if t.dtype is dtype else t.to(dtype)
        rows.append(constant_pad_nd(t, (start, width - start - t.shape[1])))
        start += t.shape[1]
    return joining.cat(rows, 0)
