"""Gather and scatter along a dim: ``gather``, ``scatter`` (and its ``_add`` and ``_reduce`` forms), ``take``
and ``take_along_dim``, and the checks the whole family shares (`ember/_ops/index_ops.py` has the rest).

All are compositions over three kernels: ``index`` reads (a gather is an index by the index tensor along its
dim and by aranges along the others, exactly numpy's take_along_axis), ``index_put_`` writes (accumulating
for the sums) and ``index_reduce_`` reduces (prod, amax, amin, which no write or sum can express).
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable

from .. import _checks, _dtype
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd.node import Node, attach, needs_input_grad
from . import inplace, overlap, views
from .dispatch import broadcast_shapes, bump, check_out, checked_scalar, profiled, scalar, type_name

_int64, _int32, _bool = _dtype.int64, _dtype.int32, _dtype.bool_
_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


# ----- checks ----------------------------------------------------------------------------------------------
def check_range(index: Tensor, low: int, high: int, fail: Callable[[int], None]) -> None:
    """``fail(value)`` for the first value of `index` outside [low, high): the one place index values are
    checked (``ember._checks``: on the CPU a host read before any state changes; on a device with a queue
    a check computed on the device, raised at its next synchronisation, as CUDA's device-side asserts)."""
    if index._data.size:
        _checks.check_index_range(index._device, index._data, low, high, fail)


def check_index_dtype(index: Tensor, allowed: tuple, message: str, error=RuntimeError) -> None:
    """PyTorch's error (`message`, formatted with the dtype's name) for an index of a dtype the op refuses."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{message.split('(')[0]}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._dtype not in allowed:
        raise error(message.format(type_name(index._dtype)))


def same_device(input: Tensor, *others) -> None:
    """PyTorch's error when a tensor among `others` is on another device than `input`."""
    for other in others:
        if isinstance(other, Tensor) and other._device is not input._device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{input._device} and {other._device}!")


def long_buffer(index: Tensor):
    """The index's buffer as int64 (an int32 index converted)."""
    if index._dtype is _int64:
        return index._data
    return index._device.kernels.astype(index._data, _int64)


def as_1d(device, data):
    """A 0-d buffer viewed as 1-d (shape (1,)); others unchanged."""
    return data if data.shape else views.reshape_buffer(device, data, (1,))


# ----- gather ----------------------------------------------------------------------------------------------
def _along_key(device, indices, dim: int) -> tuple:
    """The advanced-indexing key that reads position ``indices[i...]`` along `dim` for every element of
    `indices` (int64 buffer), and its own position along every other dim."""
    k, shape = device.kernels, indices.shape
    key = []
    for d, n in enumerate(shape):
        if d == dim:
            key.append(indices)
        else:
            positions = k.arange(0, n, 1, _int64)
            key.append(views.reshape_buffer(device, positions, tuple(n if i == d else 1 for i in range(len(shape)))))
    return tuple(key)


def _check_sizes(input: Tensor, dim: int, index: Tensor, scatters: bool, src: Tensor | None = None) -> None:
    """PyTorch's shape rules for gather and (`scatters`) scatter: the same ndim, and the index no larger
    than the input apart from `dim` (and than a `src` tensor everywhere); skipped for an empty index."""
    ndim = max(input.ndim, 1)
    if max(index.ndim, 1) != ndim:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {'self' if scatters else 'input'} "
                           "tensor")
    if src is not None and max(src.ndim, 1) != ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    if not index._data.size:
        return
    shape, own = index._data.shape or (1,), input._data.shape or (1,)
    other = (src._data.shape or (1,)) if src is not None else None
    for d in range(ndim):
        if (d != dim and shape[d] > own[d]) or (other is not None and shape[d] > other[d]):
            if not scatters:
                raise RuntimeError(f"Size does not match at dimension {d} expected index {list(index._data.shape)} "
                                   f"to be no larger than self {list(input._data.shape)} apart from dimension {dim}")
            message = (f"Expected index {list(index._data.shape)} to be no larger than self "
                       f"{list(input._data.shape)} apart from dimension {dim}")
            if src is not None:
                message += f" and to be no larger size than src {list(src._data.shape)}"
            raise RuntimeError(message)


