"""`AveragedModel`: a copy of a model whose parameters (and, with `use_buffers`, buffers) are a running
average of the model's, and PyTorch's averaging functions: SWA's equal-weight mean and the exponential
moving average, per tensor (``get_*_avg_fn``) or over the list of them (``get_*_multi_avg_fn``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from copy import deepcopy
from typing import Any

import ember
from ember._tensor import Tensor
from ember.nn.modules.module import Module

ParamList = Sequence[Tensor]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def _is_inexact(tensor: Tensor) -> bool:
    return tensor.is_floating_point() or tensor.is_complex()


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable[[ParamList, ParamList, Any], None]:
    """The exponential moving average, in place over lists of tensors: ``ema = lerp(ema, current, 1 - decay)``."""
    _check_decay(decay)

    @ember.no_grad()
    def ema_update(ema_param_list: ParamList, current_param_list: ParamList, _: Any) -> None:
        if _is_inexact(ema_param_list[0]):
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                p_ema.lerp_(p_model, 1 - decay)
        else:
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> Callable[[ParamList, ParamList, Any], None]:
    """The equal-weight running mean, in place over lists of tensors, after `num_averaged` earlier values."""

    @ember.no_grad()
    def swa_update(averaged_param_list: ParamList, current_param_list: ParamList,
                   num_averaged: Tensor | int) -> None:
        pairs = list(zip(averaged_param_list, current_param_list, strict=True))
        if _is_inexact(averaged_param_list[0]):
            weight = 1 / (num_averaged + 1)
            for p_averaged, p_model in pairs:
                p_averaged.lerp_(p_model, weight)
        elif isinstance(num_averaged, Tensor):
            for p_averaged, p_model in pairs:
                p_averaged.addcdiv_(p_model - p_averaged, num_averaged + 1)
        else:
            for p_averaged, p_model in pairs:
                p_averaged.add_(p_model - p_averaged, alpha=1.0 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable[[Tensor, Tensor, Any], Tensor]:
    """The exponential moving average of one tensor: ``decay * ema + (1 - decay) * current``."""
    _check_decay(decay)

    @ember.no_grad()
    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable[[Tensor, Tensor, Any], Tensor]:
    """The equal-weight running mean of one tensor after `num_averaged` earlier values."""

    @ember.no_grad()
    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged: Tensor | int) -> Tensor:
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A deep copy of `model` (moved to `device` when given) whose ``update_parameters(model)`` folds the
    model's current parameters into the average: the first call copies them, later ones apply `avg_fn`
    per tensor or `multi_avg_fn` per device and dtype group (SWA's mean when neither is given). Buffers are
    copied, or averaged too with `use_buffers`. ``n_averaged`` counts the updates."""

    n_averaged: Tensor

    def __init__(
        self,
        model: Module,
        device: Any = None,
        avg_fn: Callable[[Tensor, Tensor, Any], Tensor] | None = None,
        multi_avg_fn: Callable[[ParamList, ParamList, Any], None] | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", ember.tensor(0, dtype=ember.long, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The averaged copy's forward."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold `model`'s current parameters (and buffers, with `use_buffers`) into the average."""
        self_params: Iterable[Tensor] = self.parameters()
        model_params: Iterable[Tensor] = model.parameters()
        if self.use_buffers:
            self_params = itertools.chain(self.module.parameters(), self.module.buffers())
            model_params = itertools.chain(model.parameters(), model.buffers())
        averaged, current = [], []
        copy_param = bool(self.n_averaged == 0)
        for p_averaged, p_model in zip(self_params, model_params, strict=False):
            p_model_ = p_model.detach().to(p_averaged.device)
            averaged.append(p_averaged.detach())
            current.append(p_model_)
            if copy_param:
                p_averaged.detach().copy_(p_model_)
        if self.n_averaged > 0:
            if self.avg_fn is None:
                # as PyTorch on a device without foreach kernels: SWA's mean tensor by tensor by default
                groups: dict[tuple, tuple[list[Tensor], list[Tensor]]] = {}
                for p_averaged, p_model in zip(averaged, current):
                    mine, theirs = groups.setdefault((p_averaged.device, p_averaged.dtype), ([], []))
                    mine.append(p_averaged)
                    theirs.append(p_model)
                for (device, _), (mine, theirs) in groups.items():
                    n_averaged = self.n_averaged.to(device)
                    if self.multi_avg_fn is not None:
                        self.multi_avg_fn(mine, theirs, n_averaged)
                    else:
                        swa = get_swa_avg_fn()
                        for p_averaged, p_model in zip(mine, theirs, strict=True):
                            p_averaged.copy_(swa(p_averaged, p_model, n_averaged))
            else:
                for p_averaged, p_model in zip(averaged, current, strict=True):
                    p_averaged.copy_(self.avg_fn(p_averaged, p_model, self.n_averaged.to(p_averaged.device)))
        if not self.use_buffers:
            for b_swa, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                b_swa.detach().copy_(b_model.detach().to(b_swa.device))
        self.n_averaged += 1
