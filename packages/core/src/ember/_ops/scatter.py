"""Gather and scatter: ``gather``, ``scatter`` (and its ``_add`` and ``_reduce`` forms), ``index_select``,
``index_add``, ``index_copy``, ``index_fill``, ``masked_select``, ``masked_scatter``, ``take``,
``take_along_dim``, ``index_put`` and ``repeat_interleave``.

All are compositions over three kernels: ``index`` reads (a gather is an index by the index tensor along its
dim and by aranges along the others, exactly numpy's take_along_axis), ``index_put_`` writes (accumulating
for the sums) and ``index_reduce_`` reduces (prod, amax, amin, which no write or sum can express).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd.node import Node, attach, needs_input_grad
from . import indexing, inplace, overlap, views
from .dispatch import broadcast_shapes, bump, check_out, checked_scalar, profiled, scalar, type_name

_int64, _int32, _bool = _dtype.int64, _dtype.int32, _dtype.bool_
_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


# ----- checks ----------------------------------------------------------------------------------------------
def first_out_of_range(index: Tensor, low: int, high: int) -> int | None:
    """The first value of `index` outside [low, high), or None: the one place index values are checked.

    On the CPU the values are read on the host before any state changes. Issue 7's device-side error flag
    (a kernel that records a bad index and a check that reads the flag back) replaces this helper for
    devices where a host read would stall the queue; every op below calls only this one."""
    data = index._data
    if not data.size:
        return None
    values = index._device.kernels.to_numpy(data)
    if low <= values.min() and values.max() < high:
        return None
    return int(values[(values < low) | (values >= high)].flat[0])


def _check_dtype(index: Tensor, allowed: tuple, message: str, error=RuntimeError) -> None:
    if not isinstance(index, Tensor):
        raise TypeError(f"{message.split('(')[0]}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._dtype not in allowed:
        raise error(message.format(type_name(index._dtype)))


def _same_device(input: Tensor, *others) -> None:
    for other in others:
        if isinstance(other, Tensor) and other._device is not input._device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{input._device} and {other._device}!")


def _long(index: Tensor):
    """The index's buffer as int64 (an int32 index converted)."""
    if index._dtype is _int64:
        return index._data
    return index._device.kernels.astype(index._data, _int64)


def _as_1d(device, data):
    """A 0-d buffer viewed as 1-d (shape (1,)); others unchanged."""
    return data if data.shape else views.reshape_buffer(device, data, (1,))


# ----- gather ----------------------------------------------------------------------------------------------
def _along_key(device, index_data, dim: int) -> tuple:
    """The `index` kernel key picking, at each position of `index_data`, the element at the index's value
    along `dim` and at the same position along the other dims (aranges broadcast against it)."""
    k = device.kernels
    shape = index_data.shape
    key = []
    for d, n in enumerate(shape):
        if d == dim:
            key.append(index_data)
        else:
            positions = k.arange(0, n, 1, _int64)
            key.append(views.reshape_buffer(device, positions, (1,) * d + (n,) + (1,) * (len(shape) - d - 1)))
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
    bad = first_out_of_range(index, 0, size)
    if bad is not None:
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


class GatherBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        from .creation import zeros
        return scatter_add(zeros(self.shape, dtype=grad._dtype, device=grad._device), self.dim, index, grad)


def _gather_data(input: Tensor, dim: int, index: Tensor):
    d = input._device
    source, positions = _as_1d(d, input._data), _as_1d(d, _long(index))
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
    _check_dtype(index, (_int64, _int32), "gather(): Expected dtype int32/int64 for index")
    _same_device(input, index)
    _check_sizes(input, dim, index, scatters=False)
    _check_range(index, dim, (input._data.shape or (1,))[dim])
    if out is not None:
        check_out(out, "gather", index._data.shape, input._dtype, (input, index), full_too=True)
    result = wrap(_gather_data(input, dim, index), input._dtype, input._device)
    result = attach(result, GatherBackward0, (input,), (index,), dim=dim, shape=input._data.shape)
    return _written(result, out)


