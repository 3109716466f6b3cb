"""linalg.cond, composed as PyTorch composes it (so its graph is PyTorch's): for p None, 2 and -2 the ratio of
the extreme singular values; 'nuc' the sums of the singular values and of their reciprocals; 'fro', ±1 and
±inf the norm of A times that of its inverse (inf for a singular matrix), 0 * inf taken as inf."""
from __future__ import annotations

import numbers

from .. import _dtype
from .._tensor import Tensor
from . import creation
from .dispatch import profiled
from .linalg import copied_into
from .lu_ops import inv_ex
from .matrix_checks import check_matrices, check_square
from .matrix_norms import matrix_norm
from .norms import order_text
from .svd_decomposition import svdvals

_INF = float("inf")


def _check_order(p) -> None:
    if isinstance(p, str):
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    elif p not in (1, -1, 2, -2, _INF, -_INF):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {order_text(p)}")


def _square(A: Tensor, p) -> None:
    check_square(f"linalg.cond(ord={p if isinstance(p, str) else order_text(p)})", A)


def _times_inverse_norm(A: Tensor, p) -> Tensor:
    """norm(A) * norm(A^{-1}), the inverse of a singular matrix taken as inf everywhere."""
    check_matrices("linalg.inv", A)  # PyTorch's inv_ex names its checks linalg.inv
    inverse, info = inv_ex(A)
    inverse.masked_fill_(info[..., None, None] > 0, _INF)  # in place, as PyTorch's (whose backward then fails)
    return (matrix_norm(A, p) * matrix_norm(inverse, p)).nan_to_num_(_INF, _INF, -_INF)


def _cond(A, p) -> Tensor:
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg_cond(): argument 'input' (position 1) must be Tensor, not {type(A).__name__}")
    if not isinstance(p, (str, numbers.Real)) and p is not None:
        raise TypeError(f"linalg_cond(): argument 'p' must be Number or str, not {type(p).__name__}")
    if A.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if isinstance(p, str):
        _square(A, p)
    p = 2 if p is None else p
    _check_order(p)
    if A.numel() == 0:
        dtype = A.dtype if A.dtype.is_floating_point else _dtype.get_default_dtype()
        return creation.zeros(A.shape[:-2], dtype=dtype, device=A.device)
    if p in (2, -2):
        values = svdvals(A)
        largest, smallest = values[..., :1], values[..., -1:]
        return (smallest / largest if p == -2 else largest / smallest).squeeze(-1)
    _square(A, p)
    if p == "nuc":
        values = svdvals(A)
        return values.sum(-1) * values.reciprocal().sum(-1)
    return _times_inverse_norm(A, p)


@profiled("aten::linalg_cond")
def cond(A, p=None, *, out=None):
    """The condition number of each matrix of A in the `p` norm (None: 2): 'fro', 'nuc', 1, -1, 2, -2, inf or
    -inf; 0 for empty matrices."""
    return copied_into(_cond(A, p), out, "linalg_cond")
