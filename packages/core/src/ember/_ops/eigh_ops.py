"""torch.linalg.eigh and eigvalsh over the `eigh` kernel (`decomposition_kernels`), recording PyTorch's
LinalgEighBackward0, whose backward is derivatives.yaml's linalg_eig_backward (its Hermitian case) in
differentiable ember ops; torch.symeig, removed from PyTorch, raises PyTorch's error."""
from __future__ import annotations

from .. import return_types
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node
from . import creation, decomposition_kernels
from .dispatch import profiled
from .linalg import OUT_DTYPE, exact_out, write_out
from .lu_ops import named_result
from .matrix_checks import check_square
from .multi_output import record_outputs
from .rearranging import diag_embed


class LinalgEighBackward0(Node):
    """V (skew(V^T gV) / E + diag(gL)) V^T, with skew(X) = (X - X^T) / 2 and E_ij = L_j - L_i (ones on the
    diagonal); V diag(gL) V^T without a gradient for the eigenvectors."""

    def backward(self, grad_values, grad_vectors):
        values, vectors = self.saved_tensors
        if grad_vectors is None:
            return (vectors * grad_values.unsqueeze(-2)) @ vectors.mT
        inner = vectors.mT @ grad_vectors
        inner = (inner - inner.mT) * 0.5
        gaps = values.unsqueeze(-2) - values.unsqueeze(-1) + creation.eye(values.shape[-1], dtype=values.dtype,
                                                                          device=values.device)
        inner = inner / gaps
        if grad_values is not None:
            inner = inner + diag_embed(grad_values)
        return vectors @ (inner @ vectors.mT)


def _checked(op: str, A, UPLO) -> bool:
    """PyTorch's checks of eigh's and eigvalsh's arguments, in its order; whether the upper triangle is read."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(A).__name__}")
    if not isinstance(UPLO, str):
        raise TypeError(f"{op}(): argument 'UPLO' must be str, not {type(UPLO).__name__}")
    if A.ndim < 2:
        raise RuntimeError("linalg.eigh: The input tensor A must have at least 2 dimensions.")
    check_square("linalg.eigh", A)
    if UPLO.upper() not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    decomposition_kernels.check_lapack_dtype(A, "linalg_eigh_cpu")
    return UPLO.upper() == "U"


def _eigh(A: Tensor, upper: bool, vectors: bool):
    """(eigenvalues, eigenvectors) with one LinalgEighBackward0 node over both; the eigenvectors are computed
    when asked or when the eigenvalues' gradient needs them."""
    wanted = vectors or (grad_mode.state.enabled and A.requires_grad)
    with grad_mode.no_grad():
        values, vecs = decomposition_kernels.eigh(A, upper, wanted, "linalg.eigh")
    if vecs is not None:
        record_outputs(LinalgEighBackward0, A, (values, vecs), (values, vecs))
    return values, vecs


@profiled("aten::linalg_eigh")
def eigh(A, UPLO="L", *, out=None):
    """(eigenvalues (*, n) in ascending order, eigenvectors (*, n, n) as columns) of the symmetric matrices A
    (*, n, n) given by their lower (UPLO='L') or upper ('U') triangle; the eigenvectors' signs are the
    kernel's (LAPACK's on the CPU), as any decomposition's."""
    upper = _checked("linalg_eigh", A, UPLO)
    if out is not None:
        for target in out:
            exact_out(target, A._dtype, OUT_DTYPE)
    return named_result(return_types.linalg_eigh, "linalg_eigh", _eigh(A, upper, True), out, (A,))


@profiled("aten::linalg_eigvalsh")
def eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues (*, n), in ascending order, of the symmetric matrices A (*, n, n) given by their lower
    (UPLO='L') or upper ('U') triangle."""
    upper = _checked("linalg_eigvalsh", A, UPLO)
    values, _ = _eigh(A, upper, False)
    if out is not None:
        exact_out(out, A._dtype, OUT_DTYPE)
        return write_out(out, "linalg_eigvalsh", values._data, values._dtype, (A,))
    return values


_SYMEIG_REMOVED = (
    "This function was deprecated since version 1.9 and is now removed. The default behavior has changed from using "
    "the upper triangular portion of the matrix by default to using the lower triangular portion.\n\n"
    "L, _ = ember.symeig(A, upper=upper) should be replaced with:\nL = ember.linalg.eigvalsh(A, UPLO='U' if upper else "
    "'L')\n\nand\n\nL, V = ember.symeig(A, eigenvectors=True) should be replaced with:\nL, V = ember.linalg.eigh(A, "
    "UPLO='U' if upper else 'L')")


def symeig(input, eigenvectors=False, upper=True, *, out=None):
    """torch.symeig, removed in PyTorch 2: PyTorch's RuntimeError naming its replacements (as ember's)."""
    raise RuntimeError(_SYMEIG_REMOVED)
