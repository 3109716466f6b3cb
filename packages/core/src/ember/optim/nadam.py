"""`optim.NAdam`: Adam with Nesterov momentum and a momentum schedule (``momentum_decay``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ember
from ember._tensor import Tensor
from ember.optim._update import check_adam_options, number, step_counter
from ember.optim.parameterwise import ParameterwiseOptimizer


class NAdam(ParameterwiseOptimizer):
    """NAdam, with PyTorch's exact update rule. For each parameter p, gradient g, at step t::

        g = -g if maximize;  p *= 1 - lr * weight_decay if decoupled, else g += weight_decay * p
        mu_t = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay));  P *= mu_t  (the product of the mu so far)
        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g;  d = sqrt(v / (1 - beta2**t)) + eps
        p -= lr * (1 - mu_t) / (1 - P) * g / d + lr * mu_{t+1} / (1 - P * mu_{t+1}) * m / d

    State per parameter: ``step``, ``mu_product`` (P, a 0-dim tensor as the step), ``exp_avg`` (m) and
    ``exp_avg_sq`` (v). ``capturable`` keeps the step and P with the parameter.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_adam_options(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _state_of(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of `param`, made on its first step: zero moments, a zero step count and a unit product."""
        state = self.state[param]
        if not state:
            device = param.device if group["capturable"] else None
            state["step"] = step_counter(device)
            state["mu_product"] = ember.ones_like(state["step"])
            state["exp_avg"] = ember.zeros_like(param)
            state["exp_avg_sq"] = ember.zeros_like(param)
        return state

    @staticmethod
    def _update(param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        """PyTorch's single-tensor NAdam step on one parameter, with in-place tensor ops."""
        lr, (beta1, beta2), momentum_decay = number(group["lr"]), group["betas"], group["momentum_decay"]
        if group["maximize"]:
            grad = -grad
        state["step"] += 1
        step = state["step"].item()
        bias_correction2 = 1 - beta2**step
        if group["weight_decay"] != 0:
            if group["decoupled_weight_decay"]:
                param.mul_(1 - lr * group["weight_decay"])
            else:
                grad = grad.add(param, alpha=group["weight_decay"])
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        state["mu_product"] *= mu
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.div(bias_correction2).sqrt().add_(group["eps"])
        if group["differentiable"] or group["capturable"]:
            # PyTorch's form with the product as a tensor: the two step sizes in its dtype, no host read
            mu_product_t = state["mu_product"]
            param.addcdiv_(grad * (-lr * (1.0 - mu) / (1.0 - mu_product_t)), denom)
            param.addcdiv_(exp_avg * (-lr * mu_next / (1.0 - mu_product_t * mu_next)), denom)
            return
        mu_product = state["mu_product"].item()
        param.addcdiv_(grad, denom, value=-lr * (1.0 - mu) / (1.0 - mu_product))
        param.addcdiv_(exp_avg, denom, value=-lr * mu_next / (1.0 - mu_product * mu_next))
