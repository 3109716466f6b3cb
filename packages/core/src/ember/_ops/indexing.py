"""Indexing: ``t[key]`` and ``t[key] = value`` with ints, slices, None, Ellipsis, int and bool tensors."""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .. import _checks, _dtype
from .._backend_util import half_source
from .._tensor import IMMUTABLE_ZEROS, IMMUTABLE_ZEROS_COPY, Tensor, ZeroTensor, wrap
from ..autograd import grad_mode
from ..autograd.node import (
    IS_MODIFIED,
    Node,
    attach,
    multi_view_refusal,
    needs_grad,
    needs_input_grad,
    no_grad_view_refusal,
)
from . import overlap, views
from .dispatch import broadcasts_to, bump, checked_scalar, expand_error, profiled, scalar, type_name
from .layout import contiguous_strides, index_strides


def _is_advanced(item) -> bool:
    return isinstance(item, (Tensor, list, np.ndarray)) or (isinstance(item, tuple))


def _normalize(key) -> tuple:
    """The key as a tuple; 0-d integer tensors become ints, as PyTorch selects with them (a view)."""
    if not isinstance(key, tuple):
        key = (key,)
    for i, item in enumerate(key):
        if isinstance(item, range):  # a sequence of ints, as PyTorch reads it
            key = key[:i] + (list(item),) + key[i + 1:]
        elif isinstance(item, bool):  # a 0-d mask, as in PyTorch: a new dim of size 1 (True) or 0 (False)
            key = key[:i] + (np.array(item),) + key[i + 1:]
        elif isinstance(item, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(item).__name__}' (in indexing)")
        elif isinstance(item, Tensor):
            if not item._data.shape and item._dtype in _INTEGER_INDEX:
                key = key[:i] + (int(item.item()),) + key[i + 1:]
            elif item._dtype is _dtype.uint8:  # PyTorch's legacy byte mask
                warnings.warn("indexing with dtype ember.uint8 is now deprecated, please use a dtype ember.bool "
                              "instead.", UserWarning, stacklevel=4)
                key = key[:i] + (item != 0,) + key[i + 1:]
        elif not (item is None or item is Ellipsis or isinstance(item, (slice, numbers.Integral, list, tuple,
                                                                        np.ndarray))):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                             f"are valid indices (got {type(item).__name__})")
    return key


_INTEGER_INDEX = (_dtype.int64, _dtype.int32)
_INDEX_DTYPES = (*_INTEGER_INDEX, _dtype.bool_)  # and uint8, read as a bool mask by _normalize


def _dims_consumed(item) -> int:
    """How many dims of the indexed tensor a key item uses up (a bool mask: as many as it has)."""
    if item is None or item is Ellipsis:
        return 0
    if isinstance(item, Tensor) and item._dtype is _dtype.bool_:
        return item.ndim
    if isinstance(item, (list, np.ndarray)):
        array = np.asarray(item)
        return array.ndim if array.dtype == np.bool_ else 1
    return 1


def _expand_ellipsis(key: tuple, ndim: int) -> tuple:
    consumed = sum(_dims_consumed(item) for item in key)
    ellipses = [i for i, item in enumerate(key) if item is Ellipsis]
    if len(ellipses) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    if ellipses:
        i = ellipses[0]
        return key[:i] + (slice(None),) * (ndim - consumed) + key[i + 1:]
    return key + (slice(None),) * (ndim - consumed)


def _basic(input: Tensor, key: tuple, single: bool = False) -> Tensor:
    """Apply ints, slices and Nones one view at a time, as PyTorch does (so grad_fn names match): a slice
    that keeps a whole dim is skipped (nothing left: an alias), but a `single` one, a key that is a slice
    and not a tuple, which PyTorch always slices."""
    result, dim = input, 0
    for item in _expand_ellipsis(key, input.ndim):
        if item is None:
            result = views.unsqueeze(result, dim)
            dim += 1
        elif isinstance(item, slice):
            start, stop, step = item.start, item.stop, 1 if item.step is None else item.step
            if not single and start in (None, 0) and stop is None and step == 1:
                dim += 1
                continue
            result = views.slice_dim(result, dim, start, stop, step)
            dim += 1
        else:
            result = views.select(result, dim, int(item))
    if result is input:
        return views.alias(input)
    return result


