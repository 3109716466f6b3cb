"""broadcast_shapes and broadcast_tensors: PyTorch's broadcasting of several shapes, or tensors, at once."""
from __future__ import annotations

from collections.abc import Sequence

from .._size import Size
from .._tensor import Tensor
from . import views
from .dispatch import broadcast_all


def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of `shapes` (each a sequence of ints, or an int for one dim; None is skipped)
    broadcast to, with PyTorch's errors."""
    given = [(shape,) if isinstance(shape, int) else shape for shape in shapes if shape is not None]
    for shape in given:
        if not isinstance(shape, Sequence):
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a list of ints, got {shape}")
    common = [1] * max((len(shape) for shape in given), default=0)
    for index, shape in enumerate(given):
        for dim in range(-1, -1 - len(shape), -1):
            size = shape[dim]
            if size == common[dim]:
                continue
            if common[dim] == 1:
                if size < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative length!")
                common[dim] = size
            if size != 1 and common[dim] != size:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {size} at {dim}! Mismatching "
                                   f"argument at index {index} had {shape}; but expected shape should be "
                                   f"broadcastable to {common}")
    return Size(common)


def broadcast_tensors(*tensors) -> tuple:
    """`tensors` expanded to their common shape (a tensor already of that shape is returned as it is)."""
    for position, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {position} in argument 0, but got {type(t).__name__}")
    shape = broadcast_all(None, [t._data.shape for t in tensors])
    return tuple(t if t._data.shape == shape else views.expand(t, shape) for t in tensors)
