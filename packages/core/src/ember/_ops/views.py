"""View ops: new shapes and strides over the same storage, computed once here for every backend.

Each op uses the backend's optional fast view kernel when it has one (numpy's own views on the
CPU) and otherwise the required `as_strided`, with the stride arithmetic done in this module.
"""
from __future__ import annotations

import warnings
import weakref

from .. import _memory_format, _profiling
from .._memory_format import contiguous_format, preserve_format
from .._size import Size
from .._tensor import Tensor, ViewRefs, ZeroTensor, _is_contiguous, _row_major, _wrap_dim, wrap
from ..autograd import grad_mode
from ..autograd.node import NO_EDGE, AccumulateGrad, Node, attach, input_edges, new_node
from .dispatch import profiled
from .layout import contiguous_strides, preserved_strides, view_strides

_ref = weakref.ref


def make_view(input: Tensor, data, replay=None) -> Tensor:
    """A tensor over `data`, a view of `input`'s storage: same base and version counter.

    `replay(t)` redoes this view op on another tensor; chained from the base, it lets an in-place
    op on the view rewrite the base's history (see `ember._ops.inplace`). The chain holds while the
    base keeps the buffer it had when the chain began (`_view_frame`, see `ember.autograd.node.replays`).
    """
    out = wrap(data, input._dtype, input._device, False, ZeroTensor if input.__class__ is ZeroTensor else None)
    if input._base is None:
        out._base = input
        out._view_fn = replay
        out._view_frame = input._data
        out._view_no_grad = not grad_mode.state.enabled
    else:
        out._base = input._base
        parent = input._view_fn
        out._view_fn = None if parent is None or replay is None else _chain(parent, replay)
        out._view_frame = input._view_frame
        out._view_no_grad = input._view_no_grad or not grad_mode.state.enabled
    counter = input._version
    if counter is None:
        counter = input._version = [0]
    out._version = counter
    out._view_version = counter[0]
    base = out._base
    if base._requires_grad:
        if not out._view_no_grad:
            return out  # attach gives it its history
        out._requires_grad = True  # PyTorch: a no_grad view requires grad, as a leaf with no edge
    elif not out._dtype.is_floating_point:
        return out
    views = getattr(base, "_views", None)  # from now on its requires_grad follows the base's (`follow_base`)
    if views is None:
        views = base._views = ViewRefs()
    views.append(_ref(out))
    if len(views) >= views.limit:
        views.prune()
    return out


def _chain(first, then):
    return lambda base: then(first(base))


def _view(input: Tensor, data, node_cls, replay, **attributes) -> Tensor:
    return attach(make_view(input, data, replay), node_cls, (input,), **attributes)


# ----- buffer-level view helpers (also used by reductions, joins and indexing) -----------------------
def strided(device, data, shape, strides, offset=0):
    return device.kernels.as_strided(data, tuple(shape), tuple(strides), offset)


