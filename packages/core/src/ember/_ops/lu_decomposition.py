"""torch.linalg's LU decomposition itself: lu_factor(_ex), lu (P, L, U) and lu_solve, composed from the
`lu_factor` and `triangular_solve` primitives (`matrix_kernels`), with PyTorch's nodes and its
linalg_lu_backward (square, wide and tall) in differentiable ember ops."""
from __future__ import annotations

from .. import _dtype, return_types
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node, attach, needs_input_grad
from . import creation, joining, matrix_kernels
from .cholesky_ops import solve_triangular
from .dispatch import profiled, type_name
from .linalg import same_device, write_out
from .lu_ops import _batch_broadcast, _zero_pivot_message, lu_solve_factored, named_result, row_order
from .matrix_checks import check_square, raise_on_info


def _check_input(op: str, A, name: str = "A", kernel: str = "lu_cpu") -> None:
    """PyTorch's checks of an LU factorization's input: a float32/float64 tensor of at least 2 dims (the
    factorizations name themselves "ember.lu_factor" in the error for fewer, as PyTorch's "torch.lu_factor")."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(A).__name__}")
    if A.ndim < 2:
        named = "ember.lu_factor" if "lu_factor" in op else op
        raise RuntimeError(f"{named}: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead")
    if not A._dtype.is_floating_point or A._dtype.itemsize < 4:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{type_name(A._dtype)}'")


def _refuse_no_pivoting(pivot) -> None:
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def permutation(order: Tensor, dtype) -> Tensor:
    """P (*, m, m) of `dtype` with A = P L U, from the row order A[order] = L U."""
    m = order.shape[-1]
    identity = creation.eye(m, dtype=dtype, device=order.device)
    return identity[order].mT


def unpack(lu: Tensor, pivots: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(P, L, U) of an (LU, pivots) pair, L (*, m, k) unit lower, U (*, k, n) upper (differentiable in LU)."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    with grad_mode.no_grad():
        p = permutation(row_order(pivots, m), lu.dtype)
    lower = lu[..., :, :k].tril(-1) + creation.eye(m, k, dtype=lu.dtype, device=lu.device)
    return p, lower, lu[..., :k, :].triu()


def lu_backward(grad_l, grad_u, p: Tensor, lower: Tensor, upper: Tensor) -> Tensor:
    """PyTorch's linalg_lu_backward: A's gradient from those of L (*, m, k) and U (*, k, n) (None for none)."""
    m, n = lower.shape[-2], upper.shape[-1]
    k = min(m, n)
    if m == n:
        terms = []
        if grad_l is not None:
            terms.append((lower.mT @ grad_l).tril(-1))
        if grad_u is not None:
            terms.append((grad_u @ upper.mT).triu())
        grad = terms[0] if len(terms) == 1 else terms[0] + terms[1]
        grad = solve_triangular(upper.mT, grad, upper=False, left=False)
        grad = solve_triangular(lower.mT, grad, upper=True, unitriangular=True)
    elif m < n:  # wide: U = [U1 U2], U1 square
        u1 = upper[..., :k]
        grad = lower.mT @ grad_l if grad_l is not None else None
        if grad_u is not None:
            product = grad_u.triu() @ upper.mT
            grad = -product if grad is None else grad - product
        grad = solve_triangular(u1.mT, grad.tril(-1), upper=False, left=False)
        if grad_u is not None:
            grad = joining.cat([grad + grad_u[..., :k].triu(), grad_u[..., k:]], -1)
        grad = solve_triangular(lower.mT, grad, upper=True, unitriangular=True)
        if grad_u is None:
            grad = joining.cat([grad, creation.zeros_like(upper[..., k:])], -1)
    else:  # tall: L = [L1; L2], L1 square
        l1 = lower[..., :k, :]
        grad = grad_u @ upper.mT if grad_u is not None else None
        if grad_l is not None:
            product = lower.mT @ grad_l.tril(-1)
            grad = -product if grad is None else grad - product
        grad = solve_triangular(l1.mT, grad.triu(), upper=True, unitriangular=True)
        if grad_l is not None:
            grad = joining.cat([grad + grad_l[..., :k, :].tril(-1), grad_l[..., k:, :]], -2)
        grad = solve_triangular(upper.mT, grad, upper=False, left=False)
        if grad_l is None:
            grad = joining.cat([grad, creation.zeros_like(lower[..., k:, :])], -2)
    return p @ grad


class LinalgLuFactorExBackward0(Node):
    """lu_backward of the gradient's parts on L (its first k columns) and U (its first k rows)."""

    def backward(self, grad, _pivots=None, _info=None):
        lu, pivots = self.saved_tensors
        k = min(lu.shape[-2:])
        p, lower, upper = unpack(lu, pivots)
        return lu_backward(grad[..., :, :k], grad[..., :k, :], p, lower, upper)


def _factor(op: str, A, pivot: bool, check_errors: bool):
    _check_input(op, A)
    _refuse_no_pivoting(pivot)
    with grad_mode.no_grad():
        lu, pivots, info = matrix_kernels.lu_factor(A)
    if check_errors:
        raise_on_info(info, _zero_pivot_message(op), RuntimeError)
    return attach(lu, LinalgLuFactorExBackward0, (A,), (lu, pivots)), pivots, info


