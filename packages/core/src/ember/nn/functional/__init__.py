"""`ember.nn.functional`: the stateless functions behind the layers and losses (``import ... as F``)."""

from ember.nn.functional.activation import log_softmax, relu, relu_, sigmoid, softmax, tanh
from ember.nn.functional.encoding import one_hot
from ember.nn.functional.linear import linear
from ember.nn.functional.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "l1_loss",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "relu",
    "relu_",
    "sigmoid",
    "softmax",
    "tanh",
]
