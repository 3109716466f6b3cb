"""In-place ops (``add_``, ``x.zero_()``, ``x[i] = v``...): write into a tensor's storage, keeping autograd right.

Without a graph to record, the kernel writes straight into the tensor. With one, the op runs out of
place on a snapshot that stands where the tensor stood in the graph, and the tensor takes over the
result's values and grad_fn (PyTorch's history rebase). When the tensor is a view of a base that
takes part in autograd, the base's history becomes a `CopySlices` node over the region the view
covers; the write bumps the shared version, so every view of the base (this one included) re-derives
its history from the base when next used (see `ember.autograd.node.view_grad_fn`).
"""
from __future__ import annotations

from typing import Any

from .. import _dtype, _profiling
from .._tensor import Tensor, _is_contiguous, drop_retain_hook, follow_base, move_retain_hook
from ..autograd import grad_mode
from ..autograd.node import (
    _FREED,
    IS_MODIFIED,
    Node,
    attach,
    edge,
    link,
    needs_grad,
    needs_input_grad,
    no_grad_view_refusal,
    replays,
)
from . import creation, forward_mode, overlap, strided
from .dispatch import binary_failure, broadcast_shapes, bump, filled_scalar, scalar, type_name
from .indexing import check_inplace
from .views import contiguous_format, copied, like_strides, preserve_format

# What a CopySlices holds when its op saved nothing: the engine frees it after a backward without
# retain_graph like any saved value, so that a second backward raises as PyTorch's does.
_HELD = ((None,),)


class CopySlices(Node):
    """An in-place op on a view, as its base's history (PyTorch's CopySlices): the op's node `fn` runs on
    the gradient of the region the view covers, whose result replaces it there; the rest of the base's
    gradient passes through. Without `fn` (an op recorded as several nodes) the region's gradient goes to
    the written value, whose own history reaches the region's old values."""

    view_fn: Any  # redoes the view from its base, or None: the view is found by `region`
    layout: tuple  # the base's shape and strides at the write
    region: tuple  # without view_fn: the view's shape, strides and storage offset from the base's start
    fn: Node | None
    _held: tuple | None = _HELD

    def name(self) -> str:
        return "torch::autograd::CopySlices"  # PyTorch's C++ node's name

    @property
    def _saved(self):
        """The op's saved values (or a token when it saved none); freeing them frees the op's too."""
        return self._held

    @_saved.setter
    def _saved(self, saved) -> None:
        self._held = saved
        if saved is None and self.fn is not None:
            self.fn._saved = None

    def backward(self, grad):
        from ..autograd.engine import _call

        fn = self.fn
        if self._saved is None:  # freed by an earlier backward, as PyTorch's CopySlices drops its fn
            raise RuntimeError(_FREED)
        # the gradient laid out as the base (PyTorch's new_empty_strided), so that the view ops replay on it
        # as on the base (view() refuses a transposed one) and the region lies where the view lies in it
        shape, strides = self.layout
        if _is_contiguous(shape, strides):
            result = grad.clone(memory_format=contiguous_format)
        else:
            result = creation.empty_strided(shape, strides, dtype=grad._dtype, device=grad._device)
            result.copy_(grad)
        region = strided.as_strided(result, *self.region) if self.view_fn is None else self.view_fn(result)
        if fn is None:
            grads: Any = (None, region.clone(memory_format=contiguous_format))
        else:
            grads = _call(fn, [region.clone(memory_format=contiguous_format)])
        if not needs_input_grad(self, 0):  # the base's old values have no history: no region to write (as
            return (None, *grads[1:])      # PyTorch's, which so takes a broadcast base that a write would refuse)
        if grads[0] is None:
            region.zero_()
        else:
            region.copy_(grads[0])
        return (result, *grads[1:])


