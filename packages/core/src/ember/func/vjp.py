"""``vjp``: the output of a function and the function pulling cotangents back to its primals, as torch.func's."""
from __future__ import annotations

from typing import Any

from .._tensor import Tensor
from ..autograd import grad_mode
from ._levels import Level, aux_unwrapped, gradients, split_aux
from ._pytree import tree_flatten, tree_unflatten


def vjp(func, *primals, has_aux: bool = False):
    """``(func(*primals), vjp_fn)`` (and aux with `has_aux`): ``vjp_fn(cotangents)``, cotangents shaped as the
    output, returns the tuple of vector-Jacobian products, one per primal; it may be called again."""
    level = Level()
    with grad_mode.enable_grad():
        leaves, spec = tree_flatten(primals)
        lifted = [level.lift(leaf) for leaf in leaves]
        output, aux = split_aux(func(*tree_unflatten(lifted, spec)), has_aux, "vjp(f, *primals)")
        outputs, output_spec = tree_flatten(output)
        only_tensors(outputs, "vjp(f, *primals)")
        only_floating(outputs)

    def vjp_fn(cotangents: Any) -> tuple:
        cotangent_leaves, cotangent_spec = tree_flatten(cotangents)
        if cotangent_spec != output_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of "
                               f"outputs to the function. cotangents: {cotangent_spec.pprint()}, primal output: "
                               f"{output_spec.pprint()}")
        found = gradients(outputs, lifted, cotangent_leaves, create_graph=grad_mode.is_grad_enabled())
        return tree_unflatten([level.unwrap(g) for g in found], spec)

    result = tree_unflatten([level.unwrap(out) for out in outputs], output_spec)
    return (result, vjp_fn, aux_unwrapped(level, aux)) if has_aux else (result, vjp_fn)


def only_tensors(outputs: list, caller: str) -> None:
    """PyTorch's refusal of a function whose output tree holds something other than tensors."""
    for out in outputs:
        if not isinstance(out, Tensor):
            raise RuntimeError(f"{caller}: expected f(*primals) to return only tensors, got unsupported type "
                               f"{type(out)}")


def only_floating(outputs: list) -> None:
    """PyTorch's refusal to pull back through an output with no gradient (an integer tensor)."""
    for out in outputs:
        if not out.dtype.is_floating_point:
            raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got Tensor "
                               f"with dtype {out.dtype}")
