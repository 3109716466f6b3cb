"""`gumbel_softmax`: a sample of the Gumbel-softmax distribution (softmax of the logits plus Gumbel(0, 1)
noise, over a temperature), optionally discretised to one-hot with the straight-through gradient of the soft
sample. The noise is ``-log(Exponential(1))`` drawn from ember's generator, as PyTorch draws it."""

from __future__ import annotations

import warnings

import ember
from ember._tensor import Tensor


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1) -> Tensor:
    """softmax((logits + g) / tau) along ``dim``, g ~ Gumbel(0, 1); with ``hard`` the one-hot of its argmax,
    whose gradient is the soft sample's."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -ember.empty_like(logits, memory_format=ember.contiguous_format).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = ember.zeros_like(logits, memory_format=ember.contiguous_format).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
