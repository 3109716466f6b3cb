"""Searching sorted values, as PyTorch's: searchsorted, bucketize and isin, as a vectorized binary search
of gathers and comparisons (log2(n) steps, each over all the searched values at once)."""
from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor
from . import creation, pointwise, scatter, sorting, views
from .linalg import write_out


def _as_tensor(value, like: Tensor) -> Tensor:
    return value if isinstance(value, Tensor) else creation.tensor(value, device=like.device)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """For each value of `input`, the position in the last dim of `sorted_sequence` where it would be
    inserted to keep it sorted: before equal values (`side="left"`) or after them (`right`/"right")."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of "
                               "left while right was True")
        right = side == "right"
    scalar = not isinstance(input, Tensor)
    values = _as_tensor(input, sorted_sequence)
    if sorted_sequence.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    if sorted_sequence.ndim > 1 and tuple(sorted_sequence.shape[:-1]) != tuple(values.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           "dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(sorted_sequence.shape)} and input value tensor "
                           f"{list(values.shape)}")
    if sorter is not None and tuple(sorter.shape) != tuple(sorted_sequence.shape):
        raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same size, but got "
                           f"boundary tensor {list(sorted_sequence.shape)}and got sorter tensor "
                           f"{list(sorter.shape)}")
    found = _search(sorted_sequence.detach(), values.detach(), right, sorter)
    found = found.to(_dtype.int32) if out_int32 else found
    if scalar:
        found = views.reshape(found, ())
    if out is not None:
        return write_out(out, "searchsorted", found._data, found._dtype, ())
    return found


def _search(boundaries: Tensor, values: Tensor, right: bool, sorter) -> Tensor:
    """The binary search: `low` moves past every boundary that is not >= (left) or not > (right) the value,
    PyTorch's comparisons (so a NaN value lands after every boundary)."""
    n = boundaries.shape[-1]
    flat = boundaries.ndim == 1
    shape = tuple(values.shape)
    searched = views.reshape(values, (1, -1)) if flat else values
    low = creation.zeros(tuple(searched.shape), dtype=_dtype.int64, device=values.device)
    high = creation.full(tuple(searched.shape), n, dtype=_dtype.int64, device=values.device)
    rows = views.expand(views.reshape(boundaries, (1, n)), (1, n)) if flat else boundaries
    order = None if sorter is None else (views.reshape(sorter, (1, n)) if flat else sorter).to(_dtype.int64)
    for _ in range(n.bit_length()):
        middle = (low + high) // 2
        index = middle.clamp(max=max(n - 1, 0))
        if order is not None:
            index = scatter.gather(order, -1, index)
        boundary = scatter.gather(rows, -1, index)
        passed = (boundary > searched) if right else (boundary >= searched)
        moving = low < high
        low = pointwise.where(moving & ~passed, middle + 1, low)
        high = pointwise.where(moving & passed, middle, high)
    return views.reshape(low, shape)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The index of the bucket of 1-d `boundaries` each value of `input` falls in (right=False: the first
    boundary >= the value; right=True: the first boundary > it)."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of `elements` occurs in `test_elements` (NaN never does), as a bool tensor of
    `elements`' shape; negated with `invert`. `assume_unique` is only a hint (the result is the same)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError(f"isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but expected a Tensor "
                        f"as elements or test_elements")
    like = elements if isinstance(elements, Tensor) else test_elements
    elements, test_elements = _as_tensor(elements, like), _as_tensor(test_elements, like)
    for t in (elements, test_elements):
        if t.dtype is _dtype.bool_:
            raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    common = _dtype.promote(elements.dtype, 2, test_elements.dtype, 2)
    values = elements.detach().to(common)
    tests = views.reshape(test_elements.detach().to(common), (-1,))
    tests = sorting.sort(tests[tests == tests])[0]  # NaN matches nothing, and would break the search's order
    if tests.numel() == 0:
        found = creation.zeros(tuple(values.shape), dtype=_dtype.bool_, device=values.device)
    else:
        position = _search(tests, values, False, None).clamp(max=tests.shape[0] - 1)
        found = views.reshape(tests[position.reshape(-1)], tuple(values.shape)) == values
    return ~found if invert else found
