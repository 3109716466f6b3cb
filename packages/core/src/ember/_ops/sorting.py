"""Sorting and the ops composed on it: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode,
unique and unique_consecutive.

The backend's ``sort`` kernel (stable, NaN the largest value) is the one primitive; every other op reads
positions of its sorted values and indices. The gradient of an op that selects values goes to the
elements selected (PyTorch's value_selecting_reduction_backward, a scatter), except median and nanmedian
of all elements, whose gradient is shared evenly among the elements equal to the result, as PyTorch's.
"""
from __future__ import annotations

import builtins

from .. import _dtype, return_types
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from . import creation, joining
from .dispatch import profiled, value_range
from .pointwise import maximum, where
from .scan import check_pair_out, running, write_pair
from .scatter import scatter_add_along, take_along
from .selection_grad import evenly_distribute_backward, value_selecting_backward

_int64, _bool = _dtype.int64, _dtype.bool_


def _tensor(op: str, input) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input


def _refuse_bool(op: str, input: Tensor) -> None:
    if input._dtype is _bool:
        raise NotImplementedError(f'"{op}_cpu" not implemented for \'Bool\'')


def sorted_along(input: Tensor, dim: int, descending: bool = False, stable: bool = False):
    """(values, indices) tensors of `input` sorted along `dim`, recording nothing; a 0-d tensor is its
    own sort."""
    device = input._device
    k = device.kernels
    if not input._data.shape:
        values, indices = k.astype(input._data, input._dtype), k.full((), 0, _int64)
    else:
        values, indices = k.sort(input._data, dim, descending, stable)
        values, indices = k.contiguous(values), k.contiguous(indices)
    return wrap(values, input._dtype, device), wrap(indices, _int64, device)


class SortBackward0(Node):
    """The gradient of each selected value goes to the element it was taken from."""

    keepdim = True

    def backward(self, grad):
        (indices,) = self.saved_tensors
        return value_selecting_backward(grad, self.dim, indices, self.shape, self.keepdim)


class TopkBackward0(SortBackward0):
    pass


class KthvalueBackward0(SortBackward0):
    pass


class MedianBackward1(SortBackward0):
    pass


class NanmedianBackward1(SortBackward0):
    pass


class ModeBackward0(SortBackward0):
    pass


class MedianBackward0(Node):
    """The gradient of the median of all elements, shared evenly among the elements equal to it."""

    def backward(self, grad):
        input, result = self.saved_tensors
        return evenly_distribute_backward(grad, input, result)


class NanmedianBackward0(MedianBackward0):
    pass


def _selected(op: str, input: Tensor, values: Tensor, indices: Tensor, node_cls, dim: int, keepdim: bool, out):
    """The named tuple of an op that selected `values` of `input` at `indices` along `dim`: written into
    `out` when given, else recorded for autograd."""
    result_type = getattr(return_types, op)
    if out is not None:
        return write_pair(out, values, indices, result_type)
    attach(values, node_cls, (input,), (indices,), dim=dim, keepdim=keepdim, shape=input.shape)
    return result_type(values, indices)


def _sort_arguments(op: str, args: tuple, dim, descending, stable):
    """dim and descending of a sort call: positional after the input, or keywords; PyTorch's overload with
    ``stable=`` takes them as keywords only."""
    if len(args) > 2 or (args and stable is not None):
        raise TypeError(f"{op}() received an invalid combination of arguments - got {len(args)} positional "
                        f"arguments after the input{' and stable=' if stable is not None else ''}, but expected "
                        f"(Tensor input, int dim = -1, bool descending = False) or (Tensor input, *, bool stable, "
                        f"int dim = -1, bool descending = False)")
    if args:
        dim = args[0]
        descending = args[1] if len(args) > 1 else descending
    return dim, bool(descending), bool(stable)