def _written(result: Tensor, out):
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
    target, positions = _as_1d(d, data), _as_1d(d, _long(index))
    key = _along_key(d, positions, dim)
    value = src
    if isinstance(src, Tensor):
        value = _as_1d(d, src._data)
        for axis, n in enumerate(positions.shape):
            if n < value.shape[axis]:
                value = views.narrow_buffer(d, value, axis, 0, n)
    if reduce is None or reduce == "sum":
        k.index_put_(target, key, value, reduce == "sum")
    else:
        k.index_reduce_(target, key, value, reduce)


def _scatter_checks(op: str, input: Tensor, dim, index, src) -> int:
    dim = _wrap_dim(dim, input.ndim, op)
    _check_dtype(index, (_int64, _int32), "scatter(): Expected dtype int32/int64 for index")
    _same_device(input, index, src)
    if isinstance(src, Tensor) and src._dtype is not input._dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _check_sizes(input, dim, index, scatters=True, src=src if isinstance(src, Tensor) else None)
    _check_range(index, dim, (input._data.shape or (1,))[dim])
    return dim


def _scatter_value(input: Tensor, value, op: str):
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


def _copy_of(input: Tensor):
    """A new buffer holding `input`'s values, laid out as `input` when dense (PyTorch's preserve_format)."""
    k = input._device.kernels
    return k.astype(input._data, input._dtype)


class ScatterBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        grad_input = scatter(grad, self.dim, index, 0) if needs_input_grad(self, 0) else None
        grad_src = gather(grad, self.dim, index) if needs_input_grad(self, 1) else None
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
        source = _scatter_value(input, source, "scatter")
    elif reduce is not None:
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in "
                      "a future PyTorch release. Use torch.scatter_reduce instead for more reduction options.",
                      UserWarning, stacklevel=3)
    if out is not None:
        check_out(out, "scatter", input._data.shape, input._dtype, (index,))
    data = _copy_of(input)
    _scatter_into(data, input, dim, index, source, _SCATTER_REDUCE.get(reduce))
    result = wrap(data, input._dtype, input._device)
    if reduce is not None:
        result = attach(result, _NotImplemented, (input, source) if tensor_src else (input,), op="scatter")
    elif tensor_src:
        result = attach(result, ScatterBackward0, (input, source), (index,), dim=dim)
    else:
        result = attach(result, ScatterBackward1, (input,), (index,), dim=dim)
    return _written(result, out)


class ScatterAddBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        return grad, (gather(grad, self.dim, index) if needs_input_grad(self, 1) else None)


@profiled("aten::scatter_add")
def scatter_add(input, dim, index, src, *, out=None):
    """`input` with `src` added at `index` along `dim` (repeated indices add up)."""
    dim = _scatter_checks("scatter_add", input, dim, index, src)
    if out is not None:
        check_out(out, "scatter_add", input._data.shape, input._dtype, (index, src))
    data = _copy_of(input)
    _scatter_into(data, input, dim, index, src, "sum")
    result = attach(wrap(data, input._dtype, input._device), ScatterAddBackward0, (input, src), (index,), dim=dim)
    return _written(result, out)


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
    data = _copy_of(input)
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
        grad_input, grad_src = _scatter_reduce_grads(grad, self.dim, index, input, src, result, self.reduce,
                                                     self.include_self)
        if not self.include_self:
            grad_input = scatter(grad_input, self.dim, index, 0)
        return grad_input, grad_src


def _scatter_reduce_grads(grad, dim, index, input, src, result, reduce, include_self):
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
    return _written(result, out)


# ----- index_* along one dim -------------------------------------------------------------------------------
def _dim_key(device, dim: int, index_data) -> tuple:
    return (slice(None),) * dim + (_as_1d(device, index_data),)


def _vector(index: Tensor, op: str, message: str, error=IndexError) -> None:
    if index.ndim > 1:
        raise error(message.format(op=op, ndim=index.ndim, type=type_name(index._dtype),
                                   shape=list(index._data.shape)))


class IndexSelectBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        from .creation import zeros
        return index_add(zeros(self.shape, dtype=grad._dtype, device=grad._device), self.dim, index, grad)


