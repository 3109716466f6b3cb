"""linalg.matrix_exp (torch.matrix_exp, Tensor.matrix_exp): the exponential of square matrices by scaling and
squaring over a Taylor polynomial, composed of ember ops (no kernel), recorded as LinalgMatrixExpBackward0
whose gradient is PyTorch's: the upper-right block of the exponential of [[Aᴴ, G], [0, Aᴴ]]."""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from . import creation
from .dispatch import profiled
from .joining import cat
from .linalg import matmul, written
from .matrix_checks import check_matrices
from .pointwise import where

_DEGREE = 18  # Taylor terms; with the norm scaled to at most _THETA the remainder is below float64's eps
_THETA = 0.5


class LinalgMatrixExpBackward0(Node):
    """exp(A)'s gradient: the top-right n x n block of exp([[Aᴴ, G], [0, Aᴴ]]), itself a matrix_exp, so
    second derivatives follow."""

    _names_saved = ("self",)

    def backward(self, grad):
        (a,) = self.saved_tensors
        a_h = a.mT
        zeros = creation.zeros_like(grad)
        block = cat([cat([a_h, grad], -1), cat([zeros, a_h], -1)], -2)
        n = a.shape[-1]
        return matrix_exp(block)[..., :n, n:]


def _exponential(a: Tensor) -> Tensor:
    """exp(a) of a floating (*, n, n) `a` with no history: each matrix scaled by 2^-s to a 1-norm of at most
    _THETA, the Taylor polynomial summed by Horner's rule, then squared s times (s per matrix)."""
    n = a.shape[-1]
    norms = a.abs().sum(-2).amax(-1, keepdim=True).unsqueeze(-1)
    host = np.asarray(norms._device.kernels.to_numpy(norms._data), dtype=np.float64)
    finite = np.where(np.isfinite(host), host, 0.0)
    steps = np.ceil(np.log2(np.maximum(finite / _THETA, 1.0))).astype(np.int64)
    scale = creation.tensor(np.ldexp(1.0, -steps), dtype=a._dtype, device=a.device)
    x = a * scale
    identity = creation.eye(n, dtype=a._dtype, device=a.device)
    result = identity + x / _DEGREE
    for k in range(_DEGREE - 1, 0, -1):
        result = identity + matmul(x, result) / k
    counts = creation.tensor(steps, device=a.device)
    for step in range(int(steps.max(initial=0))):
        result = where(counts > step, matmul(result, result), result)
    return result


@profiled("aten::linalg_matrix_exp")
def matrix_exp(A, *, out=None):
    """exp(A) = Σ Aᵏ / k! of each square matrix of A (*, n, n); float16 and bfloat16 are computed in float32."""
    low = isinstance(A, Tensor) and A._dtype.is_floating_point and A._dtype.itemsize < 4
    with grad_mode.no_grad():
        a = A.to(_dtype.float32) if low else A
        check_matrices("linalg.matrix_exp", a)
        result = _exponential(a) if a.numel() else a.clone()
        if low:
            result = result.to(A._dtype)
    return written(attach(result, LinalgMatrixExpBackward0, (A,), (A,)), out, "linalg_matrix_exp", (A,))
