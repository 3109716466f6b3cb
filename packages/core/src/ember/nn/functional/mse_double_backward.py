"""mse_loss's gradient under create_graph as PyTorch records it: each of the input's and the target's
gradients is a ``mse_loss_backward`` node of its own (MseLossBackwardBackward0), saving the upstream
gradient, the input and the target with their versions, so that changing one in place before the second
backward is PyTorch's RuntimeError."""
from __future__ import annotations

from ..._tensor import Tensor
from ...autograd import grad_mode
from ...autograd.node import Node, attach, needs_input_grad


class MseLossBackwardBackward0(Node):
    """The gradient ``(input - target) * scale * grad`` (the target's: with the two swapped) differentiated:
    w.r.t. grad its sum over what grad was broadcast along, w.r.t. input scale * grad, w.r.t. target minus it."""

    scale: float

    def backward(self, gg: Tensor) -> tuple:
        grad, input, target = self.saved_tensors
        scaled = gg * self.scale
        grad_grad = None
        if needs_input_grad(self, 0):
            grad_grad = (input - target) * scaled
            if grad_grad.shape != grad.shape:  # a mean's or sum's 0-d upstream gradient
                grad_grad = grad_grad.sum()
        by_input = scaled * grad if needs_input_grad(self, 1) or needs_input_grad(self, 2) else None
        return grad_grad, by_input, None if by_input is None or not needs_input_grad(self, 2) else -by_input


def mse_loss_backward(grad: Tensor, input: Tensor, target: Tensor, scale: float) -> Tensor:
    """``(input - target) * scale * grad``, recorded as a MseLossBackwardBackward0 node when grad mode is on."""
    with grad_mode.no_grad():
        value = (input - target) * scale * grad
    if not grad_mode.state.enabled:
        return value
    value = Tensor._make(value._data, value._dtype, value._device)  # fresh, for its node
    return attach(value, MseLossBackwardBackward0, (grad, input, target), (grad, input, target), scale=scale)
