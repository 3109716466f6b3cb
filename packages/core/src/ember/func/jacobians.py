"""``jacrev``, ``jacfwd`` and ``hessian``: whole Jacobians, one tensor of shape output.shape + input.shape per
output and input, nested as the output's tree around the inputs' tree, as torch.func's. Both modes compute the
rows by reverse mode (one backward pass per output element): exact, without forward-mode AD, and nestable
(``hessian`` is ``jacfwd(jacrev(f))``)."""
from __future__ import annotations

import functools

from .._ops.creation import eye
from .._ops.joining import stack
from .._tensor import Tensor
from ..autograd import grad_mode
from . import _argnums
from ._levels import Level, aux_unwrapped, gradients, split_aux
from ._pytree import tree_flatten, tree_unflatten
from .randomness import Randomness, check_randomness
from .vjp import only_floating, only_tensors


def jacrev(func, argnums: int | tuple[int, ...] = 0, *, has_aux: bool = False, chunk_size: int | None = None,
           _preallocate_and_copy: bool = False):
    """A function returning the Jacobian of `func` with respect to its arguments at `argnums` (with `has_aux`:
    ``(jacobian, aux)``). `chunk_size` (how many rows PyTorch vectorizes at once) does not change the result."""
    if chunk_size is not None and not chunk_size > 0:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian_function(func, argnums, has_aux, "vjp(f, *primals)", randomness=None)


def jacfwd(func, argnums: int | tuple[int, ...] = 0, has_aux: bool = False, *, randomness: str = "error"):
    """The Jacobian of `func` as ``jacrev``'s (same values, same nesting); `randomness` is vmap's (PyTorch
    vmaps its forward products): ``'error'`` refuses random draws in `func`."""
    return _jacobian_function(func, argnums, has_aux, "jvp(f, primals, tangents)", randomness)


def hessian(func, argnums: int | tuple[int, ...] = 0):
    """The Hessian of the scalar function `func`: ``jacfwd(jacrev(func, argnums), argnums)``."""
    return jacfwd(jacrev(func, argnums), argnums)


def _jacobian_function(func, argnums, has_aux: bool, caller: str, randomness: str | None):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        level = Level()
        with grad_mode.enable_grad():
            if randomness is not None:
                check_randomness(randomness)
            lifted, spec, lifted_args = _argnums.lifted(level, args, argnums,
                                                        check=None if randomness is None else _check_primals)
            with Randomness(randomness or "different"):  # jacrev lets func draw freely
                output = func(*lifted_args, **kwargs)
            output, aux = split_aux(output, has_aux, caller)
            outputs, output_spec = tree_flatten(output)
            only_tensors(outputs, caller)
            only_floating(outputs)
            jacobians = [_jacobian_of(out, lifted, level) for out in outputs]
        result = tree_unflatten([tree_unflatten([level.unwrap(j) for j in per_input], spec)
                                 for per_input in jacobians], output_spec)
        return (result, aux_unwrapped(level, aux)) if has_aux else result
    return wrapper


def _check_primals(leaves: list) -> None:
    """jacfwd's refusal of an input with no tangent (an integer tensor)."""
    for leaf in leaves:
        if isinstance(leaf, Tensor) and not leaf.dtype.is_floating_point:
            raise ValueError(f"Expected primal to be floating point or complex, but got: {leaf.dtype}")


def _jacobian_of(output: Tensor, inputs: list, level: Level) -> list:
    """The Jacobians of one output with respect to each input: one backward pass per output element, with a
    row of the identity as cotangent."""
    count = output.numel()
    if count == 0:
        return [x.new_zeros(tuple(output.shape) + tuple(x.shape)) for x in inputs]
    basis = eye(count, dtype=output.dtype, device=output.device)
    rows = [gradients([output], inputs, [basis[row].reshape(output.shape)], create_graph=level.outer_records)
            for row in range(count)]
    return [stack([row[index] for row in rows]).reshape(tuple(output.shape) + tuple(x.shape))
            for index, x in enumerate(inputs)]
