"""A transform's level: the inputs it differentiates, lifted into fresh graph leaves of its own, and its
results unwrapped again. Each transform runs its function with grad mode on and builds the graph of its own
gradients whenever grad mode is on around it, so an outer transform (or ordinary autograd) can differentiate
them: nesting is reverse mode over reverse mode, each level's leaves told apart by identity."""
from __future__ import annotations

from typing import Any

from .._ops.creation import zeros_like
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.engine import grad as autograd_grad
from ..autograd.node import AccumulateGrad
from ._pytree import tree_map


class Level:
    """One run of a transform: its own leaves, and whether grad mode was on around it (so its results may
    carry a graph out to what it captured or was given)."""

    def __init__(self) -> None:
        self.outer_records = grad_mode.is_grad_enabled()
        self._own: dict[int, Tensor] = {}  # id -> leaf, the leaves kept alive while their ids are in use

    def fresh(self, tensor: Tensor) -> Tensor:
        """A new leaf of this level holding `tensor`'s values."""
        leaf = tensor.detach().requires_grad_()
        self._own[id(leaf)] = leaf
        return leaf

    def lift(self, value: Any) -> Tensor:
        """An input to differentiate: an alias of `value` when the graph around records it (so outer levels
        see through), else a fresh leaf."""
        if not isinstance(value, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(value)}")
        if self.outer_records and value.requires_grad:
            return value.view_as(value)
        return self.fresh(value)

    def unwrap(self, value: Any) -> Any:
        """`value` as the caller sees it: detached unless its graph reaches a leaf outside this level (an outer
        level's, or a tensor the caller made require grad) while grad mode is on."""
        if not isinstance(value, Tensor) or not value._requires_grad:
            return value
        if grad_mode.is_grad_enabled() and self._reaches_outside(value):
            return value
        return value.detach()

    def _reaches_outside(self, tensor: Tensor) -> bool:
        if tensor.grad_fn is None:
            return id(tensor) not in self._own
        pending, seen = [tensor.grad_fn], set()
        while pending:
            node = pending.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, AccumulateGrad):
                if id(node.variable) not in self._own:
                    return True
                continue
            pending.extend(edge for edge, _ in node.next_functions if edge is not None)
        return False


def gradients(outputs: list, inputs: list, cotangents: list | None, create_graph: bool) -> list:
    """The vector-Jacobian products of `outputs` (weighted by `cotangents`, ones for scalars) with respect to
    `inputs`; zeros for an input the outputs do not depend on. The graph is kept for further products."""
    pairs = [(out, cot) for out, cot in zip(outputs, cotangents or [None] * len(outputs)) if out._requires_grad]
    found: tuple = (None,) * len(inputs)
    if pairs and inputs:
        found = autograd_grad([out for out, _ in pairs], inputs,
                              None if cotangents is None else [cot for _, cot in pairs],
                              retain_graph=True, create_graph=create_graph, allow_unused=True)
    return [zeros_like(x) if g is None else g for x, g in zip(inputs, found)]


def aux_unwrapped(level: Level, aux: Any) -> Any:
    """The auxiliary output of a ``has_aux`` function, unwrapped: a tree of tensors only, as PyTorch's."""
    def checked(leaf):
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")
        return level.unwrap(leaf)
    return tree_map(checked, aux)


def split_aux(output: Any, has_aux: bool, caller: str) -> tuple[Any, Any]:
    """(output, aux) of a function returning ``(output, aux)`` when `has_aux`, else (output, None)."""
    if not has_aux:
        return output, None
    if not isinstance(output, tuple) or len(output) != 2:
        raise RuntimeError(f"{caller}: output of function f should be a tuple: (output, aux) if has_aux is True")
    return output
