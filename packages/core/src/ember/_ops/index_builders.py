"""Ops that build index or count tensors, as PyTorch's: tril_indices, triu_indices, nonzero, argwhere,
bincount and combinations, composed of arange, comparisons, boolean indexing, index_add and stack."""
from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor
from . import creation, index_ops, joining, views
from .dispatch import copy_out, type_name
from .indexing import getitem
from .queries import tensor_argument
from .shape import nonzero_tuple


def _triangle_indices(op: str, row, col, offset, dtype, device, lower: bool) -> Tensor:
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    dtype = _dtype.int64 if dtype is None else dtype
    if dtype not in (_dtype.int32, _dtype.int64):
        raise NotImplementedError(f"\"{op}\" not implemented for '{type_name(dtype)}'")
    rows = views.reshape(creation.arange(row, device=device), (-1, 1))
    above = creation.arange(col, device=device) - rows  # how far right of the main diagonal
    mask = above <= offset if lower else above >= offset
    return joining.stack(nonzero_tuple(mask), 0).to(dtype)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None, pin_memory=False):
    """The (row, column) indices of the lower triangle (up to diagonal `offset`) of a row x col matrix, as
    a 2 x N tensor in row-major order."""
    return _triangle_indices("tril_indices", row, col, offset, dtype, device, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None, pin_memory=False):
    """The (row, column) indices of the upper triangle (from diagonal `offset`) of a row x col matrix, as
    a 2 x N tensor in row-major order."""
    return _triangle_indices("triu_indices", row, col, offset, dtype, device, False)


def nonzero(input, *, out=None, as_tuple=False):
    """The indices of the non-zero elements of `input`: one row per element (N x input.ndim, int64), or with
    `as_tuple` one 1-d index tensor per dim (a 0-d input counts as 1-d there), as ``where(condition)``. Not
    differentiable: the result is integer."""
    tensor_argument(input, "nonzero")
    if as_tuple.__class__ is not bool:
        raise TypeError(f"nonzero(): argument 'as_tuple' must be bool, not {type(as_tuple).__name__}")
    if as_tuple:
        if out is not None:
            raise RuntimeError("nonzero does not support the out kwarg when as_tuple is True")
        return nonzero_tuple(input)
    if out is not None:
        if tensor_argument(out, "nonzero", "out", None)._dtype is not _dtype.int64:
            raise RuntimeError(f"nonzero: Expected out tensor to have scalar type Long but got scalar type"
                               f"{type_name(out._dtype)}")
    indices = nonzero_tuple(input)
    if input.ndim == 0:
        result = creation.zeros((indices[0].shape[0], 0), dtype=_dtype.int64, device=input.device)
    else:
        result = joining.stack(indices, 1)
    if out is None:
        return result
    return copy_out(out, "nonzero", result._data, _dtype.int64, (input,))


def nonzero_static(input, *, size, fill_value=-1):
    """`nonzero`'s rows with a fixed count: the first `size` of them, padded with rows of `fill_value`."""
    tensor_argument(input, "nonzero_static")
    if size.__class__ is not int:
        raise TypeError(f"nonzero_static(): argument 'size' must be int, not {type(size).__name__}")
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    found = nonzero(input)[:size]
    missing = size - found.shape[0]
    if missing == 0:
        return found.contiguous()
    padding = creation.full((missing, found.shape[1]), fill_value, dtype=_dtype.int64, device=input.device)
    return joining.cat((found, padding))


def argwhere(input):
    """The indices of the non-zero elements of `input`, one row per element (N x input.ndim, int64): PyTorch's
    ``nonzero()``."""
    return nonzero(tensor_argument(input, "argwhere"))


def bincount(input, weights=None, minlength=0):
    """How often each value 0..max(input) occurs in a 1-d non-negative integer tensor (the sum of its
    `weights` instead, when given), at least `minlength` long. Not differentiable (PyTorch has no
    derivative for it)."""
    if input.dtype.is_floating_point or input.dtype is _dtype.bool_:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{type_name(input.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if input.ndim != 1 or (input.numel() and bool(input.min() < 0)):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (weights.ndim != 1 or weights.shape[0] != input.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    size = max(minlength, int(input.max()) + 1 if input.numel() else 0)
    if weights is None:
        counts = creation.ones(input.shape[0], dtype=_dtype.int64, device=input.device)
    else:
        float32 = weights.dtype is _dtype.float32
        counts = weights.detach().to(_dtype.float32 if float32 else _dtype.float64)  # PyTorch: no derivative
    zeros = creation.zeros(size, dtype=counts.dtype, device=input.device)
    return index_ops.index_add(zeros, 0, input.to(_dtype.int64), counts)


def combinations(input, r=2, with_replacement=False):
    """Every length-`r` combination of the elements of a 1-d tensor (with repeats if `with_replacement`),
    as the rows of a tensor in lexicographic order of positions."""
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return creation.empty(0, dtype=input.dtype, device=input.device)
    positions = creation.arange(input.shape[0], device=input.device)
    grids = [views.reshape(positions, [-1 if d == k else 1 for d in range(r)]) for k in range(r)]
    mask = creation.ones([input.shape[0]] * r, dtype=_dtype.bool_, device=input.device)
    for earlier, later in zip(grids, grids[1:]):
        mask = mask & (earlier <= later if with_replacement else earlier < later)
    chosen = nonzero_tuple(mask)
    return joining.stack([getitem(input, index) for index in chosen], 1)


def unravel_index(indices, shape):
    """The coordinates in a tensor of `shape` of each flat (row-major) index in `indices`: one int64 tensor
    per dim, each of `indices`' shape (as torch.unravel_index; out-of-range indices wrap around)."""
    if indices._dtype.is_floating_point or indices._dtype is _dtype.bool_:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices._dtype}")
    if not isinstance(shape, (int, tuple, list)) or isinstance(shape, bool):
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    for size in shape:
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"expected 'shape' sequence to only contain ints, but got {type(size)}")
    if any(size < 0 for size in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    strides = [1] * len(shape)  # row-major strides, in elements
    for d in range(len(shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    device = indices._device
    coordinates = views.unsqueeze(indices, -1).floor_divide(creation.tensor(strides, dtype=_dtype.int64, device=device))
    return (coordinates % creation.tensor(list(shape), dtype=_dtype.int64, device=device)).unbind(-1)
