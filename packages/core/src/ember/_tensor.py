"""The Tensor: a device buffer, its dtype and device, and its autograd state.

Ops live in `ember._ops` and are bound as methods by `ember._ops.methods`; this module holds what
a tensor *is*: attributes, conversions to Python and numpy, and the entry points of autograd.
"""
from __future__ import annotations

import copy
import threading
import warnings
import weakref
from typing import TYPE_CHECKING, Any

from . import _checks, _dtype, _memory_format
from ._dtype import dtype as DType
from ._size import Size

_new = object.__new__  # how `wrap` allocates: `_new_inference` while some thread is in inference mode
_open_inference_blocks = 0  # the inference_mode blocks open in any thread
_grad_state: Any = None  # grad mode's thread-local state, whose `inference` `_new_inference` reads
_inference_lock = threading.Lock()


def _new_inference(cls):
    """object.__new__, marking a tensor made while this thread is in inference mode (PyTorch's inference tensor)."""
    t = object.__new__(cls)
    if _grad_state.inference:
        t._inference = True
    return t


def count_inference_block(delta: int, grad_state) -> None:
    """An inference_mode block opened (+1) or closed (-1) in some thread: while any is open, `wrap` allocates
    through `_new_inference`; otherwise it pays nothing for is_inference."""
    global _new, _open_inference_blocks, _grad_state
    with _inference_lock:
        _open_inference_blocks += delta
        _grad_state = grad_state
        _new = _new_inference if _open_inference_blocks else object.__new__


