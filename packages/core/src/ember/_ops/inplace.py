"""In-place ops (``add_``, ``x.zero_()``...): write into a tensor's own storage, keeping autograd right.

Without a graph to record, the kernel writes straight into the tensor (``out=`` the tensor itself).
With one, the op runs out of place on a snapshot that stands where the tensor stood in the graph,
and the tensor takes over the result's values and its grad_fn, as PyTorch rebases history.
"""
from __future__ import annotations

from .._tensor import Tensor
from ..autograd.node import needs_grad
from . import creation
from .dispatch import bump
from .indexing import check_inplace


def _snapshot(t: Tensor) -> Tensor:
    """A copy of `t` that sits at `t`'s current place in the graph."""
    k = t._device.kernels
    copy = Tensor._make(k.contiguous(k.astype(t._data, t._dtype)), t._dtype, t._device, t._requires_grad)
    if t.grad_fn is not None:
        copy.grad_fn, copy._output_nr = t.grad_fn, t._output_nr
    return copy


def _take_over(t: Tensor, result: Tensor) -> Tensor:
    """Write `result` into `t` and hand `t` the result's place in the graph."""
    if tuple(result._data.shape) != tuple(t._data.shape):
        raise RuntimeError(f"output with shape {list(t._data.shape)} doesn't match the broadcast shape "
                           f"{list(result._data.shape)}")
    t._device.kernels.copy_(t._data, result._data)
    bump(t)
    node = result.grad_fn
    if node is not None:
        saved = node._saved
        if saved:
            node._saved = tuple(_retarget(entry, result, t) for entry in saved)
        t.grad_fn, t._output_nr, t._requires_grad = node, result._output_nr, True
    return t


def _retarget(entry, result: Tensor, t: Tensor):
    """A saved entry of the result (its own output) now refers to `t`'s storage and version."""
    if len(entry) == 4 and entry[0] is None and entry[3][0] is result._data:
        data, dtype, device, nr = entry[3]
        return (None, t._version, t._version[0], (t._data, dtype, device, nr))
    return entry


def make_inplace(op, name: str, writes_out: bool = True):
    """The in-place method `name` of out-of-place `op` (which takes ``out=`` when `writes_out`)."""
    def method(self, *args, **kwargs):
        check_inplace(self, name)
        if needs_grad((self,) + args):
            from .. import _dtype
            result = op(_snapshot(self), *args, **kwargs)
            if not _dtype.can_cast(result._dtype, self._dtype):
                from .dispatch import type_name
                raise RuntimeError(f"result type {type_name(result._dtype)} can't be cast to the desired "
                                   f"output type {type_name(self._dtype)}")
            return _take_over(self, result)
        if writes_out:
            op(self, *args, out=self, **kwargs)
            return self
        result = op(self, *args, **kwargs)
        if result._dtype is not self._dtype:
            from .. import _dtype
            if not _dtype.can_cast(result._dtype, self._dtype):
                from .dispatch import type_name
                raise RuntimeError(f"result type {type_name(result._dtype)} can't be cast to the desired "
                                   f"output type {type_name(self._dtype)}")
        if tuple(result._data.shape) != tuple(self._data.shape):
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the broadcast "
                               f"shape {list(result._data.shape)}")
        self._device.kernels.copy_(self._data, result._data)
        bump(self)
        return self
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of `{name[:-1]}`."
    return method


def fill_(self, value):
    """Fill with `value` in place."""
    check_inplace(self, "fill_")
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        value = value.item()
    self._device.kernels.copy_(self._data, value)
    bump(self)
    if self.grad_fn is not None:
        self.grad_fn, self._requires_grad = None, False
    return self


def zero_(self):
    """Fill with zeros in place."""
    return fill_(self, 0)


def copy_(self, src, non_blocking=False):
    """Copy `src` (broadcast, converted to this tensor's dtype and device) into this tensor."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
    check_inplace(self, "copy_")
    source = src if src._device is self._device else src.to(self._device)
    if needs_grad((self, src)):
        return _take_over(self, source.expand(self.shape).to(self._dtype) if source._data.shape != self._data.shape
                          else source.to(self._dtype, copy=True))
    k = self._device.kernels
    try:
        k.copy_(self._data, source._data)
    except Exception as error:
        raise RuntimeError(f"copy_: the source of shape {list(src._data.shape)} cannot be broadcast to the "
                           f"destination of shape {list(self._data.shape)}: {error}") from error
    bump(self)
    return self


def _random_fill(self, data) -> Tensor:
    check_inplace(self, "random fill")
    self._device.kernels.copy_(self._data, data)
    bump(self)
    return self


def uniform_(self, a=0.0, b=1.0):
    """Fill with samples uniform on [a, b) from the device's generator."""
    k = self._device.kernels
    return _random_fill(self, k.uniform(self._data.shape, a, b, self._dtype, creation.default_generator(self._device)))


def normal_(self, mean=0.0, std=1.0):
    """Fill with normal samples of the given mean and std from the device's generator."""
    k = self._device.kernels
    return _random_fill(self, k.normal(self._data.shape, mean, std, self._dtype,
                                       creation.default_generator(self._device)))