@profiled("aten::index_select")
def index_select(input, dim, index, *, out=None):
    """The slices of `input` along `dim` at the positions in `index` (a vector)."""
    dim = _wrap_dim(dim, input.ndim, "index_select")
    _check_dtype(index, (_int64, _int32), "index_select(): Expected dtype int32 or int64 for index")
    _same_device(input, index)
    _vector(index, "index_select", "index_select(): Index is supposed to be a vector")
    if not input._data.shape and index._data.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {index._data.size} "
                           f"value(s)")
    size = (input._data.shape or (1,))[dim]
    _check_slices_exist(input, size, index)
    bad = first_out_of_range(index, 0, size)
    if bad is not None and not input._data.size and input.ndim > 1:  # PyTorch's path for an empty input
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
    if bad is not None:
        raise IndexError("index out of range in self")
    shape = list(input._data.shape)
    if shape:
        shape[dim] = index._data.size
    if out is not None:
        check_out(out, "index_select", tuple(shape), input._dtype, (input, index), full_too=True)
    d = input._device
    data = d.kernels.index(_as_1d(d, input._data), _dim_key(d, dim, _long(index)))
    if not input._data.shape:
        data = views.reshape_buffer(d, data, ())
    result = attach(wrap(data, input._dtype, d), IndexSelectBackward0, (input,), (index,), dim=dim,
                    shape=input._data.shape)
    return _written(result, out)


def _check_slices_exist(input: Tensor, size: int, index: Tensor) -> None:
    """PyTorch's error for indices into a dim of size 0 of a tensor of 2 or more dims (index_select's, which
    index_copy_ also runs)."""
    if not size and index._data.size and input.ndim > 1:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")


def _source_slices(op: str, input: Tensor, dim: int, index: Tensor, source: Tensor) -> None:
    """index_add's and index_copy's shape rules for `source`."""
    count = source._data.shape[dim] if source.ndim else 1
    if op == "index_copy_":
        own, other = list(input._data.shape or (1,)), list(source._data.shape or (1,))
        del own[dim], other[dim]  # the slices' shapes, as PyTorch names their dims
        for d, (a, b) in enumerate(zip(own, other)):
            if a != b:
                raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice shapes. "
                                   f"Destination slice shape: {a} at dimension {d} and source slice "
                                   f"shape: {b} at dimension {d}.")
        if index._data.size != count:
            raise IndexError(f"index_copy_(): Number of indices ({index._data.size}) should be equal to "
                             f"source.size(dim) ({count})")
        return
    if index._data.size != count:
        raise RuntimeError(f"index_add_(): Number of indices ({index._data.size}) should be equal to "
                           f"source.size(dim): ({count}), for dim: {dim}")
    own, other = list(input._data.shape), list(source._data.shape)
    if source.ndim and (len(own) != len(other) or any(a != b for d, (a, b) in enumerate(zip(own, other))
                                                      if d != dim)):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension. Got self.shape = {own} source.shape = {other}")


def _put_along(input: Tensor, dim: int, index: Tensor, value, accumulate: bool):
    """A copy of `input`'s buffer with `value` (a buffer laid out as the slices, or a number) put at
    `index` along `dim`."""
    d = input._device
    data = _copy_of(input)
    d.kernels.index_put_(_as_1d(d, data), _dim_key(d, dim, _long(index)), value, accumulate)
    return data


class IndexAddBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        grad_source = None
        if needs_input_grad(self, 1):
            grad_source = views.expand(index_select(grad, self.dim, index), self.source_shape)
            if self.alpha != 1:
                grad_source = _scaled(grad_source, self.alpha)
        return grad, grad_source


class MulBackward1(Node):
    """A product with a number, as PyTorch's C++ formulas take one (index_add's alpha)."""

    def backward(self, grad):
        return _scaled(grad, self.other)


def _scaled(t: Tensor, number) -> Tensor:
    data = t._device.kernels.mul(t._data, number)
    return attach(wrap(data, t._dtype, t._device), MulBackward1, (t,), other=number)


def _slices(source: Tensor, dim: int, index: Tensor, input: Tensor):
    """`source`'s buffer shaped as the indexed slices (a 0-d source or index: one slice)."""
    d = source._device
    shape = list(input._data.shape or (1,))
    shape[dim] = index._data.size
    if tuple(source._data.shape) == tuple(shape):
        return source._data
    return views.reshape_buffer(d, d.kernels.contiguous(source._data), tuple(shape))


