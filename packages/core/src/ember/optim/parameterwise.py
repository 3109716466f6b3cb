"""The step shared by optimizers that update each parameter on its own (RMSprop, Adagrad, Adadelta)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ember._tensor import Tensor
from ember.optim._update import evaluate, grad_mode_of_group
from ember.optim.optimizer import Optimizer


class ParameterwiseOptimizer(Optimizer):
    """An optimizer whose step visits each parameter with a gradient: the subclass gives the parameter's
    state (`_state_of`, made on first use) and its update (`_update`)."""

    @grad_mode_of_group
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()``'s loss when given."""
        loss = evaluate(closure)
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    self._update(param, param.grad, self._state_of(param, group), group)
        return loss

    def _state_of(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _update(self, param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError
