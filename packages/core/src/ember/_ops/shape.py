"""Shape ops composed of views, indexing and where: split, chunk, unbind, flip, roll, tril, triu, diagonal,
diag, repeat, movedim, and the indices of non-zero elements (``where(cond)``).

Ops that copy run their composition without recording and record one node named as PyTorch's, whose
backward is again a composition (so it is differentiable too).
"""
from __future__ import annotations

import builtins
import functools
import math

from .. import _dtype
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from . import creation, joining, views
from .dispatch import profiled
from .indexing import getitem
from .pointwise import where


def _recorded(node_cls, input: Tensor, compute, **attributes) -> Tensor:
    """`compute()` run without recording, then recorded as one `node_cls` node over `input`."""
    with grad_mode.no_grad():
        result = compute()
    return attach(result, node_cls, (input,), **attributes)


def _dims(dims, ndim: int, op: str) -> tuple:
    """`dims` (an int or a sequence) wrapped, refusing repeats as PyTorch."""
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    wrapped = tuple(_wrap_dim(d, ndim, op) for d in dims)
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return wrapped


# ----- views ---------------------------------------------------------------------------------------
class _MultiView(Node):
    """The one node of a view op with several outputs (PyTorch's): output i's gradient arrives in slot i,
    None for an output that was not used. Its outputs may not be modified in place (see check_inplace)."""

    multi_view = True
    dim: int
    shape: tuple  # the input's


class SplitBackward0(_MultiView):
    """split into pieces of `split_size` (chunk's too): the pieces' gradients joined, zeros for unused ones."""

    split_size: int

    def backward(self, *grads):
        return _joined(grads, self.shape, self.dim, _sizes(self.shape[self.dim], self.split_size), joining.cat)


class SplitWithSizesBackward0(_MultiView):
    """split into the listed sizes."""

    split_sizes: list

    def backward(self, *grads):
        return _joined(grads, self.shape, self.dim, self.split_sizes, joining.cat)


class UnbindBackward0(_MultiView):
    """unbind: the slices' gradients stacked, zeros for unused ones."""

    def backward(self, *grads):
        return _joined(grads, self.shape, self.dim, [None] * self.shape[self.dim], joining.stack)


def _joined(grads, shape, dim: int, sizes, join):
    """The input's gradient from its pieces' (`sizes` along `dim`; None: a slice without that dim) joined by
    `join`, zeros standing in for missing ones (differentiable, so double backward works)."""
    like = next(g for g in grads if g is not None)
    pieces = []
    for g, size in zip(grads, sizes):
        if g is None:
            piece_shape = list(shape)
            if size is None:
                del piece_shape[dim]
            else:
                piece_shape[dim] = size
            g = creation.zeros(piece_shape, dtype=like._dtype, device=like._device)
        pieces.append(g)
    return join(pieces, dim)


def _sizes(size: int, step: int) -> list:
    """The lengths of split's pieces of `step` elements along a dim of `size` (the last may be shorter)."""
    return [builtins.min(step, size - start) for start in range(0, size, step)] if size else [0]


def _multi_view(input: Tensor, pieces: list, node_cls: type, **attributes) -> tuple:
    """`pieces` (views of `input`) recorded as the outputs of one `node_cls` node, in order."""
    first = pieces[0] if pieces else None
    if first is None or attach(first, node_cls, (input,), **attributes) is not first or first._grad_fn is None:
        return tuple(pieces)
    node = first._grad_fn
    node._num_outputs = len(pieces)
    node.shape = input._data.shape
    for nr, piece in enumerate(pieces):
        piece._grad_fn, piece._output_nr, piece._requires_grad = node, nr, True
    return tuple(pieces)


def _split_plan(tensor, split_size_or_sections, dim, by_size: bool) -> tuple:
    """split's dim, piece lengths and node attributes after PyTorch's checks: pieces of `split_size` elements
    (`by_size`; the last may be shorter) or of the listed sizes."""
    d = _wrap_dim(dim, tensor.ndim, "split")
    size = tensor._data.shape[d]
    if by_size:
        step = split_size_or_sections
        if step < 0 or (step == 0 and size):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
                               if step == 0 else f"split expects split_size be non-negative, but got split_size={step}")
        return d, _sizes(size, step), {"split_size": step}
    sizes = [int(s) for s in split_size_or_sections]
    if builtins.sum(sizes) != size or builtins.any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
                           f"at dimension {d}), but got split_sizes={sizes}")
    return d, sizes, {"split_sizes": sizes}


