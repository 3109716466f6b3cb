"""The pruning methods of `nn.utils.prune`: keep everything (`Identity`), zero an ``amount`` of single entries
at random or of the smallest magnitude (`RandomUnstructured`, `L1Unstructured`), zero whole channels along a
dim at random or of the smallest Ln norm (`RandomStructured`, `LnStructured`), or a given mask
(`CustomFromMask`). ``amount`` is a fraction of the entries (channels) when a float, a count when an int."""

from __future__ import annotations

import numbers
from abc import abstractmethod
from typing import Any

import ember
from ember._tensor import Tensor
from ember.nn.modules.module import Module
from ember.nn.utils.prune._base import BasePruningMethod

__all__ = ["CustomFromMask", "Identity", "L1Unstructured", "LnStructured", "RandomStructured", "RandomUnstructured"]


def _check_amount(amount: Any) -> None:
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (amount < 0) if isinstance(amount, numbers.Integral) else not 0.0 <= float(amount) <= 1.0:
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a non-negative integer")


def _count_to_prune(amount: float, size: int) -> int:
    """How many of ``size`` entries (channels) ``amount`` names, checked against ``size``."""
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(f"amount={amount} should be smaller than the number of parameters to prune={size}")
        return int(amount)
    return round(amount * size)


def _check_structured(t: Tensor, dim: int) -> None:
    if t.dim() <= 1:
        raise ValueError("Structured pruning can only be applied to multidimensional tensors. Found tensor of "
                         f"shape {t.shape} with {t.dim()} dims")
    if dim >= t.dim():
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")


def _channels_mask(t: Tensor, dim: int, channels: Tensor, default_mask: Tensor) -> Tensor:
    """Ones on the ``channels`` (a boolean mask or indices) of ``t`` along ``dim``, zeros elsewhere, times
    ``default_mask``."""
    mask = ember.zeros_like(t)
    mask[tuple(channels if d == dim % t.dim() else slice(None) for d in range(t.dim()))] = 1
    mask *= default_mask.to(dtype=mask.dtype)
    return mask


def _without_entries(default_mask: Tensor, flat_indices: Tensor) -> Tensor:
    """A contiguous copy of ``default_mask`` with the entries at ``flat_indices`` (in its flat order) zeroed."""
    mask = default_mask.clone(memory_format=ember.contiguous_format)
    mask.view(-1)[flat_indices] = 0
    return mask


class Identity(BasePruningMethod):
    """Prunes nothing: installs the pruning reparametrization with an all-ones mask."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        return default_mask

    @classmethod
    def apply(cls, module: Module, name: str) -> BasePruningMethod:  # type: ignore[override]
        return super().apply(module, name)


class _UnstructuredAmount(BasePruningMethod):
    """Zeros ``amount`` single entries among those not yet pruned, the ones `_chosen` picks."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount: float) -> None:
        _check_amount(amount)
        self.amount = amount

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        count = _count_to_prune(self.amount, t.numel())
        if count == 0:
            return default_mask.clone(memory_format=ember.contiguous_format)
        return _without_entries(default_mask, self._chosen(t.reshape(-1), count))

    @abstractmethod
    def _chosen(self, flat: Tensor, count: int) -> Tensor:
        """The flat indices of the ``count`` entries of ``flat`` to prune."""


class RandomUnstructured(_UnstructuredAmount):
    """Zeros ``amount`` entries chosen uniformly at random among those not yet pruned."""

    def _chosen(self, flat: Tensor, count: int) -> Tensor:
        return ember.topk(ember.rand_like(flat), k=count).indices

    @classmethod
    def apply(cls, module: Module, name: str, amount: float) -> BasePruningMethod:  # type: ignore[override]
        return super().apply(module, name, amount=amount)


class L1Unstructured(_UnstructuredAmount):
    """Zeros the ``amount`` entries of smallest absolute value among those not yet pruned."""

    def _chosen(self, flat: Tensor, count: int) -> Tensor:
        return ember.topk(flat.abs(), k=count, largest=False).indices

    @classmethod
    def apply(cls, module: Module, name: str, amount: float,  # type: ignore[override]
              importance_scores: Tensor | None = None) -> BasePruningMethod:
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Zeros ``amount`` whole channels along ``dim``, chosen uniformly at random."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount: float, dim: int = -1) -> None:
        _check_amount(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        _check_structured(t, self.dim)
        channels = t.shape[self.dim]
        count = _count_to_prune(self.amount, channels)
        if count == 0:
            return default_mask
        draws = ember.rand(channels)  # on the default device, from its generator, as PyTorch draws them
        kept = draws > ember.kthvalue(draws, k=count).values
        return _channels_mask(t, self.dim, kept.to(t.device), default_mask)

    @classmethod
    def apply(cls, module: Module, name: str, amount: float,  # type: ignore[override]
              dim: int = -1) -> BasePruningMethod:
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Zeros the ``amount`` channels along ``dim`` of smallest Ln norm (``n`` as `ember.norm`'s ``p``)."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount: float, n: Any, dim: int = -1) -> None:
        _check_amount(amount)
        self.amount = amount
        self.n = n
        self.dim = dim

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        _check_structured(t, self.dim)
        channels = t.shape[self.dim]
        count = _count_to_prune(self.amount, channels)
        dim = self.dim % t.dim()
        norms = ember.norm(t, p=self.n, dim=[d for d in range(t.dim()) if d != dim])
        kept = ember.topk(norms, k=channels - count, largest=True).indices
        if count == 0:
            return default_mask
        return _channels_mask(t, dim, kept, default_mask)

    @classmethod
    def apply(cls, module: Module, name: str, amount: float, n: Any, dim: int,  # type: ignore[override]
              importance_scores: Tensor | None = None) -> BasePruningMethod:
        return super().apply(module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Zeros where the given ``mask`` is zero."""

    PRUNING_TYPE = "global"

    def __init__(self, mask: Tensor) -> None:
        self.mask = mask

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        if default_mask.shape != self.mask.shape:
            raise AssertionError(f"default_mask shape {default_mask.shape} must match self.mask shape "
                                 f"{self.mask.shape}")
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module: Module, name: str, mask: Tensor) -> BasePruningMethod:  # type: ignore[override]
        return super().apply(module, name, mask=mask)
