"""Activation functions as ``torch.nn.functional`` spells them, over core's activation ops."""

from __future__ import annotations

import ember
from ember._ops import unary
from ember._tensor import Tensor
from ember.nn.functional._common import implicit_softmax_dim


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x) elementwise; ``inplace=True`` writes the result into ``input``."""
    return input.relu_() if inplace else ember.relu(input)


def relu_(input: Tensor) -> Tensor:
    """In-place relu."""
    return input.relu_()


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)) elementwise."""
    return ember.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """tanh(x) elementwise."""
    return unary.FUNCTIONS["tanh"](input)


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: ember.dtype | None = None
) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``; ``dtype`` casts the input first."""
    if dim is None:
        dim = implicit_softmax_dim("softmax", input.dim(), _stacklevel)
    return ember.softmax(input, dim, dtype=dtype)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: ember.dtype | None = None
) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably; ``dtype`` casts the input first."""
    if dim is None:
        dim = implicit_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return ember.log_softmax(input, dim, dtype=dtype)