@profiled("aten::split")
def split(tensor, split_size_or_sections, dim=0):
    """Pieces of `split_size_or_sections` elements along `dim` (the last may be shorter), or of the listed
    sizes; each a view of `tensor`, all outputs of one SplitBackward0 (SplitWithSizesBackward0) node."""
    by_size = isinstance(split_size_or_sections, int)
    d, sizes, attributes = _split_plan(tensor, split_size_or_sections, dim, by_size)
    pieces, start = [], 0
    for length in sizes:
        pieces.append(views.make_view(tensor, views.narrow_buffer(tensor._device, tensor._data, d, start, length),
                                      functools.partial(views.narrow, dim=d, start=start, length=length)))
        start += length
    return _multi_view(tensor, pieces, SplitBackward0 if by_size else SplitWithSizesBackward0, dim=d, **attributes)


def split_method(self, split_size, dim=0):
    """Tensor.split: split, by the name PyTorch's method gives the sizes (``t.split(split_size=2)``)."""
    return split(self, split_size, dim)


def split_with_sizes(input, split_sizes, dim=0):
    """Pieces of the listed sizes along `dim` (as torch.split_with_sizes): split with a list."""
    return split(input, list(split_sizes), dim)


@profiled("aten::chunk")
def chunk(input, chunks, dim=0):
    """At most `chunks` views of equal size along `dim` (the last may be smaller), as PyTorch."""
    return split(input, _chunk_size(input, chunks, dim), dim)


def _chunk_size(input, chunks, dim) -> int:
    """The length of chunk's pieces after PyTorch's check of `chunks`."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input._data.shape[_wrap_dim(dim, input.ndim, "chunk")]
    return math.ceil(size / chunks)


# ----- unsafe splits: pieces sharing the input's memory that autograd does not treat as views --------------
class UnsafeSplitBackward0(SplitBackward0):
    """unsafe_split (unsafe_chunk): split's gradient; the pieces may be modified in place."""

    multi_view = False


class UnsafeSplitWithSizesBackward0(SplitWithSizesBackward0):
    """unsafe_split_with_sizes: split_with_sizes's gradient; the pieces may be modified in place."""

    multi_view = False


def _unsafe(input, split_size_or_sections, dim, by_size: bool, name: str) -> tuple:
    """The pieces of split over `input`'s memory, as plain tensors (not views: PyTorch's unsafe_ ops let
    them be modified in place), all outputs of one Unsafe<Split|SplitWithSizes>Backward0 node."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    d, sizes, attributes = _split_plan(input, split_size_or_sections, dim, by_size)
    pieces, start = [], 0
    for length in sizes:
        pieces.append(wrap(views.narrow_buffer(input._device, input._data, d, start, length), input._dtype,
                           input._device))
        start += length
    node_cls = UnsafeSplitBackward0 if by_size else UnsafeSplitWithSizesBackward0
    return _multi_view(input, pieces, node_cls, dim=d, **attributes)


@profiled("aten::unsafe_split")
def unsafe_split(input, split_size, dim=0):
    """split into pieces of `split_size` (an int) that share `input`'s memory without being views."""
    if not isinstance(split_size, int) or isinstance(split_size, bool):
        raise TypeError(f"unsafe_split(): argument 'split_size' (position 2) must be int, not "
                        f"{type(split_size).__name__}")
    return _unsafe(input, split_size, dim, True, "unsafe_split")


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    """split_with_sizes into pieces that share `input`'s memory without being views."""
    return _unsafe(input, list(split_sizes), dim, False, "unsafe_split_with_sizes")


@profiled("aten::unsafe_chunk")
def unsafe_chunk(input, chunks, dim=0):
    """chunk into pieces that share `input`'s memory without being views (UnsafeSplitBackward0)."""
    return unsafe_split(input, _chunk_size(input, chunks, dim), dim)


@profiled("aten::unbind")
def unbind(input, dim=0):
    """The slices along `dim`, that dim removed (views), all outputs of one UnbindBackward0 node."""
    d = _wrap_dim(dim, input.ndim, "unbind")
    pieces = [views.make_view(input, views.select_buffer(input._device, input._data, d, i),
                              functools.partial(views.select, dim=d, index=i)) for i in range(input._data.shape[d])]
    return _multi_view(input, pieces, UnbindBackward0, dim=d)