@profiled("aten::index_add")
def index_add(input, dim, index, source, *, alpha=1, out=None):
    """`input` with `alpha * source`'s slices added at `index` along `dim` (repeated indices add up)."""
    dim = _wrap_dim(dim, input.ndim, "index_add")
    _check_dtype(index, (_int64, _int32), "index_add_(): Expected dtype int32/int64 for index but got: {}")
    _same_device(input, index, source)
    _vector(index, "index_add_", "{op}(): Index is supposed to be a vector, but got dim: {ndim} with type: "
                                 "{type} and size: {shape}")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"index_add_(): self ({type_name(input._dtype)}) and source "
                           f"({type_name(source._dtype)}) must have the same scalar type")
    _source_slices("index_add_", input, dim, index, source)
    size = (input._data.shape or (1,))[dim]
    bad = first_out_of_range(index, 0, size) if input._data.size else None  # nothing to add to: no check
    alpha = scalar(alpha, "index_add")
    if bad is not None and input.ndim > 1 and dim in (0, input.ndim - 1) and alpha == 1:  # PyTorch's CPU paths
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    if bad is not None:
        raise IndexError("index out of range in self")
    if out is not None:
        check_out(out, "index_add", input._data.shape, input._dtype, (index, source))
    if not input._dtype.is_floating_point and isinstance(alpha, float):
        alpha = int(alpha)  # PyTorch truncates it for integer tensors
    values = _slices(source, dim, index, input)
    if alpha != 1:
        values = input._device.kernels.mul(values, alpha)
    data = _put_along(input, dim, index, values, True) if input._data.size else _copy_of(input)
    result = attach(wrap(data, input._dtype, input._device), IndexAddBackward0, (input, source), (index,),
                    dim=dim, alpha=alpha, source_shape=source._data.shape)
    return _written(result, out)


class IndexCopyBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        grad_input = index_fill(grad, self.dim, index, 0) if needs_input_grad(self, 0) else None
        grad_source = None
        if needs_input_grad(self, 1):
            grad_source = views.expand(index_select(grad, self.dim, index), self.source_shape)
        return grad_input, grad_source


@profiled("aten::index_copy")
def index_copy(input, dim, index, source, *, out=None):
    """`input` with `source`'s slices copied in at `index` along `dim`."""
    dim = _wrap_dim(dim, input.ndim, "index_copy")
    _check_dtype(index, (_int64,), "index_copy_(): Expected a long tensor for index, but got {}")
    _same_device(input, index, source)
    _vector(index, "index_copy_", "index_copy_(): Index should have dimension 1 or 0 (got {ndim})")
    _source_slices("index_copy_", input, dim, index, source)
    if source._dtype is not input._dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{type_name(input._dtype)} and (source) {type_name(source._dtype)}")
    size = (input._data.shape or (1,))[dim]
    _check_slices_exist(input, size, index)
    bad = first_out_of_range(index, 0, size)
    if bad is not None:
        raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {dim} with size {size}")
    if out is not None:
        check_out(out, "index_copy", input._data.shape, input._dtype, (index, source))
    data = _put_along(input, dim, index, _slices(source, dim, index, input), False)
    result = attach(wrap(data, input._dtype, input._device), IndexCopyBackward0, (input, source), (index,),
                    dim=dim, source_shape=source._data.shape)
    return _written(result, out)


class IndexFillBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        return index_fill(grad, self.dim, index, 0)


class IndexFillBackward1(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        grad_value = index_select(grad, self.dim, index).sum() if needs_input_grad(self, 1) else None
        return index_fill(grad, self.dim, index, 0), grad_value


@profiled("aten::index_fill")
def index_fill(input, dim, index, value):
    """`input` with the slices at `index` along `dim` filled with `value` (a number or a 0-d tensor)."""
    dim = _wrap_dim(dim, input.ndim, "index_fill")
    _check_dtype(index, (_int64,), "index_fill_(): Expected dtype int64 for index.", IndexError)
    _same_device(input, index, value)
    if index.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s).")
    size = (input._data.shape or (1,))[dim]
    bad = first_out_of_range(index, -size, size) if input._data.size else None  # nothing to fill: no check
    if bad is not None:
        raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    fill = _scatter_value(input, value, "index_fill")
    data = _put_along(input, dim, index, fill, False) if input._data.size else _copy_of(input)
    result = wrap(data, input._dtype, input._device)
    if isinstance(value, Tensor):
        return attach(result, IndexFillBackward1, (input, value), (index,), dim=dim)
    return attach(result, IndexFillBackward0, (input,), (index,), dim=dim)


