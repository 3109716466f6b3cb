"""PyTorch's view-copy ops (``view_copy``, ``permute_copy``, ``narrow_copy``...): the view op's values in a
new contiguous tensor that shares no memory with the input. The gradient is the view's own: the node
(named as PyTorch's, ``<view node>_copy``, or ``NarrowCopyBackward0``) runs the backward of the view node
recorded while computing it."""
from __future__ import annotations

import functools

from ..autograd import grad_mode
from ..autograd.node import Node, attach
from . import views
from .dispatch import profiled
from .shape import split_method, split_with_sizes, unbind


class _ViewCopy(Node):
    """The gradient of a view-copy: the backward of the view it copies (`view_node`)."""

    def backward(self, grad):
        return self.view_node.backward(grad)


class NarrowCopyBackward0(_ViewCopy):
    pass


@functools.cache
def _node_class(view_node_cls: type) -> type:
    return type(view_node_cls.__name__ + "_copy", (_ViewCopy,), {"__module__": __name__})


def _copied(name: str, view, node_cls: type | None = None):
    """The view-copy op `name` of `view`: the view, copied to a new contiguous tensor, with its gradient."""
    def op(input, *args, **kwargs):
        with grad_mode.no_grad():
            result = views.clone(view(input.detach(), *args, **kwargs), memory_format=views.contiguous_format)
        if not (grad_mode.is_grad_enabled() and input.requires_grad):
            return result
        node = view(input, *args, **kwargs).grad_fn
        if node is None:  # view(dtype): no history, as PyTorch's view_copy.dtype
            return result
        return attach(result, node_cls or _node_class(type(node)), (input,), view_node=node)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``{name}``: a copy of what the view ``{name[:-5]}`` gives, with its gradient."
    return profiled("aten::" + name)(op)


def _copied_all(name: str, view):
    """The view-copy op `name` of a view giving several tensors (unbind, split): each one copied."""
    def op(input, *args, **kwargs):
        return tuple(views.clone(part, memory_format=views.contiguous_format) for part in view(input, *args, **kwargs))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``{name}``: copies of what ``{name[:-5]}`` gives."
    return profiled("aten::" + name)(op)


def slice_view(input, dim=0, start=None, end=None, step=1):
    """`input[..., start:end:step]` along `dim`: the view slice_copy and slice_scatter are made of."""
    return input[(slice(None),) * (dim % max(input.dim(), 1)) + (slice(start, end, step),)]


view_copy = _copied("view_copy", views.view)
permute_copy = _copied("permute_copy", views.permute)
transpose_copy = _copied("transpose_copy", views.transpose)
t_copy = _copied("t_copy", views.t)
diagonal_copy = _copied("diagonal_copy", lambda input, offset=0, dim1=0, dim2=1: input.diagonal(offset, dim1, dim2))
expand_copy = _copied("expand_copy", lambda input, size, *, implicit=False: input.expand(size))
select_copy = _copied("select_copy", views.select)
slice_copy = _copied("slice_copy", slice_view)
squeeze_copy = _copied("squeeze_copy", views.squeeze)
unsqueeze_copy = _copied("unsqueeze_copy", views.unsqueeze)
alias_copy = _copied("alias_copy", views.alias)
narrow_copy = _copied("narrow_copy", views.narrow, NarrowCopyBackward0)
unfold_copy = _copied("unfold_copy", lambda input, dimension, size, step: input.unfold(dimension, size, step))
as_strided_copy = _copied("as_strided_copy", lambda input, size, stride, storage_offset=None:
                          input.as_strided(size, stride, storage_offset))
unbind_copy = _copied_all("unbind_copy", unbind)
split_copy = _copied_all("split_copy", split_method)
split_with_sizes_copy = _copied_all("split_with_sizes_copy", split_with_sizes)


def detach_copy(input):
    """A copy of `input` detached from the graph."""
    return views.clone(input.detach(), memory_format=views.contiguous_format)


NAMES = ("view_copy", "permute_copy", "transpose_copy", "t_copy", "diagonal_copy", "expand_copy", "select_copy",
         "slice_copy", "squeeze_copy", "unsqueeze_copy", "alias_copy", "narrow_copy", "unfold_copy",
         "as_strided_copy", "unbind_copy", "split_copy", "split_with_sizes_copy", "detach_copy")
