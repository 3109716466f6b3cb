"""Strides as PyTorch computes them, on shapes and strides only (no data), so that every backend's
results are laid out alike: views (computeStride), copies that preserve a layout (clone, *_like) and the
results of advanced indexing.

PyTorch's ``index`` runs a TensorIterator over the source (restrided so the indexed dims have stride 0)
and the index tensors; the iterator orders the result's dims by those operands' strides. A result of a
transposed source is thus transposed too, which numpy's fancy indexing does not do.
"""
from __future__ import annotations

import functools

from .._tensor import _is_contiguous

Layout = tuple  # (shape, strides), both tuples of ints


def contiguous_strides(shape) -> tuple:
    """PyTorch's row-major strides (a size-0 dim counts as 1)."""
    return _contiguous_strides(tuple(shape))


@functools.lru_cache(maxsize=1024)
def _contiguous_strides(shape: tuple) -> tuple:  # cached: indexing and the *_like factories ask often
    strides, step = [], 1
    for s in reversed(shape):
        strides.append(step)
        step *= max(s, 1)
    return tuple(reversed(strides))


def view_strides(old_shape, old_strides, new_shape):
    """Strides viewing (old_shape, old_strides) as new_shape, or None when no view exists.

    Dimensions are grouped into chunks that are contiguous with each other; a new dimension may not
    span two chunks (PyTorch's computeStride).
    """
    numel = 1
    for s in old_shape:
        numel *= s
    if not old_shape:
        return contiguous_strides(new_shape)
    if numel == 0:
        return contiguous_strides(new_shape) if tuple(old_shape) != tuple(new_shape) else tuple(old_strides)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base_stride = old_strides[-1] if old_strides else 1
    tensor_numel, view_numel = 1, 1
    for tensor_d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[tensor_d]
        if tensor_d == 0 or (old_shape[tensor_d - 1] != 1 and
                             old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base_stride
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = old_strides[tensor_d - 1]
                tensor_numel, view_numel = 1, 1
    if view_d != -1:
        return None
    return tuple(new_strides)


def non_overlapping_and_dense(shape, strides) -> bool:
    """Whether the elements tile a block of memory exactly (a permutation of row-major, size-1 dims free)."""
    dims = sorted((d for d in range(len(shape)) if shape[d] >= 2), key=lambda d: strides[d])
    expected = 1
    for d in dims:
        if strides[d] != expected:
            return False
        expected *= shape[d]
    return True


def preserved_strides(shape, strides) -> tuple:
    """The strides PyTorch's preserve_format gives a copy of a (shape, strides) tensor: the same when its
    memory is dense without overlaps, else dense ones in the order of its strides (infer_dense_strides)."""
    shape, strides = tuple(shape), tuple(strides)
    if non_overlapping_and_dense(shape, strides):
        return strides
    result, step = [0] * len(shape), 1
    for d in _iteration_order(shape, [strides]):
        result[d] = step
        if shape[d] > 1:
            step *= shape[d]
    return tuple(result)


def index_strides(source: Layout, indices: list, result_shape: tuple) -> tuple:
    """The strides PyTorch gives ``source[indices]``.

    `indices` has one entry per source dim, after bool masks were expanded as PyTorch does: None for a
    dim taken whole, else the (shape, strides) of that dim's integer index.
    """
    if not any(index is not None for index in indices):
        return contiguous_strides(result_shape)
    shape, strides = source
    if not _adjacent(indices):  # PyTorch moves the indexed dims to the front (numpy does the same)
        order = [d for d, index in enumerate(indices) if index is not None] + \
                [d for d, index in enumerate(indices) if index is None]
        shape, strides = tuple(shape[d] for d in order), tuple(strides[d] for d in order)
        indices = [indices[d] for d in order]
    broadcast = _broadcast([index[0] for index in indices if index is not None])
    before = next(d for d, index in enumerate(indices) if index is not None)
    indexed = sum(index is not None for index in indices)
    after = len(indices) - before - indexed
    operands = [(shape[:before] + broadcast + shape[before + indexed:],
                 strides[:before] + (0,) * len(broadcast) + strides[before + indexed:])]
    for index in indices:
        if index is not None:
            view_shape = (1,) * before + broadcast + (1,) * after
            operands.append((view_shape, view_strides(broadcast, _expand(index, broadcast), view_shape)))
    return _iterator_output_strides(result_shape, operands)


def _adjacent(indices: list) -> bool:
    positions = [d for d, index in enumerate(indices) if index is not None]
    return positions[-1] - positions[0] + 1 == len(positions)


def _broadcast(shapes: list) -> tuple:
    ndim = max(len(s) for s in shapes)
    result = [1] * ndim
    for s in shapes:
        for i, size in enumerate(s, ndim - len(s)):
            if size != 1:
                result[i] = size
    return tuple(result)


def _expand(index: Layout, shape: tuple) -> tuple:
    """The strides of ``index.expand(shape)`` (PyTorch's inferExpandGeometry)."""
    sizes, strides = index
    result = [0] * len(shape)
    for i in range(len(shape) - 1, -1, -1):
        d = i - (len(shape) - len(sizes))
        size = sizes[d] if d >= 0 else 1
        stride = strides[d] if d >= 0 else shape[i + 1] * result[i + 1]
        result[i] = 0 if size != shape[i] else stride
    return tuple(result)


def _iterator_output_strides(shape: tuple, operands: list) -> tuple:
    """The output strides TensorIterator allocates for inputs `operands` of common shape `shape`."""
    if len(shape) <= 1:
        return contiguous_strides(shape)
    if all(tuple(op_shape) == tuple(shape) for op_shape, _ in operands):  # TensorIterator's fast setup
        if all(_is_contiguous(shape, op_strides) for _, op_strides in operands):
            return contiguous_strides(shape)
        if len({tuple(op_strides) for _, op_strides in operands}) == 1 and \
                non_overlapping_and_dense(shape, operands[0][1]):
            return tuple(operands[0][1])
    # a broadcast dim (size 1 in an operand, not in the result) counts as stride 0, as TensorIterator's
    operand_strides = [tuple(0 if size == 1 and shape[i] != 1 else stride
                             for i, (size, stride) in enumerate(zip(op_shape, op_strides)))
                       for op_shape, op_strides in operands]
    perm = _iteration_order(shape, operand_strides)
    if perm == list(range(len(shape) - 1, -1, -1)):
        return contiguous_strides(shape)
    strides = [0] * len(shape)
    step = 1
    for d in perm:
        strides[d] = step
        step *= shape[d]
    return tuple(strides)


def _iteration_order(shape: tuple, operand_strides: list) -> list:
    """The dims from fastest- to slowest-moving, as TensorIterator sorts them by the operands' strides:
    the first operand with a preference decides, stride-0 dims are ambiguous and stay in place."""
    ndim = len(shape)

    def should_swap(dim0: int, dim1: int) -> int:
        for strides in operand_strides:
            stride0, stride1 = strides[dim0], strides[dim1]
            if stride0 == 0 or stride1 == 0:
                continue
            if stride0 != stride1:
                return -1 if stride0 < stride1 else 1
            if shape[dim0] > shape[dim1]:
                return 1
        return 0

    perm = list(range(ndim - 1, -1, -1))  # perm[0] is the fastest-moving dim
    for i in range(1, ndim):  # PyTorch's insertion sort, which stops at a strict "keep"
        dim1 = i
        for dim0 in range(i - 1, -1, -1):
            comparison = should_swap(perm[dim0], perm[dim1])
            if comparison > 0:
                perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
                dim1 = dim0
            elif comparison < 0:
                break
    return perm
