"""Helpers shared by the distributions (PyTorch's ``torch.distributions.utils``): broadcasting parameters
together, converting between probabilities and logits, and lazily computed parameters."""
from __future__ import annotations

import functools
import numbers

import numpy as np

import ember

from .. import _dtype
from .._size import Size
from .._tensor import Tensor
from ..autograd import grad_mode

euler_constant = 0.57721566490153286060  # the Euler-Mascheroni constant

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits"]


def broadcast_all(*values):
    """`values` broadcast together as tensors; numbers become tensors of the first tensor's dtype and device
    (of the default dtype when all are numbers)."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        first = next((v for v in values if isinstance(v, Tensor)), None)
        options = ({"dtype": _dtype.get_default_dtype()} if first is None
                   else {"dtype": first.dtype, "device": first.device})
        values = tuple(v if isinstance(v, Tensor) else ember.tensor(v, **options) for v in values)
    return ember.broadcast_tensors(*values)


def batched(*values):
    """`values` broadcast together (`broadcast_all`) and the batch shape they give a distribution:
    ``()`` when all are numbers, else their broadcast shape."""
    tensors = broadcast_all(*values)
    scalar = all(isinstance(v, numbers.Number) for v in values)
    return tensors, Size() if scalar else tensors[0].size()


def empty(shape, like: Tensor) -> Tensor:
    """An uninitialised tensor of `shape` with `like`'s dtype and device, for an in-place random fill
    (PyTorch's ``like.new(shape)``)."""
    return ember.empty(shape, dtype=like.dtype, device=like.device)


def standard_normal(shape, dtype, device) -> Tensor:
    """Standard normal draws of `shape`, from ember's generator for `device`."""
    return ember.empty(shape, dtype=dtype, device=device).normal_()


def sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """`value` with its `dim` rightmost dimensions summed out."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:-dim] + (-1,)).sum(-1)


def finfo(dt):
    """The limits of float dtype `dt` (PyTorch's ``torch.finfo``: ``eps``, ``tiny``, ``min``, ``max``)."""
    return np.finfo(dt.numpy)


def probs_or_logits(probs, logits) -> None:
    """Refuse both or neither of `probs` and `logits`, as PyTorch's discrete distributions do."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Probabilities from log-odds (`is_binary`) or from unnormalised log-probabilities along the last dim."""
    if is_binary:
        return ember.sigmoid(logits)
    return ember.softmax(logits, dim=-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """`probs` clamped into the open interval (0, 1): to [eps, 1 - eps] of their dtype."""
    eps = float(finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Log-odds (`is_binary`) or log-probabilities of `probs`, clamped away from 0 and 1 first."""
    clamped = clamp_probs(probs)
    if is_binary:
        return clamped.log() - (-clamped).log1p()
    return clamped.log()


def as_size(shape) -> Size:
    """`shape` (a Size, a tuple or a list of ints) as a Size."""
    return shape if isinstance(shape, Size) else Size(shape)


class lazy_property:  # noqa: N801  (PyTorch's name)
    """A parameter computed from another on first use (``probs`` from ``logits``, ...), then kept on the
    instance; computed with grad enabled, so that it stays differentiable."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)  # type: ignore[arg-type]

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with grad_mode.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value
