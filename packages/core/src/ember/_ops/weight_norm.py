"""torch.norm_except_dim and torch._weight_norm, the two ops of weight normalisation (nn.utils.weight_norm and
its parametrization), composed of vector_norm and pointwise ops. As PyTorch's, _weight_norm along the first or
last dim records one WeightNormInterfaceBackward0 node (its gradient in differentiable ops, so second
derivatives follow); along another dim, or over the whole tensor, it is the plain composition."""
from __future__ import annotations

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node, attach, needs_input_grad
from .norms import vector_norm


class WeightNormInterfaceBackward0(Node):
    """w = g v / ‖v‖: dv = (g / ‖v‖) (G - v ⟨G, v⟩ / ‖v‖²), dg = ⟨G, v⟩ / ‖v‖, the products and norms over
    every dim but `dim` (PyTorch's weight_norm_differentiable_backward)."""

    _names_saved = ("v", "g")
    dim: int

    def backward(self, grad):
        v, g = self.saved_tensors
        dims = [d for d in range(v.ndim) if d != self.dim]
        norms = vector_norm(v, 2, dims, keepdim=True)
        projection = (grad * v).sum(dims, keepdim=True)
        grad_v = (g / norms) * (grad - v * (projection / (norms * norms))) if needs_input_grad(self, 0) else None
        grad_g = (projection / norms).reshape(g.shape) if needs_input_grad(self, 1) else None
        return grad_v, grad_g


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of `v` over every dim but ``dim``, kept as size-1 dims; ``dim=-1`` is PyTorch's "no
    dim": the norm of the whole tensor, 0-dimensional."""
    if dim == -1:
        return vector_norm(v, pow)
    dim = dim + v.ndim if dim < 0 else dim
    return vector_norm(v, pow, [d for d in range(v.ndim) if d != dim], keepdim=True)


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """``v * (g / ‖v‖)``, the norm taken over every dim but ``dim`` (all of them for ``dim=-1``)."""
    if dim not in (0, v.ndim - 1):
        return v * (g / norm_except_dim(v, 2, dim))
    with grad_mode.no_grad():
        result = v * (g / norm_except_dim(v, 2, dim))
    return attach(result, WeightNormInterfaceBackward0, (v, g), (v, g), dim=dim)