class Tensor:
    """A multi-dimensional array on a device, recording the ops that produce it when grad is needed.

    ``Tensor(5, 3)`` (uninitialised float32) and ``Tensor([1, 2])`` (float32 data) are PyTorch's
    legacy constructors; `ember.tensor` is the usual factory.
    """

    __slots__ = ("_data", "_dtype", "_device", "_requires_grad", "_grad", "_grad_fn", "_output_nr",
                 "_version", "_base", "_accumulator", "_hooks", "_retains_grad", "_view_fn", "_view_frame",
                 "_view_version", "_view_no_grad", "_storage", "_view_leaf", "_views", "_inference", "_tangent",
                 "__weakref__")
    __array_priority__ = 1000  # numpy defers to Tensor in mixed expressions such as ``array * tensor``

    _data: Any  # the backend's buffer
    _dtype: DType
    _device: Any  # an ember.device with its kernel table resolved
    _inference: bool  # set only on inference tensors (read with getattr: a slot left empty elsewhere)
    _requires_grad: bool  # PyTorch's requires_grad (a view's follows its base's, see `follow_base`)
    _grad: Tensor | None
    _grad_fn: Any  # the Node that produced this tensor, None for leaves (read views' through `grad_fn`)
    _output_nr: int
    _version: list[int] | None  # [count] of in-place changes, shared with views
    _base: Tensor | None
    _accumulator: Any  # weak reference to this leaf's AccumulateGrad node, once it has one (read with getattr: a slot
    # `wrap` leaves empty, as every op's result is never a leaf that needs one)
    _hooks: list | None
    _retains_grad: bool
    _view_fn: Any  # redoes the chain of view ops from `_base` (for in-place ops on views)
    _view_frame: Any  # a view's: the base's buffer that `_view_fn` starts from (see `node.replays`)
    _storage: Any  # set on a tensor that is not a view whose `_data` addresses part of its storage (an in-place
    # view op changed its geometry, or empty_strided left gaps): the whole storage's buffer (read with getattr)
    _view_version: int  # a view's: the shared version at which its `_grad_fn` was recorded
    _view_no_grad: bool  # a view's: made while grad mode was off
    _view_leaf: bool  # a view's, once set: made to require grad itself (a leaf of its own, not a dead edge)
    _views: Any  # a base's `ViewRefs` to the views whose requires_grad follows its own (see `follow_base`)
    _tangent: Tensor  # set only on a dual tensor: its forward-mode tangent (see `ember._forward_ad`)

    def __new__(cls, *args, device=None):
        from ._ops import creation

        return creation.legacy_new(cls, args, device)

    @classmethod
    def _make(cls, data, dtype: DType, device, requires_grad: bool = False) -> Tensor:
        """Wrap a backend buffer without checks, as an instance of `cls` (Parameter uses it)."""
        return wrap(data, dtype, device, requires_grad, cls)

    if TYPE_CHECKING:
        # Ops are bound as methods by `ember._ops.methods` at import; this tells type checkers so.
        def __getattr__(self, name: str) -> Any: ...
        def __add__(self, other: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __iadd__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __isub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __imul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __itruediv__(self, other: Any) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __pos__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __invert__(self) -> Tensor: ...
        def __and__(self, other: Any) -> Tensor: ...
        def __or__(self, other: Any) -> Tensor: ...
        def __xor__(self, other: Any) -> Tensor: ...
        def __lt__(self, other: Any) -> Tensor: ...
        def __le__(self, other: Any) -> Tensor: ...
        def __gt__(self, other: Any) -> Tensor: ...
        def __ge__(self, other: Any) -> Tensor: ...
        def __eq__(self, other: Any) -> Tensor: ...  # type: ignore[override]
        def __ne__(self, other: Any) -> Tensor: ...  # type: ignore[override]
        def __getitem__(self, key: Any) -> Tensor: ...
        def __setitem__(self, key: Any, value: Any) -> None: ...

    # ----- attributes ---------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape, or the length of dimension `dim`."""
        shape = self._data.shape
        if dim is None:
            return Size(shape)
        return shape[_wrap_dim(dim, len(shape), "size")]

    @property
    def dtype(self) -> DType:
        return self._dtype

    @property
    def device(self):
        return self._device

    @property
    def is_cuda(self) -> bool:
        return self._device.type == "cuda"

    # ember's tensors are dense and strided: code written for PyTorch's other layouts asks, and is told no
    is_sparse = is_sparse_csr = is_quantized = is_nested = property(lambda self: False)

    def get_device(self) -> int:
        """The device index of a tensor on an accelerator, -1 on the CPU (as PyTorch's)."""
        return -1 if self._device.type == "cpu" else self._device.index

    @property
    def ndim(self) -> int:
        return len(self._data.shape)

    def dim(self) -> int:
        return len(self._data.shape)

    ndimension = dim

    def numel(self) -> int:
        n = 1
        for s in self._data.shape:
            n *= s
        return n

    nelement = numel

    def element_size(self) -> int:
        return self._dtype.itemsize

    def is_floating_point(self) -> bool:
        return self._dtype.is_floating_point

    def stride(self, dim: int | None = None):
        """Element strides of this view of its storage."""
        strides = self._device.kernels.strides(self._data)
        return strides if dim is None else strides[_wrap_dim(dim, len(strides), "stride")]

    def is_contiguous(self, *, memory_format: _memory_format.memory_format = _memory_format.contiguous_format) -> bool:
        """Whether this view's memory is dense in `memory_format`'s dim order (row-major by default; as
        PyTorch's, preserve_format asks for row-major too)."""
        if memory_format is not _memory_format.contiguous_format:  # (the common call skips the parse)
            fmt = _memory_format.parse(memory_format, "is_contiguous")
            if fmt is not _memory_format.preserve_format:
                strides = self._device.kernels.strides(self._data)
                return _memory_format.is_channels_last_contiguous(self._data.shape, strides, fmt)
        return _row_major(self._device, self._data)

    @property
    def _version_value(self) -> int:
        return 0 if self._version is None else self._version[0]

    # ----- autograd state -------------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether autograd tracks this tensor; a view also is when its base is (as in PyTorch)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set whether autograd records ops on this leaf tensor; returns self. Leaf as PyTorch's C++ is_leaf
        tells it, from the recorded grad_fn: a view's history is not re-derived (nor refused) here."""
        if self._grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to "
                               "use a computed variable in a subgraph that doesn't require differentiation "
                               "use var_no_grad = var.detach().")
        if requires_grad and not self._dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        base = self._base
        if base is None:
            self._requires_grad = bool(requires_grad)
            follow_base(self)
        elif requires_grad and not base._requires_grad:
            self._view_no_grad = False  # a leaf of its own: its gradient accumulates in its own .grad
            self._view_leaf = self._requires_grad = True
        elif requires_grad:  # a view without history (made under no_grad, or before its base required grad)
            self._view_leaf = True  # PyTorch's dead edge becomes a leaf of its own: it accumulates its .grad
        else:  # its own flag off: it still requires grad when its base does
            self._view_leaf = False
            self._requires_grad = base._requires_grad
        return self

    @property
    def grad_fn(self):
        """The Node that produced this tensor (None for leaves). A view whose storage was changed in place
        since its grad_fn was recorded gets a fresh one, re-derived from its base."""
        if self._base is not None and self._view_version != self._version[0]:
            from .autograd.node import view_grad_fn

            return view_grad_fn(self)
        return self._grad_fn

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by backward (leaves, and tensors that retain_grad)."""
        g = self._grad
        if g is None and self.grad_fn is not None and not getattr(self, "_retains_grad", False):
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return g

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None and (value.__class__ is not Tensor or value._dtype is not self._dtype or
                                  value._device is not self._device or value._data.shape != self._data.shape):
            _check_grad(self, value)
        self._grad = value

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def _is_zerotensor(self) -> bool:
        """Whether this is an efficient zero tensor (`ZeroTensor`), as sgn's gradient is."""
        return False

    @property
    def output_nr(self) -> int:
        return self._output_nr if self.grad_fn is not None else 0

    @property
    def _version_counter(self) -> list:
        if self._version is None:
            self._version = [0]
        return self._version

    @property
    def retains_grad(self) -> bool:
        return self._grad_fn is not None and getattr(self, "_retains_grad", False)

    @property
    def data(self) -> Tensor:
        """This tensor's values without autograd history (sharing storage, not tracked)."""
        out = Tensor._make(self._data, self._dtype, self._device)
        return out

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data, self._dtype, self._device = value._data, value._dtype, value._device

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into each leaf's ``.grad`` (see `ember.autograd.backward`)."""
        (_engine or _import_engine()).backward(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._add_pre_hook(self._output_nr, hook)
        from .autograd.node import _RemovableHandle

        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after backward has accumulated this leaf's gradient into ``.grad`` (not for
        ``autograd.grad``, which accumulates nothing); the hook returns None."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        from .autograd.node import LeafHooks, _RemovableHandle

        hooks = self._hooks
        if hooks.__class__ is not LeafHooks:
            self._hooks = hooks = LeafHooks(hooks or ())
        hooks.post.append(hook)
        return _RemovableHandle(hooks.post, hook)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward (a no-op on a leaf, told as
        `requires_grad_` tells it: a view made under no_grad stays a leaf after an in-place change)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or getattr(self, "_retains_grad", False):
            return
        fn = self.grad_fn  # re-derived first: a view's hook goes on its current history
        self._retains_grad = True
        add_retain_hook(self, fn)

    def is_inference(self) -> bool:
        """Whether the tensor was made in inference mode, or is a view of (or detached from) one that was."""
        base = self._base
        return getattr(self if base is None else base, "_inference", False)

    def detach(self) -> Tensor:
        """A tensor sharing this one's storage and version counter, outside the graph (an efficient zero
        tensor's is one too)."""
        out = (ZeroTensor if self.__class__ is ZeroTensor else Tensor)._make(self._data, self._dtype, self._device)
        out._version = self._version_counter
        if self.is_inference():
            out._inference = True
        return out

    def detach_(self) -> Tensor:
        """Detach in place: make this tensor a leaf that does not require grad."""
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        follow_base(self)
        return self

    # ----- Python and numpy conversions -----------------------------------------------------------
    def numpy(self, *, force: bool = False):
        """The values as a numpy array; on the CPU it shares this tensor's memory."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        if self._device.type != "cpu" and not force:
            raise TypeError(f"can't convert {self._device} device type tensor to numpy. Use Tensor.cpu() to "
                            "copy the tensor to host memory first.")
        return self._host()

    def _host(self):
        """A host numpy copy or alias of the values, for printing and Python conversions: a synchronisation,
        where the device's pending value checks raise (ember._checks)."""
        if _checks.pending:
            _checks.raise_pending(self._device)
        return self._device.kernels.to_numpy(self._data)

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def __dlpack__(self, *, stream=-1, max_version=None, dl_device=None, copy=None):
        """A DLPack capsule of this tensor's memory, for another library's ``from_dlpack`` (ember._dlpack)."""
        from ._dlpack import to_dlpack

        return to_dlpack(self, stream=stream, max_version=max_version, dl_device=dl_device, copy=copy)

    def data_ptr(self) -> int:
        """The address of this tensor's first element (0 without elements), as PyTorch's (ember._dlpack)."""
        from ._dlpack import data_ptr

        return data_ptr(self)

    def __dlpack_device__(self):
        """DLPack's ``(device_type, index)`` of this tensor's memory."""
        from ._dlpack import dlpack_device

        return dlpack_device(self)

    def item(self):
        """The single value of a one-element tensor as a Python number."""
        n = self.numel()
        if n != 1:
            raise RuntimeError(f"a Tensor with {n} elements cannot be converted to Scalar")
        return self._host().item()

    def tolist(self):
        return self._host().tolist()

    def __float__(self) -> float:
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def _scalar(self):
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._host().item()

    def __index__(self) -> int:
        if self._dtype.is_floating_point or self._dtype is _dtype.bool_ or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        n = self.numel()
        if n != 1:
            raise RuntimeError(f"Boolean value of Tensor with {'no values' if n == 0 else 'more than one value'}"
                               " is ambiguous")
        return bool(self.item())

    def __len__(self) -> int:
        shape = self._data.shape
        if not shape:
            raise TypeError("len() of a 0-d tensor")
        return shape[0]

    def __iter__(self):
        if not self._data.shape:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __contains__(self, element) -> bool:
        return bool((self == element).any().item())

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents=None) -> str:
        from . import _forward_ad
        from ._tensor_str import format_tensor

        try:
            fn = self.grad_fn
            fn_name = None if fn is None else type(fn).__name__
        except RuntimeError:  # a view made under no_grad whose base changed since: PyTorch prints this
            fn_name = "Invalid"
        tangent = _forward_ad.tangent(self) if _forward_ad.level >= 0 else None
        return format_tensor(self._host(), dtype_name=self._dtype.name, device=str(self._device),
                             grad_fn_name=fn_name,
                             requires_grad=self._requires_grad,
                             default_float=_dtype.get_default_dtype().name,
                             tangent=None if tangent is None else repr(tangent))

    def __str__(self) -> str:
        return self.__repr__()  # a subclass's repr (Parameter's "Parameter containing:") applies too

    def __format__(self, spec: str) -> str:
        """A plain 0-d tensor formats as its value (``f'{loss:.3f}'``, ``'{}'.format(t)``), as in PyTorch;
        other tensors (and subclasses such as Parameter) as their str, taking no format spec."""
        if not self._data.shape and type(self) is Tensor:
            return self.item().__format__(spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    def __reduce_ex__(self, protocol):
        from ._ops.creation import _rebuild

        return (_rebuild, (self._host().copy(), self._dtype.name, str(self._device), self._requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.")
        if id(self) in memo:
            return memo[id(self)]
        out = type(self)._make(self._device.kernels.contiguous(self._device.kernels.astype(self._data,
                                                                                          self._dtype)),
                               self._dtype, self._device, self._requires_grad)
        if self._grad is not None:
            out._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = out
        state = getattr(self, "__dict__", None)  # a subclass's own attributes (a Buffer's persistent), as PyTorch
        if state:
            out.__dict__.update(copy.deepcopy(state, memo))
        return out


_engine: Any = None  # ember.autograd.engine, imported by the first backward (it imports this module)


class ZeroTensor(Tensor):
    """PyTorch's efficient zero tensor (its ZeroTensor dispatch key): the all-zero gradient of sgn (so of abs,
    the norms, l1_loss, in their second derivative). Its buffer holds zeros, which every op reads as any
    tensor's; a product or quotient of it is one too and a sum is the other operand (`ember._ops.zero_tensors`),
    so a zero gradient stays 0 through an inf or NaN factor; its views are ones, and writing into it is
    PyTorch's error (`IMMUTABLE_ZEROS`)."""

    __slots__ = ()

    def _is_zerotensor(self) -> bool:
        return True

    def numpy(self, *, force: bool = False):
        """PyTorch's refusal: its zero tensor has no memory to share (force=True gives the zeros)."""
        if not force:
            raise RuntimeError(" Cannot convert a ZeroTensor to numpy. Set force=True if you need the zero array.")
        return super().numpy(force=True)

    def tolist(self):
        raise RuntimeError("tolist() shouldn't be called on a tensor with unallocated storage")


IMMUTABLE_ZEROS = ("ZeroTensors are immutable. Please use the materialized zero tensor obtained using .clone() if "
                   "you want a mutable tensor.")
IMMUTABLE_ZEROS_COPY = ("ZeroTensors are immutable. Please materialize the tensor using `.clone()`, if you want a "
                        "mutable zero tensor.")  # copy_'s


def _import_engine() -> Any:
    global _engine
    from .autograd import engine

    _engine = engine
    return engine


def wrap(data, dtype: DType, device, requires_grad: bool = False, cls: type | None = None) -> Tensor:
    """A tensor over a backend buffer, without checks: the constructor every op's result goes through."""
    t: Tensor = _new(cls or Tensor)
    t._data = data
    t._dtype = dtype
    t._device = device
    t._requires_grad = requires_grad
    t._grad = None
    t._grad_fn = None
    t._version = None
    t._base = None
    t._hooks = None
    return t


class ViewRefs(list):
    """Weak references to the views of a base whose requires_grad follows the base's: made while it required
    none, or under no_grad (appended by `make_view`; `prune` keeps dead ones from piling up)."""

    __slots__ = ("limit",)

    def __init__(self) -> None:
        super().__init__()
        self.limit = 16

    def prune(self) -> None:
        """Drop the dead references (called when the list reaches `limit`, which then doubles)."""
        self[:] = [ref for ref in self if ref() is not None]
        self.limit = 2 * len(self) + 16


def follow_base(base: Tensor) -> None:
    """Give `base`'s following views its requires_grad flag, when it changes (requires_grad_(), detach_(), or
    an in-place op that gives it history), as PyTorch's views read it from their base. Views that got a
    history or were made to require grad themselves keep theirs."""
    views = getattr(base, "_views", None)
    if views is None:
        return
    flag = base._requires_grad
    for ref in views:
        view = ref()
        if view is not None and view._grad_fn is None and not getattr(view, "_view_leaf", False):
            view._requires_grad = flag


def add_retain_hook(t: Tensor, node) -> None:
    """Make `node` store the gradient flowing into `t` in ``t.grad``, after `t`'s other hooks have run."""
    from ._ops.views import contiguous_format  # a row-major copy, as PyTorch's

    ref = weakref.ref(t)

    def keep(grad):  # under create_graph (grad mode on in the engine) `.grad` keeps the gradient's graph
        t = ref()
        if t is not None:
            if t._grad is None:
                t._grad = grad.clone(memory_format=contiguous_format)
            else:
                t._grad = t._grad + grad
    keep.retains_grad = True  # type: ignore[attr-defined]
    keep.owner = ref  # type: ignore[attr-defined]
    node._add_pre_hook(t._output_nr, keep)


def move_retain_hook(t: Tensor, old_node, old_nr: int) -> None:
    """After an in-place change gave `t` a new grad_fn, its retain_grad hook follows it there (PyTorch's)."""
    if not getattr(t, "_retains_grad", False) or old_node is None or t._grad_fn is old_node:
        return
    drop_retain_hook(t, old_node, old_nr)
    add_retain_hook(t, t._grad_fn)


def drop_retain_hook(t: Tensor, node, nr: int) -> None:
    """Take `t`'s retain_grad hook off `node` (its grad_fn before an in-place change)."""
    hooks = (node._pre_hooks or {}).get(nr, [])
    hooks[:] = [hook for hook in hooks if getattr(hook, "owner", None) is None or hook.owner() is not t]


_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf "
    "Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
    "you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.")


def _check_grad(t: Tensor, value) -> None:
    """PyTorch's refusals of a ``.grad`` assignment: not a tensor, or another dtype, device or size."""
    if not isinstance(value, Tensor):
        raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                        f"{type(value).__name__}")
    if value._dtype is not t._dtype:
        raise RuntimeError(f"attempting to assign a gradient with dtype '{_dtype.C_NAMES[value._dtype.name]}' to a "
                           f"tensor with grad_dtype '{_dtype.TYPE_NAMES[t._dtype.name]}'. The gradient must match the "
                           "tensor's grad_dtype (defaults to the tensor's dtype).")
    if value._device is not t._device:
        raise RuntimeError(f"attempting to assign a gradient with device type '{value._device.type}' to a "
                           f"tensor with device type '{t._device.type}'. Please ensure that the gradient and "
                           "the tensor are on the same device")
    if value._data.shape != t._data.shape:
        raise RuntimeError(f"attempting to assign a gradient of size '{list(value._data.shape)}' to a tensor of "
                           f"size '{list(t._data.shape)}'. Please ensure that the gradient and the tensor are "
                           "the same size")


def _wrap_dim(dim: int, ndim: int, op: str) -> int:
    """Map a possibly negative dim to [0, ndim), raising PyTorch's IndexError when out of range."""
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"{op}(): dim must be an int, got {type(dim).__name__}")
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-bound}, {bound - 1}], "
                         f"but got {dim})")
    return dim + bound if dim < 0 else dim


def _row_major(device, data) -> bool:
    """Whether buffer `data` on `device` is row-major, size-1 dims' strides aside (PyTorch's is_contiguous): the
    device's `is_contiguous` kernel (a flag read on the CPU) when it has one, else from its strides."""
    kernel = device.kernels.is_contiguous
    return kernel(data) if kernel is not None else _is_contiguous(data.shape, device.kernels.strides(data))


def _is_contiguous(shape, strides) -> bool:
    if 0 in shape:
        return True
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True
