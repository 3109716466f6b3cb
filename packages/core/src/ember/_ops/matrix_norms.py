"""Matrix norms and the norm dispatchers: linalg.matrix_norm, linalg.norm, torch.norm and frobenius_norm.

Composed as PyTorch composes them (so their graphs and grad_fn names are PyTorch's): 'fro' is a vector
2-norm over the two dims, ±1 and ±inf the max/min over one dim of the vector 1-norms over the other, 'nuc'
and ±2 the sum, max or min of the singular values (linalg.svdvals of the two dims moved last).
"""
from __future__ import annotations

import numbers
import warnings

from .._tensor import Tensor, _wrap_dim
from . import creation
from .dispatch import profiled, type_name
from .linalg import OUT_DTYPE, copied_into, exact_out, written
from .norms import NormBackward1, _floating, order_text, p_norm, vector_norm
from .reduction import amax, amin, reduced_dims
from .svd_decomposition import svdvals

_INF = float("inf")
_MISMATCH = "linalg.matrix_norm expected out tensor dtype {expected} but got: {got}"


def _input(A, op: str) -> None:
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(A).__name__}")


def _matrix_dims(A: Tensor, dim, dtype, low_precision: bool) -> tuple:
    """PyTorch's checks of matrix_norm's input, dims and dtype, in its order; the two dims, wrapped."""
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    _floating(A, None, "linalg.matrix_norm")
    if not low_precision and A._dtype.itemsize < 4:
        raise RuntimeError(f"linalg.matrix_norm: Low precision dtypes not supported. Got {type_name(A._dtype)}")
    if isinstance(dim, numbers.Integral) or not isinstance(dim, (tuple, list)):
        raise TypeError(f"linalg_matrix_norm(): argument 'dim' must be tuple of ints, not {type(dim).__name__}")
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(str(d) for d in dim)}")
    dims = tuple(_wrap_dim(d, A.ndim, "linalg.matrix_norm") for d in dim)
    if dims[0] == dims[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dims[0]}, {dims[1]})")
    _floating(A, dtype, "linalg.matrix_norm")
    return dims


def _extreme(t: Tensor, dim: int, keepdim: bool, largest: bool) -> Tensor:
    """The max (or min) over `dim` of non-negative sums: an empty max is 0, a fresh zero outside the graph,
    as in PyTorch; an empty min is refused by amin."""
    if largest and t._data.shape[dim] == 0:
        shape = list(t._data.shape)
        if keepdim:
            shape[dim] = 1
        else:
            del shape[dim]
        return creation.zeros(tuple(shape), dtype=t._dtype, device=t._device)
    return amax(t, dim, keepdim) if largest else amin(t, dim, keepdim)


def _spectral(A: Tensor, ord, dims: tuple, keepdim: bool, dtype) -> Tensor:
    """'nuc', 2 or -2: the sum, max or min of the singular values of `dims` (moved last, in their order)."""
    order = [d for d in range(A.ndim) if d not in dims] + list(dims)
    values = svdvals((A if dtype is None else A.to(dtype)).permute(order))
    result = values.sum(-1, keepdim) if ord == "nuc" else _extreme(values, -1, keepdim, ord > 0)
    if keepdim:
        result = result.unsqueeze(-1).permute([order.index(d) for d in range(A.ndim)])
    return result


@profiled("aten::linalg_matrix_norm")
def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """The `ord` norm of the matrices over `dim` of `A`: 'fro', 'nuc', 1, -1, 2, -2, inf or -inf."""
    _input(A, "linalg_matrix_norm")
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        spectral = ord == "nuc"
    else:
        if not isinstance(ord, numbers.Real):
            raise TypeError(f"linalg_matrix_norm(): argument 'ord' must be Number or str, not {type(ord).__name__}")
        if abs(ord) not in (1, 2, _INF):
            raise RuntimeError(f"linalg.matrix_norm: Order {order_text(ord)} not supported.")
        spectral = abs(ord) == 2
    dims = _matrix_dims(A, dim, dtype, low_precision=not spectral)
    if spectral:
        return copied_into(_spectral(A, ord, dims, keepdim, dtype), out, "linalg_matrix_norm", _MISMATCH)
    if ord == "fro":
        return copied_into(vector_norm(A, 2, dims, keepdim, dtype=dtype), out, "linalg_matrix_norm", _MISMATCH)
    inner, outer = dims[::-1] if abs(ord) == _INF else dims
    if not keepdim and inner < outer:
        outer -= 1
    columns = vector_norm(A, 1.0, (inner,), keepdim, dtype=dtype)
    return copied_into(_extreme(columns, outer, keepdim, ord > 0), out, "linalg_matrix_norm", _MISMATCH)


@profiled("aten::linalg_norm")
def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """linalg.norm: a matrix norm over two dims (given, or those of a 2-D `A` with `ord` given or a string),
    else the vector norm (the 2-norm when `ord` is None) over `dim`."""
    _input(A, "linalg_norm")
    dims = (dim,) if isinstance(dim, numbers.Integral) else dim
    if dims is not None:
        if len(dims) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
    elif ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                           f"{A.ndim}D.")
    if isinstance(ord, str) or (ord is not None and (len(dims) == 2 if dims is not None else A.ndim == 2)):
        result = matrix_norm(A, ord, (0, 1) if dims is None else dims, keepdim, dtype=dtype)
    else:
        result = vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    return copied_into(result, out, "linalg_norm", "linalg.norm expected out tensor dtype {expected} but got: {got}")


@profiled("aten::norm")
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """torch.norm: the vector `p`-norm over `dim` ('fro' is the 2-norm over at most two dims), or
    matrix_norm's `p` over `dim` (all dims when None) for the other strings."""
    dims = [dim] if isinstance(dim, numbers.Integral) else dim
    if isinstance(p, str):
        if p == "fro" and (dims is None or len(dims) <= 2):
            return vector_norm(input, 2, dims, keepdim, dtype=dtype, out=out)
        _input(input, "norm")
        return matrix_norm(input, p, list(range(input.ndim)) if dims is None else dims, keepdim, dtype=dtype,
                           out=out)
    return vector_norm(input, 2.0 if p is None else p, dims, keepdim, dtype=dtype, out=out)


def tensor_norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    """Tensor.norm: torch.norm on this tensor (no out=)."""
    return norm(self, p, dim, keepdim, dtype=dtype)


@profiled("aten::frobenius_norm")
def frobenius_norm(input, dim, keepdim=False, *, out=None):
    """The 2-norm over at most two dims (all when `dim` is empty), recorded as at::norm's NormBackward1;
    deprecated in PyTorch, which warns."""
    _input(input, "frobenius_norm")
    warnings.warn("at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be removed "
                  "in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, keepdim)` instead",
                  UserWarning, stacklevel=3)  # past profiled's wrapper, at the caller
    dims = (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
    if len(dims) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dims)} dimensions instead.")
    if not input._dtype.is_floating_point:
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{type_name(input._dtype)} instead.")
    reduced = reduced_dims(dims, input.ndim, "norm")
    exact_out(out, input._dtype, OUT_DTYPE)
    return written(p_norm(input, input, 2, reduced, keepdim, NormBackward1), out, "frobenius_norm", (input,))
