"""torch.linalg.qr, torch.qr and Tensor.qr over the `qr` kernel (`decomposition_kernels`), recording PyTorch's
LinalgQrBackward0, whose backward is derivatives.yaml's linalg_qr_backward in differentiable ember ops; torch.geqrf
over the `geqrf` kernel (PyTorch has no derivative for it)."""
from __future__ import annotations

import warnings

from .. import return_types
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node
from . import creation, decomposition_kernels
from .cholesky_ops import solve_triangular
from .dispatch import profiled
from .joining import cat
from .linalg import OUT_DTYPE, exact_out
from .lu_ops import named_result
from .matrix_checks import check_matrices
from .multi_output import record_outputs

_MODES = ("reduced", "complete", "r")


class LinalgQrBackward0(Node):
    """PyTorch's linalg_qr_backward. With M = gR R^T - Q^T gQ: for m >= n, (Q sym(triu(M)) + gQ) R^{-T}, where
    sym(X) = X + X^T with the diagonal once; for m < n, [Q skew R_1^{-T}, 0] + Q gR with skew = tril(-M + M^T)
    and R_1 R's leading m x m block."""

    mode: str

    def backward(self, grad_q, grad_r):
        if self.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please "
                               "use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
        q, r = self.saved_tensors
        m, n = q.shape[-2], r.shape[-1]
        if self.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        if grad_q is None:
            mixed = grad_r @ r.mT
        else:
            mixed = -(q.mT @ grad_q) if grad_r is None else grad_r @ r.mT - q.mT @ grad_q
        if m >= n:
            grad = q @ (mixed.triu() + mixed.triu(1).mT)
            if grad_q is not None:
                grad = grad + grad_q
            return solve_triangular(r.mT, grad, upper=False, left=False)
        grad = q @ (mixed.mT - mixed).tril()
        grad = solve_triangular(r[..., :m].mT, grad, upper=False, left=False)
        grad = cat([grad, creation.zeros((*r.shape[:-1], n - m), dtype=grad.dtype, device=grad.device)], -1)
        return grad if grad_r is None else grad + q @ grad_r


def _qr(A, mode: str):
    """(Q, R) of A under `mode` (Q an empty tensor for 'r'), with one LinalgQrBackward0 node over both."""
    if mode not in _MODES and A.ndim >= 2 and A._dtype.is_floating_point:  # PyTorch's order: before float16's
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or "
                           "'complete'")
    check_matrices("linalg.qr", A, square=False, half="geqrf_cpu")
    with grad_mode.no_grad():
        q, r = decomposition_kernels.qr(A, mode == "complete", "linalg.qr")
        if mode == "r":
            q = creation.empty((0,), dtype=A.dtype, device=A.device)
    record_outputs(LinalgQrBackward0, A, (q, r), (q, r), mode=mode)
    return q, r


@profiled("aten::linalg_qr")
def qr(A, mode="reduced", *, out=None):
    """(Q, R) with A = Q R, Q with orthonormal columns and R upper triangular, of each matrix of A (*, m, n):
    'reduced' Q (*, m, k), R (*, k, n), k = min(m, n); 'complete' Q (*, m, m), R (*, m, n); 'r' R only (Q empty).
    R's diagonal signs are LAPACK's (geqrf), as PyTorch's."""
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg_qr(): argument 'A' (position 1) must be Tensor, not {type(A).__name__}")
    if not isinstance(mode, str):
        raise TypeError(f"linalg_qr(): argument 'mode' must be str, not {type(mode).__name__}")
    if out is not None:
        for target in out:
            exact_out(target, A._dtype, OUT_DTYPE)
    return named_result(return_types.linalg_qr, "linalg_qr", _qr(A, mode), out, (A,))


_warned = False


@profiled("aten::qr")
def legacy_qr(input, some=True, *, out=None):
    """torch.qr: linalg.qr with mode 'reduced' (`some`) or 'complete', under its older result name; PyTorch's
    deprecation warning, once."""
    global _warned
    if not isinstance(input, Tensor):
        raise TypeError(f"qr(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(some, bool):
        raise TypeError(f"qr(): argument 'some' must be bool, not {type(some).__name__}")
    if not _warned:
        _warned = True
        warnings.warn("ember.qr is deprecated in favor of ember.linalg.qr and will be removed in a future PyTorch "
                      "release.\nThe boolean parameter 'some' has been replaced with a string parameter 'mode'.\n"
                      "Q, R = ember.qr(A, some)\nshould be replaced with\n"
                      "Q, R = ember.linalg.qr(A, 'reduced' if some else 'complete')", UserWarning, stacklevel=3)
    q, r = qr(input, "reduced" if some else "complete", out=out)
    return return_types.qr(q, r)


class GeqrfBackward0(Node):
    """PyTorch has no derivative for geqrf: its backward refuses."""

    def backward(self, grad_a, grad_tau):
        raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


@profiled("aten::geqrf")
def geqrf(input, *, out=None):
    """(a, tau): LAPACK's geqrf of each matrix of input (*, m, n), R on and above the diagonal of a and the
    Householder reflectors below it, tau (*, min(m, n)); householder_product(a, tau) is Q."""
    if not isinstance(input, Tensor):
        raise TypeError(f"geqrf(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.ndim < 2:
        raise RuntimeError("ember.geqrf: input must have at least 2 dimensions.")
    decomposition_kernels.check_lapack_dtype(input, "geqrf_cpu")
    with grad_mode.no_grad():
        factored, tau = decomposition_kernels.geqrf(input, "geqrf")
    record_outputs(GeqrfBackward0, input, (factored, tau), ())
    return named_result(return_types.geqrf, "geqrf", (factored, tau), out, (input,))
