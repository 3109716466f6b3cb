"""`optim.Muon`: momentum SGD for 2-D parameters whose update is orthogonalised by a Newton-Schulz iteration
(MomentUm Orthogonalized by Newton-schulz)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import ember
from ember._tensor import Tensor
from ember.optim._update import number
from ember.optim.parameterwise import ParameterwiseOptimizer

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


class Muon(ParameterwiseOptimizer):
    """Muon, with PyTorch's update rule. For each (2-D) parameter p and gradient g::

        b = lerp(b, g, 1 - momentum);  u = lerp(g, b, momentum) if nesterov else b
        u = NS(u): X = u / max(|u|, eps) (transposed when taller than wide), then ns_steps times
            A = X X^T;  X = a X + (b A + c A A) X           with ns_coefficients (a, b, c)
        p *= 1 - lr * weight_decay;  p -= lr * ratio * u

    with ratio sqrt(max(1, rows / cols)) (``adjust_lr_fn=None`` or ``"original"``) or 0.2 sqrt(max(rows,
    cols)) (``"match_rms_adamw"``). State per parameter: ``momentum_buffer``. PyTorch runs the Newton-Schulz
    iteration in bfloat16; ember has no bfloat16 and runs it in the parameter's dtype, so its updates are
    PyTorch's to bfloat16's precision (about 3 significant digits), not to the last bit.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        weight_decay: float = 0.1,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_coefficients: tuple[float, float, float] = (DEFAULT_A, DEFAULT_B, DEFAULT_C),
        eps: float = EPS,
        ns_steps: int = DEFAULT_NS_STEPS,
        adjust_lr_fn: str | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ["original", "match_rms_adamw"]:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {
            "lr": lr,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "nesterov": nesterov,
            "ns_coefficients": ns_coefficients,
            "eps": eps,
            "ns_steps": ns_steps,
            "adjust_lr_fn": adjust_lr_fn,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for param in group["params"]:
                if param.ndim != 2:
                    raise ValueError(
                        f"Muon only supports 2D parameters whereas we found a parameter with size: {param.size()}"
                    )

    def _state_of(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of `param`, made on its first step: a zero momentum buffer."""
        if param.is_complex():
            raise RuntimeError("Muon does not support complex parameters")
        state = self.state[param]
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = ember.zeros_like(param.grad)
        return state

    @staticmethod
    def _update(param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        """PyTorch's single-tensor Muon step on one parameter."""
        lr, momentum = number(group["lr"]), group["momentum"]
        if grad.ndim != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        buffer = state["momentum_buffer"].lerp_(grad, 1 - momentum)
        update = grad.lerp(buffer, momentum) if group["nesterov"] else buffer
        update = _orthogonalised(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
        param.mul_(1 - lr * group["weight_decay"])
        param.add_(update, alpha=-_adjusted_lr(lr, group["adjust_lr_fn"], param.shape))


def _orthogonalised(grad: Tensor, ns_coefficients: tuple[float, float, float], ns_steps: int, eps: float) -> Tensor:
    """The quintic Newton-Schulz iteration towards the orthogonal factor of `grad` (PyTorch's, in `grad`'s
    dtype), with PyTorch's checks of its arguments."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    tall = grad.size(0) > grad.size(1)
    ortho = grad.T.clone() if tall else grad.clone()
    ortho.div_(ortho.norm().clamp(min=eps))
    for _ in range(ns_steps):
        gram = ortho @ ortho.T
        gram_update = ember.addmm(gram, gram, gram, beta=b, alpha=c)
        ortho = ember.addmm(ortho, gram_update, ortho, beta=a)
    return ortho.T if tall else ortho


def _adjusted_lr(lr: float, adjust_lr_fn: str | None, shape: Any) -> float:
    """The learning rate scaled for a `shape` matrix, as `adjust_lr_fn` says."""
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio
