"""`Tensor.apply_(callable)` and `Tensor.map_(other, callable)`: a Python function called on each element (and
``other``'s, broadcast to this tensor's shape), its results written back in place, as PyTorch's: CPU tensors
only, never on a tensor that requires grad (nothing is recorded), each result stored as PyTorch stores a Python
number into the dtype. The results are all computed before any is written: an exception leaves the tensor as
it was."""
from __future__ import annotations

import math
import operator
from collections.abc import Callable

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from .dispatch import bump, checked_scalar
from .inplace import begin_write


def apply_(self: Tensor, callable: Callable, /) -> Tensor:
    """Replace each element ``x`` by ``callable(x)``."""
    _check(self, "apply_")
    values = self._host()
    _write(self, "apply_", [callable(x) for x in values.ravel().tolist()])
    return self


def map_(self: Tensor, other: Tensor, callable: Callable) -> Tensor:
    """Replace each element ``x`` by ``callable(x, y)``, ``y`` the element of ``other`` (broadcast) there."""
    if not isinstance(other, Tensor):
        raise TypeError(f"map_(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    _check(self, "map_", other)
    if other.type() != self.type():
        raise TypeError(f"map_: expected {self.type()} for 'other' (got {other.type()})")
    if other._device is not self._device:
        raise TypeError(f"map_: expected a {self.device} tensor for 'other' (got one on {other.device})")
    pairs = zip(self._host().ravel().tolist(), other.expand(self.shape)._host().ravel().tolist())
    _write(self, "map_", [callable(x, y) for x, y in pairs])
    return self


def _check(self: Tensor, op: str, *others: Tensor) -> None:
    if any(t.requires_grad for t in (self, *others)):
        raise RuntimeError(f"Can't call {op}() on Variable that requires grad. Use var.detach().{op}() instead.")
    if self._device.type != "cpu":
        raise TypeError(f"{op} is only implemented on CPU tensors")


def _write(self: Tensor, op: str, results: list) -> None:
    """Store the callable's ``results`` (in the tensor's logical order) into it."""
    begin_write(self, op)
    host = np.empty(len(results), self._dtype.numpy)
    with np.errstate(over="ignore"):  # a float too large for the dtype is stored as inf, as in PyTorch
        for i, value in enumerate(results):
            host[i] = _element(value, self._dtype)
    k = self._device.kernels
    k.copy_(self._data, k.from_numpy(host.reshape(tuple(self.shape))))
    bump(self)


def _element(value, dt: _dtype.dtype):
    """A callable's result as PyTorch stores it into an element of ``dt``: a bool is any number's truth; a
    float dtype takes any real number; an integer dtype an integer, or a float truncated,
    either one in the dtype's range; anything else a TypeError."""
    if dt is _dtype.bool_:
        return bool(value) if isinstance(value, (float, complex)) else operator.index(value) != 0
    if dt.is_floating_point:
        math.isfinite(value)  # PyTorch's TypeError for what is not a real number ("must be real number, not str")
        return float(value)
    if not isinstance(value, float):
        value = operator.index(value)
        if not -2**63 <= value < 2**63:
            raise ValueError("Overflow when unpacking long long")
    try:
        return checked_scalar(value, dt, dt.name)
    except RuntimeError:
        raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow") from None
