"""torch.linalg functions that are a line or two over existing ops, composed as PyTorch composes them (so
their grad_fn names are those of the ops): diagonal, vecdot and vander."""
from __future__ import annotations

import numbers

from .. import _dtype
from .._tensor import Tensor
from . import shape, views
from .dispatch import profiled, type_name
from .joining import cat
from .linalg import exact_out, written
from .pointwise import mul
from .reduction import sum as _sum
from .scan import cumprod


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals at `offset` of the matrices over (dim1, dim2), by default the last two: a view."""
    return shape.diagonal(A, offset, dim1, dim2)


@profiled("aten::linalg_vecdot")
def vecdot(x, y, *, dim=-1, out=None):
    """The dot products of the vectors along `dim` of `x` and `y` (broadcast): sum(conj(x) * y, dim), for
    floating tensors of one dtype."""
    for position, (name, t) in enumerate((("x", x), ("y", y)), 1):
        if not isinstance(t, Tensor):
            raise TypeError(f"linalg_vecdot(): argument '{name}' (position {position}) must be Tensor, not "
                            f"{type(t).__name__}")
    if not x._dtype.is_floating_point:
        raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as input. Got "
                           f"{type_name(x._dtype)}")
    if x._dtype is not y._dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{type_name(x._dtype)} and y of type {type_name(y._dtype)} instead")
    exact_out(out, x._dtype, "linalg.vecdot: Expected out of dtype{expected} but found {got}")
    return written(_sum(mul(x, y), dim), out, "linalg_vecdot", (x, y))


_VANDER_DTYPES = (_dtype.float32, _dtype.float64)


def vander(x, *, N=None):
    """The Vandermonde matrices of the vectors along the last dim of `x`: columns x**0 .. x**(N-1) (N the
    last dim's size by default), as ones joined to the running products of x; integers give int64."""
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg_vander(): argument 'x' (position 1) must be Tensor, not {type(x).__name__}")
    if x._dtype not in _VANDER_DTYPES and (x._dtype.is_floating_point or x._dtype is _dtype.bool_):
        raise RuntimeError(f"linalg.vander supports floating point, complex, and integer tensors, but got "
                           f"{type_name(x._dtype)}")
    if N is not None and (isinstance(N, bool) or not isinstance(N, numbers.Integral)):
        raise TypeError(f"linalg_vander(): argument 'N' must be int, not {type(N).__name__}")
    vectors = views.unsqueeze(x, -1) if x.ndim == 0 else x
    sizes = tuple(vectors._data.shape)
    n = sizes[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    powers = cumprod(views.expand(views.unsqueeze(vectors, -1), *sizes, n - 1), -1)
    return cat([powers.new_ones(*sizes, 1), powers], -1)