def slice_buffer(device, data, dim: int, start: int, stop: int, step: int):
    """``data[..., start:stop:step, ...]`` along `dim` (bounds already clamped), as a view."""
    k = device.kernels
    if k.slice is not None:
        return k.slice(data, (slice(None),) * dim + (slice(start, stop, step),))
    shape, strides = list(data.shape), list(k.strides(data))
    offset = start * strides[dim] if shape[dim] else 0
    shape[dim] = max(0, (stop - start + step - 1) // step)
    strides[dim] *= step
    return strided(device, data, shape, strides, offset)


def narrow_buffer(device, data, dim: int, start: int, length: int):
    return slice_buffer(device, data, dim, start, start + length, 1)


def select_buffer(device, data, dim: int, index: int):
    """``data[..., index, ...]`` along `dim`, dropping that dim, as a view."""
    k = device.kernels
    if k.slice is not None:
        return k.slice(data, (slice(None),) * dim + (index,))
    shape, strides = list(data.shape), list(k.strides(data))
    offset = index * strides[dim]
    del shape[dim], strides[dim]
    return strided(device, data, shape, strides, offset)


def reshape_buffer(device, data, shape, strides=None):
    """`data` viewed with `shape` (the caller has checked that the view exists; `strides` are the view's
    when the caller already computed them)."""
    k = device.kernels
    if k.reshape is not None:
        return k.reshape(data, tuple(shape))
    if strides is None:
        strides = view_strides(data.shape, k.strides(data), shape)
    return strided(device, data, shape, strides)


def infer_shape(shape, numel: int, op: str = "view") -> tuple:
    """Resolve one -1 in `shape` from the element count, with PyTorch's error when it cannot fit."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    shape = list(shape)
    for s in shape:
        if not isinstance(s, int) or isinstance(s, bool):
            if isinstance(s, Tensor):
                continue
            raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__}")
    shape = [int(s) for s in shape]
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
        if i not in unknown:
            known *= s
    if unknown:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{_shape_text(shape)}' is invalid for input of size {numel}")
        shape[unknown[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{_shape_text(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _shape_text(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


# ----- reshaping -----------------------------------------------------------------------------------------
class ViewBackward0(Node):
    def backward(self, grad):
        return grad.reshape(self.shape)


class UnsafeViewBackward0(ViewBackward0):
    pass


class ReshapeAliasBackward0(ViewBackward0):
    """reshape() of a non-contiguous tensor that can still be viewed, as PyTorch names it."""


def missing_argument(op: str, name: str) -> TypeError:
    """PyTorch's error for a shape op called without its sizes or dims."""
    return TypeError(f"{op}() missing 1 required positional arguments: \"{name}\"")


UNSET = object()  # a shape op's sizes keyword not given


def sizes_argument(op: str, name: str, positional: tuple, keyword) -> tuple:
    """A shape op's sizes or dims as its varargs see them, given positionally (``t.view(2, 3)``,
    ``t.view((2, 3))``) or by PyTorch's keyword `name` (``t.view(size=(2, 3))``, ``t.flip(dims=[1])``);
    both or neither are PyTorch's TypeErrors."""
    if keyword is not UNSET:
        if positional:
            raise TypeError(f"{op}() got multiple values for argument '{name}'")
        return (keyword,)
    if not positional:
        raise missing_argument(op, name)
    return positional


@profiled("aten::view")
def view(input, *shape, size=UNSET, dtype=UNSET):
    """The same data with a new shape; a view, so strides must allow it (else use reshape). With a dtype
    (``view(ember.int32)``), the same bytes read as that dtype (`dtype_view`)."""
    if dtype is not UNSET or (shape and not isinstance(shape[0], (int, tuple, list, Size, Tensor))):
        from .dtype_view import view_overload
        return view_overload(input, shape, size, dtype)
    shape = sizes_argument("view", "size", shape, size)
    new_shape = infer_shape(shape, input.numel())
    k = input._device.kernels
    old_shape = input._data.shape
    strides = view_strides(old_shape, k.strides(input._data), new_shape)
    if strides is None:
        if input._base is not None and input._requires_grad and grad_mode.state.enabled:
            input.grad_fn  # noqa: B018 -- PyTorch's refusals of a view's history come before the op's own checks
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    data = reshape_buffer(input._device, input._data, new_shape, strides)
    return _view(input, data, ViewBackward0, lambda t: view(t, new_shape), shape=old_shape)


@profiled("aten::reshape")
def reshape(input, *sizes, shape=UNSET):
    """The same data with a new shape: a view when strides allow, a copy otherwise."""
    shape = sizes_argument("reshape", "shape", sizes, shape)
    new_shape = infer_shape(shape, input.numel(), "reshape")
    k = input._device.kernels
    old_shape = input._data.shape
    replay = lambda t: reshape(t, new_shape)  # noqa: E731
    if new_shape == old_shape and not input._requires_grad:
        return make_view(input, input._data, replay)
    old_strides = k.strides(input._data)
    strides = old_strides if new_shape == old_shape else view_strides(old_shape, old_strides, new_shape)
    if strides is not None:
        data = reshape_buffer(input._device, input._data, new_shape, strides)
        node = ViewBackward0 if _is_contiguous(old_shape, old_strides) else ReshapeAliasBackward0
        return _view(input, data, node, replay, shape=old_shape)
    copy = contiguous(input)  # PyTorch's reshape copies: _unsafe_view(clone()), two nodes
    data = reshape_buffer(input._device, copy._data, new_shape)
    return attach(wrap(data, input._dtype, input._device), UnsafeViewBackward0, (copy,), shape=old_shape)


def view_as(input, other):
    return view(input, other._data.shape)


def reshape_as(input, other):
    return reshape(input, other._data.shape)


@profiled("aten::flatten")
def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one (a view when possible)."""
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    start, end = _wrap_dim(start_dim, len(shape), "flatten"), _wrap_dim(end_dim, len(shape), "flatten")
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    merged = 1
    for s in shape[start:end + 1]:
        merged *= s
    return reshape(input, shape[:start] + (merged,) + shape[end + 1:])


def unflatten(input, dim, sizes):
    d = _wrap_dim(dim, input.ndim, "unflatten")
    shape = input._data.shape
    sizes = infer_shape(tuple(sizes), shape[d], "unflatten")
    return view(input, shape[:d] + sizes + shape[d + 1:])


class SqueezeBackward0(ViewBackward0):
    pass


class SqueezeBackward1(ViewBackward0):
    pass


class SqueezeBackward2(ViewBackward0):
    pass


class SqueezeBackward4(ViewBackward0):
    pass


class UnsqueezeBackward0(Node):
    def backward(self, grad):
        return squeeze(grad, self.dim)  # PyTorch's formula, so a second derivative is SqueezeBackward1


@profiled("aten::squeeze")
def squeeze(input, dim=None):
    """Drop size-1 dims (all of them, or those in `dim`)."""
    shape = input._data.shape
    if dim is None:
        dims, node = tuple(i for i, s in enumerate(shape) if s == 1), SqueezeBackward0
    elif isinstance(dim, int):
        dims, node = (_wrap_dim(dim, len(shape), "squeeze"),), SqueezeBackward1
    else:
        dims, node = tuple(_wrap_dim(d, len(shape), "squeeze") for d in dim), SqueezeBackward2
    new_shape = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return _view(input, reshape_buffer(input._device, input._data, new_shape), node, lambda t: squeeze(t, dim),
                 shape=shape)


@profiled("aten::unsqueeze")
def unsqueeze(input, dim):
    """Insert a size-1 dim at `dim`."""
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape) + 1, "unsqueeze")
    new_shape = shape[:d] + (1,) + shape[d:]
    k = input._device.kernels
    strides = k.strides(input._data)
    new_stride = shape[d] * strides[d] if d < len(shape) else 1  # PyTorch's stride for the new dim
    new_strides = strides[:d] + (new_stride,) + strides[d:]
    data = reshape_buffer(input._device, input._data, new_shape, new_strides)
    if k.strides(data) != new_strides:  # a backend's reshape may pick another stride for the new dim
        data = strided(input._device, input._data, new_shape, new_strides)
    return _view(input, data, UnsqueezeBackward0, lambda t: unsqueeze(t, d), dim=d)


# ----- permuting -----------------------------------------------------------------------------------------
def permute_buffer(device, data, dims):
    k = device.kernels
    if k.permute is not None:
        return k.permute(data, tuple(dims))
    strides = k.strides(data)
    return strided(device, data, [data.shape[d] for d in dims], [strides[d] for d in dims])


class PermuteBackward0(Node):
    def backward(self, grad):
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return grad.permute(inverse)


class TransposeBackward0(Node):
    def backward(self, grad):
        return grad.transpose(self.dim0, self.dim1)


class TBackward0(Node):
    # (the gradient linear's backward hands this node, that gradient's transpose), set by linear's backward
    # (`AddmmBackward0._on_buffers`), which computed the transpose first: a leaf's .grad needs no view of it
    _untransposed: tuple | None = None

    def backward(self, grad):
        handed = self._untransposed
        if handed is not None:
            self._untransposed = None
            leaf = self.next_functions[0][0]
            if grad._data is handed[0] and leaf.__class__ is AccumulateGrad and not leaf.variable._hooks:
                # PyTorch keeps this view's detach() as .grad; with no hook to see the view, it is not made
                return wrap(handed[1], grad._dtype, grad._device)
        if grad_mode.state.enabled or _profiling.enabled or len(grad._data.shape) != 2:
            return grad.t()
        return make_view(grad, permute_buffer(grad._device, grad._data, (1, 0)), t)  # no graph to record


def transposed_edge(matrix: Tensor) -> tuple:
    """The edge and gradient metadata that ``matrix.t()`` gives an op reading it, without making the view
    (linear reads its weight transposed from the weight's buffer): a TBackward0 node over `matrix`'s edge,
    as the view's history would be; no edge (and no metadata) when `matrix` wants no gradient."""
    found = input_edges((matrix,))
    if found is None:
        return NO_EDGE, None
    columns, rows = matrix._data.shape
    return (new_node(TBackward0, *found), 0), ((rows, columns), matrix._dtype)


@profiled("aten::permute")
def permute(input, *order, dims=UNSET):
    """Reorder dims: output dim i is input dim dims[i] (a view)."""
    dims = sizes_argument("permute", "dims", order, dims)
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    ndim = input.ndim
    dims = tuple(_wrap_dim(d, ndim, "permute") for d in dims)
    if sorted(dims) != list(range(ndim)):
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = {ndim} is "
                           f"not equal to len(dims) = {len(dims)}" if len(dims) != ndim else
                           f"permute(): duplicate dims are not allowed, got {list(dims)}")
    return _view(input, permute_buffer(input._device, input._data, dims), PermuteBackward0,
                 lambda t: permute(t, dims), dims=dims)


@profiled("aten::transpose")
def transpose(input, dim0, dim1):
    """Swap two dims (a view)."""
    ndim = input.ndim
    d0, d1 = _wrap_dim(dim0, ndim, "transpose"), _wrap_dim(dim1, ndim, "transpose")
    dims = list(range(ndim))
    if ndim:
        dims[d0], dims[d1] = dims[d1], dims[d0]
    return _view(input, permute_buffer(input._device, input._data, dims), TransposeBackward0,
                 lambda t: transpose(t, d0, d1), dim0=d0, dim1=d1)


def swapaxes(input, axis0, axis1):
    """transpose, by the names PyTorch (after NumPy) gives swapaxes' two dims."""
    return transpose(input, axis0, axis1)


@profiled("aten::t")
def t(input):
    """Transpose a tensor of at most 2 dims."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    dims = (1, 0) if input.ndim == 2 else tuple(range(input.ndim))
    return _view(input, permute_buffer(input._device, input._data, dims), TBackward0, t)


def T(input):
    """All dims reversed (PyTorch's ``.T``)."""
    return permute(input, tuple(range(input.ndim - 1, -1, -1)))


def matrix_transpose(input, name: str, zero_dim_warning: str):
    """The last two dims swapped (``mT``, and for real tensors ``mH`` and ``adjoint()``); a 0-d tensor is
    returned itself with PyTorch's deprecation warning, fewer dims are PyTorch's error naming `name`."""
    if input.ndim == 0:
        warnings.warn(zero_dim_warning, UserWarning, stacklevel=3)
        return input
    if input.ndim < 2:
        raise RuntimeError(f"{name} is only supported on matrices or batches of matrices. Got {input.ndim}-D tensor.")
    return transpose(input, -2, -1)


def mT(input):
    """The last two dims swapped (batched matrix transpose)."""
    return matrix_transpose(input, "tensor.mT",
                            "Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases.")


# ----- broadcasting views ------------------------------------------------------------------------------
class ExpandBackward0(Node):
    def backward(self, grad):
        return grad  # the engine sums it back to the input's shape


def expand_buffer(device, data, shape):
    return strided(device, data, shape, expanded_strides(data.shape, device.kernels.strides(data), shape))


def expanded_strides(old_shape, old_strides, shape) -> tuple:
    """The strides of a view of `old_shape` broadcast to `shape`, as PyTorch's expand makes them: a
    stretched dim strides 0, a new leading dim strides over the dims after it, the rest keep theirs; every
    dim of an expanded 0-d tensor strides 0."""
    strides = [0] * len(shape)
    if not old_shape:
        return tuple(strides)
    lead = len(shape) - len(old_shape)
    for i in range(len(shape) - 1, -1, -1):
        if i >= lead:
            strides[i] = old_strides[i - lead] if old_shape[i - lead] == shape[i] else 0
        else:
            strides[i] = shape[i + 1] * strides[i + 1] if i + 1 < len(shape) else 1
            if shape[i] != 1:
                strides[i] = 0
    return tuple(strides)


@profiled("aten::expand")
def expand(input, *sizes, size=UNSET, implicit=False):
    """A broadcast view of `input` with `sizes` (-1 keeps a dim); no memory is copied. `implicit` (a
    broadcast PyTorch's tracer inserted) changes nothing in eager mode, as in PyTorch's."""
    sizes = sizes_argument("expand", "size", sizes, size)
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = sizes[0]
    old = input._data.shape
    if len(sizes) < len(old):
        raise RuntimeError(f"expand(ember.{input._dtype.name}{{{list(old)}}}, size={list(sizes)}): the number "
                           f"of sizes provided ({len(sizes)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(old)})")
    for s in sizes:
        if not isinstance(s, int):
            raise TypeError(f"expand(): argument 'size' (position 1) must be tuple of ints, not {type(s).__name__}")
    lead = len(sizes) - len(old)
    expanded = [0] * len(sizes)
    for i in range(len(sizes) - 1, -1, -1):  # from the right, as PyTorch checks (and names the first mismatch)
        s, current = sizes[i], old[i - lead] if i >= lead else 1
        if s == -1:
            if i < lead:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                                   f"dimension {i}")
            s = current
        if current != s and current != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size "
                               f"({current}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                               f"Tensor sizes: {list(old)}")
        if s < 0:
            raise RuntimeError(f"expand: the size {s} at dimension {i} is negative (only -1 keeps a dim); "
                               f"target sizes {list(sizes)}")
        expanded[i] = int(s)
    shape = tuple(expanded)
    if shape == old:
        replay = lambda t: expand(t, shape)  # noqa: E731
        return _view(input, input._data, ExpandBackward0, replay) if input._requires_grad else \
            make_view(input, input._data, replay)
    return _view(input, expand_buffer(input._device, input._data, shape), ExpandBackward0,
                 lambda t: expand(t, shape))


def expand_to(t: Tensor, shape) -> Tensor:
    """`t` broadcast to a shape already known to be valid (backward formulas): no checks."""
    shape = tuple(shape)
    if t._data.shape == shape:
        return t
    if t._requires_grad and grad_mode.state.enabled:
        return expand(t, shape)
    # replayable, so that an in-place op on it (a gradient taken with create_graph) can be recorded
    return make_view(t, expand_buffer(t._device, t._data, shape), lambda v: expand(v, shape))


def expand_as(input, other):
    return expand(input, other._data.shape)


def broadcast_to(input, size):
    """`input` broadcast to `size`: expand's view, by torch.broadcast_to's name of the sizes."""
    return expand(input, size)


# ----- contiguity and memory formats ------------------------------------------------------------------------
def inverse_permutation(order) -> list:
    return sorted(range(len(order)), key=order.__getitem__)


def allocate(device, shape, strides, make):
    """A fresh buffer of `shape` with the dense `strides` (None: row-major), from `make(shape)`, which
    allocates row-major (the dims are made in the strides' order, then permuted back)."""
    if strides is None:
        return make(shape)
    shape, strides = tuple(shape), tuple(strides)
    order = sorted(range(len(shape)), key=lambda d: -strides[d])
    if order == list(range(len(shape))):
        data = make(shape)
    else:
        data = permute_buffer(device, make(tuple(shape[d] for d in order)), inverse_permutation(order))
    if device.kernels.strides(data) != strides:  # the size-1 dims' strides, which address nothing
        data = strided(device, data, shape, strides)
    return data


def laid_out(device, data, dtype, strides: tuple | None):
    """`data`, a new buffer of `dtype`, itself when it has the dense `strides` (None: row-major), else copied
    into them."""
    k = device.kernels
    shape = tuple(data.shape)
    wanted = contiguous_strides(shape) if strides is None else tuple(strides)
    current = tuple(k.strides(data))
    if current == wanted:
        return data
    if all(have == want or size == 1 for have, want, size in zip(current, wanted, shape)):
        return strided(device, data, shape, wanted)  # only the size-1 dims' strides differ: they address nothing
    return k.copy_(allocate(device, shape, strides, lambda dims: k.empty(dims, dtype)), data)


def iterator_layout(device, data, dtype, tensors: tuple):
    """`data`, the elementwise result of `tensors` (of dtype `dtype`), copied into the layout PyTorch's
    TensorIterator gives it from those tensors' strides when it has another: a kernel that saw them
    converted to a common dtype lost the layout of their broadcast views and size-1 dims."""
    k = device.kernels
    shape = tuple(data.shape)
    layouts = [(t._data.shape, k.strides(t._data)) for t in tensors]
    wanted = contiguous_strides(shape)
    if not all(tuple(t_shape) == shape and tuple(strides) == wanted for t_shape, strides in layouts):
        from .._backend_util import elementwise_strides
        wanted = elementwise_strides(shape, [strides for _, strides in layouts], [t_shape for t_shape, _ in layouts])
    if tuple(k.strides(data)) == tuple(wanted):
        return data
    laid_out = allocate(device, shape, wanted, lambda dims: k.empty(dims, dtype))
    k.copy_(laid_out, data)
    return laid_out


def like_strides(input: Tensor, memory_format, op: str) -> tuple | None:
    """The strides of a new tensor like `input` (clone, to, *_like) in `memory_format` (None: PyTorch's
    preserve_format), None for row-major."""
    fmt = _memory_format.parse(memory_format, op, preserve_format)
    if fmt is contiguous_format:
        return None
    shape = input._data.shape
    if fmt is not preserve_format:
        return _memory_format.channels_last_strides(shape, fmt)
    strides = input._device.kernels.strides(input._data)
    if strides == contiguous_strides(shape):  # the common case, first
        return None
    preserved = preserved_strides(shape, strides)
    return None if preserved == contiguous_strides(shape) else preserved


class CloneBackward0(Node):
    def backward(self, grad):
        return grad


@profiled("aten::contiguous")
def contiguous(input, *, memory_format=contiguous_format):
    """`input` itself when dense in `memory_format`'s order (row-major by default), else a copy that is."""
    fmt = _memory_format.parse(memory_format, "contiguous")
    k = input._device.kernels
    if fmt is contiguous_format or fmt is preserve_format:  # preserve_format: only a row-major input passes
        if _row_major(input._device, input._data):
            return input
        if fmt is preserve_format:
            raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
        data = k.contiguous(input._data)
    else:
        strides = _memory_format.channels_last_strides(input._data.shape, fmt)
        if _memory_format.is_channels_last_contiguous(input._data.shape, k.strides(input._data), fmt):
            return input
        data = copied(input, strides)
    return attach(wrap(data, input._dtype, input._device), CloneBackward0, (input,))


@profiled("aten::clone")
def clone(input, *, memory_format=preserve_format):
    """A copy of `input` with its own storage (differentiable), laid out as PyTorch's preserve_format
    does: with `input`'s strides when its memory is dense, else dense in the order of its strides."""
    data = copied(input, like_strides(input, memory_format, "clone"))
    return attach(wrap(data, input._dtype, input._device), CloneBackward0, (input,))


def copied(input: Tensor, strides: tuple | None):
    """A new buffer holding `input`'s values with the dense `strides` (None: row-major)."""
    d, dt = input._device, input._dtype
    k = d.kernels
    if strides is None:
        data = k.contiguous(input._data)
        return k.astype(data, dt) if data is input._data else data  # contiguous() made no copy of a row-major one
    return k.copy_(allocate(d, input._data.shape, strides, lambda shape: k.empty(shape, dt)), input._data)


# ----- views used by indexing ------------------------------------------------------------------------------
class SelectBackward0(Node):
    def backward(self, grad):
        return _embed(grad, self.shape, ("select", self.dim, self.index))


class SliceBackward0(Node):
    def backward(self, grad):
        return _embed(grad, self.shape, ("slice", self.dim, self.start, self.stop, self.step))


class AliasBackward0(Node):
    def backward(self, grad):
        return grad


def select(input, dim, index):
    """The sub-tensor at `index` along `dim`, that dim removed (a view)."""
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, len(shape), "select")
    size = shape[d]
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {d} with size {size}")
    index = index + size if index < 0 else index
    return _view(input, select_buffer(input._device, input._data, d, index), SelectBackward0,
                 lambda t: select(t, d, index), shape=shape,
                 dim=d, index=index)