def out_of_bounds(position: int, size: int):
    """PyTorch's IndexError for index `bad` of the key's index tensor at `position` (counted as PyTorch's
    index kernels count: a k-dim mask is k of them), indexing a dim of size `size`."""
    def fail(bad: int) -> None:
        raise IndexError(f"index {bad} is out of bounds for dimension {position} with size {size}")
    return fail


def _key_buffers(input: Tensor, key: tuple):
    """The key with tensors and sequences as device buffers (int64 or bool) for index/index_put_, their
    values checked in range (ember._checks: at once on the CPU and for sequences, else at the device's next
    synchronisation: its kernels clamp meanwhile)."""
    k = input._device.kernels
    shape = input._data.shape
    converted = []
    ranges = []  # (buffer, host copy or None, position among the index tensors, size of the dim it indexes)
    shapes: list = []  # each index's shape as PyTorch broadcasts them: a mask is the 1-d index of its Trues
    dim = position = 0
    empty = False  # the result: no element when an index is empty or a mask on the host has no True
    for item in _expand_ellipsis(key, input.ndim):
        if isinstance(item, Tensor):
            if item._device is not input._device:
                if item._device.type != "cpu":
                    raise RuntimeError(f"indices should be either on cpu or on the same device as the indexed "
                                       f"tensor ({input._device}), got {item._device}")
                item = item.to(input._device)  # PyTorch copies CPU indices to the indexed tensor's device
            if item._dtype not in _INDEX_DTYPES:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            buffer = item._data if item._dtype is not _dtype.int32 else k.astype(item._data, _dtype.int64)
            mask = item._dtype is _dtype.bool_
            host = None
        elif isinstance(item, (list, tuple, np.ndarray)):
            try:
                array = np.asarray(item)
            except ValueError:
                raise IndexError(f"index {item!r} is a ragged sequence; index with a tuple of sequences "
                                 "or a tensor instead") from None
            if array.dtype.kind not in "iub" and array.size:  # an empty list is an int64 index, as in PyTorch
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            mask = array.dtype.kind == "b"
            host = array.astype(np.bool_ if mask else np.int64, order="C")
            buffer = k.from_numpy(host)
        else:
            converted.append(item)
            dim += item is not None
            continue
        empty = empty or not buffer.size or (mask and host is not None and not host.any())
        if mask:  # a k-dim mask is k indices of its Trues to PyTorch (a 0-d one, one)
            shapes += [item if host is None else (int(host.sum()),)] * max(len(buffer.shape), 1)
            mask_shape = tuple(buffer.shape)
            if mask_shape != tuple(shape[dim:dim + len(mask_shape)]):
                at = next(i for i, n in enumerate(mask_shape) if dim + i >= len(shape) or n != shape[dim + i])
                raise IndexError(f"The shape of the mask {list(mask_shape)} at index {at} does not match the "
                                 f"shape of the indexed tensor {list(shape)} at index {dim + at}")
            dim += len(mask_shape)
            position += len(mask_shape)
        else:
            shapes.append(tuple(buffer.shape))
            if buffer.size and dim < len(shape) and not shape[dim]:
                raise IndexError("index is out of bounds for dimension with size 0")
            if dim < len(shape):
                ranges.append((buffer, host, position, shape[dim]))
            dim += 1
            position += 1
        converted.append(buffer)
    _check_broadcast(shapes)
    if not empty:  # PyTorch checks no index when the result is empty
        for buffer, host, position, size in ranges:
            fail = out_of_bounds(position, size)
            if host is None:
                _checks.check_index_range(input._device, buffer, -size, size, fail)
            else:
                _checks.check_host_index_range(host, -size, size, fail)
    return tuple(converted)


def _check_broadcast(shapes: list) -> None:
    """PyTorch's IndexError when the index tensors' shapes do not broadcast together (a mask on the device
    is counted here, a synchronisation as PyTorch's nonzero, only when other indices are beside it)."""
    if len(shapes) < 2:
        return
    counts = {id(item): (int(item.count_nonzero()),) for item in shapes if isinstance(item, Tensor)}
    shapes = [counts[id(item)] if isinstance(item, Tensor) else item for item in shapes]
    ndim = max(map(len, shapes))
    for d in range(1, ndim + 1):
        if len({shape[-d] for shape in shapes if len(shape) >= d} - {1}) > 1:
            raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                             + ", ".join(str(list(shape)) for shape in shapes))