# ----- masks and flat indices -------------------------------------------------------------------------------
def _broadcast_pair(input: Tensor, mask: Tensor):
    """`input` and `mask` broadcast to one shape (PyTorch's error names the mask `a`)."""
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    if shape is None:
        a, b = mask._data.shape[::-1], input._data.shape[::-1]
        at = next(i for i, (m, n) in enumerate(zip(a, b)) if m != n and m != 1 and n != 1)
        raise RuntimeError(f"The size of tensor a ({a[at]}) must match the size of tensor b ({b[at]}) at "
                           f"non-singleton dimension {max(len(a), len(b)) - 1 - at}")
    return views.expand_to(input, shape), views.expand_to(mask, shape)


class MaskedSelectBackward0(Node):
    def backward(self, grad):
        mask, = self.saved_tensors
        from .creation import zeros
        return masked_scatter(zeros(self.shape, dtype=grad._dtype, device=grad._device), mask, grad)


@profiled("aten::masked_select")
def masked_select(input, mask, *, out=None):
    """The elements of `input` where `mask` (broadcast with it) is True, as a 1-d tensor."""
    if not isinstance(mask, Tensor) or mask._dtype is not _bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    _same_device(input, mask)
    values, mask = _broadcast_pair(input, mask)
    data = input._device.kernels.index(values._data, (mask._data,))
    if out is not None:
        check_out(out, "masked_select", data.shape, input._dtype, (input, mask), full_too=True)
    result = attach(wrap(data, input._dtype, input._device), MaskedSelectBackward0, (values,), (mask,),
                    shape=values._data.shape)
    return _written(result, out)


class MaskedScatterBackward0(Node):
    def backward(self, grad):
        mask, = self.saved_tensors
        grad_input = grad.masked_fill(mask, 0) if needs_input_grad(self, 0) else None
        grad_source = _masked_scatter_backward(grad, mask, self.source_shape) if needs_input_grad(self, 1) else None
        return grad_input, grad_source


class MaskedScatterBackwardBackward0(Node):
    def backward(self, grad):
        mask, = self.saved_tensors
        from .creation import zeros
        return masked_scatter(zeros(self.shape, dtype=grad._dtype, device=grad._device), mask, grad)


def _masked_scatter_backward(grad: Tensor, mask: Tensor, source_shape) -> Tensor:
    """The source's gradient: `grad` where the mask holds, in order, then zeros for the unused source."""
    d = grad._device
    k = d.kernels
    selected = k.index(grad._data, (mask._data,))
    data = k.full((math.prod(source_shape),), 0, grad._dtype)
    k.copy_(views.narrow_buffer(d, data, 0, 0, selected.shape[0]), selected)
    result = wrap(views.reshape_buffer(d, data, tuple(source_shape)), grad._dtype, d)
    return attach(result, MaskedScatterBackwardBackward0, (grad,), (mask,), shape=grad._data.shape)


@profiled("aten::masked_scatter")
def masked_scatter(input, mask, source):
    """`input` with `source`'s first elements (in order) written where `mask` (broadcast) is True."""
    if not isinstance(mask, Tensor) or mask._dtype is not _bool:
        dt = type_name(mask._dtype) if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype {dt}")
    _same_device(input, mask, source)
    if source._dtype is not input._dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{type_name(input._dtype)} and {type_name(source._dtype)}")
    input, mask = _broadcast_pair(input, mask)
    k = input._device.kernels
    count = int(k.to_numpy(k.sum(k.astype(mask._data, _int64), tuple(range(mask.ndim)), False))) if mask.ndim \
        else int(bool(k.to_numpy(mask._data)))
    if source._data.size < count:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    flat = views.reshape_buffer(input._device, k.contiguous(source._data), (source._data.size,))
    data = _copy_of(input)
    k.index_put_(_as_1d(input._device, data), (_as_1d(input._device, mask._data),),
                 views.narrow_buffer(input._device, flat, 0, 0, count), False)
    return attach(wrap(data, input._dtype, input._device), MaskedScatterBackward0, (input, source), (mask,),
                  source_shape=source._data.shape)


