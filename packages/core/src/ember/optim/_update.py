"""Pieces shared by the optimizers' update rules: the per-parameter ``step`` counter tensor, the learning rate as a
number, the groups a fused kernel updates, and running a step in the optimizer's grad mode."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ember
from ember._tensor import Tensor


def step_counter(device: Any = None) -> Tensor:
    """A new ``state["step"]``: a 0-dim tensor, float64 when that is the default dtype, else float32; on the
    CPU unless `device` is given (PyTorch keeps it with the parameter for capturable and fused steps)."""
    dtype = ember.float64 if ember.get_default_dtype() == ember.float64 else ember.float32
    return ember.tensor(0.0, dtype=dtype, device=device)


def number(value: Any) -> Any:
    """A hyperparameter given as a one-element tensor (PyTorch allows ``lr`` as one), as a Python number."""
    return value.item() if isinstance(value, Tensor) else value


def check_lr(lr: Any) -> None:
    """PyTorch's checks of ``lr``: a one-element tensor or a number, not negative."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_adam_options(lr: Any, betas: tuple[Any, Any], eps: float, weight_decay: float) -> None:
    """PyTorch's checks of the options the Adam family shares (Adam, Adamax, NAdam, RAdam), in its order."""
    check_lr(lr)
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def check_fused(fused: bool | None, foreach: bool | None, differentiable: bool) -> None:
    """PyTorch's checks of ``fused`` against ``differentiable`` and ``foreach``."""
    if fused and differentiable:
        raise RuntimeError("`fused` does not support `differentiable`")
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def grad_mode_of_group(step: Callable[..., Any]) -> Callable[..., Any]:
    """Run an optimizer's ``step`` with autograd on only when the optimizer is ``differentiable``."""

    @functools.wraps(step)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        with ember.set_grad_enabled(bool(self.defaults.get("differentiable", False))):
            return step(self, *args, **kwargs)

    return run


def kernel_groups(params: list[Tensor], kernel: str, fused: bool | None, optimizer: str) -> list[tuple]:
    """(positions, kernel) for the parameters of `params` grouped by device and dtype, in order of first
    appearance, with their device's optional `kernel` (None without one): a fused optimizer kernel updates one
    group per call, as PyTorch's fused and foreach steps group their tensors. ``fused=True`` with a device
    lacking the kernel is PyTorch's RuntimeError, before any parameter changes."""
    first = params[0]
    device, dtype = first._device, first._dtype
    for param in params:
        if param._device is not device or param._dtype is not dtype:
            break
    else:  # the common case: one group
        groups = [(list(range(len(params))), getattr(device.kernels, kernel))]
        if fused and groups[0][1] is None:
            _refuse_fused(optimizer, device, kernel)
        return groups
    positions: dict = {}
    for position, param in enumerate(params):
        positions.setdefault((param._device, param._dtype), []).append(position)
    groups = [(members, getattr(device.kernels, kernel)) for (device, _), members in positions.items()]
    for (device, _), (_, found) in zip(positions, groups):
        if fused and found is None:
            _refuse_fused(optimizer, device, kernel)
    return groups


def _refuse_fused(optimizer: str, device: Any, kernel: str) -> None:
    raise RuntimeError(f"{optimizer}(fused=True): the '{device.type}' device has no {kernel} kernel; use fused=None")


def evaluate(closure: Callable[[], Any] | None) -> Any:
    """``closure()`` with autograd on (it recomputes the loss and its gradients), or None without one."""
    if closure is None:
        return None
    with ember.enable_grad():
        return closure()
