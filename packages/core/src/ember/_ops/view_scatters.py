"""The scatter forms of views, as PyTorch's: ``diagonal_scatter``, ``select_scatter``, ``slice_scatter``,
``as_strided_scatter`` give a copy of `input` with `src` written where the view would read, with
PyTorch's nodes (``SliceScatterBackward0``...): `input`'s gradient is `grad` with zeros scattered in, and
`src`'s the view of `grad`, both in differentiable ops."""
from __future__ import annotations

from collections.abc import Callable

from ..autograd import grad_mode
from ..autograd.node import Node, attach
from . import views
from .creation import zeros_like
from .view_copies import slice_view


def _scatter(input, src, view, node_cls, **where):
    """A contiguous copy of `input` with `view(copy, **where)` overwritten by `src` (cast to input's dtype)."""
    with grad_mode.no_grad():
        result = views.clone(input, memory_format=views.contiguous_format)
        target = view(result, **where)
        if tuple(target.shape) != tuple(src.shape):
            raise RuntimeError("expected src to have a size equal to the slice of self. src size = "
                               f"{list(src.shape)}, slice size = {list(target.shape)}")
        target.copy_(src)
    return attach(result, node_cls, (input, src), view=view, where=where)


class _ViewScatterBackward(Node):
    def backward(self, grad):
        return (_scatter_op(self)(grad, zeros_like(self.view(grad, **self.where)), **self.where),
                self.view(grad, **self.where))


def _scatter_op(node: Node):
    return _OPS[type(node)]


class DiagonalScatterBackward0(_ViewScatterBackward):
    pass


class SelectScatterBackward0(_ViewScatterBackward):
    pass


class SliceScatterBackward0(_ViewScatterBackward):
    pass


class AsStridedScatterBackward0(_ViewScatterBackward):
    pass


def _diagonal(t, offset, dim1, dim2):
    return t.diagonal(offset, dim1, dim2)


def _select(t, dim, index):
    return views.select(t, dim, index)


def _as_strided(t, size, stride, storage_offset):
    return t.as_strided(size, stride, storage_offset)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """`input` with `src` written on its diagonal (``input.diagonal(offset, dim1, dim2)``)."""
    return _scatter(input, src, _diagonal, DiagonalScatterBackward0, offset=offset, dim1=dim1, dim2=dim2)


def select_scatter(input, src, dim, index):
    """`input` with `src` written at `index` along `dim` (``input.select(dim, index)``)."""
    return _scatter(input, src, _select, SelectScatterBackward0, dim=dim, index=index)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """`input` with `src` written in ``input[..., start:end:step]`` along `dim`."""
    return _scatter(input, src, slice_view, SliceScatterBackward0, dim=dim, start=start, end=end, step=step)


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """`input` (made contiguous) with `src` written where ``as_strided(size, stride, storage_offset)`` reads."""
    return _scatter(input, src, _as_strided, AsStridedScatterBackward0, size=size, stride=stride,
                    storage_offset=storage_offset)


_OPS: dict[type, Callable] = {DiagonalScatterBackward0: diagonal_scatter, SelectScatterBackward0: select_scatter,
        SliceScatterBackward0: slice_scatter, AsStridedScatterBackward0: as_strided_scatter}
NAMES = ("diagonal_scatter", "select_scatter", "slice_scatter", "as_strided_scatter")
