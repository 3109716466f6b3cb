"""`margin_ranking_loss` and `cosine_embedding_loss`: losses on pairs of inputs and a ±1 target, composed
of differentiable ember ops as PyTorch's are."""

from __future__ import annotations

import ember
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.nn.functional.loss import _reduce, _reduction_of

_EPSILON = 1e-12  # added to the squared norms before the cosine's division, as PyTorch does


@profiled("aten::margin_ranking_loss")
def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """max(0, -target * (input1 - input2) + margin): input1 should rank above input2 where target is 1,
    below where it is -1."""
    reduction = _reduction_of(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} "
        )
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def _check_cosine_shapes(input1: Tensor, input2: Tensor, target: Tensor) -> None:
    if target.dim() not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    wanted = target.dim() + 1
    if input1.dim() != wanted or input2.dim() != wanted:
        raise RuntimeError(
            f"{target.dim()}D target tensor expects {wanted}D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )


@profiled("aten::cosine_embedding_loss")
def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where it is -1 (0 elsewhere); the
    cosine over the last dim of (N, D) inputs with an (N,) target, or of (D,) inputs with a 0-d one."""
    reduction = _reduction_of(size_average, reduce, reduction)
    _check_cosine_shapes(input1, input2, target)
    dim = target.dim()
    products = (input1 * input2).sum(dim)
    squared_norms1 = (input1 * input1).sum(dim) + _EPSILON
    squared_norms2 = (input2 * input2).sum(dim) + _EPSILON
    cosine = products / (squared_norms1 * squared_norms2).sqrt()
    zeros = ember.zeros_like(cosine)
    positive = ember.where(target == 1, 1 - cosine, zeros)
    negative = ember.where(target == -1, (cosine - margin).clamp_min(0), zeros)
    return _reduce(positive + negative, reduction)
