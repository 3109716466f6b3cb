"""`optim.ASGD`: averaged stochastic gradient descent (SGD with a decaying rate, and a running average of
the parameters in ``state["ax"]``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ember
from ember._tensor import Tensor
from ember.optim._update import check_lr, number, step_counter
from ember.optim.parameterwise import ParameterwiseOptimizer


class ASGD(ParameterwiseOptimizer):
    """ASGD, with PyTorch's exact update rule. For each parameter p, gradient g, at step t::

        g = -g if maximize;  g += weight_decay * p
        p *= 1 - lambd * eta;  p -= eta * g
        ax = p if mu == 1, else ax + mu * (p - ax)
        eta = lr / (1 + lambd * lr * t)**alpha;  mu = 1 / max(1, t - t0)

    State per parameter, all with the parameter: ``step``, ``eta`` (starting at lr), ``mu`` (starting at 1),
    each a 0-dim tensor, and ``ax``.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float | Tensor = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
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
            state["step"] = step_counter(param.device)
            state["eta"] = ember.full_like(state["step"], number(group["lr"]))
            state["mu"] = ember.ones_like(state["step"])
            state["ax"] = ember.zeros_like(param)
        return state

    @staticmethod
    def _update(param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        """PyTorch's single-tensor ASGD step on one parameter, with in-place tensor ops."""
        lr, lambd = number(group["lr"]), group["lambd"]
        if group["maximize"]:
            grad = -grad
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        eta = state["eta"].item()
        param.mul_(1 - lambd * eta)
        param.add_(grad, alpha=-eta)
        mu, ax = state["mu"], state["ax"]
        if mu.item() != 1:
            ax.add_(param.sub(ax).mul_(mu))
        else:
            ax.copy_(param)
        step = state["step"].item()
        # as PyTorch: each new value is made a tensor of the default dtype before it is copied into the state
        state["eta"].copy_(ember.as_tensor(lr / ((1 + lambd * lr * step) ** group["alpha"])))
        mu.copy_(ember.as_tensor(1 / max(1, step - group["t0"])))
