"""`nn.utils.prune`, as ``torch.nn.utils.prune``: each function prunes ``module.<name>`` in place (the
parameter kept as ``<name>_orig``, the mask as the buffer ``<name>_mask``, ``<name>`` their product, recomputed
before each forward) and returns the module; `remove` makes the pruning permanent, `is_pruned` asks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ember
from ember._tensor import Tensor
from ember.nn.modules.module import Module
from ember.nn.utils.convert_parameters import parameters_to_vector
from ember.nn.utils.prune._base import BasePruningMethod, PruningContainer
from ember.nn.utils.prune._methods import (
    CustomFromMask,
    Identity,
    L1Unstructured,
    LnStructured,
    RandomStructured,
    RandomUnstructured,
)

__all__ = [
    "BasePruningMethod",
    "CustomFromMask",
    "Identity",
    "L1Unstructured",
    "LnStructured",
    "PruningContainer",
    "RandomStructured",
    "RandomUnstructured",
    "custom_from_mask",
    "global_unstructured",
    "identity",
    "is_pruned",
    "l1_unstructured",
    "ln_structured",
    "random_structured",
    "random_unstructured",
    "remove",
]


def identity(module: Module, name: str) -> Module:
    """Install the pruning reparametrization on ``module.<name>`` without pruning anything."""
    Identity.apply(module, name)
    return module


def random_unstructured(module: Module, name: str, amount: float) -> Module:
    """Prune ``amount`` entries of ``module.<name>`` chosen at random."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module: Module, name: str, amount: float, importance_scores: Tensor | None = None) -> Module:
    """Prune the ``amount`` entries of ``module.<name>`` of smallest |importance_scores| (default: its own)."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module: Module, name: str, amount: float, dim: int) -> Module:
    """Prune ``amount`` channels along ``dim`` of ``module.<name>`` chosen at random."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module: Module, name: str, amount: float, n: Any, dim: int,
                  importance_scores: Tensor | None = None) -> Module:
    """Prune the ``amount`` channels along ``dim`` of ``module.<name>`` of smallest Ln norm."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module: Module, name: str, mask: Tensor) -> Module:
    """Prune ``module.<name>`` where ``mask`` is zero."""
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(parameters: Iterable[tuple[Module, str]], pruning_method: type[BasePruningMethod],
                        importance_scores: dict[tuple[Module, str], Tensor] | None = None, **kwargs: Any) -> None:
    """Prune the (module, name) tensors together: ``pruning_method(**kwargs)`` (unstructured) ranks all their
    entries as one vector, so ``amount`` counts over them all; each gets its share as a `custom_from_mask`."""
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    if importance_scores is None:
        importance_scores = {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    parameters = list(parameters)
    method = pruning_method(**kwargs)
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
                        f"{pruning_method} of type {method.PRUNING_TYPE}")
    tensors = [getattr(module, name) for module, name in parameters]
    scores = parameters_to_vector([importance_scores.get(key, tensor) for key, tensor in zip(parameters, tensors)])
    default_mask = parameters_to_vector([_current_mask(module, name, tensor)
                                         for (module, name), tensor in zip(parameters, tensors)])
    container = PruningContainer()
    container._tensor_name = method._tensor_name = "temp"
    container.add_pruning_method(method)
    final_mask = container.compute_mask(scores, default_mask)
    start = 0
    for (module, name), tensor in zip(parameters, tensors):
        custom_from_mask(module, name, mask=final_mask[start:start + tensor.numel()].view_as(tensor))
        start += tensor.numel()


def _current_mask(module: Module, name: str, tensor: Tensor) -> Tensor:
    """The mask an earlier pruning left on ``module.<name>``, or all ones."""
    mask = getattr(module, name + "_mask", None)
    return ember.ones_like(tensor) if mask is None else mask


def remove(module: Module, name: str) -> Module:
    """Make the pruning of ``module.<name>`` permanent: the masked values become the parameter ``<name>``."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")


def is_pruned(module: Module) -> bool:
    """Whether ``module`` or any module inside it carries a pruning hook."""
    return any(isinstance(hook, BasePruningMethod)
               for submodule in module.modules() for hook in submodule._forward_pre_hooks.values())
