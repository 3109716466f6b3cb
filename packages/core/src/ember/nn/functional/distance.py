"""`normalize`, `cosine_similarity`, `pairwise_distance` and `pdist`: vector norms and distances along a dim,
composed of differentiable ember ops as PyTorch composes them (so their nodes are PyTorch's: DivBackward0,
SumBackward1, NormBackward1, PdistBackward0)."""

from __future__ import annotations

from ember import _dtype
from ember._ops.dispatch import profiled
from ember._ops.index_builders import triu_indices
from ember._ops.norms import LinalgVectorNormBackward0, vector_norm
from ember._ops.reduction import reduced_dims
from ember._tensor import Tensor
from ember._typeinfo import result_type
from ember.autograd import grad_mode
from ember.autograd.node import attach
from ember.nn.functional.loss import _broadcast_pair


class NormBackward1(LinalgVectorNormBackward0):
    """``at::norm``'s node (pairwise_distance records it): the gradient of the vector norm."""


class PdistBackward0(LinalgVectorNormBackward0):
    """pdist's node: the gradient of the norms of the row differences (whose own node takes it to the rows);
    zeros for p = 0, as PyTorch's."""

    def backward(self, grad):
        if self.ord == 0:
            return self.saved_tensors[0].new_zeros(self.saved_tensors[0].shape)
        return super().backward(grad)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None) -> Tensor:
    """``input`` divided by its ``p``-norm along ``dim``, the norm clamped below at ``eps`` (so a zero
    vector stays zero)."""
    denominator = input.norm(p, dim, keepdim=True)
    if out is None:
        return input / denominator.clamp_min(eps).expand_as(input)
    return input.div(denominator.clamp_min_(eps).expand_as(input), out=out)


@profiled("aten::cosine_similarity")
def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between ``x1`` and ``x2`` (broadcast together) along ``dim``: each divided by
    its 2-norm first, the norms clamped below at ``eps`` without changing their gradient, as PyTorch."""
    common = result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{_dtype.TYPE_NAMES[common.name]}")
    x1, x2 = (x if x._dtype.is_floating_point else x.to(common) for x in (x1, x2))
    x1, x2 = _broadcast_pair(x1, x2)
    norms = []
    for x in (x1, x2):
        norm = vector_norm(x, 2, dim, keepdim=True).clone()
        with grad_mode.no_grad():
            norm.clamp_min_(eps)
        norms.append(norm)
    return ((x1 / norms[0]) * (x2 / norms[1])).sum(dim)


@profiled("aten::pairwise_distance")
def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """The ``p``-norm of ``x1 - x2 + eps`` along the last dim of their broadcast shape."""
    difference = x1 - x2 + eps
    dims = reduced_dims(-1, difference.dim(), "norm")
    with grad_mode.no_grad():
        distance = vector_norm(difference, p, dims, keepdim)
    return attach(distance, NormBackward1, (difference,), (difference, distance), dims=dims, keepdim=keepdim,
                  ord=p)


@profiled("aten::pdist")
def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The ``p``-norm distance between each pair of rows i < j of the (N, M) ``input``: N * (N - 1) / 2 values,
    row pairs in row-major order (the upper triangle of ``cdist(input, input)``)."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input._dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if input._dtype is _dtype.float16:
        raise NotImplementedError("\"pdist\" not implemented for 'Half'")
    first, second = triu_indices(input.shape[0], input.shape[0], 1, device=input.device)
    difference = input[first] - input[second]
    with grad_mode.no_grad():
        distance = vector_norm(difference, p, 1)
    return attach(distance, PdistBackward0, (difference,), (difference, distance), dims=(1,), keepdim=False, ord=p)
