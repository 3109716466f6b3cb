"""Ops along one dim by a vector of positions, by masks and by index keys: ``index_select``, ``index_add``,
``index_copy``, ``index_fill``, ``masked_select``, ``masked_scatter``, ``index_put`` and ``repeat_interleave``:
compositions over the ``index`` and ``index_put_`` kernels, with the checks of `ember/_ops/scatter.py`.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd import grad_mode
from ..autograd.node import Node, attach, needs_input_grad
from . import indexing, inplace, views
from .dispatch import broadcast_error, broadcast_shapes, check_out, profiled, scalar, type_name
from .scalar_ops import scaled
from .scatter import (
    as_1d,
    begin_put,
    check_index_dtype,
    check_range,
    copy_of,
    long_buffer,
    same_device,
    scalar_for,
    scatter_reduce,
    scatter_reduce_grads,
    written,
)

_int64, _int32, _bool = _dtype.int64, _dtype.int32, _dtype.bool_


# ----- index_* along one dim -------------------------------------------------------------------------------
def _dim_key(device, dim: int, index_data) -> tuple:
    """The `index`/`index_put_` key taking the positions `index_data` along `dim`, every element of the rest."""
    return (slice(None),) * dim + (as_1d(device, index_data),)


def _vector(index: Tensor, message: str) -> None:
    """PyTorch's IndexError (`message`, formatted with the index's ndim, type and shape) for an index of
    more than one dim."""
    if index.ndim > 1:
        raise IndexError(message.format(ndim=index.ndim, type=type_name(index._dtype), shape=list(index._data.shape)))


class IndexSelectBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        from .creation import zeros
        return index_add(zeros(self.shape, dtype=grad._dtype, device=grad._device), self.dim, index, grad)


@profiled("aten::index_select")
def index_select(input, dim, index, *, out=None):
    """The slices of `input` along `dim` at the positions in `index` (a vector)."""
    dim = _wrap_dim(dim, input.ndim, "index_select")
    check_index_dtype(index, (_int64, _int32), "index_select(): Expected dtype int32 or int64 for index")
    same_device(input, index)
    _vector(index, "index_select(): Index is supposed to be a vector")
    if not input._data.shape and index._data.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {index._data.size} "
                           f"value(s)")
    size = (input._data.shape or (1,))[dim]
    _check_slices_exist(input, size, index)
    def fail(bad: int) -> None:
        if not input._data.size and input.ndim > 1:  # PyTorch's path for an empty input
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
        raise IndexError("index out of range in self")
    check_range(index, 0, size, fail)
    shape = list(input._data.shape)
    if shape:
        shape[dim] = index._data.size
    if out is not None:
        check_out(out, "index_select", tuple(shape), input._dtype, (input, index), full_too=True)
    d = input._device
    data = d.kernels.index(as_1d(d, input._data), _dim_key(d, dim, long_buffer(index)))
    if not input._data.shape:
        data = views.reshape_buffer(d, data, ())
    result = attach(wrap(data, input._dtype, d), IndexSelectBackward0, (input,), (index,), dim=dim,
                    shape=input._data.shape)
    return written(result, out)


def _check_slices_exist(input: Tensor, size: int, index: Tensor) -> None:
    """PyTorch's error for indices into a dim of size 0 of a tensor of 2 or more dims (index_select's, which
    index_copy_ also runs)."""
    if not size and index._data.size and input.ndim > 1:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")


def _source_slices(op: str, input: Tensor, dim: int, index: Tensor, source: Tensor) -> None:
    """index_add's, index_reduce's and index_copy's shape rules for `source`."""
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
        raise RuntimeError(f"{op}(): Number of indices ({index._data.size}) should be equal to "
                           f"source.size(dim): ({count}), for dim: {dim}")
    own, other = list(input._data.shape), list(source._data.shape)
    if source.ndim and (len(own) != len(other) or any(a != b for d, (a, b) in enumerate(zip(own, other))
                                                      if d != dim)):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension. Got self.shape = {own} source.shape = {other}")


def _index_source_checks(op: str, input: Tensor, dim: int, index: Tensor, source: Tensor) -> None:
    """index_add_'s and index_reduce_'s checks (`op` names the op): an int32/int64 vector index on the
    input's device, a source of the input's dtype whose slices match the input's."""
    check_index_dtype(index, (_int64, _int32), op + "(): Expected dtype int32/int64 for index but got: {}")
    same_device(input, index, source)
    _vector(index, op + "(): Index is supposed to be a vector, but got dim: {ndim} with type: {type} and size: "
            "{shape}")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"{op}(): self ({type_name(input._dtype)}) and source ({type_name(source._dtype)}) "
                           "must have the same scalar type")
    _source_slices(op, input, dim, index, source)


