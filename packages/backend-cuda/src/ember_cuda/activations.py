"""Optional kernels of activations and normalised exponentials: relu, sigmoid, softmax, log_softmax."""
from __future__ import annotations

from collections.abc import Callable

from .arrays import ArrayAPI
from .elementwise import tie
from .layout import in_layout


def kernels(api: ArrayAPI) -> dict[str, Callable]:
    xp = api.xp

    def relu(x, out=None):
        """max(x, 0): NaN propagates; -0. stays -0., as PyTorch's (`elementwise.tie`)."""
        return tie(api, "maximum", x, 0, out)

    def sigmoid(x, out=None):
        """PyTorch's 1 / (1 + exp(-x)): 0 where exp(-x) overflows."""
        denominator = xp.exp(-x)
        denominator += 1
        return xp.divide(1, denominator, out=out)

    def softmax(x, axis):
        exp = xp.exp(x - xp.max(x, axis=axis, keepdims=True))
        exp /= xp.sum(exp, axis=axis, keepdims=True)
        return exp

    def log_softmax(x, axis):
        shifted = x - xp.max(x, axis=axis, keepdims=True)
        shifted -= xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))
        return shifted

    return {"relu": in_layout(xp, relu), "sigmoid": in_layout(xp, sigmoid), "softmax": softmax,
            "log_softmax": log_softmax}
