"""Helpers shared by the functional ops: PyTorch's type names, implicit softmax dims, weight checks."""

from __future__ import annotations

import warnings

from ember import _dtype
from ember._tensor import Tensor


def type_name(tensor: Tensor) -> str:
    """PyTorch's scalar-type name of a tensor's dtype ('Float', 'Long'), as its error messages use it."""
    return _dtype.TYPE_NAMES[tensor._dtype.name]


def implicit_softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    """The dim PyTorch's softmax family picks when none is given (with its deprecation warning)."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def check_not_differentiable(op: str, name: str, tensor: Tensor | None) -> None:
    """PyTorch's error for a weight-like argument that requires grad where no gradient is defined."""
    from ember.autograd import grad_mode

    if tensor is not None and tensor._requires_grad and grad_mode.state.enabled:
        raise RuntimeError(
            f"The function '{op}' is not differentiable with respect to argument '{name}'. "
            "This input cannot have requires_grad True."
        )
