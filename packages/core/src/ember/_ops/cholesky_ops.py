"""torch.linalg's Cholesky family and triangular solves, composed from the `cholesky` and `triangular_solve`
primitives (`matrix_kernels`): cholesky(_ex), cholesky_solve and solve_triangular, each recording PyTorch's
node, whose backward is derivatives.yaml's formula in differentiable ember ops."""
from __future__ import annotations

from .. import _dtype, return_types
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node, attach, needs_input_grad
from . import matrix_kernels
from .dispatch import profiled, type_name
from .linalg import same_device, write_out
from .lu_ops import _batch_broadcast, named_result
from .matrix_checks import check_matrices, check_square, raise_on_info

# --- cholesky ---------------------------------------------------------------------------------------------

class LinalgCholeskyExBackward0(Node):
    """PyTorch's cholesky_backward: Φ = tril(L^T gL) with its diagonal halved, symmetrised, then
    L^{-T} Φ L^{-1} by two triangular solves."""

    upper: bool

    def backward(self, grad, _info=None):
        (factor,) = self.saved_tensors
        lower = factor.mT if self.upper else factor
        grad_lower = grad.mT if self.upper else grad
        phi = (lower.mT @ grad_lower).tril()
        phi = 0.5 * (phi + phi.tril(-1).mT)
        phi = solve_triangular(lower.mT, phi, upper=True)
        return solve_triangular(lower, phi, upper=False, left=False)


def _cholesky(op: str, A, upper: bool, check_errors: bool):
    check_matrices(op, A, half="cholesky_cpu")
    with grad_mode.no_grad():
        factor, info = matrix_kernels.cholesky(A.mT if upper else A)  # upper: the upper triangle is read
        if upper:
            factor = factor.mT.contiguous()
    if check_errors:
        raise_on_info(info, lambda where, code: (
            f"{op}: {where}The factorization could not be completed because the input is not positive-definite "
            f"(the leading minor of order {code} is not positive-definite)."))
    return attach(factor, LinalgCholeskyExBackward0, (A,), (factor,), upper=bool(upper)), info


@profiled("aten::linalg_cholesky_ex")
def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info): the Cholesky factor (U = L^T with `upper`) and info (*,) int32, the order of the first
    leading minor that is not positive-definite (0 when A is positive-definite)."""
    return named_result(return_types.linalg_cholesky_ex, "linalg_cholesky_ex",
                        _cholesky("linalg.cholesky_ex", A, upper, check_errors), out, (A,))


@profiled("aten::linalg_cholesky")
def cholesky(A, *, upper=False, out=None):
    """The lower Cholesky factor L of each matrix of A, A = L L^T (U = L^T, A = U^T U, with `upper`);
    LinAlgError when one is not positive-definite."""
    factor, _ = _cholesky("linalg.cholesky", A, upper, True)
    if out is not None:
        return write_out(out, "linalg_cholesky", factor._data, A._dtype, (A,))
    return factor


# --- triangular solves ------------------------------------------------------------------------------------

class LinalgSolveTriangularBackward0(Node):
    """gB = A^{-T} grad (the other triangle), gA = -gB X^T (-X^T gB on the right) kept to A's triangle."""

    upper: bool
    left: bool
    unitriangular: bool

    def backward(self, grad):
        a, x = self.saved_tensors
        grad_b = solve_triangular(a.mT, grad, upper=not self.upper, left=self.left, unitriangular=self.unitriangular)
        grad_a = None
        if needs_input_grad(self, 0):
            grad_a = -(grad_b @ x.mT) if self.left else -(x.mT @ grad_b)
            unit = int(self.unitriangular)
            grad_a = grad_a.triu(unit) if self.upper else grad_a.tril(-unit)
        return grad_a, grad_b


def _check_operands(op: str, A, B, half: str) -> None:
    check_matrices(op, A, half=half)
    if not isinstance(B, Tensor):
        raise TypeError(f"{op}(): argument 'B' must be Tensor, not {type(B).__name__}")
    if B.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor B must have at least 2 dimensions.")
    same_device(op, A, B)


def _solved(A: Tensor, B: Tensor, upper: bool, left: bool, unitriangular: bool) -> Tensor:
    """X with A X = B (X A = B, as A^T X^T = B^T, when not `left`), batch dims broadcast; no history."""
    a, b = _batch_broadcast(A if left else A.mT, B if left else B.mT)
    x = matrix_kernels.triangular_solve(a, b, upper=upper if left else not upper, unitriangular=unitriangular)
    return x if left else x.mT


@profiled("aten::linalg_solve_triangular")
def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B (X A = B when not `left`) for triangular A (its `upper` or lower triangle read, its
    diagonal taken as ones when `unitriangular`)."""
    op = "linalg.solve_triangular"
    _check_operands(op, A, B, "triangular_solve_cpu")
    n = A.shape[-1]
    if B.shape[-2 if left else -1] != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'} "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    if A._dtype is not B._dtype:
        common = _dtype.promote(A._dtype, 2, B._dtype, 2)
        A, B = A.to(common), B.to(common)
    with grad_mode.no_grad():
        x = _solved(A, B, bool(upper), bool(left), bool(unitriangular))
    if out is not None:
        return write_out(out, "linalg_solve_triangular", x._data, x._dtype, (A, B))
    return attach(x, LinalgSolveTriangularBackward0, (A, B), (A, x), upper=bool(upper), left=bool(left),
                  unitriangular=bool(unitriangular))


class CholeskySolveBackward0(Node):
    """PyTorch's cholesky_solve_backward: gB = cholesky_solve(grad, L), gL = -(gB X^T + X gB^T) L
    (-L (...) with `upper`)."""

    upper: bool

    def backward(self, grad):
        factor, x = self.saved_tensors
        grad_b = cholesky_solve(grad, factor, self.upper)
        grad_factor = None
        if needs_input_grad(self, 1):
            common = grad_b @ x.mT
            common = common + common.mT
            grad_factor = -(factor @ common) if self.upper else -(common @ factor)
        return grad_b, grad_factor


@profiled("aten::cholesky_solve")
def cholesky_solve(input, input2, upper=False, *, out=None):
    """X with A X = B, A = L L^T given its Cholesky factor `input2` (L, or U = L^T with `upper`), B `input`."""
    if not isinstance(input, Tensor) or not isinstance(input2, Tensor):
        raise TypeError("cholesky_solve(): arguments 'input' and 'input2' must be Tensor")
    if input.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {input.ndim} dimensions instead")
    if input2.ndim < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {input2.ndim} dimensions instead")
    if input._dtype is not input2._dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type {type_name(input._dtype)} "
                           f"and A of type {type_name(input2._dtype)} instead.")
    check_square("", input2)
    rows = input2.shape[-2]
    if input.shape[-2] != rows:
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is {rows} by {rows} but "
                           f"each b matrix is {input.shape[-2]} by {input.shape[-1]}")
    _check_operands("cholesky_solve", input2, input, "cholesky_solve_cpu")
    with grad_mode.no_grad():
        lower = input2.mT if upper else input2
        y = _solved(lower, input, upper=False, left=True, unitriangular=False)
        x = _solved(lower.mT, y, upper=True, left=True, unitriangular=False)
    if out is not None:
        return write_out(out, "cholesky_solve", x._data, x._dtype, (input, input2))
    return attach(x, CholeskySolveBackward0, (input, input2), (input2, x), upper=bool(upper))