def _check_range(index: Tensor, dim: int, size: int) -> None:
    def fail(bad: int) -> None:
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    check_range(index, 0, size, fail)


class GatherBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        return scatter_add_along(grad, self.dim, index, self.shape)


def _gather_data(input: Tensor, dim: int, index: Tensor):
    d = input._device
    source, positions = as_1d(d, input._data), as_1d(d, long_buffer(index))
    shape = positions.shape
    if any(n < m for n, m in zip(shape, source.shape)):  # the index is smaller: read the region it covers
        for axis, n in enumerate(shape):
            if axis != dim and n < source.shape[axis]:
                source = views.narrow_buffer(d, source, axis, 0, n)
    data = d.kernels.index(source, _along_key(d, positions, dim))
    return data if index._data.shape else views.reshape_buffer(d, data, ())


@profiled("aten::gather")
def gather(input, dim, index, *, sparse_grad=False, out=None):
    """The values of `input` at `index` along `dim`: ``out[i][j] = input[index[i][j]][j]`` for dim 0."""
    dim = _wrap_dim(dim, input.ndim, "gather")
    check_index_dtype(index, (_int64, _int32), "gather(): Expected dtype int32/int64 for index")
    same_device(input, index)
    _check_sizes(input, dim, index, scatters=False)
    _check_range(index, dim, (input._data.shape or (1,))[dim])
    if out is not None:
        check_out(out, "gather", index._data.shape, input._dtype, (input, index), full_too=True)
    return written(take_along(input, dim, index), out)