@profiled("aten::sort")
def sort(input, *args, stable=None, dim=-1, descending=False, out=None):
    """(values, indices) of `input` sorted along `dim`: ``sort(x, dim=-1, descending=False)`` or
    ``sort(x, *, stable, dim=-1, descending=False)``; NaN sorts as the largest value."""
    dim, descending, stable = _sort_arguments("sort", args, dim, descending, stable)
    d = _wrap_dim(dim, _tensor("sort", input).ndim, "sort")
    if out is not None:
        check_pair_out("sort", out, input, input._data.shape)
    values, indices = sorted_along(input, d, descending, stable)
    return _selected("sort", input, values, indices, SortBackward0, d, True, out)


@profiled("aten::argsort")
def argsort(input, *args, stable=None, dim=-1, descending=False):
    """The indices that sort `input` along `dim` (those of `sort`, with its arguments)."""
    dim, descending, stable = _sort_arguments("argsort", args, dim, descending, stable)
    d = _wrap_dim(dim, _tensor("argsort", input).ndim, "argsort")
    return sorted_along(input, d, descending, stable)[1]


@profiled("aten::msort")
def msort(input, *, out=None):
    """`input` sorted along its first dim."""
    if out is not None:
        return sort(input, dim=0, out=(out, creation.empty(input.shape, dtype=_int64, device=input.device))).values
    return sort(input, dim=0).values


def _check_k(op: str, input: Tensor, k, d: int, low: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"{op}(): argument 'k' (position 2) must be int, not {type(k).__name__}")
    size = input._data.shape[d] if input._data.shape else 1
    if not low <= k <= size:
        if op == "topk":
            raise RuntimeError("selected index k out of range")
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return k


def _reduced_shape(input: Tensor, d: int) -> tuple:
    return tuple(1 if i == d else s for i, s in enumerate(input._data.shape))


def _pick(values: Tensor, indices: Tensor, d: int, positions: Tensor, keepdim: bool):
    """The values and indices at sorted `positions` (one per slice, keepdim shape) along `d`."""
    picked = take_along(values, d, positions), take_along(indices, d, positions)
    if keepdim:
        return picked
    return picked[0].squeeze(d), picked[1].squeeze(d)


@profiled("aten::topk")
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """(values, indices) of the `k` largest (smallest when not `largest`) elements along `dim`, in order
    also when `sorted` is False: PyTorch's CPU order then when k * 64 <= the dim's size (its partial sort),
    else the same elements as PyTorch's, whose order is libstdc++'s nth_element partition."""
    d = _wrap_dim(dim, _tensor("topk", input).ndim, "topk")
    if input._dtype is _bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    _check_k("topk", input, k, d, 0)
    shape = tuple(k if i == d else s for i, s in enumerate(input._data.shape))
    if out is not None:
        check_pair_out("topk", out, input, shape)
    with grad_mode.no_grad():
        values, indices = sorted_along(input, d, bool(largest))
        if input._data.shape:
            values, indices = values.narrow(d, 0, k).contiguous(), indices.narrow(d, 0, k).contiguous()
    return _selected("topk", input, values, indices, TopkBackward0, d, True, out)


@profiled("aten::kthvalue")
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """(values, indices) of the `k`-th smallest element along `dim` (k counts from 1)."""
    d = _wrap_dim(dim, _tensor("kthvalue", input).ndim, "kthvalue")
    _check_nonempty("kthvalue", input, d)
    if input._data.shape:  # PyTorch returns a 0-d bool tensor as it is
        _refuse_bool("kthvalue", input)
    _check_k("kthvalue", input, k, d, 1)
    return _at_position("kthvalue", input, d, keepdim, out, KthvalueBackward0, lambda x, values, d: k - 1)


def _check_nonempty(op: str, input: Tensor, d: int) -> None:
    if input._data.shape and input._data.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


