"""`optim.Rprop`: resilient backpropagation, a per-element step size grown while the gradient keeps its sign
and shrunk when it flips; only the gradient's sign moves the parameter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ember
from ember._tensor import Tensor
from ember.optim._update import check_lr, number, step_counter
from ember.optim.parameterwise import ParameterwiseOptimizer


class Rprop(ParameterwiseOptimizer):
    """Rprop, with PyTorch's exact update rule. For each parameter p and gradient g (negated if maximize),
    element by element, with s = g * prev::

        size *= etaplus if s > 0, etaminus if s < 0, else 1;  size = clamp(size, *step_sizes)
        g = 0 where s < 0;  p -= sign(g) * size;  prev = g

    State per parameter: ``step``, ``prev`` (the last gradient used) and ``step_size`` (starting at lr).
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float | Tensor = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _state_of(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of `param`, made on its first step."""
        state = self.state[param]
        if not state:
            state["step"] = step_counter(param.device if group["capturable"] else None)
            state["prev"] = ember.zeros_like(param)
            state["step_size"] = ember.full_like(param, number(group["lr"]))
        return state

    @staticmethod
    def _update(param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        """PyTorch's single-tensor Rprop step on one parameter, with tensor ops."""
        (etaminus, etaplus), (step_size_min, step_size_max) = group["etas"], group["step_sizes"]
        if group["maximize"]:
            grad = -grad
        state["step"] += 1
        prev = state["prev"]
        sign = grad.mul(prev.clone() if group["differentiable"] else prev).sign()
        flipped = sign < 0
        factor = ember.where(sign > 0, etaplus, ember.where(flipped, etaminus, ember.where(sign == 0, 1.0, sign)))
        step_size = state["step_size"].mul_(factor).clamp_(step_size_min, step_size_max)
        grad = ember.where(flipped, 0.0, grad)
        param.addcmul_(grad.sign(), step_size, value=-1)
        prev.copy_(grad)