def rebase_view(base: Tensor, view: Tensor, result: Tensor, old_edge) -> None:
    """Record that `result` was written into `view` of `base`, whose history was `old_edge`: base's new
    grad_fn is a CopySlices, over the region that the view covers in the base's current geometry."""
    node = CopySlices.__new__(CopySlices)
    base_shape, base_strides, base_offset = strided.geometry(base)
    node.layout = (base_shape, base_strides)
    if replays(view):
        node.view_fn = view._view_fn
    else:
        node.view_fn = None
        view_shape, view_strides, view_offset = strided.geometry(view)
        # (an empty view addresses nothing: its offset, which numpy may leave anywhere, does not matter)
        node.region = (view_shape, view_strides, view_offset - base_offset if 0 not in view_shape else 0)
    fn = result._grad_fn
    if fn is not None and fn._num_outputs == 1 and fn.next_functions[:1] == (old_edge,):
        node.fn = fn
        link(node, (base,))
        node.next_functions += fn.next_functions[1:]
        node._input_meta += fn._input_meta[1:]
        node._saved = fn._saved or _HELD
    else:
        node.fn = None
        link(node, (base, result))
        node._saved = _HELD
    base._grad_fn, base._requires_grad, base._output_nr = node, True, 0
    follow_base(base)


def snapshot(t: Tensor) -> Tensor:
    """A copy of `t` that sits at `t`'s current place in the graph, laid out as PyTorch's clone of it (the
    values an in-place op saves for its gradient, whose layout follows theirs)."""
    data = copied(t, like_strides(t, preserve_format, "snapshot"))
    copy = Tensor._make(data, t._dtype, t._device, t._requires_grad)
    fn = t.grad_fn
    if fn is not None:
        copy._grad_fn, copy._output_nr = fn, t._output_nr
    return copy


def _check_result(t: Tensor, result: Tensor) -> None:
    if not _dtype.can_cast(result._dtype, t._dtype):
        raise RuntimeError(f"result type {type_name(result._dtype)} can't be cast to the desired output type "
                           f"{type_name(t._dtype)}")
    if tuple(result._data.shape) != tuple(t._data.shape):
        raise RuntimeError(f"output with shape {list(t._data.shape)} doesn't match the broadcast shape "
                           f"{list(result._data.shape)}")


def take_over(t: Tensor, result: Tensor, written: bool = False) -> Tensor:
    """Write `result` into `t` (unless the caller has `written` its values already), and give `t` the
    result's place in the graph."""
    _check_result(t, result)
    base = t._base
    on_view = base is not None and (base._requires_grad or result._requires_grad)
    if on_view and t._view_no_grad:  # a tracked write of a value that requires grad into a no_grad view
        raise no_grad_view_refusal(t, IS_MODIFIED)
    old_edge = edge(t)
    if not written:
        t._device.kernels.copy_(t._data, result._data)
    bump(t)
    node = result._grad_fn
    if node is not None and node._saved:
        node._saved = tuple(_retarget(entry, result, t) for entry in node._saved)
    if on_view and base is not None:
        if getattr(t, "_retains_grad", False) and t._grad_fn is not None:  # its grad_fn is re-derived from the
            drop_retain_hook(t, t._grad_fn, t._output_nr)  # base's new history (view_grad_fn hooks it there)
        old_node, old_nr = base._grad_fn, getattr(base, "_output_nr", 0)
        rebase_view(base, t, result, old_edge)
        move_retain_hook(base, old_node, old_nr)
    elif node is not None:
        old_node, old_nr = t._grad_fn, getattr(t, "_output_nr", 0)
        t._grad_fn, t._output_nr, t._requires_grad = node, result._output_nr, True
        follow_base(t)
        move_retain_hook(t, old_node, old_nr)
    return t


def _retarget(entry, result: Tensor, t: Tensor):
    """A saved entry of the result (its own output) now refers to `t`'s storage and version."""
    if len(entry) == 5 and entry[0] is None and entry[3][0] is result._data:
        data, dtype, device, nr = entry[3]
        counter = t._version_counter
        return (None, counter, counter[0], (t._data, dtype, device, nr), False)
    return entry


def begin_write(t: Tensor, op: str, reads=()) -> None:
    """The checks every in-place write makes before touching memory: autograd's, then memory overlap
    of `t` with itself and with the tensors among `reads`, the values the op reads."""
    check_inplace(t, op)
    overlap.check_no_internal_overlap(t)
    if reads:
        overlap.check_no_partial_overlap(t, reads)