def _at_position(op: str, input: Tensor, d: int, keepdim: bool, out, node_cls, position):
    """The values and indices at sorted position ``position(input, sorted_values, d)`` along `d` (an int,
    or an int64 tensor with one position per slice, of keepdim shape), as the named tuple of `op`."""
    shape = list(input._data.shape)
    if out is not None:
        check_pair_out(op, out, input, _reduced_shape(input, d) if keepdim else shape[:d] + shape[d + 1:])
    with grad_mode.no_grad():
        values, indices = sorted_along(input, d)
        if input._data.shape:
            at = position(input, values, d)
            if isinstance(at, int):
                at = creation.full(_reduced_shape(input, d), at, dtype=_int64, device=input.device)
            values, indices = _pick(values, indices, d, at, keepdim)
    return _selected(op, input, values, indices, node_cls, d, keepdim, out)


def _median_position(input: Tensor, values: Tensor, d: int) -> Tensor:
    """The lower median's sorted position, or the first NaN's (NaNs sort last) when a slice has one."""
    n, nans = input._data.shape[d], (input != input).sum(d, keepdim=True)
    return where(nans > 0, n - nans, (n - 1) // 2)


def _nanmedian_position(input: Tensor, values: Tensor, d: int) -> Tensor:
    """The lower median of the slice's numbers (NaNs sort last); the first NaN when all are NaN."""
    n, nans = input._data.shape[d], (input != input).sum(d, keepdim=True)
    return ((n - nans - 1) // 2).clamp_min(0)


def _median_of_all(op: str, input: Tensor, node_cls, position) -> Tensor:
    """The median of all elements: NaN when there are none (as PyTorch, the NaN cast to an integer dtype:
    its lowest value, True for bool)."""
    if input.numel() == 0:
        nan = float("nan") if input._dtype.is_floating_point else \
            True if input._dtype is _bool else value_range(input._dtype)[0]
        return creation.full((), nan, dtype=input._dtype, device=input.device)
    _refuse_bool("median", input)
    with grad_mode.no_grad():
        flat = input.reshape(-1)
        values = sorted_along(flat, 0)[0]
        result = take_along(values, 0, position(flat, values, 0)).reshape(())
    return attach(result, node_cls, (input,), (input, result))


@profiled("aten::median")
def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median of all elements (NaN when one is NaN); with `dim`, (values, indices) along it."""
    if dim is None:
        return _median_of_all("median", _tensor("median", input), MedianBackward0, _median_position)
    d = _wrap_dim(dim, _tensor("median", input).ndim, "median")
    _check_nonempty("median", input, d)
    _refuse_bool("median", input)
    return _at_position("median", input, d, keepdim, out, MedianBackward1, _median_position)


@profiled("aten::nanmedian")
def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """`median` ignoring NaNs (NaN only where every element is NaN)."""
    if dim is None:
        return _median_of_all("nanmedian", _tensor("nanmedian", input), NanmedianBackward0, _nanmedian_position)
    d = _wrap_dim(dim, _tensor("nanmedian", input).ndim, "nanmedian")
    _check_nonempty("median", input, d)  # PyTorch's message names median
    _refuse_bool("median", input)
    return _at_position("nanmedian", input, d, keepdim, out, NanmedianBackward1, _nanmedian_position)


def _end_of_longest_run(input: Tensor, values: Tensor, d: int) -> Tensor:
    """The sorted position where the first of the longest runs of equal `values` along `d` ends."""
    n = values._data.shape[d]
    positions = creation.arange(n, device=values.device).reshape([-1 if i == d else 1 for i in range(values.ndim)])
    first = creation.ones(_reduced_shape(values, d), dtype=_bool, device=values.device)
    starts = joining.cat([first, values.narrow(d, 1, n - 1) != values.narrow(d, 0, n - 1)], d)
    return (positions - running(where(starts, positions, 0), d, maximum)).argmax(d, keepdim=True)


@profiled("aten::mode")
def mode(input, dim=-1, keepdim=False, *, out=None):
    """(values, indices): the most frequent value along `dim` (the smallest among equally frequent ones)
    and the last position it occurs at."""
    d = _wrap_dim(dim, _tensor("mode", input).ndim, "mode")
    _check_nonempty("mode", input, d)
    return _at_position("mode", input, d, keepdim, out, ModeBackward0, _end_of_longest_run)


class Unique2Backward0(Node):
    def backward(self, grad):
        raise NotImplementedError("the derivative for '_unique2' is not implemented.")


class UniqueDimBackward0(Node):
    def backward(self, grad):
        raise NotImplementedError("the derivative for 'unique_dim' is not implemented.")


class UniqueConsecutiveBackward0(Node):
    def backward(self, grad):
        raise NotImplementedError("the derivative for 'unique_consecutive' is not implemented.")


class UniqueDimConsecutiveBackward0(Node):
    def backward(self, grad):
        raise NotImplementedError("the derivative for 'unique_dim_consecutive' is not implemented.")


def _rows(input: Tensor, dim):
    """`input` as a 2-D tensor of the slices unique() compares (its elements when `dim` is None)."""
    if dim is None:
        return input.reshape(-1, 1)
    d = _wrap_dim(dim, input.ndim, "unique")
    if not input._data.shape:
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got {dim})")
    moved = input.movedim(d, 0)
    if 0 in moved._data.shape[1:]:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
    return moved.reshape(moved._data.shape[0], -1)


def _lexicographic_order(rows: Tensor) -> Tensor:
    """The stable order of `rows` (2-D) compared as sequences: stable sorts by each column, last first."""
    order = creation.arange(rows._data.shape[0], device=rows.device)
    for column in range(rows._data.shape[1] - 1, -1, -1):
        order = order[sorted_along(rows[:, column][order], 0)[1]]
    return order


def _distinct(input: Tensor, dim, sorted_first: bool, return_inverse: bool, return_counts: bool, node_cls):
    with grad_mode.no_grad():
        rows = _rows(input, dim)
        n = rows._data.shape[0]
        order = _lexicographic_order(rows) if sorted_first else creation.arange(n, device=input.device)
        ordered = rows[order]
        changes = (ordered[1:] != ordered[:-1]).any(1)
        starts = joining.cat([creation.ones(builtins.min(n, 1), dtype=_bool, device=input.device), changes])
        kept = ordered[starts]
        if dim is None:
            output = kept.reshape(-1)
        else:
            d = _wrap_dim(dim, input.ndim, "unique")
            moved = input.movedim(d, 0)
            output = kept.reshape(kept._data.shape[0], *moved._data.shape[1:]).movedim(0, d)
        results = [output.contiguous()]
        if return_inverse:
            group = starts.cumsum(0) - 1
            inverse = scatter_add_along(group, 0, order, (n,))
            results.append(inverse.reshape(input.shape) if dim is None else inverse)
        if return_counts:
            first = creation.arange(n, device=input.device)[starts]
            ends = joining.cat([first[1:], creation.full((1,), n, dtype=_int64, device=input.device)])
            results.append(ends - first)
    attach(results[0], node_cls, (input,))
    return results[0] if len(results) == 1 else tuple(results)


@profiled("aten::unique")
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements of `input` (or slices along `dim`) in ascending order, optionally with each
    element's position in them (`return_inverse`) and their counts; each NaN is distinct."""
    node_cls = Unique2Backward0 if dim is None else UniqueDimBackward0
    return _distinct(_tensor("unique", input), dim, True, return_inverse, return_counts, node_cls)


@profiled("aten::unique_consecutive")
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """`input` with each run of equal consecutive elements (or slices along `dim`) kept once."""
    node_cls = UniqueConsecutiveBackward0 if dim is None else UniqueDimConsecutiveBackward0
    return _distinct(_tensor("unique_consecutive", input), dim, False, return_inverse, return_counts, node_cls)