def _flat(input: Tensor):
    d = input._device
    return views.reshape_buffer(d, d.kernels.contiguous(input._data), (input._data.size,))


class PutBackward0(Node):
    """Values added at flat indices into zeros (take's gradient): the values' gradient is taken back."""

    def backward(self, grad):
        index, = self.saved_tensors
        return take(grad, index)


def _put_flat(zeros_shape, index: Tensor, grad: Tensor) -> Tensor:
    """Zeros of `zeros_shape` with `grad` added at the flat positions `index` (take's gradient)."""
    d = grad._device
    k = d.kernels
    data = k.full(tuple(zeros_shape), 0, grad._dtype)
    k.index_put_(views.reshape_buffer(d, data, (data.size,)), (index._data,), grad._data, True)
    return attach(wrap(data, grad._dtype, d), PutBackward0, (grad,), (index,))


class TakeBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        return _put_flat(self.shape, index, grad)


@profiled("aten::take")
def take(input, index, *, out=None):
    """The elements of `input`, read as 1-d, at `index` (negative positions count from the end)."""
    _check_dtype(index, (_int64,), "take(): Expected a long tensor for index, but got {}")
    _same_device(input, index)
    n = input._data.size
    bad = first_out_of_range(index, -n, n)
    if bad is not None:
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    if out is not None:
        check_out(out, "take", index._data.shape, input._dtype, (input, index), full_too=True)
    data = input._device.kernels.index(_flat(input), (index._data,))
    result = attach(wrap(data, input._dtype, input._device), TakeBackward0, (input,), (index,),
                    shape=input._data.shape)
    return _written(result, out)


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


# ----- index_put ---------------------------------------------------------------------------------------------
class IndexPutBackward0(Node):
    """index_put with accumulate: the tensor's gradient passes whole, the values' is read at the indices."""

    def backward(self, grad):
        indices, = self.saved_tensors
        return grad, (indexing._index_with(grad, indices) if needs_input_grad(self, 1) else None)


