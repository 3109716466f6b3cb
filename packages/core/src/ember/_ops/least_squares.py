"""linalg.lstsq composed over the SVD: the minimum-norm least-squares solution X = pinv(A) B with the singular
values at or below rcond * the largest dropped (what LAPACK's gelsd and gelss compute, and gelsy and gels for
full-rank A), and PyTorch's other results per driver: the rank (not for gels), the singular values (gelsd,
gelss), the squared residuals (m > n, not gelsy; full-rank A unless gels). Records PyTorch's
LinalgLstsqBackward0 (derivatives.yaml's linalg_lstsq_backward: pinv_backward for A, pinv(A)^T for B, and the
residuals' gradient)."""
from __future__ import annotations

import numbers

from .. import _dtype, return_types
from .._tensor import Tensor
from .._typeinfo import finfo
from ..autograd import grad_mode
from ..autograd.node import Node, attach, link, needs_input_grad
from . import creation
from .dispatch import broadcast_error, broadcast_shapes, profiled, type_name
from .pointwise import where
from .pseudoinverse import pinv, pinv_backward
from .svd_decomposition import factored

_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


class LinalgLstsqBackward0(Node):
    """Gradients of A and B from those of the solution and of the residuals (the rank and singular values
    have none)."""

    vector: bool

    def backward(self, grad_solution, grad_residuals, _grad_rank=None, _grad_values=None):
        a, b, x = self.saved_tensors
        if self.vector:
            b, x = b.unsqueeze(-1), x.unsqueeze(-1)
            grad_solution = None if grad_solution is None else grad_solution.unsqueeze(-1)
        grad_a = grad_b = None
        if grad_solution is not None:
            pinv_a = pinv(a)
            if needs_input_grad(self, 0):
                grad_a = pinv_backward(grad_solution @ b.mT, pinv_a, a)
            if needs_input_grad(self, 1):
                grad_b = pinv_a.mT @ grad_solution
        if grad_residuals is not None and grad_residuals.numel():
            weighted = 2 * (a @ x - b) * grad_residuals.unsqueeze(-2)
            if needs_input_grad(self, 0):
                grad_a = weighted @ x.mT if grad_a is None else grad_a + weighted @ x.mT
            if needs_input_grad(self, 1):
                grad_b = -weighted if grad_b is None else grad_b - weighted
        if self.vector and grad_b is not None:
            grad_b = grad_b.squeeze(-1)
        return grad_a, grad_b


def _check(A, B, rcond, driver) -> None:
    for name, position, t in (("self", 1, A), ("b", 2, B)):
        if not isinstance(t, Tensor):
            raise TypeError(f"linalg_lstsq(): argument '{name}' (position {position}) must be Tensor, not "
                            f"{type(t).__name__}")
    if rcond is not None and (isinstance(rcond, bool) or not isinstance(rcond, numbers.Real)):
        raise TypeError(f"linalg_lstsq(): argument 'rcond' must be float, not {type(rcond).__name__}")
    if A.ndim < 2:
        raise RuntimeError("ember.linalg.lstsq: input must have at least 2 dimensions.")
    if B.ndim < 1:
        raise RuntimeError("ember.linalg.lstsq: other must have at least 1 dimension.")
    if A._dtype is not B._dtype:
        raise RuntimeError(f"ember.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
                           f"dtype {type_name(A._dtype)} and other's dtype {type_name(B._dtype)}")
    if A.ndim - B.ndim not in (0, 1):
        raise RuntimeError("ember.linalg.lstsq: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    if A._dtype not in (_dtype.float32, _dtype.float64):
        raise RuntimeError("This function doesn't handle types other than float and double")
    if driver is not None and driver not in _DRIVERS:
        raise RuntimeError("ember.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")


@profiled("aten::linalg_lstsq")
def lstsq(A, B, rcond=None, *, driver=None):
    """(solution, residuals, rank, singular_values) of min ||A X - B|| for A (*, m, n) and B (*, m, k) (or
    (*, m): a vector right-hand side), batch dims broadcast; empty results where the driver computes none."""
    _check(A, B, rcond, driver)
    driver = driver or "gelsy"
    vector = B.ndim == A.ndim - 1
    rhs = B.unsqueeze(-1) if vector else B
    m, n = A.shape[-2:]
    if rhs.shape[-2] != m:
        raise RuntimeError("ember.linalg.lstsq: input.size(-2) should match other.size(-2)")
    if broadcast_shapes(tuple(A.shape[:-2]), tuple(rhs.shape[:-2])) is None:
        raise broadcast_error(None, (tuple(A.shape[:-2]), tuple(rhs.shape[:-2])))
    cutoff = finfo(A.dtype).eps * max(m, n) if rcond is None or rcond < 0 else float(rcond)
    with grad_mode.no_grad():
        u, s, vh = factored(A, False, True)
        kept = s > cutoff * s[..., :1]
        rank = kept.sum(-1)
        solution = vh.mT @ (where(kept, s.reciprocal(), 0.0)[..., None] * (u.mT @ rhs))
        residuals = creation.zeros((0,), dtype=A.dtype, device=A.device)
        if m > n and driver != "gelsy" and (driver == "gels" or bool((rank == n).all())):
            residuals = (A @ solution - rhs).square().sum(-2)
    if vector:
        solution = solution.squeeze(-1)
    empty_rank = creation.zeros((0,), dtype=_dtype.int64, device=A.device)
    values = s if driver in ("gelsd", "gelss") else creation.zeros((0,), dtype=A.dtype, device=A.device)
    if grad_mode.state.enabled and (A._requires_grad or B._requires_grad):
        attach(solution, LinalgLstsqBackward0, (A, B), vector=vector)
        node = solution._grad_fn
        if node is not None:
            node._num_outputs = 2
            residuals._grad_fn, residuals._output_nr, residuals._requires_grad = node, 1, True
            link(node, (A, B), (A, B, solution), (solution,))
    return return_types.linalg_lstsq(solution, residuals, empty_rank if driver == "gels" else rank, values)