def begin_masked_fill(t: Tensor, op: str, reads=()) -> None:
    """masked_fill_'s checks: PyTorch still fills a broadcast view (with a warning) and reads the value
    before writing, so any overlap with it is fine."""
    check_inplace(t, op)
    overlap.warn_internal_overlap(t, op)


def _tracked(t: Tensor, *others) -> bool:
    """Whether writing into `t` must be recorded: a gradient flows through it, or it is a view of a base
    that takes part in autograd."""
    if needs_grad((t, *others)):
        return True
    base = t._base
    return base is not None and base._requires_grad and grad_mode.state.enabled


def make_inplace(op, name: str, writes_out: bool = True, begin=begin_write):
    """The in-place method `name` of out-of-place `op` (which takes ``out=`` when `writes_out`); `begin`
    makes the checks before the write."""
    def method(self, *args, **kwargs):
        reads = args + tuple(kwargs.values()) if kwargs else args
        begin(self, name, reads)
        if _tracked(self, *reads):
            return take_over(self, op(snapshot(self), *args, **kwargs))
        if writes_out:
            op(self, *args, out=self, **kwargs)
            return self
        result = op(self, *args, **kwargs)
        _check_result(self, result)
        self._device.kernels.copy_(self._data, result._data)
        bump(self)
        return self
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of `{name[:-1]}`."
    method = forward_mode.writes(method)
    straight = getattr(op, "straight_kernel", None)
    return method if straight is None or not writes_out else _straight_inplace(method, *straight)


def _straight_inplace(general, kernel_name: str, arity: int, tensor_dtypes, number_dtypes):
    """In-place method `general` with its common call written straight into the tensor: nothing for
    autograd to record (no operand requires grad while grad mode is on) and no memory shared in part (no
    operand is a view), a tensor operand of the same shape, dtype and device or a Python number (the dtypes
    of the op's `straight_binary`), no options, no profiler. Anything else goes to `general`."""
    state = grad_mode.state

    def method(self, *args, **kwargs):
        if kwargs or len(args) != arity - 1 or self.__class__ is not Tensor or self._base is not None or \
                _profiling.enabled or self._dtype not in tensor_dtypes or (self._requires_grad and state.enabled):
            return general(self, *args, **kwargs)
        data = self._data
        if arity == 1:
            getattr(self._device.kernels, kernel_name)(data, out=data)
        else:
            other = args[0]
            kind = other.__class__
            if kind is Tensor:
                if other._base is not None or (other._requires_grad and state.enabled) or \
                        other._dtype is not self._dtype or other._device is not self._device or \
                        other._data.shape != data.shape or \
                        (other._version is self._version and other is not self and other._version is not None):
                    # (the last: one storage, as a detached view of it shares the counter: overlap checked there)
                    return general(self, other)
                other = other._data
            elif not ((kind is float or (kind is int and -2**63 <= other < 2**63)) and self._dtype in number_dtypes):
                return general(self, other)
            getattr(self._device.kernels, kernel_name)(data, other, out=data)
        counter = self._version
        if counter is None:
            self._version = [1]
        else:
            counter[0] += 1
        return self
    method.__name__ = method.__qualname__ = general.__name__
    method.__doc__ = general.__doc__
    return method


class FillBackward2(Node):
    """fill_ with a number: nothing flows back to the overwritten values."""

    def backward(self, grad):
        return creation.zeros_like(grad)  # not grad * 0: a NaN or inf gradient stops here too


class FillBackward3(Node):
    """fill_ with a 0-d tensor: the value's gradient is the sum over every filled element."""

    def backward(self, grad):
        return creation.zeros_like(grad), grad.sum()


class ZeroBackward0(FillBackward2):
    pass


class CopyBackwards(Node):
    def backward(self, grad):
        return creation.zeros_like(grad), grad


