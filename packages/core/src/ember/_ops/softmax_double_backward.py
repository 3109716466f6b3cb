"""(log_)softmax's gradient under create_graph as PyTorch records it: one _softmax_backward_data
(_log_softmax_backward_data) node over the upstream gradient and the forward's result
(SoftmaxBackwardDataBackward0, LogSoftmaxBackwardDataBackward0), with derivatives.yaml's formulas."""
from __future__ import annotations

from collections.abc import Callable

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node, attach, needs_input_grad


class SoftmaxBackwardDataBackward0(Node):
    """The gradient ``y (g - sum(g y))`` differentiated: w.r.t. g the same formula of the incoming gradient,
    w.r.t. y PyTorch's softmax_double_backward."""

    dim: int

    def backward(self, gg: Tensor) -> tuple:
        g, y = self.saved_tensors
        dim = self.dim
        by_g = y * (gg - (gg * y).sum(dim, keepdim=True)) if needs_input_grad(self, 0) else None
        by_y = g * gg - (y * g).sum(dim, keepdim=True) * gg - g * (y * gg).sum(dim, keepdim=True) \
            if needs_input_grad(self, 1) else None
        return by_g, by_y


class LogSoftmaxBackwardDataBackward0(Node):
    """The gradient ``g - exp(y) sum(g)`` differentiated: w.r.t. g ``gg - sum(gg exp(y))``, w.r.t. y
    ``-sum(g) exp(y) gg``."""

    dim: int

    def backward(self, gg: Tensor) -> tuple:
        g, y = self.saved_tensors
        dim = self.dim
        by_g = gg - (gg * y.exp()).sum(dim, keepdim=True) if needs_input_grad(self, 0) else None
        by_y = -g.sum(dim, keepdim=True) * y.exp() * gg if needs_input_grad(self, 1) else None
        return by_g, by_y


def recorded(gradient: Callable, node_cls: type, grad: Tensor, result: Tensor, dim: int) -> Tensor:
    """``gradient(grad, result)`` computed without a graph, then recorded as one `node_cls` node over the
    upstream gradient and the forward's result."""
    with grad_mode.no_grad():
        value = gradient(grad, result)
    value = Tensor._make(value._data, value._dtype, value._device)  # fresh, for its node
    return attach(value, node_cls, (grad, result), (grad, result), dim=dim)
