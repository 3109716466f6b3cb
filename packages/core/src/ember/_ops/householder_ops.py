"""torch.linalg.householder_product (torch.orgqr, Tensor.orgqr): the first n columns of the product of the
Householder reflectors H_j = I - tau_j v_j v_j^T stored below the diagonal of A (geqrf's form), composed of
ember ops as LAPACK's orgqr accumulates it (the last reflector first), so every device has it. Its node,
LinalgHouseholderProductBackward0, backpropagates through that product reflector by reflector in
differentiable ember ops (so double backward works)."""
from __future__ import annotations

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node, attach, needs_input_grad
from . import creation
from .decomposition_kernels import check_lapack_dtype
from .dispatch import profiled, type_name
from .joining import cat, stack
from .linalg import written

_OP = "ember.linalg.householder_product"


def _reflectors(A: Tensor, k: int) -> Tensor:
    """V (*, m, k): the first k columns of A below the diagonal, with ones on it and zeros above."""
    m = A.shape[-2]
    return A[..., :k].tril(-1) + creation.eye(m, k, dtype=A.dtype, device=A.device)


def _reflected(v: Tensor, tau: Tensor, x: Tensor) -> Tensor:
    """(I - tau v v^T) x for v (*, m), tau (*,), x (*, m, c)."""
    return x - tau[..., None, None] * (v[..., :, None] @ (v[..., None, :] @ x))


def _product(V: Tensor, tau: Tensor, columns: int) -> Tensor:
    """H_0 ... H_{k-1} times the first `columns` columns of the identity."""
    m = V.shape[-2]
    q = creation.eye(m, columns, dtype=V.dtype, device=V.device).expand(*V.shape[:-2], m, columns)
    for j in reversed(range(V.shape[-1])):
        q = _reflected(V[..., j], tau[..., j], q)
    return q


class LinalgHouseholderProductBackward0(Node):
    """With Q = L_j H_j P_j (L_j = H_0 ... H_{j-1}, P_j = H_{j+1} ... H_{k-1} E) and X_j = L_j^T grad: the
    gradient of H_j is X_j P_j^T, so gtau_j = -(X_j^T v_j) . (P_j^T v_j) and gv_j = -tau_j (X_j P_j^T v_j +
    P_j X_j^T v_j), of which A receives the entries below the diagonal."""

    def backward(self, grad):
        a, tau = self.saved_tensors
        m, n, k = a.shape[-2], a.shape[-1], tau.shape[-1]
        if k == 0:  # no reflector: the result does not depend on the inputs (PyTorch's gradients are None)
            return None, None
        V = _reflectors(a, k)
        suffixes = [creation.eye(m, n, dtype=a.dtype, device=a.device).expand(*a.shape[:-2], m, n)]
        for j in reversed(range(1, k)):
            suffixes.append(_reflected(V[..., j], tau[..., j], suffixes[-1]))
        suffixes.reverse()  # suffixes[j] = P_j
        x = grad
        grad_v, grad_tau = [], []
        for j in range(k):
            v, p = V[..., j], suffixes[j]
            pv = (p.mT @ v[..., None])[..., 0]
            xv = (x.mT @ v[..., None])[..., 0]
            grad_tau.append(-(xv * pv).sum(-1))
            grad_v.append(-tau[..., j, None] * ((x @ pv[..., None]) + (p @ xv[..., None]))[..., 0])
            x = _reflected(v, tau[..., j], x)
        grad_a = None
        if needs_input_grad(self, 0):
            grad_a = stack(grad_v, -1).tril(-1)
            if k < n:
                grad_a = cat([grad_a, creation.zeros((*a.shape[:-1], n - k), dtype=a.dtype, device=a.device)], -1)
        grad_t = None
        if needs_input_grad(self, 1):
            grad_t = stack(grad_tau, -1)
        return grad_a, grad_t


def _check(A, tau) -> None:
    """PyTorch's checks of householder_product's operands, in its order."""
    for name, value, position in (("input", A, 1), ("tau", tau, 2)):
        if not isinstance(value, Tensor):
            raise TypeError(f"linalg_householder_product(): argument '{name}' (position {position}) must be Tensor, "
                            f"not {type(value).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{_OP}: input must have at least 2 dimensions.")
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError(f"{_OP}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if A.shape[-1] < tau.shape[-1] if tau.ndim else False:
        raise RuntimeError(f"{_OP}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tau.ndim != A.ndim - 1:
        raise RuntimeError(f"{_OP}: Expected tau to have one dimension less than input, but got tau.ndim equal to "
                           f"{tau.ndim} and input.ndim is equal to {A.ndim}")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{_OP}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                           f"{list(tau.shape[:-1])}")
    if tau._dtype is not A._dtype:
        raise RuntimeError(f"{_OP}: tau dtype {type_name(tau._dtype)} does not match input dtype "
                           f"{type_name(A._dtype)}")
    check_lapack_dtype(A, "orgqr_cpu")


@profiled("aten::linalg_householder_product")
def householder_product(input, tau, *, out=None):
    """The first n columns (*, m, n) of H_0 ... H_{k-1}, H_j = I - tau_j v_j v_j^T, v_j column j of `input`
    (*, m, n) below the diagonal with a 1 on it (geqrf's reflectors), tau (*, k), k <= n <= m."""
    _check(input, tau)
    with grad_mode.no_grad():
        result = _product(_reflectors(input, tau.shape[-1]), tau, input.shape[-1])
    if out is not None:
        return written(result, out, "linalg_householder_product", (input, tau))
    return attach(result, LinalgHouseholderProductBackward0, (input, tau), (input, tau))


@profiled("aten::orgqr")
def orgqr(input, input2, *, out=None):
    """torch.orgqr: householder_product(input, tau=input2)."""
    return householder_product(input, input2, out=out)
