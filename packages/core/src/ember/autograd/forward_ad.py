"""``torch.autograd.forward_ad``: dual tensors, which carry a tangent through every op (forward-mode AD).

Inside ``with dual_level():``, ``make_dual(x, t)`` is a view of `x` carrying the tangent `t`; each op on dual
tensors gives results whose tangents are the op's Jacobian-vector products (`ember._ops.forward_mode`), and
``unpack_dual(y)`` returns ``(primal, tangent)``. One level at a time, as in PyTorch.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any

from .. import _forward_ad
from .._tensor import Tensor

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual"]


def __getattr__(name: str) -> Any:
    if name == "_current_level":  # PyTorch's module global, read where it stands now
        return _forward_ad.level
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def enter_dual_level() -> int:
    """Open a new forward-AD level and return its index; a level is already open: PyTorch's RuntimeError."""
    return _forward_ad.enter()


def exit_dual_level(*, level: int | None = None) -> None:
    """Close the open level (or `level`, which must be it): the tensors' tangents at it are dropped."""
    _forward_ad.leave(level)


def _floating(t: Tensor, what: str) -> None:
    if not t.dtype.is_floating_point:
        raise ValueError(f"Expected {what} to be floating point or complex, but got: {t.dtype}")


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A view of `tensor` carrying `tangent` (of its shape) at the open level."""
    if not isinstance(tensor, Tensor) or not isinstance(tangent, Tensor):
        bad = "tensor" if not isinstance(tensor, Tensor) else "tangent"
        raise TypeError(f"_make_dual(): argument '{bad}' must be Tensor, not "
                        f"{type(tensor if bad == 'tensor' else tangent).__name__}")
    _forward_ad.checked_level(level, "make_dual")
    _floating(tensor, "primal")
    _floating(tangent, "tangent")
    if tangent.shape != tensor.shape:
        raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                           f"Tensor, this is not supported. Tensor is of size {list(tensor.shape)} while the given "
                           f"forward gradient is of size {list(tangent.shape)}.")
    if _forward_ad.is_dual(tangent):
        raise RuntimeError("Setting a forward grad that itself has a forward gradient at the same level"
                           f"{_forward_ad.level} is not supported.")
    if getattr(tensor, "_tangent", None) is not None:
        raise RuntimeError("Making a dual Tensor based on a Tensor that already has a forward gradient at the same "
                           f"level {_forward_ad.level} is not supported.")
    dual = _plain_view(tensor)
    _forward_ad.set_tangent(dual, tangent)
    return dual


def _plain_view(tensor: Tensor) -> Tensor:
    """A view of `tensor` (ViewBackward0 when it requires grad) made outside forward mode: it has no tangent."""
    was = _forward_ad.active
    _forward_ad.active = False
    try:
        return tensor.view_as(tensor)
    finally:
        _forward_ad.active = was


UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])
UnpackedDualTensor.__doc__ = "``unpack_dual``'s result: the primal (a view without tangent) and the tangent."


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of `tensor` at the open level: a view of it without tangent, and its tangent (None
    for a tensor without one); outside a level, the tensor itself and None."""
    if _forward_ad.checked_level(level, "unpack_dual") < 0:
        return UnpackedDualTensor(tensor, None)
    return UnpackedDualTensor(_plain_view(tensor), _forward_ad.tangent(tensor))


class dual_level:
    """Context manager: a forward-AD level open inside the block (its index is what ``as`` binds), closed at
    its end, dropping the tangents made there."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> None:
        exit_dual_level()
