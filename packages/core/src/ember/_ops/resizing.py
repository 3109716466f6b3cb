"""`Tensor.resize_(*size)` / `resize_as_(the_template)`, as PyTorch's: the tensor takes the new shape in place
(see resize.py), refused on a tensor that requires grad."""
from __future__ import annotations

from .._tensor import Tensor
from .creation import parse_size
from .dispatch import bump
from .resize import resize_out
from .views import check_memory_format, contiguous_format, preserve_format


def resize_(self: Tensor, *sizes, size=None, memory_format=None) -> Tensor:
    """Give this tensor the shape ``sizes`` (or ``size=``) in place: its first elements (from its storage
    offset) kept in row-major order, the storage grown when too small; the same shape changes nothing. Never on
    a tensor that requires grad (autograd could not follow)."""
    if size is not None:
        if sizes:
            raise TypeError("resize_() got multiple values for argument 'size'")
        sizes = (size,)
    shape = parse_size(sizes, "resize_", self._dtype.itemsize)
    return _resize(self, shape, check_memory_format(memory_format, "resize_"), "resize_")


def resize_as_(self: Tensor, the_template: Tensor, memory_format=None) -> Tensor:
    """`resize_` to ``the_template``'s shape."""
    if not isinstance(the_template, Tensor):
        raise TypeError("resize_as_(): argument 'the_template' (position 1) must be Tensor, not "
                        f"{type(the_template).__name__}")
    memory_format = check_memory_format(memory_format, "resize_as_")
    return _resize(self, tuple(the_template.shape), None if memory_format is preserve_format else memory_format,
                   "resize_as_")


def _resize(self: Tensor, shape: tuple, memory_format, op: str) -> Tensor:
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if memory_format is not None and memory_format is not contiguous_format:
        raise RuntimeError(f"{op}(): Unsupported memory format {memory_format}")
    changed = tuple(self._data.shape) != shape
    if changed or memory_format is not None:  # an explicit contiguous_format re-strides the same shape
        resize_out(self, shape, warn=False)
    if changed:  # as PyTorch, a new shape counts as a write (a saved tensor resized is stale)
        bump(self)
    return self
