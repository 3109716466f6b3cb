"""`optim.SGD`: stochastic gradient descent with momentum, dampening, Nesterov, weight decay and maximize."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

import ember
from ember._ops.dispatch import bump
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.optim._update import kernel_groups
from ember.optim.optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, with PyTorch's exact update rule.

    For each parameter p with gradient g (negated when ``maximize``)::

        g = g + weight_decay * p
        b = g on the first step, else momentum * b + (1 - dampening) * g     (when momentum != 0)
        g = g + momentum * b if nesterov else b                               (when momentum != 0)
        p = p - lr * g

    The momentum buffer ``b`` lives in ``state[p]["momentum_buffer"]``. A device with an ``sgd_step``
    kernel updates all the parameters of a group with one kernel call (``fused=None`` uses it when present,
    ``fused=True`` requires it, ``fused=False`` composes in-place ops per parameter). ``foreach`` is
    accepted for compatibility: the fused kernel is ember's multi-tensor path.
    ``differentiable=True`` records the update in the autograd graph.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        if fused and differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()``'s loss when given."""
        loss = None
        if closure is not None:
            with ember.enable_grad():
                loss = closure()
        state = grad_mode.state
        previous, state.enabled = state.enabled, self.defaults["differentiable"]
        try:
            for group in self.param_groups:
                if group["fused"] is False or group["differentiable"] or not self._update_fused_group(group):
                    params, grads = [], []
                    for param in group["params"]:
                        grad = param._grad  # a leaf's `grad`
                        if grad is not None:
                            params.append(param)
                            grads.append(grad)
                    if params:
                        self._update_group(params, grads, group)
        finally:
            state.enabled = previous
        return loss

    def _update_fused_group(self, group: dict[str, Any]) -> bool:
        """`step`'s common case, in one pass over the group's parameters: those with a gradient all on one
        device and of one dtype, whose device has ``sgd_step``, updated by one kernel call. False, with nothing
        done, otherwise (`_update_group` then takes the group). One pass gathers what the kernel takes, where
        the general path walks the parameters once per list it builds: 2 us of a small MLP's 16 us step."""
        state = self.state if group["momentum"] != 0 else None
        params: list[Tensor] = []
        param_data, grad_data, buffers = [], [], []
        device = dtype = None
        for param in group["params"]:
            grad = param._grad  # a leaf's `grad`
            if grad is None:
                continue
            if device is None:
                device, dtype = param._device, param._dtype
            elif param._device is not device or param._dtype is not dtype:
                return False
            params.append(param)
            param_data.append(param._data)
            grad_data.append(grad._data)
            if state is not None:  # read without making the parameter's entry (a step refused later makes none)
                buffers.append(state.get(param, _NO_STATE).get("momentum_buffer"))
        if device is None:
            return True  # no gradient: nothing to update
        kernel = device.kernels.sgd_step
        if kernel is None:
            return False
        self._fused_update(kernel, params, param_data, grad_data, None if state is None else buffers, group)
        return True

    def _update_group(self, params: list[Tensor], grads: list[Tensor], group: dict[str, Any]) -> None:
        """Update `params` (those of `group` with a gradient, `grads`): one ``sgd_step`` kernel call for each
        device and dtype among them whose device has it, else PyTorch's single-tensor rule with in-place ops,
        parameter by parameter."""
        composed = group["fused"] is False or group["differentiable"]
        for positions, kernel in kernel_groups(params, "sgd_step", group["fused"], "SGD"):
            if len(positions) == len(params):
                members, member_grads = params, grads
            else:
                members, member_grads = [params[i] for i in positions], [grads[i] for i in positions]
            if kernel is not None and not composed:
                buffers = [self.state[param].get("momentum_buffer") for param in members] \
                    if group["momentum"] != 0 else None
                self._fused_update(kernel, members, [param._data for param in members],
                                   [grad._data for grad in member_grads], buffers, group)
            else:
                for param, grad in zip(members, member_grads):
                    _composed_update(param, grad, self.state[param] if group["momentum"] != 0 else None, group)

    def _fused_update(self, kernel: Callable[..., Any], params: list[Tensor], param_data: list, grad_data: list,
                      buffers: list[Tensor | None] | None, group: dict[str, Any]) -> None:
        """One ``sgd_step`` kernel call updates every parameter in `params` (their buffers `param_data`, their
        gradients' `grad_data`) and the momentum `buffers` (None without momentum; None for one without a buffer
        yet, which the kernel makes), each version bumped."""
        new = kernel(param_data, grad_data,
                     None if buffers is None else [None if buffer is None else buffer._data for buffer in buffers],
                     group["lr"], group["momentum"], group["dampening"], group["weight_decay"], group["nesterov"],
                     group["maximize"])
        for param in params:
            bump(param)
        if buffers is not None:
            for param, buffer, data in zip(params, buffers, new):
                if buffer is None:
                    self.state[param]["momentum_buffer"] = Tensor._make(data, param._dtype, param._device)
                else:
                    bump(buffer)


_NO_STATE: Mapping[str, Any] = MappingProxyType({})  # the state of a parameter without any, read only


def _composed_update(param: Tensor, grad: Tensor, state: dict | None, group: dict[str, Any]) -> None:
    """PyTorch's single-tensor rule, step by step with in-place tensor ops."""
    if group["maximize"]:
        grad = -grad
    if group["weight_decay"] != 0:
        grad = grad.add(param, alpha=group["weight_decay"])
    if state is not None:
        momentum = group["momentum"]
        buffer = state.get("momentum_buffer")
        if buffer is None:
            buffer = state["momentum_buffer"] = grad.detach().clone()
        else:
            buffer.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
        grad = grad.add(buffer, alpha=momentum) if group["nesterov"] else buffer
    param.add_(grad, alpha=-group["lr"])
