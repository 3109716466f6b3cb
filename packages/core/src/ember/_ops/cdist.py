"""cdist, as PyTorch's: the p-norm distance between every row of x1 and every row of x2 (batched), as the
vector norm of their broadcast difference. Exact for every p; PyTorch's matrix-multiply shortcut for p=2
(compute_mode) rounds differently, so ember's p=2 values agree with it within float tolerance."""
from __future__ import annotations

from . import views
from .dispatch import profiled, type_name


@profiled("aten::cdist")
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Distances (..., P, R) between the rows of x1 (..., P, M) and of x2 (..., R, M)."""
    from ..linalg import vector_norm

    for name, t in (("X1", x1), ("X2", x2)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    if not x1.dtype.is_floating_point:
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {type_name(x1.dtype)}")
    if not x2.dtype.is_floating_point:
        raise RuntimeError(f"cdist only supports floating-point dtypes, X2 got: {type_name(x2.dtype)}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: "
                           f"{x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1.dtype is not x2.dtype:
        raise RuntimeError(f"expected scalar type {type_name(x1.dtype)} but found {type_name(x2.dtype)}")
    _check_batches(tuple(x1.shape[:-2]), tuple(x2.shape[:-2]))
    difference = views.unsqueeze(x1, -2) - views.unsqueeze(x2, -3)
    return vector_norm(difference, p, dim=-1)


def _check_batches(a: tuple, b: tuple) -> None:
    """The batch dims broadcast (PyTorch's message, which counts dims from the left of the longer shape)."""
    width = max(len(a), len(b))
    a, b = (1,) * (width - len(a)) + a, (1,) * (width - len(b)) + b
    for dim, (m, n) in enumerate(zip(a, b)):
        if m != n and 1 not in (m, n):
            raise RuntimeError(f"The size of tensor a ({m}) must match the size of tensor b ({n}) at "
                               f"non-singleton dimension {dim}")
