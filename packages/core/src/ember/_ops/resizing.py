"""`Tensor.resize_(*size)` / `resize_as_(the_template)`, as PyTorch's: the tensor takes the new shape in place
(see resize.py), refused on a tensor that requires grad; and the deprecated out-of-place `resize` / `resize_as`
(PyTorch's autograd ``Resize`` function): the same elements in a new shape, recorded as ResizeBackward."""
from __future__ import annotations

import math
import warnings

from .. import _memory_format
from .._memory_format import contiguous_format, preserve_format
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from .creation import parse_size
from .dispatch import bump
from .resize import resize_out


def resize_(self: Tensor, *sizes, size=None, memory_format=None) -> Tensor:
    """Give this tensor the shape ``sizes`` (or ``size=``) in place: its first elements (from its storage
    offset) kept, laid out row-major or in `memory_format`, the storage grown when too small; the same shape
    changes nothing. Never on a tensor that requires grad (autograd could not follow)."""
    if size is not None:
        if sizes:
            raise TypeError("resize_() got multiple values for argument 'size'")
        sizes = (size,)
    shape = parse_size(sizes, "resize_", self._dtype.itemsize)
    fmt = None if memory_format is None else _memory_format.parse(memory_format, "resize_")
    return _resize(self, shape, fmt, "resize_")


def resize_as_(self: Tensor, the_template: Tensor, memory_format=None) -> Tensor:
    """`resize_` to ``the_template``'s shape."""
    if not isinstance(the_template, Tensor):
        raise TypeError("resize_as_(): argument 'the_template' (position 1) must be Tensor, not "
                        f"{type(the_template).__name__}")
    fmt = None if memory_format is None else _memory_format.parse(memory_format, "resize_as_")
    if fmt is preserve_format:  # the template's layout, as its strides suggest it
        fmt = _memory_format.suggest(the_template.shape, the_template.stride())
    return _resize(self, tuple(the_template.shape), fmt, "resize_as_")


def _resize(self: Tensor, shape: tuple, memory_format, op: str) -> Tensor:
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if memory_format is preserve_format:
        raise RuntimeError(f"{op}(): Unsupported memory format {memory_format}")
    # a channels-last format's strides (its rank checked before anything changes)
    strides = None if memory_format in (None, contiguous_format) else \
        _memory_format.channels_last_strides(shape, memory_format)
    changed = tuple(self._data.shape) != shape
    if changed or memory_format is not None:  # an explicit format re-strides the same shape
        resize_out(self, shape, warn=False, strides=strides)
    if changed:  # as PyTorch, a new shape counts as a write (a saved tensor resized is stale)
        bump(self)
    return self


class ResizeBackward(Node):
    """resize / resize_as: the gradient takes the input's shape back."""

    input_shape: tuple

    def backward(self, grad):
        return grad.reshape(self.input_shape)


def resize(self: Tensor, *sizes) -> Tensor:
    """Deprecated (PyTorch warns the same): this tensor's elements, in row-major order, in the shape
    ``sizes`` of as many elements; sharing this tensor's memory and version counter when it is contiguous (not
    recorded as a view of it, as PyTorch's ``tensor.new(tensor)``)."""
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    return _resized(self, parse_size(sizes, "resize"))


def resize_as(self: Tensor, tensor: Tensor) -> Tensor:
    """Deprecated: `resize` to ``tensor``'s shape."""
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    if not isinstance(tensor, Tensor):
        raise TypeError(f"resize_as(): argument 'tensor' must be Tensor, not {type(tensor).__name__}")
    return _resized(self, tuple(tensor.shape))


def _resized(self: Tensor, shape: tuple) -> Tensor:
    if math.prod(shape) != self.numel():
        raise RuntimeError(f"requested resize to {'x'.join(map(str, shape))} ({math.prod(shape)} elements in "
                           f"total), but the given tensor has a size of {'x'.join(map(str, self.shape))} "
                           f"({self.numel()} elements). autograd's resize can only change the shape of a given "
                           "tensor, while preserving the number of elements. ")
    with grad_mode.no_grad():
        values = self.detach().contiguous().view(shape)
    result = Tensor._make(values._data, self._dtype, self._device)
    result._version = values._version_counter  # this tensor's when its memory is shared
    return attach(result, ResizeBackward, (self,), input_shape=tuple(self.shape))
