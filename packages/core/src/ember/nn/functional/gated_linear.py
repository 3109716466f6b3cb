"""`glu`, the gated linear unit: the first half of the input along a dim, gated by the sigmoid of the second
half. One `GluBackward0` node, as PyTorch records it, its gradient in differentiable ember ops."""

from __future__ import annotations

import ember
from ember._ops.dispatch import profiled
from ember._ops.reduction import reduced_dims
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach
from ember.nn.functional._common import type_name


class GluBackward0(Node):
    """d(a * sigmoid(b)): grad * sigmoid(b) for a, grad * a * sigmoid(b) * (1 - sigmoid(b)) for b."""

    dim: int

    def backward(self, grad: Tensor) -> Tensor:
        (input,) = self.saved_tensors
        first, second = input.chunk(2, self.dim)
        gate = second.sigmoid()
        return ember.cat((grad * gate, grad * first * gate * (1 - gate)), self.dim)


@profiled("aten::glu")
def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), where a and b are the two halves of ``input`` along ``dim`` (whose size must be even)."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    (dim,) = reduced_dims(dim, input.dim(), "glu")
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size {input.shape[dim]}")
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"glu_cpu\" not implemented for '{type_name(input)}'")
    with grad_mode.no_grad():
        first, second = input.chunk(2, dim)
        result = first * second.sigmoid()
    return attach(result, GluBackward0, (input,), (input,), dim=dim)
