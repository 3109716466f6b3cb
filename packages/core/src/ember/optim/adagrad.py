"""`optim.Adagrad`: steps scaled by the square root of the sum of all squared gradients so far."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ember
from ember._tensor import Tensor
from ember.optim._update import (
    check_fused,
    check_lr,
    number,
    step_counter,
)
from ember.optim.parameterwise import ParameterwiseOptimizer


class Adagrad(ParameterwiseOptimizer):
    """Adagrad, with PyTorch's exact update rule. For each parameter p, gradient g, at step t::

        g = -g if maximize;  g += weight_decay * p
        s += g * g;  p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

    As in PyTorch, the state (``step`` and ``sum``, filled with ``initial_accumulator_value``) is made for
    every parameter when the optimizer is built (and for a group added later, on its first step).
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)
        for group in self.param_groups:
            for param in group["params"]:
                self._state_of(param, group)

    def _state_of(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of `param`, made when first needed: a zero step count and the accumulator's initial sum."""
        state = self.state[param]
        if not state:
            state["step"] = step_counter()
            state["sum"] = ember.full_like(param, group["initial_accumulator_value"])
        return state

    @staticmethod
    def _update(param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        """PyTorch's single-tensor Adagrad step on one parameter, with in-place tensor ops."""
        state["step"] += 1
        step = state["step"].item()
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        clr = number(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        state_sum = state["sum"].addcmul_(grad, grad)
        param.addcdiv_(grad, state_sum.sqrt().add_(group["eps"]), value=-clr)