class IndexBackward0(Node):
    def backward(self, grad):
        key, = self.saved_tensors  # saved, so freed after backward like PyTorch's saved indices
        return _index_backward(grad, self.shape, key)


class IndexPutImplBackward0(Node):
    """Gradient of index's gradient, PyTorch's accumulating ``_index_put_impl_`` of it into zeros: the zeros
    take none (they require no grad), the values the gradient read back at the indices."""

    def backward(self, grad):
        return None, _index_with(grad, self.key)


def index_in_range(input: Tensor, key: tuple) -> Tensor:
    """``input[key]`` for a key of int64 index tensors in range by construction (core's own, such as
    nll_loss's picks): no range check (on a queued device, none of its kernel calls)."""
    return _index_with(input, tuple(item._data for item in key))


def _index_with(input: Tensor, key: tuple, items: tuple | None = None) -> Tensor:
    """``input[key]`` by the index kernel; laid out as PyTorch's when given the key's `items` (before
    `_key_buffers` made `key` of them)."""
    try:
        data = input._device.kernels.index(input._data, key)
    except IndexError as error:
        raise IndexError(f"index out of range in {list(input._data.shape)} tensor: {error}") from None
    if items is not None:
        data = _restrided(input, data, _pytorch_index_strides(input, items, key, tuple(data.shape)))
    result = wrap(data, input._dtype, input._device)
    return attach(result, IndexBackward0, (input,), (key,), shape=input._data.shape)


def _pytorch_index_strides(input: Tensor, items: tuple, buffers: tuple, result_shape: tuple) -> tuple:
    """The strides of PyTorch's ``input[items]``: row-major when the source and the integer indices are
    (the common case, checked first; not for an empty result, whose size-1 dims PyTorch strides 0), else
    replayed by `index_strides`. A k-dim bool mask is k columns of its nonzero() (stride 1) to PyTorch, a
    0-d one a new size-1 dim indexed by [0] or []."""
    k = input._device.kernels
    shape, strides = list(input._data.shape), list(k.strides(input._data))
    if all(result_shape) and _row_major(shape, strides) and all(
            isinstance(item, slice) or (not _is_mask(item) and _row_major(buffer.shape, k.strides(buffer)))
            for item, buffer in zip(items, buffers)):
        return contiguous_strides(result_shape)
    indices: list = []
    for item, buffer in zip(items, buffers):
        if isinstance(item, slice):
            indices.append(None)
        elif not _is_mask(item):
            indices.append((tuple(buffer.shape), k.strides(buffer)))
        else:
            ndim = len(buffer.shape)
            count = int(k.to_numpy(k.sum(k.astype(buffer, _dtype.int64), tuple(range(ndim)), False)))
            if not ndim:
                dim = len(indices)
                shape.insert(dim, 1)
                strides.insert(dim, shape[dim + 1] * strides[dim] if dim < len(strides) else 1)
            indices.extend([((count,), (1,))] * max(ndim, 1))
    indices += [None] * (len(shape) - len(indices))  # the dims after the key's
    return index_strides((tuple(shape), tuple(strides)), indices, result_shape)


def _row_major(shape, strides) -> bool:
    """Strides exactly row-major, size-1 dims included (those strides break ties in PyTorch's order)."""
    return tuple(strides) == contiguous_strides(tuple(shape))


def _is_mask(item) -> bool:
    if isinstance(item, Tensor):
        return item._dtype is _dtype.bool_
    return np.asarray(item).dtype.kind == "b"


def _restrided(input: Tensor, data, strides: tuple):
    """`data` (a fresh buffer) with `strides`: a view when only size-1 dims' strides differ, else a copy."""
    d = input._device
    k = d.kernels
    have = k.strides(data)
    if have == strides:
        return data
    shape = tuple(data.shape)
    if math.prod(shape) and any(size > 1 and a != b for size, a, b in zip(shape, have, strides)):
        return k.copy_(views.allocate(d, shape, strides, lambda s: k.empty(s, input._dtype)), data)
    return views.strided(d, data, shape, strides)