def movedim(input, source, destination):
    """`input` with dims `source` moved to positions `destination`, the others in order (a permute view)."""
    ndim = input.ndim
    if isinstance(source, int) is not isinstance(destination, int):
        raise TypeError(f"movedim() received an invalid combination of arguments - got ({type(source).__name__}, "
                        f"{type(destination).__name__}), but expected (int source, int destination) or (tuple of "
                        "ints source, tuple of ints destination)")
    source, destination = _dims(source, ndim, "movedim"), _dims(destination, ndim, "movedim")
    if len(source) != len(destination):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(source)} dims) should "
                           f"contain the same number of dims as destination ({list(destination)} dims)")
    order = [None] * ndim
    for s, t in zip(source, destination):
        order[t] = s
    rest = iter(d for d in range(ndim) if d not in source)
    return views.permute(input, [next(rest) if d is None else d for d in order])


class DiagonalBackward0(Node):
    """Gradient of diagonal(): zeros with `grad` written on the diagonal."""

    def backward(self, grad):
        return _diag_embed(grad, self.shape, self.offset, self.dim1, self.dim2)


def _diag_embed(grad, shape, offset, dim1, dim2):
    out = creation.zeros(tuple(shape), dtype=grad._dtype, device=grad._device)
    diagonal(out, offset, dim1, dim2).copy_(grad)
    return out


@profiled("aten::diagonal")
def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal at `offset` of the (dim1, dim2) planes, as a new last dim (a view)."""
    ndim = input.ndim
    d1, d2 = _wrap_dim(dim1, ndim, "diagonal"), _wrap_dim(dim2, ndim, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    shape, strides = input._data.shape, input._device.kernels.strides(input._data)
    n1, n2 = shape[d1], shape[d2]
    length = builtins.max(0, builtins.min(n1, n2 - offset) if offset >= 0 else builtins.min(n1 + offset, n2))
    start = 0 if length == 0 else (offset * strides[d2] if offset >= 0 else -offset * strides[d1])
    kept = [d for d in range(ndim) if d not in (d1, d2)]
    data = views.strided(input._device, input._data, [shape[d] for d in kept] + [length],
                         [strides[d] for d in kept] + [strides[d1] + strides[d2]], start)
    return views._view(input, data, DiagonalBackward0, lambda t: diagonal(t, offset, d1, d2), shape=shape,
                       offset=offset, dim1=d1, dim2=d2)


_diagonal = diagonal  # for diag(), whose argument `diagonal` is PyTorch's name


# ----- copies --------------------------------------------------------------------------------------
class FlipBackward0(Node):
    def backward(self, grad):
        return flip(grad, self.dims)


def flip(input, dims):
    """A copy of `input` with the order of elements along `dims` reversed."""
    if isinstance(dims, int):
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not int")
    dims = _dims(dims, input.ndim, "flip")

    def compute():
        result = input
        for d in dims:
            n = input._data.shape[d]
            result = getitem(result, (slice(None),) * d + (creation.arange(n - 1, -1, -1, device=input._device),))
        return views.clone(result) if result is input else result
    return _recorded(FlipBackward0, input, compute, dims=dims)


def fliplr(input):
    """Columns in reverse order (dim 1 flipped), for a tensor of at least 2 dims."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    """Rows in reverse order (dim 0 flipped), for a tensor of at least 1 dim."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def flip_method(self, *order, dims=views.UNSET):
    """``t.flip(0, 1)``, ``t.flip((0, 1))`` or ``t.flip(dims=(0, 1))``."""
    given = views.sizes_argument("flip", "dims", order, dims)
    if isinstance(dims, int):
        raise TypeError("flip(): argument 'dims' must be tuple of ints, not int")
    dims = given
    return flip(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims)


class RollBackward0(Node):
    def backward(self, grad):
        return roll(grad, tuple(-s for s in self.shifts), self.dims)


