"""`optim.Adafactor`: Adam-like steps with a factored second moment (a row and a column average for each
matrix instead of one value per element), a relative step size and update clipping."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ember
from ember._tensor import Tensor
from ember.optim._update import number, step_counter
from ember.optim.parameterwise import ParameterwiseOptimizer


class Adafactor(ParameterwiseOptimizer):
    """Adafactor, with PyTorch's exact update rule. For each parameter p, gradient g (negated if maximize),
    at step t::

        beta2_t = 1 - t**beta2_decay;  rho = min(lr, 1 / sqrt(t));  alpha = max(eps2, rms(p)) * rho
        p *= 1 - lr * weight_decay
        R = lerp(R, mean(g*g, -1), 1 - beta2_t); C = lerp(C, mean(g*g, -2), 1 - beta2_t)   (p of 2+ dims)
        V = R @ C / max(mean(R, -2), eps1)     (else V = lerp(V, g*g, 1 - beta2_t))
        u = g / sqrt(max(V, eps1**2));  p -= alpha / max(1, rms(u) / d) * u

    State per parameter: ``step`` and ``row_var``/``col_var`` (R, C) for a matrix (or a batch of them),
    ``variance`` (V) for a vector. ``eps1=None`` is the machine epsilon of the parameter's dtype.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float | Tensor = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {
            "lr": lr,
            "beta2_decay": beta2_decay,
            "eps": eps,
            "d": d,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _state_of(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of `param`, made on its first step: a zero step count and zero second moments."""
        if param.is_complex():
            raise RuntimeError("Adafactor does not support complex parameters")
        state = self.state[param]
        if not state:
            grad = param.grad
            state["step"] = step_counter()
            if grad.dim() > 1:  # type: ignore[union-attr]
                state["row_var"] = grad.new_zeros([*grad.shape[:-1], 1])  # type: ignore[union-attr]
                state["col_var"] = grad.new_zeros([*grad.shape[:-2], 1, grad.shape[-1]])  # type: ignore[union-attr]
            else:
                state["variance"] = ember.zeros_like(grad)
        return state

    @staticmethod
    def _update(param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        """PyTorch's single-tensor Adafactor step on one parameter, with tensor ops."""
        lr, (eps1, eps2) = number(group["lr"]), group["eps"]
        if group["maximize"]:
            grad = -grad
        if eps1 is None:
            eps1 = ember.finfo(param.dtype).eps
        state["step"] += 1
        step = state["step"].item()
        one_minus_beta2_t = step ** group["beta2_decay"]
        rho_t = min(lr, 1 / (step**0.5))
        alpha = max(eps2, param.norm(2).item() / (param.numel() ** 0.5)) * rho_t
        if group["weight_decay"] != 0:
            param.mul_(1 - lr * group["weight_decay"])
        if grad.dim() > 1:
            row_var, col_var = state["row_var"], state["col_var"]
            row_var.lerp_(ember.norm(grad, dim=-1, keepdim=True).square_().div_(grad.size(-1)), one_minus_beta2_t)
            col_var.lerp_(ember.norm(grad, dim=-2, keepdim=True).square_().div_(grad.size(-2)), one_minus_beta2_t)
            var_estimate = (row_var @ col_var).div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=eps1))
        else:
            var_estimate = state["variance"].lerp_(grad * grad, one_minus_beta2_t).clone()
        update = var_estimate.clamp_(min=eps1 * eps1).rsqrt_().mul_(grad)
        denom = max(1.0, update.norm(2).item() / ((update.numel() ** 0.5) * group["d"]))
        param.add_(update, alpha=-alpha / denom)