def _index_backward(grad: Tensor, shape, key) -> Tensor:
    """Zeros of `shape` with `grad` added at `key` (repeated indices add up): differentiable, recorded as
    PyTorch's index_backward records it (an ``_index_put_impl_`` into zeros, whose edge is none)."""
    k = grad._device.kernels
    data = k.full(tuple(shape), 0, grad._dtype)
    k.index_put_(data, key, grad._data, True)
    return attach(wrap(data, grad._dtype, grad._device), IndexPutImplBackward0, (None, grad), key=key)


def _split_advanced(key: tuple, ndim: int):
    """Split a key into its basic part (ints, slices, None: applied first, as views) and the advanced
    part left for the index kernel. PyTorch applies ints as selections before advanced indexing, which
    places the advanced result dims where numpy (treating ints as advanced) would not."""
    basic: list = []
    advanced: list = []
    for item in _expand_ellipsis(key, ndim):
        if item is None:
            basic.append(None)
            advanced.append(slice(None))
        elif isinstance(item, slice):
            basic.append(item)
            advanced.append(slice(None))
        elif isinstance(item, numbers.Integral):
            basic.append(item)
        else:
            basic.extend([slice(None)] * _dims_consumed(item))
            advanced.append(item)
    return tuple(basic), tuple(advanced)


@profiled("aten::index")
def getitem(input, key):
    """``input[key]``: a view for ints/slices/None/Ellipsis, a copy when tensors or lists take part."""
    single = isinstance(key, slice)
    key = _normalize(key)
    if any(_is_advanced(item) for item in key):
        basic, advanced = _split_advanced(key, input.ndim)
        if any(not (isinstance(item, slice) and item == slice(None)) for item in basic):
            input = _basic(input, basic)
        return _index_with(input, _key_buffers(input, advanced), advanced)
    if not input._data.shape and any(item is not None and item is not Ellipsis for item in key):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    return _basic(input, key, single)


@profiled("aten::index_put_")
def setitem(input, key, value):
    """``input[key] = value``: write into `input` in place (broadcasting `value`), tracked by autograd.

    As in PyTorch, the key's basic part (ints, slices, None) is applied first, as a view: its index
    errors come before the in-place checks, and the advanced result dims land where `getitem` puts them.
    """
    if not isinstance(value, Tensor):  # as PyTorch's, a number is converted before the key is looked at
        if value.__class__ is int and not -2**63 <= value < 2**63:  # PyTorch reads any int as a C long long
            raise ValueError("Overflow when unpacking long long")
        data = scalar(value, "setitem")
        if input._dtype is not _dtype.float16:  # PyTorch's setitem rounds a huge number to inf in float16
            data = checked_scalar(data, input._dtype, "setitem")
        else:  # through float, as PyTorch's c10::Half
            data = half_source(data, input._dtype.numpy)
    _refuse_byte_mask_fill(key, value)
    key = _normalize(key)
    advanced = any(_is_advanced(item) for item in key)
    target, rest = input, key
    if not advanced:
        target, rest = _basic(Tensor._make(input._data, input._dtype, input._device), key), ()
    elif any(isinstance(item, numbers.Integral) for item in key):
        basic, rest = _split_advanced(key, input.ndim)
        target = _basic(Tensor._make(input._data, input._dtype, input._device), basic)
    fills = not isinstance(value, Tensor) or not value._data.shape  # as PyTorch's copy_to: a 0-d value fills
    if isinstance(value, Tensor):
        if value._device is not input._device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{input._device} and {value._device}! (in index_put_)")
        if advanced and value._dtype is not input._dtype and not _fills_mask(rest, value):
            check_inplace(input, "index_put_")  # PyTorch checks autograd's rules, then the indices, first
            _key_buffers(target, rest)
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{type_name(input._dtype)} for the destination and {type_name(value._dtype)} "
                               f"for the source (in setitem, index_put_ into a tensor of shape "
                               f"{list(input._data.shape)})")
        if value._data.shape[:1] == (1,) and (rest or value._data.shape != target._data.shape):
            value = _drop_leading_ones(value)
        data = value._data if value._dtype is input._dtype else input._device.kernels.astype(value._data,
                                                                                           input._dtype)
        if advanced and _fills_mask(rest, value):  # PyTorch's masked_fill_ takes the value as a number
            checked_scalar(value.item(), input._dtype, "setitem")
    if input.__class__ is ZeroTensor:  # a value is copied in (copy_'s error) or filled or put (the others')
        raise RuntimeError(IMMUTABLE_ZEROS if fills or advanced else IMMUTABLE_ZEROS_COPY)
    base = input._base
    if needs_grad((input, value)) or (base is not None and base._requires_grad and grad_mode.state.enabled):
        _tracked_setitem(input, key, advanced, value, data, fills)
        return
    _write(target, rest, data, value, overlap.root(input), fills)
    bump(input)


