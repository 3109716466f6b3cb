"""PyTorch's at::sum_to, a tensor summed back to a shape that broadcasts to its own: the one place broadcasting
is undone, for the engine's gradients and ``Tensor.sum_to_size``."""
from __future__ import annotations

from .._tensor import Tensor
from .views import UNSET, sizes_argument


def broadcasts_to(shape: tuple, target: tuple) -> bool:
    """Whether `shape` broadcasts to `target` (PyTorch's is_expandable_to)."""
    lead = len(target) - len(shape)
    return lead >= 0 and all(s == 1 or s == n for s, n in zip(shape, target[lead:]))


def sum_to(tensor: Tensor, shape: tuple) -> Tensor:
    """`tensor` summed over the dims broadcasting adds or stretches to reach it from `shape` (the leading ones
    and those of size 1 in `shape`), then viewed as `shape` (a 0-d `shape`: the sum); `shape` must broadcast to
    the tensor's."""
    if not shape:
        return tensor.sum()
    lead = tensor.ndim - len(shape)
    sizes = tensor._data.shape
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and sizes[lead + i] != 1)
    if dims:
        tensor = tensor.sum(dims, keepdim=True)
    return tensor.reshape(shape) if lead else tensor


def sum_to_size(self, *sizes, size=UNSET):
    """``t.sum_to_size(1, 3)``: `t` summed to `size`, which must broadcast to its shape (`t` itself when no
    dim needs summing)."""
    sizes = sizes_argument("sum_to_size", "size", sizes, size)
    shape = tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], int) else tuple(sizes)
    if not broadcasts_to(shape, tuple(self._data.shape)):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(self._data.shape)}}}.")
    return sum_to(self, shape)

