"""Standardisation, (x - mean) / sqrt(var + eps) over some dims: the statistics (batch_norm's and
group_norm's) and the generic gradient (group_norm's), in differentiable ember ops (so a gradient's own graph
gives second derivatives)."""

from __future__ import annotations

from typing import NamedTuple

from ember._tensor import Tensor


class Moments(NamedTuple):
    """What standardising ``x`` over some dims needs: the statistics kept as size-1 dims, and x - mean."""

    mean: Tensor
    centered: Tensor
    variance: Tensor  # biased
    invstd: Tensor  # 1 / sqrt(variance + eps)


def statistics(x: Tensor, dims: tuple[int, ...], eps: float) -> Moments:
    """The mean, centred x, biased variance and 1 / sqrt(variance + eps) of ``x`` over ``dims``."""
    mean = x.mean(dims, keepdim=True)
    centered = x - mean
    variance = (centered * centered).mean(dims, keepdim=True)
    return Moments(mean, centered, variance, (variance + eps).rsqrt())


def standardized_grad(grad_normalized: Tensor, normalized: Tensor, invstd: Tensor, dims: tuple[int, ...]) -> Tensor:
    """The gradient w.r.t. x of ``normalized = (x - mean(x)) * invstd(x)`` (both statistics over ``dims``),
    given the gradient w.r.t. ``normalized``."""
    mean_grad = grad_normalized.mean(dims, keepdim=True)
    mean_projection = (grad_normalized * normalized).mean(dims, keepdim=True)
    return invstd * (grad_normalized - mean_grad - normalized * mean_projection)


def per_channel(values: Tensor, ndim: int) -> Tensor:
    """A (C,) tensor viewed as (1, C, 1, ...), to broadcast along dim 1 of an ``ndim``-dim input."""
    return values.view((1, -1) + (1,) * (ndim - 2))
