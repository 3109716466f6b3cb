"""Negative log-likelihood losses of a distribution's parameters: `poisson_nll_loss` (a rate) and
`gaussian_nll_loss` (a mean and a variance), composed of differentiable ember ops as PyTorch's are."""

from __future__ import annotations

import math

import ember
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.nn.functional.loss import _reduce, _reduction_of


@profiled("aten::poisson_nll_loss")
def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """exp(x) - t x for a log-rate x (``log_input``), else x - t log(x + eps) for a rate x; ``full`` adds
    Stirling's approximation of log(t!) where t > 1. Reduced."""
    reduction = _reduction_of(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + ember.where(target <= 1, 0, stirling)
    return _reduce(loss, reduction)


def _variance_like(input: Tensor, var: Tensor | float) -> Tensor:
    """var checked non-negative and of a shape PyTorch accepts: input's, input's without its last dim (given
    back with a last dim of 1), or input's with exactly one other dim of size 1."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        return var * ember.ones_like(input)
    if not isinstance(var, Tensor):
        raise TypeError(f"gaussian_nll_loss(): var must be a Tensor or a float, not {type(var).__name__}")
    if ember.any(var < 0):
        raise ValueError("var has negative entry/entries")
    if var.shape == input.shape:
        return var
    if input.shape[:-1] == var.shape:
        return var.unsqueeze(-1)
    if input.dim() == var.dim() and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1:
        return var
    raise ValueError("var is of incorrect size")


@profiled("aten::gaussian_nll_loss")
def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """(log(var) + (input - target)² / var) / 2 for a predicted mean and variance, the variance clamped at
    eps (its gradient passing the clamp, as PyTorch's); ``full`` adds log(2π) / 2. Reduced."""
    variance = _variance_like(input, var)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    variance = variance.clone()
    with grad_mode.no_grad():
        variance.clamp_(min=eps)
    loss = 0.5 * (variance.log() + (input - target) ** 2 / variance)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