@profiled("aten::linalg_lu_factor_ex")
def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """(LU, pivots, info): A = P L U packed as LAPACK's getrf (L's unit diagonal implied), pivots (*, k) int32
    1-based, info (*,) int32 the first zero pivot's 1-based index, 0 when none."""
    return named_result(return_types.linalg_lu_factor_ex, "linalg_lu_factor_ex",
                        _factor("ember.linalg.lu_factor_ex", A, pivot, check_errors), out, (A,))


@profiled("aten::linalg_lu_factor")
def lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots) of lu_factor_ex; RuntimeError when U has a zero on its diagonal."""
    lu, pivots, _ = _factor("ember.linalg.lu_factor", A, pivot, True)
    return named_result(return_types.linalg_lu_factor, "linalg_lu_factor", (lu, pivots), out, (A,))


class LinalgLuBackward0(Node):
    """lu_backward of L's and U's gradients (P has none)."""

    def backward(self, grad_l, grad_u):
        p, lower, upper = self.saved_tensors
        return lu_backward(grad_l, grad_u, p, lower, upper)


@profiled("aten::linalg_lu")
def lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P L U: P a permutation matrix, L (*, m, k) unit lower, U (*, k, n) upper."""
    _check_input("linalg.lu", A)
    _refuse_no_pivoting(pivot)
    with grad_mode.no_grad():
        factors, pivots, _ = matrix_kernels.lu_factor(A)
        p, lower, upper = unpack(factors, pivots)
    if out is not None:
        return named_result(return_types.linalg_lu, "linalg_lu", (p, lower, upper), out, (A,))
    attach(lower, LinalgLuBackward0, (A,), (p, lower, upper))
    node = lower._grad_fn
    if node is not None:
        node._num_outputs = 2
        upper._grad_fn, upper._output_nr, upper._requires_grad = node, 1, True
    return return_types.linalg_lu(p, lower, upper)


def _solved(lu: Tensor, pivots: Tensor, b: Tensor, adjoint: bool) -> Tensor:
    """X with A X = B (A^T X = B when `adjoint`) from A's factorization; batch shapes equal; no history."""
    if not adjoint:
        return lu_solve_factored(lu, pivots, b)
    transposed = lu.mT
    upper = matrix_kernels.triangular_solve(transposed, b, upper=False, unitriangular=False)
    lower = matrix_kernels.triangular_solve(transposed, upper, upper=True, unitriangular=True)
    return permutation(row_order(pivots, lu.shape[-1]), lu.dtype) @ lower


class LinalgLuSolveBackward0(Node):
    """B's gradient lu_solve(LU, pivots, grad, left, not adjoint); LU's PyTorch's linalg_lu_solve_LU."""

    left: bool
    adjoint: bool

    def backward(self, grad):
        lu, pivots, x = self.saved_tensors
        grad_b = lu_solve(lu, pivots, grad, left=self.left, adjoint=not self.adjoint)
        grad_lu = None
        if needs_input_grad(self, 0):
            grad_lu = _lu_solve_lu_grad(grad, lu, pivots, x, self.left, self.adjoint)
        return grad_lu, None, grad_b


def _lu_solve_lu_grad(grad, lu, pivots, x, left: bool, adjoint: bool) -> Tensor:
    p, lower, upper = unpack(lu, pivots)
    if left != adjoint:
        product = -(grad @ x.mT) if left else -(grad.mT @ x)
        grad_r = solve_triangular(upper.mT, product, upper=False)
        grad_l = solve_triangular(lower.mT, grad_r @ upper.mT, upper=True, unitriangular=True).tril(-1)
        return grad_l + grad_r.triu()
    grad_r = -(p.mT @ ((x if left else x.mT) @ (grad.mT if left else grad)) @ p)
    grad_r = solve_triangular(lower.mT, grad_r, upper=True, left=False, unitriangular=True)
    grad_u = solve_triangular(upper.mT, lower.mT @ grad_r, upper=False, left=False).triu()
    return grad_r.tril(-1) + grad_u


@profiled("aten::linalg_lu_solve")
def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B (X A = B when not `left`; A^T for A when `adjoint`) from A's (LU, pivots)."""
    op = "linalg.lu_solve"
    _check_input(op, LU, "LU", "linalg.lu_solve_cpu")
    if not isinstance(B, Tensor) or B.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor B must have at least 2 dimensions.")
    check_square(f"ember.{op}", LU)
    n = LU.shape[-1]
    if B.shape[-2 if left else -1] != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'} "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    if pivots._dtype is not _dtype.int32:
        raise RuntimeError(f"{op}: pivots should be a Tensor of scalar type ember.int32")
    if pivots.ndim < 1 or pivots.shape[-1] != n:
        raise RuntimeError(f"{op}: Number of pivots per batch should be same as the dimension of the matrix")
    if LU._dtype is not B._dtype:
        raise RuntimeError(f"{op}: Expected LU and B to have the same dtype, but found LU of type "
                           f"{type_name(LU._dtype)} and B of type {type_name(B._dtype)} instead")
    same_device(op, LU, pivots, B)
    with grad_mode.no_grad():
        factors, b = _batch_broadcast(LU, B if left else B.mT)
        order = pivots.expand(*factors.shape[:-2], n)
        x = _solved(factors, order, b, adjoint if left else not adjoint)
        x = x if left else x.mT
    if out is not None:
        return write_out(out, "linalg_lu_solve", x._data, x._dtype, (LU, B))
    return attach(x, LinalgLuSolveBackward0, (LU, pivots, B), (LU, pivots, x), left=bool(left), adjoint=bool(adjoint))
