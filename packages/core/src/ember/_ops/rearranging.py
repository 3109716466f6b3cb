"""Whole-tensor products and rearrangements, as PyTorch's: kron, tensordot, rot90, diff, trace, diag_embed
and diagflat, composed of views, mul, matmul, cat and sum (so every backend has them and their gradients)."""
from __future__ import annotations

import math

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from . import joining, linalg, pointwise, shape, views
from .dispatch import profiled


def kron(input, other, *, out=None):
    """The Kronecker product: every element of `input` times the whole of `other`, in blocks."""
    for name, t in (("input", input), ("other", other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"kron(): argument '{name}' (position {1 + (name == 'other')}) must be Tensor, not "
                            f"{type(t).__name__}")
    ndim = max(input.ndim, other.ndim)
    a = (1,) * (ndim - input.ndim) + tuple(input.shape)
    b = (1,) * (ndim - other.ndim) + tuple(other.shape)
    spread_a = [n for size in a for n in (size, 1)]
    spread_b = [n for size in b for n in (1, size)]
    product = pointwise.mul(views.reshape(input, spread_a), views.reshape(other, spread_b))
    result = views.reshape(product, [x * y for x, y in zip(a, b)])
    if out is not None:
        return linalg.write_out(out, "kron", result._data, result._dtype, (input, other))
    return result


@profiled("aten::tensordot")
def tensordot(a, b, dims=2, out=None):
    """The sum of products over `dims` (the last `dims` dims of `a` with the first of `b`, or a pair of dim
    lists), as one matrix product of the permuted and flattened operands."""
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    wrapped_a = [_wrap_dim(d, a.ndim, "tensordot") for d in dims_a]
    wrapped_b = [_wrap_dim(d, b.ndim, "tensordot") for d in dims_b]
    for da, db, wa, wb in zip(dims_a, dims_b, wrapped_a, wrapped_b):
        if a.shape[wa] != b.shape[wb]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[wa]} in dim "
                               f"{da} and second has size {b.shape[wb]} in dim {db}")
    free_a = [d for d in range(a.ndim) if d not in wrapped_a]
    free_b = [d for d in range(b.ndim) if d not in wrapped_b]
    size = math.prod(a.shape[d] for d in wrapped_a)
    left = views.reshape(views.permute(a, free_a + wrapped_a), (-1, size))
    right = views.reshape(views.permute(b, wrapped_b + free_b), (size, -1))
    result = views.reshape(linalg.mm(left, right), [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b])
    if out is not None:
        return linalg.write_out(out, "tensordot", result._data, result._dtype, (a, b))
    return result


def rot90(input, k=1, dims=(0, 1)):
    """`input` rotated by 90 degrees `k` times in the plane of `dims`, from the first towards the second."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (_wrap_dim(d, input.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return views.transpose(shape.flip(input, [d1]), d0, d1)
    if k == 2:
        return shape.flip(input, [d0, d1])
    if k == 3:
        return views.transpose(shape.flip(input, [d0]), d0, d1)
    return views.clone(input)


@profiled("aten::diff")
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The `n`-th forward difference along `dim` (exclusive or for bool), after joining `prepend` and
    `append` to `input` there."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, input.ndim, "diff")
    parts = []
    for extra in (prepend, input, append):
        if extra is None:
            continue
        if extra.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        parts.append(extra)
    result = joining.cat(parts, d) if len(parts) > 1 else input
    if n == 0:
        return views.clone(result)
    for _ in range(n):
        length = result.shape[d]
        if length == 0:
            break
        later, earlier = views.narrow(result, d, 1, length - 1), views.narrow(result, d, 0, length - 1)
        result = (pointwise.logical_xor(later, earlier) if result.dtype is _dtype.bool_
                  else pointwise.sub(later, earlier))
    return result


@profiled("aten::trace")
def trace(input):
    """The sum of a matrix's main diagonal (integers summed as int64)."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return shape.diagonal(input).sum()


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A zero tensor with one more dim whose (dim1, dim2) planes hold the last dim of `input` on their
    `offset` diagonal."""
    ndim = input.ndim + 1
    d1, d2 = _wrap_dim(dim1, ndim, "diag_embed"), _wrap_dim(dim2, ndim, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = input.shape[-1] + abs(offset)
    rest = iter(input.shape[:-1])
    size = tuple(n if d in (d1, d2) else next(rest) for d in range(ndim))
    return shape._recorded(shape.DiagEmbedBackward0, input,
                           lambda: shape._diag_embed(input, size, offset, d1, d2),
                           offset=offset, dim1=d1, dim2=d2)


def diagflat(input, offset=0):
    """A square matrix with the flattened `input` on its `offset` diagonal."""
    return diag_embed(views.reshape(input, (-1,)), offset, 0, 1)