def _put_along(input: Tensor, dim: int, index: Tensor, value, accumulate: bool):
    """A copy of `input`'s buffer with `value` (a buffer laid out as the slices, or a number) put at
    `index` along `dim`."""
    d = input._device
    data = copy_of(input)
    d.kernels.index_put_(as_1d(d, data), _dim_key(d, dim, long_buffer(index)), value, accumulate)
    return data


class IndexAddBackward0(Node):
    def backward(self, grad):
        index, = self.saved_tensors
        grad_source = None
        if needs_input_grad(self, 1):
            grad_source = views.expand(index_select(grad, self.dim, index), self.source_shape)
            if self.alpha != 1:
                grad_source = scaled(grad_source, self.alpha)
        return grad, grad_source


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
    _index_source_checks("index_add_", input, dim, index, source)
    size = (input._data.shape or (1,))[dim]
    alpha = scalar(alpha, "index_add")

    def fail(bad: int) -> None:
        if input.ndim > 1 and dim in (0, input.ndim - 1) and alpha == 1:  # PyTorch's CPU paths
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
        raise IndexError("index out of range in self")
    if input._data.size:  # nothing to add to: no check
        check_range(index, 0, size, fail)
    if out is not None:
        check_out(out, "index_add", input._data.shape, input._dtype, (index, source))
    if not input._dtype.is_floating_point and isinstance(alpha, float):
        alpha = int(alpha)  # PyTorch truncates it for integer tensors
    values = _slices(source, dim, index, input)
    if alpha != 1:
        values = input._device.kernels.mul(values, alpha)
    data = _put_along(input, dim, index, values, True) if input._data.size else copy_of(input)
    result = attach(wrap(data, input._dtype, input._device), IndexAddBackward0, (input, source), (index,),
                    dim=dim, alpha=alpha, source_shape=source._data.shape)
    return written(result, out)


_INDEX_REDUCTIONS = ("prod", "mean", "amax", "amin")


def _spread(index: Tensor, dim: int, shape) -> Tensor:
    """The vector `index` repeated over every slice of `shape` along `dim`: scatter's index for it."""
    view = [1] * len(shape)
    view[dim] = -1
    return index.long().reshape(view).expand(shape)


class IndexReduceBackward0(Node):
    """index_reduce: scatter_reduce's gradient with the index spread over the slices (PyTorch's
    index_reduce_backward is that formula with index_select for gather)."""

    def backward(self, grad):
        index, input, source, result = self.saved_tensors
        grad_input, grad_source = scatter_reduce_grads(
            grad, self.dim, _spread(index, self.dim, self.slices_shape), input, source.reshape(self.slices_shape),
            result, self.reduce, self.include_self)
        if not self.include_self:
            grad_input = index_fill(grad_input, self.dim, index, 0)
        return grad_input, grad_source.reshape(self.source_shape)


@profiled("aten::index_reduce")
def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """`input` with `source`'s slices reduced into it at `index` along `dim`: 'prod', 'mean', 'amax' or
    'amin', over `input`'s slice too when `include_self` (scatter_reduce with the index spread)."""
    if reduce not in _INDEX_REDUCTIONS:
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
                           f"{reduce}.")
    dim = _wrap_dim(dim, input.ndim, "index_reduce")
    _index_source_checks("index_reduce_", input, dim, index, source)

    def fail(bad: int) -> None:
        raise IndexError("index out of range in self")
    check_range(index, 0, (input._data.shape or (1,))[dim], fail)
    if out is not None:
        check_out(out, "index_reduce", input._data.shape, input._dtype, (index, source))
    slices = list(input._data.shape)
    slices[dim] = index._data.size
    with grad_mode.no_grad():
        result = scatter_reduce(input, dim, _spread(index, dim, slices), source.reshape(slices), reduce,
                                include_self=include_self)
    result = attach(result, IndexReduceBackward0, (input, source), (index, input, source, result), dim=dim,
                    reduce=reduce, include_self=bool(include_self), slices_shape=tuple(slices),
                    source_shape=source._data.shape)
    return written(result, out)


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
    check_index_dtype(index, (_int64,), "index_copy_(): Expected a long tensor for index, but got {}")
    same_device(input, index, source)
    _vector(index, "index_copy_(): Index should have dimension 1 or 0 (got {ndim})")
    _source_slices("index_copy_", input, dim, index, source)
    if source._dtype is not input._dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{type_name(input._dtype)} and (source) {type_name(source._dtype)}")
    size = (input._data.shape or (1,))[dim]
    _check_slices_exist(input, size, index)
    def fail(bad: int) -> None:
        raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {dim} with size {size}")
    check_range(index, 0, size, fail)
    if out is not None:
        check_out(out, "index_copy", input._data.shape, input._dtype, (index, source))
    data = _put_along(input, dim, index, _slices(source, dim, index, input), False)
    result = attach(wrap(data, input._dtype, input._device), IndexCopyBackward0, (input, source), (index,),
                    dim=dim, source_shape=source._data.shape)
    return written(result, out)


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
    check_index_dtype(index, (_int64,), "index_fill_(): Expected dtype int64 for index.", IndexError)
    same_device(input, index, value)
    if index.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s).")
    size = (input._data.shape or (1,))[dim]
    if input._data.size:  # nothing to fill: no check
        check_range(index, -size, size, indexing.out_of_bounds(dim, size))
    fill = scalar_for(input, value, "index_fill")
    data = _put_along(input, dim, index, fill, False) if input._data.size else copy_of(input)
    result = wrap(data, input._dtype, input._device)
    if isinstance(value, Tensor):
        return attach(result, IndexFillBackward1, (input, value), (index,), dim=dim)
    return attach(result, IndexFillBackward0, (input,), (index,), dim=dim)


