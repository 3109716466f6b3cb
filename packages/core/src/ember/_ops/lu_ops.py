"""torch.linalg's LU family composed from the `lu_factor` and `triangular_solve` primitives
(`matrix_kernels`): det, slogdet, logdet, inv(_ex), solve(_ex), lu_factor(_ex), lu and lu_solve, each recording
PyTorch's node, whose backward is derivatives.yaml's formula in differentiable ember ops."""
from __future__ import annotations

from .. import _dtype, return_types
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node, attach, needs_input_grad
from . import creation, matrix_kernels
from .dispatch import broadcast_error, broadcast_shapes, profiled
from .linalg import same_device, write_out
from .matrix_checks import check_matrices, check_same_dtype, raise_on_info
from .pointwise import where
from .rearranging import diag_embed

_SINGULAR_SOLVE = "The solver failed because the input matrix is singular."


def _inverse_message(op: str):
    return lambda where, code: (f"{op}: {where}The diagonal element {code} is zero, the inversion could not be "
                                "completed because the input matrix is singular.")


def _zero_pivot_message(op: str):
    return lambda where, code: (f"{op}: {where}U[{code},{code}] is zero and using it on lu_solve would result in a "
                                "division by zero. If you still want to perform the factorization, consider calling "
                                "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")


def row_order(pivots: Tensor, rows: int) -> Tensor:
    """The row order (*, rows) int64 that LAPACK's sequential swaps `pivots` (1-based) make: A[order] = L U."""
    batch = pivots.shape[:-1]
    order = creation.arange(rows, device=pivots.device).expand(*batch, rows).clone()
    for j in range(pivots.shape[-1]):
        swapped = pivots[..., j:j + 1].to(_dtype.int64) - 1
        kept = order[..., j:j + 1].clone()
        order[..., j:j + 1] = order.gather(-1, swapped)
        order.scatter_(-1, swapped, kept)
    return order


def _swap_parity(pivots: Tensor) -> Tensor:
    """-1.0 where the swaps of `pivots` make an odd permutation, else 1.0 (the determinant's sign from P)."""
    steps = creation.arange(1, pivots.shape[-1] + 1, dtype=_dtype.int32, device=pivots.device)
    swaps = (pivots != steps).sum(-1)
    return 1 - 2 * (swaps % 2)


def lu_solve_factored(lu: Tensor, pivots: Tensor, b: Tensor) -> Tensor:
    """X with A X = B from A's (LU, pivots) (batch shapes equal, B (*, n, k)); no history."""
    order = row_order(pivots, lu.shape[-1])
    permuted = b.gather(-2, order[..., None].expand(b.shape))
    lower = matrix_kernels.triangular_solve(lu, permuted, upper=False, unitriangular=True)
    return matrix_kernels.triangular_solve(lu, lower, upper=True, unitriangular=False)


def named_result(result_type: type, op: str, values: tuple, out, inputs: tuple):
    """`values` as PyTorch's named tuple `result_type`, or written into the tensors of `out=` (a sequence of as
    many), which are then returned as one."""
    if out is None:
        return result_type(*values)
    for target, value in zip(out, values):
        write_out(target, op, value._data, value._dtype, inputs)
    return result_type(*out)


