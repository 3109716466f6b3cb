"""Forward-mode AD's state: the open dual level and the tangents tensors carry at it.

A dual tensor keeps its tangent in the `_tangent` slot (a view's tangent may instead be read through its base's,
by the view's geometry) and, when it is a plain `Tensor`, has its class switched to `DualTensor`: the ops'
straight paths only take plain tensors, so every op with a dual operand goes through `dispatch.profiled`, which
checks the module flag `active` (True while a level is open and no op is computing a tangent) and hands the call
to `ember._ops.forward_mode`. Without an open level nothing of this runs; PyTorch's levels are global (not per
thread), and so is this one.
"""
from __future__ import annotations

import weakref
from typing import Any

from ._tensor import Tensor

active = False  # a level is open and no op is computing a tangent: profiled ops look for dual operands
level = -1  # the open level, -1 when none (PyTorch's forward_ad._current_level)
_duals: list = []  # weak references to the tensors given a tangent at the open level


class DualTensor(Tensor):
    """A plain tensor while it carries a tangent (PyTorch's class stays Tensor; ember needs one its straight
    paths do not take)."""

    __slots__ = ()


def enter() -> int:
    """Open the (single) dual level and return it."""
    global active, level
    if level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    level = 0
    active = True
    return level


def leave(at: int | None) -> None:
    """Close level `at` (the open one when None): every tensor loses the tangent it had there."""
    global active, level
    if at is None:
        at = level
    if at != level:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was created. This is "
                           "not supported.")
    if at < 0:
        raise RuntimeError("Dual level must be a positive number.")
    for ref in _duals:
        t = ref()
        if t is not None:
            if getattr(t, "_tangent", None) is not None:
                del t._tangent
            if t.__class__ is DualTensor:
                t.__class__ = Tensor  # type: ignore[assignment]
    _duals.clear()
    level = -1
    active = False


def checked_level(at: int | None, op: str) -> int:
    """The level `at` names (the open one when None), refused as PyTorch refuses when no such level is open."""
    if at is None:
        at = level
    if at < 0 and op == "make_dual":
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                           "enter_dual_level() first.")
    if at != level and at >= 0:
        raise RuntimeError(f"Invalid level given to _{op}")
    return at


def tangent(t: Tensor) -> Tensor | None:
    """The tangent `t` carries: its own, or the part of its base's tangent it views."""
    own = getattr(t, "_tangent", None)
    if own is not None or t._base is None:
        return own
    whole = getattr(t._base, "_tangent", None)
    if whole is None:
        return None
    return whole.as_strided(t.shape, t.stride(), whole.storage_offset() + t.storage_offset() -
                            t._base.storage_offset())


def is_dual(value: Any) -> bool:
    """Whether `value` is a tensor with a tangent at the open level."""
    return isinstance(value, Tensor) and (getattr(value, "_tangent", None) is not None or (
        value._base is not None and getattr(value._base, "_tangent", None) is not None))


def set_tangent(t: Tensor, value: Tensor) -> None:
    """Give `t` the tangent `value`, laid out as `t` (PyTorch keeps a tangent of another layout as a copy)."""
    if value.stride() != t.stride():
        from ._ops.creation import empty_strided

        laid = empty_strided(t.shape, t.stride(), dtype=value.dtype, device=value.device)
        laid.copy_(value)
        value = laid
    if getattr(t, "_tangent", None) is None:
        _duals.append(weakref.ref(t))
    t._tangent = value
    if t.__class__ is Tensor:
        t.__class__ = DualTensor
    for ref in getattr(t, "_views", None) or ():  # views taken before: they read their part of the tangent
        view = ref()
        if view is not None and view.__class__ is Tensor:
            view.__class__ = DualTensor
            _duals.append(ref)


def write_tangent(t: Tensor, value: Tensor) -> None:
    """An in-place op changed `t`: its tangent becomes `value`, written into the tangent it has (so a view's
    base's tangent changes with it); a view without one gives its base a zero tangent first, as PyTorch does."""
    current = tangent(t)
    if current is None and t._base is not None:
        base = t._base
        from ._ops.creation import zeros

        set_tangent(base, zeros(base.shape, dtype=value.dtype, device=base.device))
        current = tangent(t)
    if current is None:
        set_tangent(t, value)
    else:
        current.copy_(value)