def take_along(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """gather without its checks, for an index known to be valid (made by ember: sort's, a gradient's)."""
    result = wrap(_gather_data(input, dim, index), input._dtype, input._device)
    return attach(result, GatherBackward0, (input,), (index,), dim=dim, shape=input._data.shape)


def written(result: Tensor, out):
    """`result`, or `out` (already checked) holding its values."""
    if out is None:
        return result
    out._device.kernels.copy_(out._data, result._data)
    bump(out)
    return out


# ----- scatter ---------------------------------------------------------------------------------------------
def _scatter_into(data, input: Tensor, dim: int, index: Tensor, src, reduce) -> None:
    """Write `src` (a tensor no smaller than `index`, or a kernel scalar) into buffer `data` (of `input`'s
    shape) at `index` along `dim`, reducing with `reduce` (None: overwrite; sum, prod, amax, amin)."""
    d = input._device
    k = d.kernels
    target, positions = as_1d(d, data), as_1d(d, long_buffer(index))
    key = _along_key(d, positions, dim)
    value = src
    if isinstance(src, Tensor):
        value = as_1d(d, src._data)
        for axis, n in enumerate(positions.shape):
            if n < value.shape[axis]:
                value = views.narrow_buffer(d, value, axis, 0, n)
    if reduce is None or reduce == "sum":
        k.index_put_(target, key, value, reduce == "sum")
    else:
        k.index_reduce_(target, key, value, reduce)


def _scatter_checks(op: str, input: Tensor, dim, index, src) -> int:
    dim = _wrap_dim(dim, input.ndim, op)
    check_index_dtype(index, (_int64, _int32), "scatter(): Expected dtype int32/int64 for index")
    same_device(input, index, src)
    if isinstance(src, Tensor) and src._dtype is not input._dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _check_sizes(input, dim, index, scatters=True, src=src if isinstance(src, Tensor) else None)
    _check_range(index, dim, (input._data.shape or (1,))[dim])
    return dim


def scalar_for(input: Tensor, value, op: str):
    """A number (or 0-d tensor) to write into `input`, as a kernel scalar of its dtype."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"{op}(): value must be a Python number or a 0-dim tensor")
        value = value.item()
    dt = input._dtype
    value = checked_scalar(scalar(value, op), dt, op)
    if dt is _bool:
        return bool(value)
    return value if dt.is_floating_point else int(value)  # PyTorch truncates a fraction


def copy_of(input: Tensor):
    """A new buffer holding `input`'s values, laid out as `input` when dense (PyTorch's preserve_format)."""
    k = input._device.kernels
    return k.astype(input._data, input._dtype)


class ScatterBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        grad_input = scatter(grad, self.dim, index, 0) if needs_input_grad(self, 0) else None
        grad_src = take_along(grad, self.dim, index) if needs_input_grad(self, 1) else None
        return grad_input, grad_src


class ScatterBackward1(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        return scatter(grad, self.dim, index, 0)


class _NotImplementedBackward(Node):
    def backward(self, grad):
        raise RuntimeError(f"derivative for aten::{self.op} is not implemented")


_NotImplemented = type("NotImplemented", (_NotImplementedBackward,), {"__module__": __name__})

_SCATTER_REDUCE = {"add": "sum", "multiply": "prod"}


@profiled("aten::scatter")
def scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None):
    """`input` with `src` (a tensor, or a number: `value`) written at `index` along `dim`; `reduce` ('add',
    'multiply') combines instead of overwriting."""
    if (src is None) == (value is None):
        raise TypeError("scatter() missing required argument 'src' or 'value'" if src is None else
                        "scatter() got multiple values for argument 'value'")
    source = src if src is not None else value
    if reduce is not None and reduce not in _SCATTER_REDUCE:
        raise RuntimeError("reduce argument must be either add or multiply.")
    tensor_src = isinstance(source, Tensor) and value is None
    dim = _scatter_checks("scatter", input, dim, index, source if tensor_src else None)
    if not tensor_src:
        source = scalar_for(input, source, "scatter")
    elif reduce is not None:
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in "
                      "a future PyTorch release. Use torch.scatter_reduce instead for more reduction options.",
                      UserWarning, stacklevel=3)
    if out is not None:
        check_out(out, "scatter", input._data.shape, input._dtype, (index,))
    data = copy_of(input)
    _scatter_into(data, input, dim, index, source, _SCATTER_REDUCE.get(reduce))
    result = wrap(data, input._dtype, input._device)
    if reduce is not None:
        result = attach(result, _NotImplemented, (input, source) if tensor_src else (input,), op="scatter")
    elif tensor_src:
        result = attach(result, ScatterBackward0, (input, source), (index,), dim=dim)
    else:
        result = attach(result, ScatterBackward1, (input,), (index,), dim=dim)
    return written(result, out)


class ScatterAddBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        return grad, (take_along(grad, self.dim, index) if needs_input_grad(self, 1) else None)


@profiled("aten::scatter_add")
def scatter_add(input, dim, index, src, *, out=None):
    """`input` with `src` added at `index` along `dim` (repeated indices add up)."""
    dim = _scatter_checks("scatter_add", input, dim, index, src)
    if out is not None:
        check_out(out, "scatter_add", input._data.shape, input._dtype, (index, src))
    return written(_scatter_add(copy_of(input), input, dim, index, src), out)


def _scatter_add(data, input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """scatter_add without its checks, into `data`, a new buffer holding `input`'s values."""
    _scatter_into(data, input, dim, index, src, "sum")
    return attach(wrap(data, input._dtype, input._device), ScatterAddBackward0, (input, src), (index,), dim=dim)


def scatter_add_along(source: Tensor, dim: int, index: Tensor, shape: tuple) -> Tensor:
    """Zeros of `shape` with `source` added at `index` along `dim` (``zeros(shape).scatter_add(dim, index,
    source)`` without its checks, for an index known to be valid): the gradient of a selection by index."""
    zeros = wrap(source._device.kernels.full(tuple(shape), 0, source._dtype), source._dtype, source._device)
    return _scatter_add(zeros._data, zeros, dim, index, source)


def _identity(reduce: str, dt):
    """The value a reduction starts from: what an element that only gathers `src` values holds first."""
    if reduce in ("sum", "mean"):
        return False if dt is _bool else 0
    if reduce == "prod":
        return True if dt is _bool else 1
    if dt is _bool:
        return reduce == "amin"
    if dt.is_floating_point:
        return -math.inf if reduce == "amax" else math.inf
    info = (-2 ** (8 * dt.itemsize - 1), 2 ** (8 * dt.itemsize - 1) - 1)
    return info[0] if reduce == "amax" else info[1]


