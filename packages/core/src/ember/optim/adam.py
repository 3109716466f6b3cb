"""`optim.Adam`: adaptive moment estimation, with AMSGrad, L2 or decoupled weight decay and maximize."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import ember
from ember._ops.dispatch import bump
from ember._tensor import Tensor
from ember.optim._update import (
    check_adam_options,
    check_fused,
    evaluate,
    grad_mode_of_group,
    kernel_groups,
    number,
    step_counter,
)
from ember.optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adam, with PyTorch's exact update rule (its single-tensor form). For each parameter p, gradient g::

        g = -g if maximize;  p *= 1 - lr * weight_decay if decoupled, else g += weight_decay * p
        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g;  vmax = max(vmax, v) if amsgrad
        p -= lr / (1 - beta1**t) * m / (sqrt(v or vmax) / sqrt(1 - beta2**t) + eps)

    State per parameter: ``step`` (a 0-dim tensor), ``exp_avg``, ``exp_avg_sq`` and, with amsgrad,
    ``max_exp_avg_sq``. A device with an ``adam_step`` kernel updates all the parameters of a group with one
    kernel call (``fused=None`` uses it when present, ``fused=True`` requires it, ``fused=False`` composes
    in-place ops per parameter). ``capturable`` and ``differentiable`` use PyTorch's form of the update with
    the step as a tensor (bias corrections in its dtype); ``foreach`` is accepted and checked as PyTorch does.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float | Tensor = 1e-3,
        betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and foreach and not capturable:
            raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        check_adam_options(lr, betas, eps, weight_decay)
        if isinstance(betas[0], Tensor) != isinstance(betas[1], Tensor):
            raise ValueError("betas must be either both floats or both Tensors")
        for index, beta in enumerate(betas):
            if isinstance(beta, Tensor):
                if foreach and not capturable:
                    raise ValueError(
                        f"betas[{index}] as a Tensor is not supported for capturable=False and foreach=True"
                    )
                if beta.numel() != 1:
                    raise ValueError(f"Tensor betas[{index}] must be 1-element")
        defaults = {
            "lr": lr,
            "betas": tuple(number(beta) for beta in betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)

    @grad_mode_of_group
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()``'s loss when given."""
        loss = evaluate(closure)
        for group in self.param_groups:
            params = [param for param in group["params"] if param.grad is not None]
            if not params:
                continue
            states = [self._state_of(param, group) for param in params]
            composed = group["fused"] is False or group["differentiable"] or group["capturable"]
            for positions, kernel in kernel_groups(params, "adam_step", group["fused"], type(self).__name__):
                members = params if len(positions) == len(params) else [params[i] for i in positions]
                member_states = states if members is params else [states[i] for i in positions]
                if kernel is not None and not composed:
                    self._fused_update(kernel, members, member_states, group)
                else:
                    for param, state in zip(members, member_states):
                        self._update(param, param.grad, state, group)
        return loss

    def _state_of(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of `param`, made on its first step: zero moments and a zero step count."""
        state = self.state[param]
        if not state:
            state["step"] = step_counter(param.device if group["capturable"] or group["fused"] else None)
            state["exp_avg"] = ember.zeros_like(param)
            state["exp_avg_sq"] = ember.zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = ember.zeros_like(param)
        return state

    @staticmethod
    def _fused_update(
        kernel: Callable[..., Any], params: list[Tensor], states: list[dict[str, Any]], group: dict[str, Any]
    ) -> None:
        """One ``adam_step`` kernel call updates every parameter in `params` and its moments."""
        steps = []
        for state in states:
            state["step"] += 1
            steps.append(state["step"].item())
        moments = ["exp_avg", "exp_avg_sq"] + (["max_exp_avg_sq"] if group["amsgrad"] else [])
        buffers = {name: [state[name] for state in states] for name in moments}
        beta1, beta2 = group["betas"]
        kernel(
            [param._data for param in params],
            [param.grad._data for param in params],  # type: ignore[union-attr]
            [buffer._data for buffer in buffers["exp_avg"]],
            [buffer._data for buffer in buffers["exp_avg_sq"]],
            [buffer._data for buffer in buffers["max_exp_avg_sq"]] if group["amsgrad"] else None,
            steps,
            number(group["lr"]),
            beta1,
            beta2,
            group["weight_decay"],
            group["eps"],
            group["amsgrad"],
            group["maximize"],
            group["decoupled_weight_decay"],
        )
        for tensor in params + [buffer for name in moments for buffer in buffers[name]]:
            bump(tensor)

    @staticmethod
    def _update(param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        """PyTorch's single-tensor Adam step on one parameter, with in-place tensor ops."""
        lr, (beta1, beta2), eps, weight_decay = number(group["lr"]), group["betas"], group["eps"], \
            group["weight_decay"]
        if group["maximize"]:
            grad = -grad
        state["step"] += 1
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        if group["amsgrad"]:
            running_max = state["max_exp_avg_sq"]
            previous = running_max.clone() if group["differentiable"] else running_max  # kept for backward
            second_moment = running_max.copy_(ember.maximum(previous, exp_avg_sq))
        else:
            second_moment = exp_avg_sq
        if group["capturable"] or group["differentiable"]:
            # PyTorch's form with the step as a tensor: bias corrections in the step's dtype, no host read
            step_size_neg = (lr / (1 - beta1 ** state["step"])).neg()
            bias_correction2_sqrt = (1 - beta2 ** state["step"]).sqrt()
            denom = (second_moment.sqrt() / (bias_correction2_sqrt * step_size_neg)).add_(eps / step_size_neg)
            param.addcdiv_(exp_avg.clone() if group["differentiable"] else exp_avg, denom)
            return
        step = state["step"].item()
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        denom = (second_moment.sqrt() / bias_correction2_sqrt).add_(eps)
        param.addcdiv_(exp_avg, denom, value=-step_size)