def _check_put_overlap(target: Tensor, rest: tuple, value, storage: Tensor) -> None:
    """PyTorch's memory-overlap checks of index_put_ (`value` into `target`, a view of `storage`'s memory,
    at the advanced key `rest`): a broadcast `target` is warned of; a value sharing any of its memory is
    refused, unless the write is a masked fill."""
    overlap.warn_internal_overlap(target, "index_put_")
    if isinstance(value, Tensor) and _fills_mask(rest, value):
        overlap.warn_internal_overlap(target, "masked_fill_")
    elif isinstance(value, Tensor):
        overlap.check_no_partial_overlap(target, (value,), storage, full_too=True)


def _tracked_setitem(input: Tensor, key: tuple, advanced: bool, value, data, fills: bool) -> None:
    """PyTorch's recorded setitem: the basic part of the key taken as a view (none when it selects
    everything), then the value copied or filled in (`fills`: it was 0-d), or put at the advanced part's
    indices."""
    from . import inplace

    basic, rest = _split_advanced(key, input.ndim) if advanced else (key, None)
    target = input if all(item is Ellipsis or item == slice(None) for item in basic) else _basic(input, basic)
    if rest is not None:
        inplace.check_inplace(target, "index_put_")
        _check_put_overlap(target, rest, value, overlap.root(target))
        indices = _key_buffers(target, rest)
        shape = tuple(value._data.shape) if isinstance(value, Tensor) else ()
        result = inplace.snapshot(target)
        _put(target, result._data, indices, data, shape)
        broadcast = overlap.has_internal_overlap(target)
        result = attach(wrap(result._data, target._dtype, target._device), IndexPutBackward0, (result, value),
                        (indices,))
        inplace.take_over(target, result, written=broadcast)
        if broadcast:  # as PyTorch, only the indexed elements are written into the shared memory (once
            _put(target, target._data, indices, data, shape)  # take_over's refusals are passed)
    else:  # PyTorch's copy_to: copy a value of the target's shape or one to broadcast, fill with a 0-d one
        if not isinstance(value, Tensor):  # the number as converted for the unrecorded write
            value = wrap(target._device.kernels.full((), data, target._dtype), target._dtype, target._device)
        shape = value._data.shape
        if shape == target._data.shape or not fills:
            if not broadcasts_to(shape, target._data.shape):
                raise expand_error(shape, target._data.shape, value._dtype, "setitem")
            inplace.copy_(target, views.expand_to(value, target._data.shape))
        else:
            inplace.fill_(target, value)


def _drop_leading_ones(value: Tensor) -> Tensor:
    """`value` without its leading size-1 dims, as PyTorch views a value before writing it (so a
    (1, 2, 1) value fits a (2, 1) region)."""
    shape = value._data.shape
    n = 0
    while n < len(shape) and shape[n] == 1:
        n += 1
    return views.view(value, shape[n:])


class IndexPutBackward0(Node):
    """Gradient of writing a value at indices: the value gets the gradient there, the tensor elsewhere."""

    def backward(self, grad):
        from .index_ops import put_key

        indices, = self.saved_tensors
        grad_value = _index_with(grad, indices) if needs_input_grad(self, 1) else None
        # zeros where the value was written (PyTorch's index_put of zeros), not grad * 0: a NaN or inf
        # gradient stops there too
        zero = wrap(grad._device.kernels.full((), 0, grad._dtype), grad._dtype, grad._device)
        return put_key(grad, indices, zero, False), grad_value


