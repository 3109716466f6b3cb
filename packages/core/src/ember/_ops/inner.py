"""inner and vander, as PyTorch composes them: the inner product over the last dims (tensordot, or a
product with a 0-d operand) and the Vandermonde matrix of a vector (running products written into the
columns, then flipped for decreasing powers)."""
from __future__ import annotations

import numbers

from .. import _dtype
from .._tensor import Tensor
from .creation import empty
from .rearranging import tensordot
from .scan import cumprod
from .shape import flip


def inner(input, other, *, out=None):
    """The sum of products over the last dims of `input` and `other` (a plain product when either is 0-d)."""
    for position, (name, t) in enumerate((("input", input), ("other", other))):
        if not isinstance(t, Tensor):
            raise TypeError(f"inner(): argument '{name}' (position {position + 1}) must be Tensor, not "
                            f"{type(t).__name__}")
    if input.ndim == 0 or other.ndim == 0:
        return input * other if out is None else input.mul(other, out=out)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]), out=out)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of the 1-d `x`: columns x**(N-1) .. x**0 (x**0 .. x**(N-1) when `increasing`), N
    the length of x by default; integer and bool vectors give int64."""
    if not isinstance(x, Tensor):
        raise TypeError(f"vander(): argument 'x' (position 1) must be Tensor, not {type(x).__name__}")
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0]
    if N is not None:
        if isinstance(N, bool) or not isinstance(N, numbers.Integral):
            raise TypeError(f"vander(): argument 'N' must be int, not {type(N).__name__}")
        if N < 0:
            raise RuntimeError("N must be non-negative.")
        n = int(N)
    dt = x.dtype if x.dtype.is_floating_point else _dtype.int64
    result = empty((x.shape[0], n), dtype=dt, device=x.device)
    if n > 0:
        result.fill_(1)
        if n > 1:
            result[:, 1:].copy_(x.unsqueeze(1))
            result[:, 1:].copy_(cumprod(result[:, 1:], 1))
    return result if increasing else flip(result, (1,))