@profiled("aten::index_put")
def index_put(input, indices, values, accumulate=False):
    """`input` with `values` written (added, when `accumulate`) at the tensors `indices` index."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' (position 2) must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 3) must be Tensor, not "
                        f"{type(values).__name__}")
    for position, item in enumerate(indices):
        if not isinstance(item, Tensor):
            raise TypeError(f"expected Tensor as element {position} in argument 1, but got {type(item).__name__}")
        if item._dtype.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    _same_device(input, values, *indices)
    if values._dtype is not input._dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{type_name(input._dtype)} for the destination and {type_name(values._dtype)} for the "
                           f"source.")
    key = indexing._key_buffers(input, tuple(indices))
    _check_key_range(input, indices)
    indexing.check_value_fits(input, key, tuple(values._data.shape))
    return put_key(input, key, values, bool(accumulate))


def put_key(input: Tensor, key: tuple, values: Tensor, accumulate: bool) -> Tensor:
    """index_put with a checked key of device buffers (setitem's gradient uses it too)."""
    data = _copy_of(input)
    input._device.kernels.index_put_(data, key, values._data, accumulate)
    result = wrap(data, input._dtype, input._device)
    node = IndexPutBackward0 if accumulate else indexing.IndexPutBackward0
    return attach(result, node, (input, values), (key,))


def _check_key_range(input: Tensor, indices) -> None:
    """PyTorch's IndexError for an integer index out of range of its dim (negative ones count back)."""
    dim = 0
    for item in indices:
        if item._dtype is _bool:
            dim += max(item.ndim, 1)
            continue
        size = input._data.shape[dim]
        bad = first_out_of_range(item, -size, size)
        if bad is not None:
            raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
        dim += 1


# ----- repeat_interleave -------------------------------------------------------------------------------------
def _repeat_positions(repeats: Tensor, output_size):
    """``repeat_interleave(repeats)``: each position i, repeats[i] times (int64 or int32, as `repeats`)."""
    if repeats.ndim != 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if repeats._dtype not in (_int64, _int32):
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{type_name(repeats._dtype)}'")
    k = repeats._device.kernels
    counts = k.to_numpy(repeats._data)  # the result's size is the counts' sum: read on the host
    if counts.size and counts.min() < 0:
        raise RuntimeError("repeats can not be negative")
    if output_size is not None and output_size != int(counts.sum()):
        raise RuntimeError("allocated size does not match required size")
    positions = np.repeat(np.arange(counts.size, dtype=counts.dtype), counts)
    return wrap(k.from_numpy(positions), repeats._dtype, repeats._device)


@profiled("aten::repeat_interleave")
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each slice of `input` along `dim` (None: of `input` flattened) repeated `repeats` times (an int, or a
    tensor of counts per slice); ``repeat_interleave(counts)`` alone is the positions, repeated."""
    if repeats is None:
        return _repeat_positions(input, output_size)
    if isinstance(repeats, bool) or not isinstance(repeats, (int, Tensor)):
        raise TypeError(f"repeat_interleave() received an invalid combination of arguments - got "
                        f"({type(repeats).__name__}), but expected one of:\n * (Tensor repeats, int dim = None, "
                        f"*, int output_size = None)\n * (int repeats, int dim = None, *, int output_size = None)\n")
    if dim is None:
        input, dim = input.reshape(-1), 0
    dim = _wrap_dim(dim, input.ndim, "repeat_interleave")
    size = (input._data.shape or (1,))[dim]
    if isinstance(repeats, int):
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        if output_size is not None and output_size != size * repeats:
            raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {size * repeats} but got "
                               f"{output_size}")
        shape = list(input._data.shape)
        expanded = shape[:dim + 1] + [repeats] + shape[dim + 1:]
        shape[dim] *= repeats
        return input.unsqueeze(dim + 1).expand(expanded).clone(
            memory_format=views.contiguous_format).view(shape)
    if repeats.ndim == 0 or repeats._data.shape == (1,):
        repeats = repeats.reshape(1).expand(size)
    elif repeats.ndim == 1 and repeats._data.size != size:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                           f"{repeats._data.size} and input.size({dim}) = {size}")
    return index_select(input, dim, _repeat_positions(repeats, output_size))


# ----- in-place forms ----------------------------------------------------------------------------------------
def _index_put_(self, indices, values, accumulate=False):
    return index_put(self, indices, values, accumulate)


def _begin_put(t: Tensor, op: str, reads=()) -> None:
    """The checks of a write that reads a source tensor: every write's, and PyTorch refuses a source that
    shares any memory with the tensor, itself included."""
    inplace.begin_write(t, op)
    overlap.check_no_partial_overlap(t, reads, full_too=True)


IN_PLACE = {
    "scatter_": (scatter, _begin_put), "scatter_add_": (scatter_add, _begin_put),
    "scatter_reduce_": (scatter_reduce, _begin_put), "index_add_": (index_add, _begin_put),
    "index_copy_": (index_copy, _begin_put), "index_put_": (_index_put_, _begin_put),
    "index_fill_": (index_fill, inplace.begin_write), "masked_scatter_": (masked_scatter, inplace.begin_write),
}
INPLACE_METHODS = {name: inplace.make_inplace(op, name, False, begin) for name, (op, begin) in IN_PLACE.items()}


def index_put_(input, indices, values, accumulate=False):
    """In-place version of `index_put`."""
    return INPLACE_METHODS["index_put_"](input, indices, values, accumulate)


FUNCTIONS = {
    "gather": gather, "scatter": scatter, "scatter_add": scatter_add, "scatter_reduce": scatter_reduce,
    "index_select": index_select, "index_add": index_add, "index_copy": index_copy, "index_fill": index_fill,
    "masked_select": masked_select, "masked_scatter": masked_scatter, "take": take,
    "take_along_dim": take_along_dim, "index_put": index_put, "repeat_interleave": repeat_interleave,
}
