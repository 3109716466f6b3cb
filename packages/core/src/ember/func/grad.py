"""``grad`` and ``grad_and_value``: the gradient of a scalar function with respect to the arguments at
`argnums` (trees of tensors), as torch.func's."""
from __future__ import annotations

import functools
from typing import Any

from .._tensor import Tensor
from ..autograd import grad_mode
from . import _argnums
from ._levels import Level, aux_unwrapped, gradients, split_aux
from ._pytree import tree_unflatten

_CALLER = "grad_and_value(f)(*args)"


def grad_and_value(func, argnums: int | tuple[int, ...] = 0, has_aux: bool = False):
    """A function returning ``(gradient, value)`` of `func` (``(gradient, (value, aux))`` with `has_aux`); the
    gradient is shaped as the arguments at `argnums` (a tuple of them for a tuple `argnums`)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        level = Level()
        with grad_mode.enable_grad():
            lifted, spec, lifted_args = _argnums.lifted(level, args, argnums)
            output = func(*lifted_args, **kwargs)
            output, aux = split_aux(output, has_aux, _CALLER)
            if not isinstance(output, Tensor):
                raise RuntimeError(f"{_CALLER}: Expected f(*args) to return a Tensor, got {type(output)}")
            if output.dim() != 0:
                raise RuntimeError(f"{_CALLER}: Expected f(*args) to return a scalar Tensor, got tensor with "
                                   f"{output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
            found = gradients([output], lifted, None, create_graph=level.outer_records)
        result = tree_unflatten([level.unwrap(g) for g in found], spec)
        value = level.unwrap(output)
        return result, ((value, aux_unwrapped(level, aux)) if has_aux else value)
    return wrapper


def grad(func, argnums: int | tuple[int, ...] = 0, has_aux: bool = False):
    """A function returning the gradient of the scalar function `func` with respect to its arguments at
    `argnums` (with `has_aux`: ``(gradient, aux)``). Transforms nest: ``grad(grad(f))`` is f''."""
    with_value = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs) -> Any:
        gradient, value = with_value(*args, **kwargs)
        return (gradient, value[1]) if has_aux else gradient
    return wrapper
