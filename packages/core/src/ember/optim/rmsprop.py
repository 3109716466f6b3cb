"""`optim.RMSprop`: steps scaled by a running average of squared gradients, optionally centered and with momentum."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ember
from ember._tensor import Tensor
from ember.optim._update import check_lr, number, step_counter
from ember.optim.parameterwise import ParameterwiseOptimizer


class RMSprop(ParameterwiseOptimizer):
    """RMSprop, with PyTorch's exact update rule. For each parameter p, gradient g::

        g = -g if maximize;  g += weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - m * m) if centered (m = lerp(m, g, 1 - alpha)), else sqrt(v);  avg += eps
        b = momentum * b + g / avg; p -= lr * b    if momentum > 0, else p -= lr * g / avg

    State per parameter: ``step``, ``square_avg``, and ``momentum_buffer`` / ``grad_avg`` when used.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _state_of(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of `param`, made on its first step: zero averages (and buffer) and a zero step count."""
        state = self.state[param]
        if not state:
            state["step"] = step_counter()
            state["square_avg"] = ember.zeros_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = ember.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = ember.zeros_like(param)
        return state

    @staticmethod
    def _update(param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        """PyTorch's single-tensor RMSprop step on one parameter, with in-place tensor ops."""
        lr, alpha, momentum = number(group["lr"]), group["alpha"], group["momentum"]
        if group["maximize"]:
            grad = -grad
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        square_avg = state["square_avg"].mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"].lerp_(grad, 1 - alpha)
            avg = square_avg.clone().addcmul_(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg = avg.add_(group["eps"])
        if momentum > 0:
            buffer = state["momentum_buffer"].mul_(momentum).addcdiv_(grad, avg)
            param.add_(buffer, alpha=-lr)
        else:
            param.addcdiv_(grad, avg, value=-lr)