# ----- masks and flat indices -------------------------------------------------------------------------------
def _broadcast_pair(input: Tensor, mask: Tensor):
    """`input` and `mask` broadcast to one shape (PyTorch's error names the mask `a`)."""
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    error = broadcast_error(None, (mask._data.shape, input._data.shape)) if shape is None else None
    if error is not None:
        raise error
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
    same_device(input, mask)
    values, mask = _broadcast_pair(input, mask)
    data = input._device.kernels.index(values._data, (mask._data,))
    if out is not None:
        check_out(out, "masked_select", data.shape, input._dtype, (input, mask), full_too=True)
    result = attach(wrap(data, input._dtype, input._device), MaskedSelectBackward0, (values,), (mask,),
                    shape=values._data.shape)
    return written(result, out)


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
    same_device(input, mask, source)
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
    data = copy_of(input)
    k.index_put_(as_1d(input._device, data), (as_1d(input._device, mask._data),),
                 views.narrow_buffer(input._device, flat, 0, 0, count), False)
    return attach(wrap(data, input._dtype, input._device), MaskedScatterBackward0, (input, source), (mask,),
                  source_shape=source._data.shape)


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
    same_device(input, values, *(i for i in indices if i._device.type != "cpu"))  # CPU indices are moved
    if values._dtype is not input._dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{type_name(input._dtype)} for the destination and {type_name(values._dtype)} for the "
                           f"source.")
    key = indexing._key_buffers(input, tuple(indices))  # checks their range
    indexing.check_value_fits(input, key, tuple(values._data.shape))
    return put_key(input, key, values, bool(accumulate))


def put_key(input: Tensor, key: tuple, values: Tensor, accumulate: bool) -> Tensor:
    """index_put with a checked key of device buffers (setitem's gradient uses it too)."""
    data = copy_of(input)
    input._device.kernels.index_put_(data, key, values._data, accumulate)
    result = wrap(data, input._dtype, input._device)
    node = IndexPutBackward0 if accumulate else indexing.IndexPutBackward0
    return attach(result, node, (input, values), (key,))


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


INPLACE_METHODS = {
    "index_add_": inplace.make_inplace(index_add, "index_add_", False, begin_put),
    "index_copy_": inplace.make_inplace(index_copy, "index_copy_", False, begin_put),
    "index_reduce_": inplace.make_inplace(index_reduce, "index_reduce_", False, begin_put),
    "index_put_": inplace.make_inplace(_index_put_, "index_put_", False, begin_put),
    "index_fill_": inplace.make_inplace(index_fill, "index_fill_", False),
    "masked_scatter_": inplace.make_inplace(masked_scatter, "masked_scatter_", False),
}


def index_put_(input, indices, values, accumulate=False):
    """In-place version of `index_put`."""
    return INPLACE_METHODS["index_put_"](input, indices, values, accumulate)


FUNCTIONS = {
    "index_select": index_select, "index_add": index_add, "index_copy": index_copy, "index_fill": index_fill,
    "masked_select": masked_select, "masked_scatter": masked_scatter, "index_put": index_put,
    "repeat_interleave": repeat_interleave, "index_reduce": index_reduce,
}