def _reduced(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, include_self: bool):
    """The buffer of scatter_reduce's result (no autograd)."""
    data = copy_of(input)
    if not include_self:
        _scatter_into(data, input, dim, index, _identity(reduce, input._dtype), None)
    if reduce != "mean":
        _scatter_into(data, input, dim, index, src, reduce)
        return data
    _scatter_into(data, input, dim, index, src, "sum")
    k = input._device.kernels
    counts = k.full(tuple(input._data.shape), 1 if include_self else 0, input._dtype)
    _scatter_into(counts, input, dim, index, 1, "sum")
    counts = k.where(k.eq(counts, 0), 1, counts)
    if input._dtype.is_floating_point:
        return k.div(data, counts)
    return k.floor_divide(data, counts)


class ScatterReduceBackward0(Node):
    def backward(self, grad):
        index, input, src, result = self.saved_tensors
        grad_input, grad_src = scatter_reduce_grads(grad, self.dim, index, input, src, result, self.reduce,
                                                     self.include_self)
        if not self.include_self:
            grad_input = scatter(grad_input, self.dim, index, 0)
        return grad_input, grad_src


def scatter_reduce_grads(grad, dim, index, input, src, result, reduce, include_self):
    """PyTorch's scatter_reduce_backward (FunctionsManual.cpp), in differentiable ember ops."""
    from .creation import ones_like, zeros_like
    if reduce == "sum":
        return grad, gather(grad, dim, index)
    if reduce == "mean":
        counts = ones_like(grad) if include_self else zeros_like(grad)
        counts = scatter_add(counts, dim, index, ones_like(src))
        counts = counts.masked_fill(counts == 0, 1)
        return grad / counts, gather(grad, dim, index) / gather(counts, dim, index)
    if reduce == "prod":
        masked_input = input.masked_fill(input == 0, 1)
        masked_result = scatter_reduce(masked_input, dim, index, src, "prod", include_self=include_self)
        grad_input = grad * masked_result / masked_input
        src_zero = src == 0
        zeros_per_slot = gather(scatter_add(zeros_like(grad), dim, index, src_zero.to(grad._dtype)), dim, index)
        single_zero = src_zero.logical_and(zeros_per_slot == 1)
        masked_src_result = scatter_reduce(input, dim, index, src.masked_fill(single_zero, 1), "prod",
                                           include_self=include_self)
        grad_src = gather(grad * masked_src_result, dim, index).where(
            single_zero, gather(grad * result, dim, index) / src.masked_fill(src_zero, 1))
        return grad_input, grad_src
    value = gather(result, dim, index)
    input_is_result = input == result
    src_is_value = src == value
    shares = scatter_add(input_is_result.to(grad._dtype), dim, index, src_is_value.to(grad._dtype))
    grad_distributed = grad / shares
    return input_is_result * grad_distributed, src_is_value * gather(grad_distributed, dim, index)


@profiled("aten::scatter_reduce")
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """`input` with `src` reduced into it at `index` along `dim`: 'sum', 'prod', 'mean', 'amax' or 'amin',
    over `input`'s value too when `include_self`."""
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    dim = _scatter_checks("scatter_reduce", input, dim, index, src)
    if out is not None:
        check_out(out, "scatter_reduce", input._data.shape, input._dtype, (index, src))
    data = _reduced(input, dim, index, src, reduce, include_self)
    result = wrap(data, input._dtype, input._device)
    result = attach(result, ScatterReduceBackward0, (input, src), (index, input, src, result), dim=dim,
                    reduce=reduce, include_self=bool(include_self))
    return written(result, out)


# ----- flat indices ----------------------------------------------------------------------------------------
def _flat(input: Tensor):
    d = input._device
    return views.reshape_buffer(d, d.kernels.contiguous(input._data), (input._data.size,))


class PutBackward0(Node):
    """put: the input's gradient with the written places zeroed (whole when accumulating); the source's
    taken back from the places it went."""

    def backward(self, grad):
        index, = self.saved_tensors
        from .creation import zeros
        grad_input = grad if self.accumulate else put(grad, index, zeros(self.source_shape, dtype=grad._dtype,
                                                                        device=grad._device))
        return grad_input, take(grad, index).reshape(self.source_shape)


