"""The pruning mechanics of `nn.utils.prune`: a method's mask kept as the buffer ``<name>_mask``, the original
tensor as the parameter ``<name>_orig``, and ``<name>`` recomputed as their product by a forward pre-hook (the
method itself); a second pruning of the same tensor folds both methods into a `PruningContainer`, whose mask
narrows the one before. As PyTorch's ``BasePruningMethod`` / ``PruningContainer``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any, ClassVar

import ember
from ember._tensor import Tensor
from ember.nn.modules.module import Module

__all__ = ["BasePruningMethod", "PruningContainer"]


class BasePruningMethod(ABC):
    """A way to choose which entries of a module's tensor to zero: subclasses define `compute_mask` and a
    ``PRUNING_TYPE`` ('unstructured', 'structured' with a ``dim``, or 'global'); `apply` installs it."""

    PRUNING_TYPE: ClassVar[str]
    _tensor_name: str | None = None

    def __call__(self, module: Module, inputs: Any) -> None:
        """The forward pre-hook: ``<name>`` = mask * orig before each forward."""
        setattr(module, self._name(module), self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """The mask for ``t`` (zeros where pruned), never un-pruning what ``default_mask`` already zeroes."""

    def _name(self, module: Module) -> str:
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned")
        return self._tensor_name

    def apply_mask(self, module: Module) -> Tensor:
        """``<name>_orig`` with the entries ``<name>_mask`` zeroes zeroed (differentiable in the original)."""
        name = self._name(module)
        mask = getattr(module, name + "_mask")
        orig = getattr(module, name + "_orig")
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module: Module, name: str, *args: Any, importance_scores: Tensor | None = None,
              **kwargs: Any) -> BasePruningMethod:
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)``, ranking its entries by ``importance_scores``
        (default: the tensor itself); on a tensor already pruned, the new mask narrows the old one. Bad input
        leaves the module as it was."""
        method = cls(*args, **kwargs)
        method._tensor_name = name
        orig = getattr(module, name)
        if importance_scores is None:
            importance_scores = orig
        elif importance_scores.shape != orig.shape:
            raise AssertionError(f"importance_scores should have the same shape as parameter {name} of {module}, "
                                 f"got {importance_scores.shape} vs {orig.shape}")
        earlier = [key for key, hook in module._forward_pre_hooks.items()
                   if isinstance(hook, BasePruningMethod) and hook._tensor_name == name]
        if len(earlier) > 1:
            raise AssertionError(f"Avoid adding multiple pruning hooks to the same tensor {name} of module "
                                 f"{module}. Use a PruningContainer.")
        old: BasePruningMethod | None = module._forward_pre_hooks[earlier[0]] if earlier else None
        if old is None:
            mask = method.compute_mask(importance_scores, default_mask=ember.ones_like(orig))
            combined = method
        else:  # the new method narrows the old mask (a container's mask is its last method's, so computed
            # alone), then joins the old one's container
            default_mask = getattr(module, name + "_mask").detach().clone(memory_format=ember.contiguous_format)
            mask = PruningContainer(method).compute_mask(importance_scores, default_mask=default_mask)
            container = old if isinstance(old, PruningContainer) else PruningContainer(old)
            container.add_pruning_method(method)
            combined = container
        # The mask is known: the module changes only now.
        if old is None:  # the parameter moves to <name>_orig; <name> becomes a plain attribute the hook sets
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
        else:
            del module._forward_pre_hooks[earlier[0]]
        module.register_buffer(name + "_mask", mask)
        setattr(module, name, combined.apply_mask(module))
        module.register_forward_pre_hook(combined)
        return combined

    def prune(self, t: Tensor, default_mask: Tensor | None = None,
              importance_scores: Tensor | None = None) -> Tensor:
        """``t`` with this method's mask applied (nothing installed on a module)."""
        if importance_scores is None:
            importance_scores = t
        elif importance_scores.shape != t.shape:
            raise AssertionError("importance_scores should have the same shape as tensor t, "
                                 f"got {importance_scores.shape} vs {t.shape}")
        if default_mask is None:
            default_mask = ember.ones_like(t)
        return t * self.compute_mask(importance_scores, default_mask=default_mask)

    def remove(self, module: Module) -> None:
        """Make the pruning permanent: ``<name>`` becomes the parameter again, holding the masked values, and
        ``<name>_orig`` / ``<name>_mask`` go (the hook itself is removed by `prune.remove`)."""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned before pruning can be removed")
        name = self._tensor_name
        weight = self.apply_mask(module)
        if hasattr(module, name):
            delattr(module, name)
        orig = module._parameters.pop(name + "_orig")
        assert orig is not None
        orig.data = weight.data
        del module._buffers[name + "_mask"]
        setattr(module, name, orig)


class PruningContainer(BasePruningMethod):
    """The sequence of methods applied in turn to one tensor: its mask is the last method's, computed only
    over the part the earlier masks left (the kept entries, or kept channels along a structured method's dim)."""

    def __init__(self, *args: BasePruningMethod) -> None:
        self._pruning_methods: tuple[BasePruningMethod, ...] = ()
        if len(args) == 1:
            self._tensor_name = args[0]._tensor_name
        for method in args:
            self.add_pruning_method(method)

    def add_pruning_method(self, method: BasePruningMethod | None) -> None:
        """Append ``method``, which must act on the same tensor."""
        if method is not None and not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if method is not None and self._tensor_name != method._tensor_name:
            raise ValueError(f"Can only add pruning methods acting on the parameter named '{self._tensor_name}' "
                             f"to PruningContainer {self}. Found '{method._tensor_name}'")
        self._pruning_methods += (method,)  # type: ignore[operator]

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self) -> Iterator[BasePruningMethod]:
        return iter(self._pruning_methods)

    def __getitem__(self, idx: int) -> BasePruningMethod:
        return self._pruning_methods[idx]

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """``default_mask`` with the last method's mask, computed on what it still keeps, written into it."""
        method = self._pruning_methods[-1]
        kind = method.PRUNING_TYPE
        region: Any
        if kind == "unstructured":
            region = default_mask == 1
        elif kind == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError('Pruning methods of PRUNING_TYPE "structured" need to have the attribute `dim` '
                                     "defined.")
            dim = method.dim if method.dim >= 0 else t.dim() + method.dim
            if dim < 0:
                raise IndexError(f"Index is out of bounds for tensor with dimensions {t.dim()}")
            kept = default_mask.sum(dim=[d for d in range(t.dim()) if d != dim]) != 0
            region = tuple(kept if d == dim else slice(None) for d in range(t.dim()))
        elif kind == "global":
            region = (slice(None),) * t.dim()
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {kind}")
        mask = default_mask.to(dtype=t.dtype)
        mask[region] = method.compute_mask(t[region], default_mask=default_mask[region]).to(dtype=mask.dtype)
        return mask

