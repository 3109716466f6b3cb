"""`triplet_margin_loss` and `triplet_margin_with_distance_loss`: an anchor should lie closer to a positive
than to a negative by a margin; composed of differentiable ember ops as PyTorch's are."""

from __future__ import annotations

from collections.abc import Callable

import ember
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.nn.functional.distance import pairwise_distance
from ember.nn.functional.loss import _reduce, _reduction_of


def _check_triplet(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float) -> None:
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not a_dim == p_dim == n_dim:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of dimensions, "
            f"but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs"
        )


def _triplet(anchor: Tensor, positive: Tensor, negative: Tensor, distance: Callable, margin: float,
             swap: bool, reduction: str) -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)), d(a, n) replaced by d(p, n) where smaller (``swap``); reduced."""
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = ember.minimum(dist_neg, distance(positive, negative))
    return _reduce((margin + dist_pos - dist_neg).clamp_min(0), reduction)


@profiled("aten::triplet_margin_loss")
def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """The triplet loss with the p-norm distance (eps added to the difference, as pairwise_distance)."""
    reduction = _reduction_of(size_average, reduce, reduction)
    _check_triplet(anchor, positive, negative, margin)
    return _triplet(anchor, positive, negative, lambda x1, x2: pairwise_distance(x1, x2, p, eps), margin, swap,
                    reduction)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """The triplet loss with any distance (default: the Euclidean pairwise distance)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_triplet(anchor, positive, negative, margin)
    return _triplet(anchor, positive, negative, distance_function or pairwise_distance, margin, swap, reduction)
