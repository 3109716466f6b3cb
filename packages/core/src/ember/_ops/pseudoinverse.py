"""The spectral functions of torch.linalg built on the SVD (on eigh for symmetric input): pinv (torch.pinverse)
and matrix_rank, with PyTorch's tolerances (atol, rtol: the singular values above max(atol, rtol * the largest)
count; rtol's default eps * max(m, n), 0 when only atol > 0 is given). pinv records PyTorch's LinalgPinvBackward0
(derivatives.yaml's pinv_backward, in differentiable ember ops)."""
from __future__ import annotations

import numbers

from .. import _dtype
from .._tensor import Tensor
from .._typeinfo import finfo
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from . import creation, decomposition_kernels
from .dispatch import profiled, type_name
from .linalg import write_out
from .matrix_checks import check_square
from .pointwise import maximum, where
from .svd_decomposition import check_input, factored


def _as_tolerance(value, like: Tensor) -> Tensor:
    """A tolerance as PyTorch's float64 tensor on `like`'s device (a Python number, or a tensor as it is)."""
    if isinstance(value, Tensor):
        return value
    return creation.tensor(float(value), dtype=_dtype.float64, device=like.device)


def tolerances(A: Tensor, atol, rtol) -> tuple[Tensor, Tensor]:
    """PyTorch's get_atol_rtol: (atol, rtol) as tensors, the defaults filled in."""
    absolute = _as_tolerance(0.0 if atol is None else atol, A)
    if rtol is not None:
        return absolute, _as_tolerance(rtol, A)
    default = finfo(A.dtype).eps * max(A.shape[-2], A.shape[-1])
    relative = _as_tolerance(default, A)
    if atol is not None:
        relative = where(absolute > 0, 0.0, relative)
    return absolute, relative


def _kept(values: Tensor, largest: Tensor, atol: Tensor, rtol: Tensor) -> Tensor:
    """Which `values` (*, k) exceed PyTorch's tolerance max(atol, rtol * largest) (largest (*, 1))."""
    return values > maximum(atol.unsqueeze(-1), rtol.unsqueeze(-1) * largest)


def _symmetric_spectrum(A: Tensor, vectors: bool):
    """(eigenvalues, eigenvectors or None) of the symmetric matrix of A's lower triangle, as PyTorch's
    hermitian=True reads it: its singular values are the eigenvalues' magnitudes."""
    check_square("linalg.eigh", A)
    return decomposition_kernels.eigh(A, False, vectors, "linalg.eigh")


def pinv_backward(grad: Tensor, pinv_a: Tensor, a: Tensor) -> Tensor:
    """PyTorch's pinv_backward: the gradient of A from that of pinv(A), products of the smaller sizes first."""
    m, n = a.shape[-2], a.shape[-1]
    pinv_ah, grad_h = pinv_a.mT, grad.mT
    if m <= n:
        k = grad_h @ pinv_a
        k_pinv_ah = k @ pinv_ah
        return -(pinv_a @ k).mT + k_pinv_ah - (a @ pinv_a) @ k_pinv_ah + (pinv_ah @ pinv_a) @ (grad_h - k @ a)
    k = pinv_a @ grad_h
    pinv_ah_k = pinv_ah @ k
    return -(k @ pinv_a).mT + ((grad_h - a @ k) @ pinv_a) @ pinv_ah + pinv_ah_k - (pinv_ah_k @ pinv_a) @ a


class LinalgPinvBackward0(Node):
    def backward(self, grad):
        a, result = self.saved_tensors
        return pinv_backward(grad, result, a)


def _pseudo_inverse(A: Tensor, atol, rtol, hermitian: bool) -> Tensor:
    absolute, relative = tolerances(A, atol, rtol)
    with grad_mode.no_grad():
        if A.numel() == 0:
            return creation.zeros((*A.shape[:-2], A.shape[-1], A.shape[-2]), dtype=A.dtype, device=A.device)
        if hermitian:  # A = U diag(λ) Uᵀ: pinv(A) = U diag(1/λ over the kept |λ|) Uᵀ
            values, vectors = _symmetric_spectrum(A, True)
            magnitude = values.abs()
            kept = _kept(magnitude, magnitude.amax(-1, keepdim=True), absolute, relative)
            return (vectors * where(kept, values.reciprocal(), 0.0).to(A.dtype).unsqueeze(-2)) @ vectors.mT
        u, s, vh = factored(A, False, True)
        inverted = where(_kept(s, s[..., :1], absolute, relative), s.reciprocal(), 0.0).to(A.dtype)
        return (vh.mT * inverted.unsqueeze(-2)) @ u.mT


@profiled("aten::linalg_pinv")
def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """The Moore-Penrose pseudo-inverse of each matrix of A (*, m, n) -> (*, n, m), from its SVD (from the
    eigendecomposition of its lower triangle's symmetric matrix with `hermitian`, as PyTorch): singular values
    at or below max(atol, rtol * the largest) taken as zero. `rcond` (positional, PyTorch's older form) is rtol."""
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg_pinv(): argument 'input' (position 1) must be Tensor, not {type(A).__name__}")
    if A._dtype not in (_dtype.float32, _dtype.float64) or A.ndim < 2:
        raise RuntimeError(f"linalg.pinv({type_name(A._dtype)}{{{list(A.shape)}}}): expected a tensor with 2 or more "
                           "dimensions of float, double, cfloat or cdouble types")
    if rcond is not None:
        if rtol is not None:
            raise TypeError("linalg_pinv(): got both rcond and rtol")
        rtol, atol = rcond, (0.0 if atol is None else atol)
    result = _pseudo_inverse(A, atol, rtol, bool(hermitian))
    if out is not None:
        return write_out(out, "linalg_pinv", result._data, result._dtype, (A,))
    return attach(result, LinalgPinvBackward0, (A,), (A, result))


def pinverse(input, rcond=1e-15):
    """torch.pinverse: linalg.pinv with `rcond` as rtol."""
    return pinv(input, rcond)


@profiled("aten::linalg_matrix_rank")
def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """The number of singular values of each matrix of A above max(atol, rtol * the largest), int64 (*,);
    `tol` (PyTorch's older form) is atol with rtol 0; with `hermitian`, A's lower triangle is read."""
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg_matrix_rank(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError("ember.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    if not A._dtype.is_floating_point:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:
        if not isinstance(tol, (numbers.Real, Tensor)):
            raise TypeError(f"linalg_matrix_rank(): argument 'tol' must be float, not {type(tol).__name__}")
        atol, rtol = tol, 0.0
    absolute, relative = tolerances(A, atol, rtol)
    with grad_mode.no_grad():
        if hermitian:
            values = _symmetric_spectrum(A, False)[0].abs()
        else:
            check_input("linalg_matrix_rank", A)
            values = svdvals_of(A)
        if values.numel():
            rank = _kept(values, values.amax(-1, keepdim=True), absolute, relative).sum(-1)
        else:
            rank = creation.zeros(values.shape[:-1], dtype=_dtype.int64, device=A.device)
    if out is not None:
        return write_out(out, "linalg_matrix_rank", rank._data, rank._dtype, (A,))
    return rank


def svdvals_of(A: Tensor) -> Tensor:
    """The singular values of A without history."""
    check_input("linalg_svdvals", A)
    return factored(A, False, False)[1]
