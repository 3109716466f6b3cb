"""`huber_loss` and `smooth_l1_loss`: squared error near zero, absolute error beyond a threshold.

Each records PyTorch's node (`HuberLossBackward0`, `SmoothL1LossBackward0`); the gradient is the error
clamped to the threshold (scaled), in differentiable ops, so second derivatives are PyTorch's too.
"""

from __future__ import annotations

import math

import ember
from ember._ops.dispatch import operands, profiled
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach, needs_input_grad
from ember.nn.functional._common import type_name
from ember.nn.functional.loss import _pointwise_operands, _reduce, _result, l1_loss


class _ClampedErrorBackward(Node):
    """d loss / d input = clamp(input - target, -threshold, threshold) * scale * grad; the target's is its
    negation. Subclasses set how the clamped error is scaled (Huber: 1; smooth L1: 1 / beta)."""

    reduction: str
    threshold: float

    def _scale(self) -> float:
        raise NotImplementedError

    def backward(self, grad: Tensor) -> tuple:
        input, target = self.saved_tensors
        scale = self._scale()
        if self.reduction == "mean":
            count = input.numel()
            scale = scale / count if count else math.nan
        error = input.to(grad.dtype) - target.to(grad.dtype)
        grad_input = error.clamp(-self.threshold, self.threshold) * scale * grad
        return (
            grad_input if needs_input_grad(self, 0) else None,
            -grad_input if needs_input_grad(self, 1) else None,
        )


class HuberLossBackward0(_ClampedErrorBackward):
    def _scale(self) -> float:
        return 1.0


class SmoothL1LossBackward0(_ClampedErrorBackward):
    def _scale(self) -> float:
        return 1.0 / self.threshold


def _floating_pair(input: Tensor, target: Tensor, kernel: str) -> tuple[Tensor, Tensor]:
    """input and target in their promoted dtype; PyTorch has no integer kernel for these losses."""
    _, _, dtype = operands(input, target, kernel)
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{type_name(input)}'")
    return input.to(dtype), target.to(dtype)


def _losses(input: Tensor, target: Tensor, threshold: float, quadratic_scale: float, linear_scale: float) -> Tensor:
    """Elementwise quadratic_scale * e² / 2 where |e| < threshold, else linear_scale * (|e| - threshold / 2)."""
    error = input - target
    magnitude = error.abs()
    quadratic = error * error * (0.5 * quadratic_scale)
    linear = (magnitude - 0.5 * threshold) * linear_scale
    return ember.where(magnitude < threshold, quadratic, linear)


@profiled("aten::huber_loss")
def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """e² / 2 where |e| < delta, else delta (|e| - delta / 2), for e = input - target; reduced, optionally
    weighted elementwise."""
    input, target, reduction = _pointwise_operands(input, target, None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        return _reduce(huber_loss(input, target, "none", delta) * weight, reduction)
    x, y = _floating_pair(input, target, "huber_cpu")
    with grad_mode.no_grad():
        loss = _reduce(_losses(x, y, delta, 1.0, delta), reduction)
    return attach(_result(loss), HuberLossBackward0, (input, target), (input, target),
                  reduction=reduction, threshold=delta)


@profiled("aten::smooth_l1_loss")
def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """e² / (2 beta) where |e| < beta, else |e| - beta / 2, for e = input - target; reduced. beta = 0 is the
    L1 loss."""
    input, target, reduction = _pointwise_operands(input, target, size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    x, y = _floating_pair(input, target, "smooth_l1_cpu")
    with grad_mode.no_grad():
        loss = _reduce(_losses(x, y, beta, 1.0 / beta, 1.0), reduction)
    return attach(_result(loss), SmoothL1LossBackward0, (input, target), (input, target),
                  reduction=reduction, threshold=beta)
