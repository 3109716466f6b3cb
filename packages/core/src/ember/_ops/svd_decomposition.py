"""The singular value decomposition: linalg.svd, linalg.svdvals, torch.svd (Tensor.svd), over the device's
optional `svd` kernel (docs/internals.md; core has no composition of it: a device without it refuses), each
recording PyTorch's LinalgSvdBackward0, whose backward is derivatives.yaml's svd_backward in differentiable
ember ops (so second derivatives work)."""
from __future__ import annotations

from .. import _dtype, return_types
from .._tensor import Tensor, wrap
from ..autograd import grad_mode
from ..autograd.node import Node
from . import creation
from .dispatch import profiled, type_name
from .linalg import write_out
from .lu_ops import named_result
from .matrix_checks import raise_on_info
from .multi_output import record_outputs


def svd_backward(grad_u, grad_s, grad_vh, u, s, vh):
    """PyTorch's svd_backward (real case) of the reduced factors U (*, m, k), S (*, k), Vh (*, k, n): the
    gradient of A from those of U, S and Vh (any of them None), for distinct singular values."""
    m, n = u.shape[-2], vh.shape[-1]
    if grad_u is None and grad_vh is None:
        if grad_s is None:
            return None
        return u @ (grad_s[..., None] * vh) if m >= n else (u * grad_s[..., None, :]) @ vh
    rows, columns = s[..., :, None], s[..., None, :]
    squares = s * s
    gaps = squares[..., None, :] - squares[..., :, None]
    gaps = gaps + creation.eye(s.shape[-1], dtype=s.dtype, device=s.device)  # 1 on the (zero) diagonal: 0 / 1
    inner = None
    if grad_u is not None:
        uhgu = u.mT @ grad_u
        inner = (uhgu - uhgu.mT) * columns
    if grad_vh is not None:
        vhgv = vh @ grad_vh.mT
        vhgv = rows * (vhgv - vhgv.mT)
        inner = vhgv if inner is None else inner + vhgv
    grad = inner / gaps
    if grad_s is not None:
        grad = grad + grad_s.diag_embed()
    if m > n and grad_u is not None:
        grad = u @ grad
        scaled = grad_u / columns
        grad = (grad + scaled - u @ (u.mT @ scaled)) @ vh
    elif m < n and grad_vh is not None:
        grad = grad @ vh
        scaled = grad_vh / rows
        grad = u @ (grad + scaled - (scaled @ vh.mT) @ vh)
    else:
        grad = u @ (grad @ vh) if m >= n else (u @ grad) @ vh
    return grad


class LinalgSvdBackward0(Node):
    """svd_backward of the leading k columns of U and rows of Vh (all of them unless `full_matrices`)."""

    full_matrices: bool

    def backward(self, grad_u, grad_s, grad_vh):
        u, s, vh = self.saved_tensors
        k = s.shape[-1]
        if self.full_matrices:
            u, vh = u[..., :k], vh[..., :k, :]
            grad_u = None if grad_u is None else grad_u[..., :k]
            grad_vh = None if grad_vh is None else grad_vh[..., :k, :]
        return svd_backward(grad_u, grad_s, grad_vh, u, s, vh)


def check_input(op: str, A, name: str = "A") -> None:
    """PyTorch's checks of the input of the SVD family, in its order."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position 1) must be Tensor, not {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"linalg.svd: The input tensor {name} must have at least 2 dimensions.")
    if not A._dtype.is_floating_point:
        raise RuntimeError(f"linalg.svd: Expected a floating point or complex tensor as input. Got "
                           f"{type_name(A._dtype)}")
    if A._dtype.itemsize < 4:
        raise NotImplementedError(f"\"linalg_svd_cpu\" not implemented for '{type_name(A._dtype)}'")


def _kernel(A: Tensor):
    kernel = A._device.kernels.get("svd")
    if kernel is None:
        raise NotImplementedError(f"linalg.svd: device '{A._device}' has no 'svd' kernel (an optional kernel of "
                                  "the backend contract): the SVD family is not available there")
    return kernel


def factored(A: Tensor, full_matrices: bool, compute_uv: bool) -> tuple:
    """(U, S, Vh) of A with LinalgSvdBackward0 recorded over A when a gradient is needed (U and Vh are then
    computed even without `compute_uv`, and None otherwise); PyTorch's LinAlgError for a matrix with NaN."""
    needs_grad = grad_mode.state.enabled and A._requires_grad
    compute_uv = compute_uv or needs_grad
    u, s, vh = _kernel(A)(A._data, bool(full_matrices), compute_uv)
    if A.numel():
        with grad_mode.no_grad():
            info = A.isnan().any(-1).any(-1).to(_dtype.int32)
        raise_on_info(info, lambda where, _: f"linalg.svd: {where}The algorithm failed to converge because the input "
                                             "matrix contained non-finite values.")
    s = wrap(s, A._dtype, A._device)
    if not compute_uv:
        return None, s, None
    u, vh = wrap(u, A._dtype, A._device), wrap(vh, A._dtype, A._device)
    # each output saved as the output it is, without a cycle
    record_outputs(LinalgSvdBackward0, A, (u, s, vh), (u, s, vh), full_matrices=bool(full_matrices))
    return u, s, vh


@profiled("aten::linalg_svd")
def svd(A, full_matrices=True, *, driver=None, out=None):
    """(U, S, Vh) with A = U diag(S) Vh: U (*, m, m) and Vh (*, n, n) orthogonal ((*, m, k) and (*, k, n)
    without `full_matrices`, k = min(m, n)), S (*, k) descending."""
    check_input("linalg_svd", A)
    if driver is not None:
        raise RuntimeError("ember.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")
    return named_result(return_types.linalg_svd, "linalg_svd", factored(A, full_matrices, True), out, (A,))


@profiled("aten::linalg_svdvals")
def svdvals(A, *, driver=None, out=None):
    """The singular values of each matrix of A, descending (*, min(m, n))."""
    check_input("linalg_svdvals", A)
    if driver is not None:
        raise RuntimeError("ember.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")
    _, s, _ = factored(A, False, False)
    return s if out is None else write_out(out, "linalg_svdvals", s._data, s._dtype, (A,))


@profiled("aten::svd")
def legacy_svd(input, some=True, compute_uv=True, *, out=None):
    """torch.svd: (U, S, V) with V = Vh^T (not Vh); reduced unless `some` is False; without `compute_uv`,
    U (*, m, m) and V (*, n, n) are zeros."""
    if not isinstance(input, Tensor):
        raise TypeError(f"svd(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.ndim < 2:
        raise RuntimeError(f"linalg.svd: input should have at least 2 dimensions, but has {input.ndim} dimensions "
                           "instead")
    check_input("svd", input)
    u, s, vh = factored(input, not some, compute_uv)
    if compute_uv:
        v = vh.mT
    else:
        *batch, m, n = input.shape
        u = creation.zeros((*batch, m, m), dtype=input.dtype, device=input.device)
        v = creation.zeros((*batch, n, n), dtype=input.dtype, device=input.device)
    return named_result(return_types.svd, "svd", (u, s, v), out, (input,))