def _batch_broadcast(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """A and B with their batch dims (all but the last two) broadcast together (PyTorch's error, B's batch
    named first, if they cannot)."""
    batch = broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    if batch is None:
        raise broadcast_error(None, (tuple(b.shape[:-2]), tuple(a.shape[:-2])))  # type: ignore[misc]
    return a.expand(*batch, *a.shape[-2:]), b.expand(*batch, *b.shape[-2:])


# --- det, slogdet, logdet ---------------------------------------------------------------------------------

def _factored_diagonal(a: Tensor):
    lu, pivots, _ = matrix_kernels.lu_factor(a)
    return lu.diagonal(dim1=-2, dim2=-1), _swap_parity(pivots).to(a._dtype)


def _cotangent(a: Tensor, scale: Tensor) -> Tensor:
    """scale (*,) times A^{-T}, as solve(A^T, scale I): det's and slogdet's gradient (A invertible)."""
    return solve(a.mT, diag_embed(scale[..., None].expand(*scale.shape, a.shape[-1])))


class LinalgDetBackward0(Node):
    """grad det(A) A^{-T} (for invertible A)."""

    def backward(self, grad):
        a, det = self.saved_tensors
        return _cotangent(a, grad * det)


@profiled("aten::linalg_det")
def det(A, *, out=None):
    """The determinant of each matrix of A (*, n, n)."""
    check_matrices("linalg.det", A, half="lu_cpu")
    with grad_mode.no_grad():
        diagonal, parity = _factored_diagonal(A)
        result = diagonal.prod(-1) * parity
    if out is not None:
        return write_out(out, "linalg_det", result._data, A._dtype, (A,))
    return attach(result, LinalgDetBackward0, (A,), (A, result))


class LinalgSlogdetBackward0(Node):
    """The sign has no gradient (real input); logabsdet's is grad A^{-T}."""

    def backward(self, grad_sign, grad_logabsdet):
        if grad_logabsdet is None:
            return None
        (a,) = self.saved_tensors
        return _cotangent(a, grad_logabsdet)


def _slogdet(op: str, A):
    check_matrices(op, A, half="lu_cpu")
    with grad_mode.no_grad():
        diagonal, parity = _factored_diagonal(A)
        sign = diagonal.sign().prod(-1) * parity
        logabsdet = diagonal.abs().log().sum(-1)
    attach(logabsdet, LinalgSlogdetBackward0, (A,), (A,))
    node = logabsdet._grad_fn
    if node is not None:
        node._num_outputs = 2
        sign._grad_fn, sign._output_nr, sign._requires_grad = node, 0, True
        logabsdet._output_nr = 1
    return sign, logabsdet


@profiled("aten::linalg_slogdet")
def slogdet(A, *, out=None):
    """(sign, logabsdet) of each matrix of A: det = sign * exp(logabsdet)."""
    return named_result(return_types.linalg_slogdet, "linalg_slogdet", _slogdet("linalg.slogdet", A), out, (A,))


@profiled("aten::slogdet")
def legacy_slogdet(input, *, out=None):
    """torch.slogdet: linalg.slogdet under its older result name."""
    sign, logabsdet = slogdet(input, out=out)
    return return_types.slogdet(sign, logabsdet)


@profiled("aten::logdet")
def logdet(input):
    """log det(input): NaN for a negative determinant, -inf for a singular matrix (PyTorch's composition)."""
    sign, logabsdet = _slogdet("logdet", input)
    return where(sign == -1, float("nan"), logabsdet)


# --- inverse ----------------------------------------------------------------------------------------------

class LinalgInvExBackward0(Node):
    """-A^{-T} grad A^{-T}, from the saved inverse."""

    def backward(self, grad, _info=None):
        (inverse,) = self.saved_tensors
        inverse_t = inverse.mT
        return -(inverse_t @ (grad @ inverse_t))


def _inverse(op: str, A, check_errors: bool):
    check_matrices(op, A)
    n = A.shape[-1]
    with grad_mode.no_grad():
        lu, pivots, info = matrix_kernels.lu_factor(A)
        identity = creation.eye(n, dtype=A.dtype, device=A.device).expand(A.shape)
        inverse = lu_solve_factored(lu, pivots, identity)
    if check_errors:
        raise_on_info(info, _inverse_message(op))
    return attach(inverse, LinalgInvExBackward0, (A,), (inverse,)), info


@profiled("aten::linalg_inv_ex")
def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info (*,) int32 is 0 where A is invertible, else the first zero pivot's order."""
    return named_result(return_types.linalg_inv_ex, "linalg_inv_ex", _inverse("linalg.inv_ex", A, check_errors), out,
                        (A,))


@profiled("aten::linalg_inv")
def inv(A, *, out=None):
    """The inverse of each matrix of A; LinAlgError for a singular one."""
    inverse, _ = _inverse("linalg.inv", A, True)
    if out is not None:
        return write_out(out, "linalg_inv", inverse._data, A._dtype, (A,))
    return inverse


@profiled("aten::inverse")
def inverse(input, *, out=None):
    """torch.inverse and Tensor.inverse: linalg.inv."""
    return inv(input, out=out)


# --- solve ------------------------------------------------------------------------------------------------

def _is_vector(A: Tensor, B: Tensor) -> bool:
    """PyTorch's rule: B is a (batch of) vector(s) when 1-D, or when its shape is A's without the last dim."""
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


class LinalgSolveExBackward0(Node):
    """gB = A^{-T} grad (grad A^{-T} for XA = B), gA = -gB X^T (-X^T gB)."""

    left: bool
    vector: bool

    def backward(self, grad, _info=None):
        a, x = self.saved_tensors
        if self.vector:
            grad, x = grad[..., None], x[..., None]
        grad_b = solve(a.mT, grad, left=self.left)
        grad_a = None
        if needs_input_grad(self, 0):
            grad_a = -(grad_b @ x.mT) if self.left else -(x.mT @ grad_b)
        if self.vector:
            grad_b = grad_b[..., 0]
        return grad_a, grad_b


def _solve(op: str, A, B, left: bool, check_errors: bool):
    name = op.removeprefix("ember.")
    check_matrices(name, A, half="lu_cpu")
    if not isinstance(B, Tensor):
        raise TypeError(f"{name}(): argument 'B' must be Tensor, not {type(B).__name__}")
    if B.ndim < 1:
        raise RuntimeError(f"{name}: The input tensor B must have at least 2 dimensions.")
    check_same_dtype(name, A, B)
    same_device(name, A, B)
    vector = _is_vector(A, B)
    matrix = B[..., None] if vector else B
    n = A.shape[-1]
    if matrix.shape[-2 if left else -1] != n:
        rows, cols = matrix.shape[-2:]
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {rows}x{cols})")
    with grad_mode.no_grad():
        a, b = _batch_broadcast(A if left else A.mT, matrix if left else matrix.mT)
        lu, pivots, info = matrix_kernels.lu_factor(a)
        x = lu_solve_factored(lu, pivots, b)
        x = x if left else x.mT
        if vector:
            x = x[..., 0]
    if check_errors:
        raise_on_info(info, lambda where, code: f"{op}: {where}{_SINGULAR_SOLVE}")
    return attach(x, LinalgSolveExBackward0, (A, B), (A, x), left=left, vector=vector), info


@profiled("aten::linalg_solve_ex")
def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """(result, info): X with A X = B (X A = B when not `left`) and A's factorization's info."""
    return named_result(return_types.linalg_solve_ex, "linalg_solve_ex",
                        _solve("ember.linalg.solve_ex", A, B, left, check_errors), out, (A, B))


@profiled("aten::linalg_solve")
def solve(A, B, *, left=True, out=None):
    """X with A X = B (X A = B when not `left`), batch dims broadcast; B may be a (batch of) vector(s)."""
    x, _ = _solve("ember.linalg.solve", A, B, left, True)
    if out is not None:
        return write_out(out, "linalg_solve", x._data, x._dtype, (A, B))
    return x

