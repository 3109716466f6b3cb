"""torch.norm_except_dim and torch._weight_norm, the two ops of weight normalisation (nn.utils.weight_norm and
its parametrization), composed of vector_norm and pointwise ops so that their gradients (and second
derivatives) are those of the composition."""
from __future__ import annotations

from .._tensor import Tensor
from .norms import vector_norm


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of `v` over every dim but ``dim``, kept as size-1 dims; ``dim=-1`` is PyTorch's "no
    dim": the norm of the whole tensor, 0-dimensional."""
    if dim == -1:
        return vector_norm(v, pow)
    dim = dim + v.ndim if dim < 0 else dim
    return vector_norm(v, pow, [d for d in range(v.ndim) if d != dim], keepdim=True)


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """``v * (g / ‖v‖)``, the norm taken over every dim but ``dim`` (all of them for ``dim=-1``)."""
    return v * (g / norm_except_dim(v, 2, dim))