def _fill_value(t: Tensor, value, node_cls):
    """The filled tensor as an out-of-place result, linked to `t`'s old history (and a tensor value's)."""
    k = t._device.kernels
    source = _fill_source(t, value)
    if hasattr(source, "shape"):
        data = k.empty(t._data.shape, t._dtype)
        k.copy_(data, source)
    else:
        data = k.full(t._data.shape, source, t._dtype)
    result = Tensor._make(data, t._dtype, t._device)
    inputs = (t, value) if isinstance(value, Tensor) else (t,)
    return attach(result, node_cls, inputs)


@forward_mode.writes
def fill_(self, value):
    """Fill with `value` in place."""
    if not isinstance(value, (Tensor, bool, int, float)) and not (hasattr(value, "item") and
                                                                  isinstance(value.item(), (bool, int, float))):
        raise TypeError(f"fill_() received an invalid combination of arguments - got ({type(value).__name__}), "
                        "but expected one of: (Tensor value) or (Number value)")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                           "dimensions.")
    if isinstance(value, Tensor):
        begin_write(self, "fill_")
    else:
        value = filled_scalar(scalar(value, "fill_"), self._dtype, self._data.size, "fill_")
        check_inplace(self, "fill_")  # a number may fill a broadcast view, as in PyTorch
    if _tracked(self, value):
        node_cls = FillBackward3 if isinstance(value, Tensor) else FillBackward2
        return take_over(self, _fill_value(snapshot(self), value, node_cls))
    self._device.kernels.copy_(self._data, _fill_source(self, value))
    bump(self)
    return self


class FillBackward0(FillBackward2):
    pass


class FillBackward1(FillBackward3):
    pass


def fill(input, value):
    """A tensor of `input`'s shape, dtype and layout filled with `value` (a number or a 0-d tensor), as
    torch.fill: fill_ on a copy, recorded as PyTorch's FillBackward0 (a number) or FillBackward1 (a tensor)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"fill(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    with grad_mode.no_grad():
        result = fill_(input.clone(), value)
    if isinstance(value, Tensor):
        return attach(result, FillBackward1, (input, value))
    return attach(result, FillBackward0, (input,))


def _fill_source(t: Tensor, value):
    """What fills `t`: a number, or a 0-d tensor value's buffer when it is on `t`'s device (copied there,
    cast to `t`'s dtype, without reading it on the host); a value on another device is read as a number."""
    if not isinstance(value, Tensor):
        return value
    return value._data if value._device is t._device else value.item()


@forward_mode.writes
def zero_(self):
    """Fill with zeros in place (a broadcast view too, as in PyTorch)."""
    check_inplace(self, "zero_")
    if _tracked(self):
        return take_over(self, _fill_value(snapshot(self), 0, ZeroBackward0))
    zero_buffers(self._device, [self._data])
    bump(self)
    return self


def zero_buffers(device, buffers: list) -> None:
    """Zero every buffer of `device` in `buffers`: one ``zero_`` kernel call when the device has it."""
    k = device.kernels
    if k.zero_ is not None:
        k.zero_(buffers)
    else:
        for data in buffers:
            k.copy_(data, 0)


@forward_mode.writes
def copy_(self, other, non_blocking=False):
    """Copy `other` (broadcast, converted to this tensor's dtype and device) into this tensor."""
    if not isinstance(other, Tensor):
        raise TypeError(f"copy_(): argument 'other' must be Tensor, not {type(other).__name__}")
    shares = other._data is self._data or overlap.in_storage(other, overlap.root(self))
    if shares and overlap.same_data(self, other):  # as PyTorch, nothing to check (nor to write; autograd records it)
        check_inplace(self, "copy_")
    else:
        begin_write(self, "copy_", (other,) if shares else ())
    if other._data.shape != self._data.shape and broadcast_shapes(self._data.shape, other._data.shape) != \
            tuple(self._data.shape):
        raise binary_failure("copy_", self, other, None, out_shape=self._data.shape)
    source = other if other._device is self._device else other.to(self._device)
    if _tracked(self, other):
        k = self._device.kernels
        data = k.full(self._data.shape, 0, self._dtype)
        k.copy_(data, source._data)
        result = attach(Tensor._make(data, self._dtype, self._device), CopyBackwards, (snapshot(self), other))
        return take_over(self, result)
    self._device.kernels.copy_(self._data, source._data)
    bump(self)
    return self


