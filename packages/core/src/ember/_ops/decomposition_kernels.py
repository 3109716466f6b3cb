"""The QR and symmetric eigen decompositions on buffers of any batch shape: the device's optional kernel (`qr`,
`geqrf`, `eigh`; docs/internals.md). Core has no composition of them (an iterative algorithm of many small ops would be
slow and inexact on a device), so a device without the kernel refuses the op with a NotImplementedError naming
the op and the device, with no host round trip. Callers hold no_grad: results carry no history."""
from __future__ import annotations

from .._tensor import Tensor, wrap
from .dispatch import type_name


def check_lapack_dtype(a: Tensor, kernel: str) -> None:
    """PyTorch's NotImplementedError for a dtype its LAPACK kernel `kernel` ("linalg_eigh_cpu") has no version of
    (integers, bool, float16)."""
    if not a._dtype.is_floating_point or a._dtype.itemsize < 4:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{type_name(a._dtype)}'")


def _kernel(a: Tensor, name: str, op: str):
    kernel = a._device.kernels.get(name)
    if kernel is None:
        raise NotImplementedError(f"{op}: device '{a.device}' has no '{name}' kernel (an optional kernel of the "
                                  f"backend contract, which {op} needs); compute it on a device that has it, e.g. "
                                  "the CPU")
    return kernel


def qr(a: Tensor, complete: bool, op: str) -> tuple[Tensor, Tensor]:
    """(Q, R) of a (*, m, n) as LAPACK's geqrf and orgqr give them: Q (*, m, m) and R (*, m, n) when
    `complete`, else Q (*, m, k) and R (*, k, n), k = min(m, n)."""
    q, r = _kernel(a, "qr", op)(a._data, complete)
    return wrap(q, a._dtype, a._device), wrap(r, a._dtype, a._device)


def geqrf(a: Tensor, op: str) -> tuple[Tensor, Tensor]:
    """(A', tau) of a (*, m, n) as LAPACK's geqrf: R on and above the diagonal of A', the Householder reflectors
    below it (their unit first entries implied), tau (*, min(m, n))."""
    factored, tau = _kernel(a, "geqrf", op)(a._data)
    return wrap(factored, a._dtype, a._device), wrap(tau, a._dtype, a._device)


def eigh(a: Tensor, upper: bool, vectors: bool, op: str) -> tuple[Tensor, Tensor | None]:
    """(eigenvalues (*, n) in ascending order, eigenvectors (*, n, n) as columns or None without `vectors`) of
    the symmetric matrices held by the `upper` (else lower) triangle of a (*, n, n)."""
    values, vecs = _kernel(a, "eigh", op)(a._data, upper, vectors)
    return wrap(values, a._dtype, a._device), None if vecs is None else wrap(vecs, a._dtype, a._device)