def _refuse_byte_mask_fill(key, value) -> None:
    """PyTorch writes one number through a single mask as masked_fill_, which refuses uint8 masks (reads and
    puts of a tensor of values take them, as bool masks)."""
    items = key if isinstance(key, tuple) else (key,)
    indices = [item for item in items if isinstance(item, (Tensor, list, tuple, np.ndarray))]
    if len(indices) == 1 and isinstance(indices[0], Tensor) and indices[0]._dtype is _dtype.uint8 and \
            indices[0]._data.ndim and (not isinstance(value, Tensor) or value._data.size == 1):
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")


def _fills_mask(rest: tuple, value: Tensor) -> bool:
    """Whether PyTorch writes this as a masked fill, which converts the value's dtype: one bool tensor
    index (not 0-d: PyTorch makes that an int index) and a one-element value."""
    indices = [item for item in rest if not isinstance(item, slice)]
    return (len(indices) == 1 and isinstance(indices[0], Tensor) and indices[0]._dtype is _dtype.bool_
            and indices[0]._data.ndim > 0 and value._data.size == 1)


def _write(target: Tensor, rest: tuple, data, value, storage: Tensor, fills: bool) -> None:
    """Write `data` into `target`, a view of `storage`'s memory (at the advanced key `rest`, if any; a
    0-d value `fills` it);
    PyTorch's errors when the key is out of range, the value does not broadcast to the region or shares
    memory with it, raised before anything is written."""
    shape = tuple(value._data.shape) if isinstance(value, Tensor) else ()
    if not rest:
        if shape != target._data.shape and not broadcasts_to(shape, target._data.shape):
            raise expand_error(shape, target._data.shape, value._dtype, "setitem")
        copied = isinstance(value, Tensor) and (not fills or not target._data.shape)
        source = views.expand_to(value, target._data.shape) if copied else value
        if not (copied and overlap.same_data(target, source, storage)):  # PyTorch's copy_ skips its checks then
            overlap.check_no_internal_overlap(target)
            if copied:
                overlap.check_no_partial_overlap(target, (source,), storage)
        target._device.kernels.copy_(target._data, data)
        return
    _check_put_overlap(target, rest, value, storage)
    _put(target, target._data, _key_buffers(target, rest), data, shape)


def check_value_fits(target: Tensor, buffers, shape, where: str = "") -> None:
    """PyTorch's error when a value of `shape` does not broadcast to the region ``target[buffers]``."""
    if any(s != 1 for s in shape):  # the region's shape matters: take it from a read of the region
        region = tuple(_index_with(target, buffers)._data.shape)
        if not broadcasts_to(shape, region):
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(shape)} cannot be broadcast to "
                               f"indexing result of shape {list(region)}{where}")


def _put(target: Tensor, into, buffers, data, shape) -> None:
    """``into[buffers] = data`` (`into` is `target`'s buffer or a copy of it), with PyTorch's errors when the
    value of `shape` does not broadcast to the region or an index is out of range, before any write."""
    check_value_fits(target, buffers, shape, " (in setitem)")
    try:
        target._device.kernels.index_put_(into, buffers, data, False)
    except IndexError as error:  # kernels check every index before writing any
        raise IndexError(f"index out of range in setitem of a {list(target._data.shape)} tensor: "
                         f"{error}") from None


def check_inplace(t: Tensor, op: str, values: bool = True) -> None:
    """PyTorch's refusals of in-place changes that would corrupt the graph, then of writing `values` into an
    efficient zero tensor (an in-place view op changes only the geometry: ``values=False``), checked before
    writing."""
    if grad_mode.state.enabled:
        _refuse_graph_change(t)
    if values and t.__class__ is ZeroTensor:
        raise RuntimeError(IMMUTABLE_ZEROS_COPY if op == "copy_" else IMMUTABLE_ZEROS)


def _refuse_graph_change(t: Tensor) -> None:
    base = t._base
    if base is not None and base._requires_grad and t._view_no_grad:
        raise no_grad_view_refusal(t, IS_MODIFIED)
    if base is None and t._requires_grad and t._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if base is not None and getattr(t._grad_fn, "multi_view", False):  # split's, unbind's outputs
        raise multi_view_refusal(t, IS_MODIFIED)
    # a view of a leaf: of a base that requires grad without history, or (the base requiring no grad) of a
    # view that was made to require grad, itself or one that `t` was taken from
    if base is not None and (base.grad_fn is None if base._requires_grad else t._requires_grad):
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