def _put_flat(zeros_shape, index: Tensor, grad: Tensor) -> Tensor:
    """Zeros of `zeros_shape` with `grad` added at the flat positions `index` (take's gradient)."""
    zeros = wrap(grad._device.kernels.full(tuple(zeros_shape), 0, grad._dtype), grad._dtype, grad._device)
    return put(zeros, index, grad, accumulate=True)


@profiled("aten::put")
def put(input, index, source, accumulate=False):
    """`input` with the elements of `source` written (added, when `accumulate`) at the flat positions
    `index` of `input` read as 1-d (negative positions count from the end)."""
    check_index_dtype(index, (_int64,), "put_(): Expected a long tensor for index, but got {}")
    if not isinstance(source, Tensor):
        raise TypeError(f"put(): argument 'source' (position 3) must be Tensor, not {type(source).__name__}")
    same_device(input, index, source)
    if source._dtype is not input._dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{type_name(input._dtype)} and source.dtype = {type_name(source._dtype)}")
    if source._data.size != index._data.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source._data.size}, index.numel() = {index._data.size}")
    n = input._data.size
    def fail(bad: int) -> None:
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    check_range(index, -n, n, fail)
    d = input._device
    data = d.kernels.contiguous(copy_of(input))
    d.kernels.index_put_(views.reshape_buffer(d, data, (n,)), (_flat(index),), _flat(source), bool(accumulate))
    return attach(wrap(data, input._dtype, d), PutBackward0, (input, source), (index,),
                  accumulate=bool(accumulate), source_shape=source._data.shape)


class TakeBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        return _put_flat(self.shape, index, grad)


@profiled("aten::take")
def take(input, index, *, out=None):
    """The elements of `input`, read as 1-d, at `index` (negative positions count from the end)."""
    check_index_dtype(index, (_int64,), "take(): Expected a long tensor for index, but got {}")
    same_device(input, index)
    n = input._data.size
    def fail(bad: int) -> None:
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    check_range(index, -n, n, fail)
    if out is not None:
        check_out(out, "take", index._data.shape, input._dtype, (input, index), full_too=True)
    data = input._device.kernels.index(_flat(input), (index._data,))
    result = attach(wrap(data, input._dtype, input._device), TakeBackward0, (input,), (index,),
                    shape=input._data.shape)
    return written(result, out)


@profiled("aten::take_along_dim")
def take_along_dim(input, indices, dim=None, *, out=None):
    """`gather` with `input` and `indices` broadcast against each other apart from `dim` (None: both
    flattened)."""
    if not isinstance(indices, Tensor) or indices._dtype is not _int64:
        found = type_name(indices._dtype) if isinstance(indices, Tensor) else type(indices).__name__
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got {found}")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1), out=out)
    dim = _wrap_dim(dim, input.ndim, "take_along_dim")
    if input.ndim != indices.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                           f"dimensions, but got {input.ndim} dimensions for input, and {indices.ndim} "
                           f"dimensions for indices")
    from .dispatch import binary_failure
    own, other = list(input._data.shape), list(indices._data.shape)
    with_index, with_input = own.copy(), other.copy()
    if own:
        with_index[dim], with_input[dim] = other[dim], own[dim]
    index_shape = broadcast_shapes(tuple(with_index), tuple(other))
    input_shape = broadcast_shapes(tuple(with_input), tuple(own))
    if index_shape is None or input_shape is None:
        raise binary_failure("take_along_dim", input, indices, None)
    return gather(input.expand(input_shape), dim, indices.expand(index_shape), out=out)

# ----- in-place forms ----------------------------------------------------------------------------------------
def begin_put(t: Tensor, op: str, reads=()) -> None:
    """The checks of a write that reads a source tensor: every write's, and PyTorch refuses a source that
    shares any memory with the tensor, itself included."""
    inplace.begin_write(t, op)
    overlap.check_no_partial_overlap(t, reads, full_too=True)


INPLACE_METHODS = {name: inplace.make_inplace(op, name, False, begin_put) for name, op in (
    ("scatter_", scatter), ("scatter_add_", scatter_add), ("scatter_reduce_", scatter_reduce), ("put_", put))}

FUNCTIONS = {
    "gather": gather, "scatter": scatter, "scatter_add": scatter_add, "scatter_reduce": scatter_reduce,
    "take": take, "take_along_dim": take_along_dim, "put": put,
}
