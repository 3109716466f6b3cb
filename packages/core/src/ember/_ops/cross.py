"""The cross product of 3-vectors, as PyTorch's torch.cross and torch.linalg.cross, composed of narrow, mul,
sub and cat (broadcasting the batch dims, as linalg.cross)."""
from __future__ import annotations

import warnings

from .._tensor import _wrap_dim
from . import joining, views
from .broadcasting import broadcast_tensors
from .dispatch import profiled, type_name


def linalg_cross(input, other, *, dim=-1, out=None):
    """a x b along `dim` (which must have size 3 in both), the other dims broadcast."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"expected scalar type {type_name(input.dtype)} but found {type_name(other.dtype)}")
    d = _wrap_dim(dim, input.ndim, "linalg.cross")
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} and "
                           f"{other.shape[d]}")
    a, b = broadcast_tensors(input, other)
    a0, a1, a2 = (views.narrow(a, d, i, 1) for i in range(3))
    b0, b1, b2 = (views.narrow(b, d, i, 1) for i in range(3))
    result = joining.cat([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)
    if out is not None:
        from .linalg import write_out
        return write_out(out, "linalg_cross", result._data, result._dtype, (input, other))
    return result


@profiled("aten::cross")
def cross(input, other, dim=None, *, out=None):
    """torch.cross: linalg.cross along `dim`; without `dim`, along the first dim of size 3 (PyTorch's
    deprecated default, with its warning)."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the "
                      "dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change "
                      "to agree with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        if input.ndim == other.ndim:
            dim = next((i for i, n in enumerate(broadcast_tensors(input, other)[0].shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim, out=out)
