"""`kl_div`: the Kullback-Leibler divergence of a target distribution from log-probabilities, composed of
differentiable ember ops as PyTorch's is (so its nodes are theirs: SubBackward0, MulBackward0, ...)."""

from __future__ import annotations

import warnings

import ember
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.nn import _reduction
from ember.nn.functional.loss import _reduce

_MEAN_WARNING = (
    "reduction: 'mean' divides the total loss by both the batch size and the support size."
    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
    "'mean' will be changed to behave the same as 'batchmean' in the next major release."
)


@profiled("aten::kl_div")
def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """target * (log(target) - input) elementwise (``input`` holds log-probabilities; with ``log_target``
    so does ``target``), reduced: 'batchmean' sums and divides by the batch size (the divergence), 'mean'
    divides by the number of elements (with PyTorch's warning), 'sum' or 'none'."""
    if size_average is not None or reduce is not None:
        reduction = _reduction.legacy_get_string(size_average, reduce, stacklevel=4)
    elif reduction == "mean":
        warnings.warn(_MEAN_WARNING, stacklevel=3)
    batchmean = reduction == "batchmean"
    reduction = "sum" if batchmean else reduction
    _reduction.check(reduction)
    if not (input._dtype.is_floating_point and target._dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        losses = target.exp() * (target - input)
    else:
        losses = ember.xlogy(target, target) - target * input
    loss = _reduce(losses, reduction)
    if batchmean and input.dim() != 0:
        loss = loss / input.shape[0]
    return loss