def slice_dim(input, dim, start, stop, step):
    """Elements start:stop:step along `dim` (a view; bounds clamped as Python does)."""
    shape = input._data.shape
    if step <= 0:
        raise ValueError("step must be greater than zero")
    start, stop, _ = slice(start, stop).indices(shape[dim])
    stop = max(start, stop)
    return _view(input, slice_buffer(input._device, input._data, dim, start, stop, step), SliceBackward0,
                 lambda t: slice_dim(t, dim, start, stop, step),
                 shape=shape, dim=dim, start=start, stop=stop, step=step)


def narrow(input, dim, start, length):
    """`length` elements from `start` along `dim` (a view)."""
    d = _wrap_dim(dim, input.ndim, "narrow")
    size = input._data.shape[d]
    if start < 0:
        start += size
    if not 0 <= start <= size or start + length > size or length < 0:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return slice_dim(input, d, start, start + length, 1)


class SelectBackwardBackward0(Node):
    def backward(self, grad):
        return _pick(grad, self.where)


class SliceBackwardBackward0(SelectBackwardBackward0):
    pass


def _pick(t, where):
    if where[0] == "select":
        return select(t, where[1], where[2])
    return slice_dim(t, *where[1:])


def _embed(grad, shape, where):
    """A zero tensor of `shape` holding `grad` at `where` (the backward of select/slice, differentiable)."""
    k = grad._device.kernels
    data = k.full(tuple(shape), 0, grad._dtype)
    target = select_buffer(grad._device, data, where[1], where[2]) if where[0] == "select" else \
        slice_buffer(grad._device, data, where[1], where[2], where[3], where[4])
    k.copy_(target, grad._data)
    node = SelectBackwardBackward0 if where[0] == "select" else SliceBackwardBackward0
    return attach(wrap(data, grad._dtype, grad._device), node, (grad,), where=where)


def alias(input):
    return _view(input, input._data, AliasBackward0, alias)


def storage_buffer(root: Tensor):
    """The buffer of the whole storage of `root`, a tensor that is not a view: its own, or the one it held
    before an in-place view op (``as_strided_``, ``t_``...) made it address part of it, or differently, or
    the one that empty_strided's strides leave gaps in."""
    held = getattr(root, "_storage", None)
    return root._data if held is None else held


def storage_offset(input) -> int:
    """Where this tensor starts in its storage, in elements (0 for a tensor that owns its storage, unless an
    in-place view op moved its start)."""
    base = input._base
    if base is None:
        base = input
        if getattr(input, "_storage", None) is None:
            return 0
    kernel = input._device.kernels.storage_offset
    if kernel is None:
        raise RuntimeError(f"storage_offset(): device type '{input._device.type}' does not provide the optional "
                           "storage_offset kernel")
    return kernel(input._data, storage_buffer(base))
