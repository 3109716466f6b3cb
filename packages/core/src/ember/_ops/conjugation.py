"""PyTorch's complex-number ops on real tensors, as PyTorch runs them there: conj, conj_physical,
resolve_conj, resolve_neg, positive and real return the tensor itself (no view, no node), imag is an error,
and the conjugate transposes (adjoint, mH, H) are the transposes."""
from __future__ import annotations

from .. import _dtype
from .dispatch import copy_out
from .queries import tensor_argument
from .views import matrix_transpose, transpose


def conj(input):
    """The complex conjugate: the tensor itself for real dtypes."""
    return tensor_argument(input, "conj")


def resolve_conj(input):
    """The tensor with a lazy conjugation applied: itself (ember has none)."""
    return tensor_argument(input, "resolve_conj")


def resolve_neg(input):
    """The tensor with a lazy negation applied: itself (ember has none)."""
    return tensor_argument(input, "resolve_neg")


def real(input):
    """The real part: the tensor itself for real dtypes."""
    return tensor_argument(input, "real")


def imag(input):
    """The imaginary part, which real tensors do not have (PyTorch's error)."""
    tensor_argument(input, "imag")
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def positive(input):
    """``+input``: the tensor itself; bool tensors are refused, as PyTorch does."""
    if tensor_argument(input, "positive")._dtype is _dtype.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def conj_physical(input, *, out=None):
    """The conjugate computed into memory: the tensor itself for real dtypes, or copied into `out`."""
    tensor_argument(input, "conj_physical")
    if out is None:
        return input
    return copy_out(out, "conj_physical", input._data, input._dtype, (input,))


def conj_physical_(input):
    """In-place conjugation: nothing to change in a real tensor."""
    return tensor_argument(input, "conj_physical_")


def adjoint(input):
    """The conjugate transpose of the last two dims: their transpose, for real tensors."""
    return matrix_transpose(tensor_argument(input, "adjoint"), "tensor.adjoint()",
                            "adjoint() is deprecated on 0-D tensors. Consider using x.conj().")


def mH(input):  # noqa: N802 - PyTorch's name
    """``Tensor.mH``: the conjugate transpose of the last two dims (their transpose, for real tensors)."""
    return matrix_transpose(input, "tensor.mH", "Tensor.mH is deprecated on 0-D tensors. Consider using x.conj().")


def H(input):  # noqa: N802 - PyTorch's name
    """``Tensor.H``: the conjugate transpose of a matrix (its transpose, for real tensors)."""
    if input.ndim == 0:
        return matrix_transpose(input, "tensor.H", "Tensor.H is deprecated on 0-D tensors. Consider using x.conj().")
    if input.ndim != 2:
        batched = ". For batches of matrices, consider using tensor.mH" if input.ndim > 2 else "."
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {input.ndim}-D tensor{batched}")
    return transpose(input, 0, 1)


FUNCTIONS = {"conj": conj, "resolve_conj": resolve_conj, "resolve_neg": resolve_neg, "real": real, "imag": imag,
             "positive": positive, "conj_physical": conj_physical, "conj_physical_": conj_physical_,
             "adjoint": adjoint}
METHODS = {name: fn for name, fn in FUNCTIONS.items() if name not in ("real", "imag")}
def _set_real(self, value) -> None:
    """``t.real = value``: the real part of a real tensor is the tensor, so `value` is copied into it."""
    self.copy_(value)


def _set_imag(self, value) -> None:
    imag(self)


PROPERTIES = {"real": property(real, _set_real, doc=real.__doc__), "imag": property(imag, _set_imag, doc=imag.__doc__),
              "mH": property(mH, doc=mH.__doc__), "H": property(H, doc=H.__doc__)}