@profiled("aten::roll")
def roll(input, shifts, dims=None):
    """Elements shifted by `shifts` along `dims` (of the flattened tensor when None), wrapping around."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll(): shifts and dims must align. shifts: {len(shifts)}, dims: 0")
        along = ()
    else:
        along = (dims,) if isinstance(dims, int) else tuple(dims)
        if len(shifts) != len(along):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(along)}")
        along = tuple(_wrap_dim(d, input.ndim, "roll") for d in along)

    def compute():
        result = source = views.flatten(input) if dims is None else input
        for shift, d in zip(shifts, along or (0,)):
            n = source._data.shape[d]
            s = shift % n if n else 0
            if s:
                result = joining.cat([views.narrow(result, d, n - s, s), views.narrow(result, d, 0, n - s)], d)
        return views.reshape(views.clone(result) if result is source else result, input._data.shape)
    return _recorded(RollBackward0, input, compute, shifts=shifts, dims=dims)


class TrilBackward0(Node):
    def backward(self, grad):
        return tril(grad, self.diagonal)


class TriuBackward0(Node):
    def backward(self, grad):
        return triu(grad, self.diagonal)


def _triangle(op: str, input, diagonal: int):
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
    rows, cols = input._data.shape[-2:]
    row = creation.arange(rows, device=input._device).reshape(rows, 1)
    col = creation.arange(cols, device=input._device)
    offsets = col - row  # j - i: 0 on the main diagonal
    keep = offsets <= diagonal if op == "tril" else offsets >= diagonal
    return _recorded(TrilBackward0 if op == "tril" else TriuBackward0, input,
                     lambda: where(keep, input, creation.zeros_like(input)), diagonal=diagonal)


def tril(input, diagonal=0):
    """The lower triangle of the last two dims (on and below `diagonal`), zeros elsewhere."""
    return _triangle("tril", input, diagonal)


def triu(input, diagonal=0):
    """The upper triangle of the last two dims (on and above `diagonal`), zeros elsewhere."""
    return _triangle("triu", input, diagonal)


class DiagEmbedBackward0(Node):
    def backward(self, grad):
        return diagonal(grad, self.offset, self.dim1, self.dim2)


class DiagonalBackward0_copy(DiagonalBackward0):  # noqa: N801 - PyTorch's name
    pass


@profiled("aten::diag")
def diag(input, diagonal=0):
    """A 1-d input's values on the `diagonal` of a new square matrix; a 2-d input's diagonal, copied."""
    if input.ndim == 1:
        n = input._data.shape[0] + abs(diagonal)
        return _recorded(DiagEmbedBackward0, input, lambda: _diag_embed(input, (n, n), diagonal, 0, 1),
                         offset=diagonal, dim1=0, dim2=1)
    if input.ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    return _recorded(DiagonalBackward0_copy, input, lambda: views.clone(_diagonal(input, diagonal)),
                     shape=input._data.shape, offset=diagonal, dim1=0, dim2=1)


class RepeatBackward0(Node):
    """The sum of the gradient over the repeats."""

    def backward(self, grad):
        split = []
        for repeat, size in zip(self.repeats, self.padded):
            split += [repeat, size]
        summed = grad.reshape(split).sum(tuple(range(0, len(split), 2)))
        return summed.reshape(self.shape)


def repeat(input, *sizes, repeats=views.UNSET):
    """`input` tiled `sizes[i]` times along each dim (leading sizes add dims), as a copy."""
    sizes = views.sizes_argument("repeat", "repeats", sizes, repeats)
    if len(sizes) == 1 and not isinstance(sizes[0], int):
        sizes = tuple(sizes[0])
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    shape = input._data.shape
    padded = (1,) * (len(sizes) - len(shape)) + tuple(shape)

    def compute():
        interleaved, target = [], []
        for repeat, size in zip(sizes, padded):
            interleaved += [1, size]
            target += [repeat, size]
        tiled = views.expand(views.reshape(input, interleaved), target)
        return views.clone(tiled, memory_format=views.contiguous_format).reshape(
            [r * s for r, s in zip(sizes, padded)])
    return _recorded(RepeatBackward0, input, compute, repeats=sizes, padded=padded, shape=shape)


# ----- indices -------------------------------------------------------------------------------------
def nonzero_tuple(condition):
    """The indices of the non-zero elements of `condition`, one int64 tensor per dim (``where(cond)``)."""
    shape = condition._data.shape
    mask = condition if condition._dtype is _dtype.bool_ else condition != 0
    if not shape:
        return (creation.zeros(int(bool(mask)), dtype=_dtype.int64, device=condition._device),)
    indices = []
    for d, size in enumerate(shape):
        grid = creation.arange(size, device=condition._device).reshape([-1 if i == d else 1
                                                                         for i in range(len(shape))])
        indices.append(getitem(views.expand(grid, shape), mask))
    return tuple(indices)
