"""``jvp`` and ``linearize``: Jacobian-vector products. ember has no forward-mode AD: the product is the
derivative of a vector-Jacobian product with respect to its (linear) cotangent, the double-vjp trick, exact in
value and one extra backward pass in cost."""
from __future__ import annotations

from typing import Any

from .._ops.creation import zeros_like
from .._tensor import Tensor
from ..autograd import grad_mode
from ._levels import Level, aux_unwrapped, gradients, split_aux
from ._pytree import TreeSpec, tree_flatten, tree_unflatten
from .vjp import only_tensors

_CALLER = "jvp(f, primals, tangents)"


class _Pullback:
    """`func` run once at lifted primals, with the graph of its vector-Jacobian product at fresh cotangent
    leaves (the dummies), from which every tangent's forward product follows by one more backward pass."""

    def __init__(self, func, primals: tuple, has_aux: bool, caller: str) -> None:
        self.level = level = Level()
        self.has_aux = has_aux
        with grad_mode.enable_grad():
            leaves, self.spec = tree_flatten(primals)
            self.lifted = [level.lift(leaf) for leaf in leaves]
            self.output, self.aux = split_aux(func(*tree_unflatten(self.lifted, self.spec)), has_aux, caller)
            self.outputs, self.output_spec = tree_flatten(self.output)
            only_tensors(self.outputs, caller)
            self.floating = [out.dtype.is_floating_point for out in self.outputs]  # the others have no tangent
            differentiable = [out for out, floating in zip(self.outputs, self.floating) if floating]
            self.dummies = [level.fresh(zeros_like(out)) for out in differentiable]
            self.pulled = gradients(differentiable, self.lifted, self.dummies, create_graph=True)

    def forward(self, tangents: list) -> Any:
        """The tree of J·tangents, shaped as the output (zeros for an integer output)."""
        products = iter(gradients(self.pulled, self.dummies, tangents, create_graph=grad_mode.is_grad_enabled()))
        return tree_unflatten([self.level.unwrap(next(products)) if floating else zeros_like(out)
                               for out, floating in zip(self.outputs, self.floating)], self.output_spec)

    def result(self, *rest) -> tuple:
        """(output, *rest), with the aux last when there is one, unwrapped."""
        output = tree_unflatten([self.level.unwrap(out) for out in self.outputs], self.output_spec)
        return (output, *rest, aux_unwrapped(self.level, self.aux)) if self.has_aux else (output, *rest)


_JVP_SHAPE = ("Trying to set a forward gradient that has a different size than that of the original Tensor, this "
              "is not supported. Tensor is of size {primal} while the given forward gradient is of size {tangent}.")
_LINEARIZE_SHAPE = ("tangent:{index} with shape {tangent_size} in flattened pytree doesn't match the shape "
                    "{primal_size} of the corresponding primal.")


def _checked_tangents(tangents: Any, spec: TreeSpec, primals: list, complaint: str, shape_complaint: str) -> list:
    """The tangents' leaves, after PyTorch's checks of both trees: the same structure (else `complaint`), tensors
    only, and each tangent shaped as its primal (else `shape_complaint`)."""
    leaves, tangent_spec = tree_flatten(tangents)
    if tangent_spec != spec:
        raise RuntimeError(complaint.format(primals=spec, tangents=tangent_spec))
    for what, values in (("primals", primals), ("tangents", leaves)):
        if not values:
            raise RuntimeError(f"{_CALLER}: Expected {what} to contain at least one Tensor.")
        for value in values:
            if not isinstance(value, Tensor):
                raise RuntimeError(f"{_CALLER}: Expected {what} to only contain Tensors, got {type(value)}")
    for index, (primal, tangent) in enumerate(zip(primals, leaves)):
        if tangent.shape != primal.shape:
            raise RuntimeError(shape_complaint.format(index=index, primal=list(primal.shape),
                                                      tangent=list(tangent.shape), primal_size=primal.shape,
                                                      tangent_size=tangent.shape))
    return leaves


def jvp(func, primals: tuple, tangents: tuple, *, strict: bool = False, has_aux: bool = False):
    """``(func(*primals), J·tangents)`` (and aux with `has_aux`), tangents shaped as the primals. `strict` is
    accepted and changes nothing, as in PyTorch."""
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{_CALLER}: Expected primals to be a tuple. E.g. it should be valid to call "
                           "f(*primals).")
    primal_leaves, spec = tree_flatten(primals)
    tangent_leaves = _checked_tangents(
        tangents, spec, primal_leaves, f"{_CALLER}: Expected primals and tangents to have the same python "
        "structure. For example, if primals is a tuple of 3 tensors, tangents also must be. Got primals with "
        "structure {primals} and tangents with structure {tangents}", _JVP_SHAPE)
    pullback = _Pullback(func, primals, has_aux, _CALLER)
    return pullback.result(pullback.forward(tangent_leaves))


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is J·tangents at the primals, from one evaluation of
    `func` (each call is one backward pass through the graph kept from it)."""
    pullback = _Pullback(func, primals, False, _CALLER)
    primal_leaves = list(pullback.lifted)

    def jvp_fn(*tangents):
        leaves = _checked_tangents(tangents, pullback.spec, primal_leaves,
                                   "Expected the tangents {tangents} to have the same argspec as the primals "
                                   "{primals}", _LINEARIZE_SHAPE)
        return pullback.forward(leaves)
    output, = pullback.result()
    return output, jvp_fn
