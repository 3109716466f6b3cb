"""The step shared by optimizers that update each parameter on its own (RMSprop, Adagrad, Adadelta, Adamax,
NAdam, RAdam, ASGD, Rprop, Adafactor, Muon)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ember
from ember._tensor import Tensor
from ember.optim._update import evaluate, grad_mode_of_group, step_counter
from ember.optim.optimizer import Optimizer


class ParameterwiseOptimizer(Optimizer):
    """An optimizer whose step visits each parameter with a gradient: the subclass gives the parameter's
    state (`_state_of`, made on first use, or the names of its `moments`) and its update (`_update`)."""

    @grad_mode_of_group
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()``'s loss when given."""
        loss = evaluate(closure)
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    self._update(param, param.grad, self._state_of(param, group), group)
        return loss

    moments: tuple[str, ...] = ()
    """The names of the zero-initialised per-parameter tensors of the default `_state_of`."""

    def _state_of(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of `param`, made on its first step: a zero step count (kept with the parameter when
        ``capturable``) and a zero tensor like the parameter for each of `moments`."""
        state = self.state[param]
        if not state:
            state["step"] = step_counter(param.device if group.get("capturable") else None)
            for name in self.moments:
                state[name] = ember.zeros_like(param)
        return state

    def _update(self, param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError
