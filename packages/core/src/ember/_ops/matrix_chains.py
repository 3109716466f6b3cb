"""Products of chains of matrices: linalg.multi_dot (in the cheapest order; chain_matmul, its deprecated
form) and linalg.matrix_power (by repeated squaring), composed of mm/matmul as PyTorch composes them, so
their graphs are PyTorch's."""
from __future__ import annotations

import numbers
import warnings

from .. import _dtype
from .._tensor import Tensor
from . import creation, views
from .dispatch import meta_name, profiled, type_name
from .linalg import OUT_DTYPE, copied_into, exact_out, matmul, mm, written
from .lu_ops import inv
from .matrix_checks import check_square


def _chain_order(shapes: list) -> list:
    """PyTorch's matrix_chain_order: split[i][j] is where the cheapest product of matrices i..j splits (the
    first split of least cost), matrix i being dims[i] x dims[i + 1]."""
    n = len(shapes)
    dims = [s[0] for s in shapes] + [shapes[-1][1]]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            for k in range(i, j):
                q = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if k == i or q < cost[i][j]:
                    cost[i][j], split[i][j] = q, k
    return split


def _chain_product(matrices: list, split: list, i: int, j: int) -> Tensor:
    if i == j:
        return matrices[i]
    k = split[i][j]
    return mm(_chain_product(matrices, split, i, k), _chain_product(matrices, split, k + 1, j))


def _multi_dot_operands(tensors) -> tuple:
    """The operands as matrices (a 1-D first one a row, a 1-D last one a column) and the result's shape,
    after PyTorch's checks in its order."""
    if not isinstance(tensors, (tuple, list)) or not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError(f"linalg_multi_dot(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0], tensors[-1]
    for name, t in (("first", first), ("last", last)):
        if t.ndim not in (1, 2):
            raise RuntimeError(f"multi_dot(): the {name} tensor must be 1D or 2D but got {t.ndim}D")
    for i in range(1, n - 1):
        if tensors[i].ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {tensors[i].ndim}D")
    matrices = [views.unsqueeze(first, 0) if first.ndim == 1 else first, *tensors[1:-1],
                views.unsqueeze(last, -1) if last.ndim == 1 else last]
    for i in range(1, n):
        if matrices[i]._dtype is not first._dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                               f"{meta_name(first._dtype)} and tensor {i} {meta_name(matrices[i]._dtype)}")
        if matrices[i]._device is not first._device:
            raise RuntimeError(f"multi_dot(): all tensors must be on the same device but tensor 0 is on "
                               f"{first._device} and tensor {i} on {matrices[i]._device}")
        if matrices[i - 1]._data.shape[-1] != matrices[i]._data.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i - 1} and {i} with shapes {list(tensors[i - 1].shape)} and "
                               f"{list(tensors[i].shape)} cannot be multiplied")
    shape = first._data.shape[:1] if first.ndim == 2 else ()
    return matrices, shape + (last._data.shape[1:] if last.ndim == 2 else ())


@profiled("aten::linalg_multi_dot")
def multi_dot(tensors, *, out=None):
    """The product of a chain of matrices in the order of fewest scalar multiplications (PyTorch's: a
    cost comparison for three, the dynamic programme for more); a 1-D first operand is a row vector and a
    1-D last one a column vector, their dims dropped from the result."""
    matrices, shape = _multi_dot_operands(tensors)
    exact_out(out, matrices[0]._dtype,
              "multi_dot(): expected out tensor to have dtype {expected_meta} but got {got_meta}")
    if len(matrices) == 3:
        a, b = matrices[0]._data.shape
        c, d = matrices[2]._data.shape
        if a * c * (b + d) > b * d * (a + c):
            product = mm(matrices[0], mm(matrices[1], matrices[2]))
        else:
            product = mm(mm(matrices[0], matrices[1]), matrices[2])
    else:
        product = _chain_product(matrices, _chain_order([m._data.shape for m in matrices]), 0, len(matrices) - 1)
    return written(views.view(product, shape), out, "linalg_multi_dot", tuple(tensors))


@profiled("aten::chain_matmul")
def chain_matmul(*matrices, out=None):
    """Deprecated for `linalg.multi_dot` (as in PyTorch): the product of 2-D `matrices`, a copy of one."""
    warnings.warn("ember.chain_matmul is deprecated and will be removed in a future release. Use "
                  "ember.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
                  "parameters.", UserWarning, stacklevel=3)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone() if out is None else out.copy_(matrices[0])
    return multi_dot(matrices, out=out)


def _square_matrices(A, op: str) -> None:
    """PyTorch's squareCheckInputs."""
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    check_square(op, A)


@profiled("aten::linalg_matrix_power")
def matrix_power(A, n, *, out=None):
    """`A` (a batch of square matrices) to the integer power `n` (A's inverse to the power -n for n < 0): the
    identity for 0 (a copy in the graph), a copy for 1, else products of repeated squares from the lowest bit up,
    as PyTorch (whose out= takes the last product, refused when an input requires grad, or a copy of a lone
    square)."""
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg_matrix_power(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(A).__name__}")
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}")
    _square_matrices(A, "linalg.matrix_power")
    inverted = n < 0
    if inverted:  # PyTorch's: the inverse (itself the result for -1) to the power -n
        A, n = inv(A), -n
    if out is not None and not _dtype.can_cast(A._dtype, out._dtype):
        raise RuntimeError(f"matrix_power: Expected result to be safely castable from {type_name(A._dtype)} dtype, "
                           f"but got result with dtype {type_name(out._dtype)}")
    if n > 1:
        exact_out(out, A._dtype, OUT_DTYPE)  # the last product is matmul's out=
    if n == 0:
        identity = creation.eye(A._data.shape[-2], A._data.shape[-1], dtype=A._dtype, device=A._device)
        if out is not None:
            return copied_into(views.expand(identity, *A._data.shape), out, "linalg_matrix_power")
        return views.clone(A, memory_format=views.contiguous_format).copy_(identity)
    if n == 1 and inverted and out is None:
        return A
    if n == 1:
        return views.clone(A, memory_format=views.contiguous_format) if out is None else \
            copied_into(A, out, "linalg_matrix_power")
    if n == 2:
        return matmul(A, A, out=out)
    if n == 3:
        return matmul(matmul(A, A), A, out=out)
    result = square = None
    while n > 0:
        bit, n = n % 2, n // 2
        square = A if square is None else matmul(square, square)
        if bit and out is not None and n == 0:  # the last product is written into out= (a copy when alone)
            return copied_into(square, out, "linalg_matrix_power") if result is None else \
                matmul(result, square, out=out)
        if bit:
            result = square if result is None else matmul(result, square)
    return result
