"""`optim.AdamW`: Adam with decoupled weight decay (``p *= 1 - lr * weight_decay`` before the Adam step)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ember._tensor import Tensor
from ember.optim.adam import Adam


class AdamW(Adam):
    """Adam with ``decoupled_weight_decay=True`` and PyTorch's AdamW default ``weight_decay=1e-2``."""

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float | Tensor = 1e-3,
        betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
            capturable=capturable, differentiable=differentiable, fused=fused, decoupled_weight_decay=True,
        )

    def __setstate__(self, state: dict[str, Any]) -> None:
        """A loaded state keeps AdamW's decoupled weight decay, whatever the saved groups say (as PyTorch)."""
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
