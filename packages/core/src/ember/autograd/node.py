"""Graph nodes: each `grad_fn` is a Node holding its inputs' edges and what its backward needs.

Built-in ops compute their forward value first and then `attach` a Node subclass named as in
PyTorch (``AddBackward0``). A node's `backward` is written with differentiable ember ops, so running
it with grad mode on (``create_graph=True``) records the graph of the gradient itself.
"""
from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable

from .. import _dtype, _profiling
from .._tensor import Tensor, wrap
from . import grad_mode, saved_tensor

_grad_state = grad_mode.state
_hooks_active = saved_tensor.active  # non-empty while saved-tensor hooks are active in any thread

NO_EDGE = (None, 0)
# Each node's `_seq`, given when its edges are set: a node is newer than every node its edges lead to, the
# order the engine runs them in (newest first).
_next_seq = itertools.count(1).__next__
_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors after "
          "they have already been freed). Saved intermediate values of the graph are freed when you call "
          ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
          "graph a second time or if you need to access saved tensors after calling backward.")


def _saved_at(index: int):
    """The getter of a node's saved value number `index`."""
    def get(node: Node):
        saved = node._saved
        if saved is None:
            raise RuntimeError(_FREED)
        entry = saved[index]
        return entry[0] if len(entry) == 1 else _unpack(node, entry, by_name=True)
    return get


def _raw_saved_at(index: int):
    """The getter of a node's `SavedTensor` number `index`."""
    return lambda node: SavedTensor(node, index)


class Node:
    """One backward step. `next_functions` holds ``(node, output_nr)`` per input, ``(None, 0)`` for
    inputs that need no gradient; `_input_meta` the (shape, dtype) each input's gradient must have."""

    _num_outputs = 1
    _names_saved: tuple = ()  # PyTorch's names of the saved values, in the order saved (``grad_fn._saved_self``)
    _user_code = False  # its backward runs user code (a custom Function's): it may keep or return any tensor
    _plain = True  # no user code and no hooks: the engine runs it inline (see engine._run)
    next_functions: tuple
    _input_meta: tuple
    _seq: int  # its place in the order of creation (see `_next_seq`)
    _saved: tuple | None = ()
    _unpack_order: list | None = None  # the order of `saved_tensors`' unpacking, when kept through hooks (`_hooked`)
    _pre_hooks: dict | None = None
    _hooks: list | None = None
    _trace: list | None = None

    def __init_subclass__(cls, **kwargs) -> None:
        """Give the class ``_saved_<name>`` and ``_raw_saved_<name>`` properties per name it declares in
        `_names_saved`."""
        super().__init_subclass__(**kwargs)
        for index, name in enumerate(cls.__dict__.get("_names_saved", ())):
            setattr(cls, "_saved_" + name, property(_saved_at(index),
                                                    doc=f"The saved value `{name}` (PyTorch's name)."))
            setattr(cls, "_raw_saved_" + name, property(_raw_saved_at(index),
                                                        doc=f"The saved value `{name}` as a SavedTensor."))

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def backward(self, *grads):
        """Gradients for each input from gradients for each output; overridden by every op."""
        raise NotImplementedError(f"{self.name()} does not implement backward")

    @property
    def saved_tensors(self) -> tuple:
        """The tensors saved at forward time, checked against in-place changes since."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED)
        if len(saved) == 1:  # one saved value, as unary ops save: no loop
            return (_saved_value(self, saved[0]),)
        if self._unpack_order is not None:  # unpacked in the order they were packed, as PyTorch's
            values: list = [None] * len(saved)
            for i in self._unpack_order:
                values[i] = _saved_value(self, saved[i])
            return tuple(values)
        if len(saved) == 2:
            return _saved_value(self, saved[0]), _saved_value(self, saved[1])
        return tuple([_saved_value(self, entry) for entry in saved])

    def saved_product(self, grad: Tensor, index: int):
        """``grad * saved_tensors[index]``, or None when that value was not saved (see `fused_saved`): a
        product's gradient for its other operand (1 - index). Not computed for a dead edge, whose value may be
        freed: as PyTorch's (should_compute_output), a second backward through it is no error."""
        saved = self._saved
        if saved is None:
            if self.next_functions[1 - index][0] is None:
                return None
            raise RuntimeError(_FREED)
        entry = saved[index]
        if len(entry) == 1 and entry[0] is None:
            return None
        product = fused_saved(self, grad, entry, "mul")
        return grad * _saved_value(self, entry) if product is None else product

    def _release(self) -> None:
        if self._saved:
            self._saved = None

    def register_hook(self, fn):
        """Call ``fn(grad_inputs, grad_outputs)`` after this node's backward; it may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        self._plain = False
        return _RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """Call ``fn(grad_outputs)`` before this node's backward; it may return new grad_outputs."""
        return self._add_pre_hook(None, fn)

    def _add_pre_hook(self, output_nr, fn):
        if self._pre_hooks is None:
            self._pre_hooks = {}
            self._plain = False
        hooks = self._pre_hooks.setdefault(output_nr, [])
        if hooks and getattr(hooks[-1], "retains_grad", False):
            hooks.insert(len(hooks) - 1, fn)  # retain_grad sees the gradient after every tensor hook
        else:
            hooks.append(fn)
        return _RemovableHandle(hooks, fn)

    @property
    def metadata(self) -> dict:
        meta = self.__dict__.get("_metadata")
        if meta is None:
            meta = self.__dict__["_metadata"] = {}
        return meta


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: adds incoming gradients into ``variable.grad``."""

    next_functions = ()
    _input_meta = ()
    _plain = False  # the engine's general step accumulates it

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self._seq = _next_seq()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # PyTorch's C++ node's name


class _RemovableHandle:
    """What `register_hook` returns: ``handle.remove()`` takes the hook off again."""

    def __init__(self, hooks: list, fn) -> None:
        self._hooks, self._fn = hooks, fn

    def remove(self) -> None:
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


class LeafHooks(list):
    """A leaf's tensor hooks (``register_hook``: run on its gradient) and, in `post`, its post-accumulate-grad
    hooks (``register_post_accumulate_grad_hook``: run on the tensor once ``.grad`` holds the gradient). True
    while either kind is registered, so the engine's inline leaf path, taken for leaves without hooks, tests
    nothing more."""

    __slots__ = ("post",)

    def __init__(self, hooks=()) -> None:
        super().__init__(hooks)
        self.post: list = []

    def __bool__(self) -> bool:
        return bool(len(self) or self.post)


def accumulator(leaf: Tensor) -> AccumulateGrad:
    """The leaf's AccumulateGrad node, made once and shared while the graph keeps it alive."""
    ref = getattr(leaf, "_accumulator", None)
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(leaf)
        leaf._accumulator = weakref.ref(node)
    return node


def edge(t) -> tuple:
    """The ``(node, output_nr)`` edge that a gradient for `t` flows along."""
    if isinstance(t, Tensor) and t._requires_grad:
        fn = t._grad_fn if t._base is None else t.grad_fn
        if fn is None:
            return NO_EDGE if _dead_view(t) else (accumulator(t), 0)
        return (fn, t._output_nr)
    return NO_EDGE


def needs_grad(inputs) -> bool:
    """True when grad mode is on and any tensor in `inputs` requires grad."""
    if not grad_mode.state.enabled:
        return False
    for t in inputs:
        if isinstance(t, Tensor) and t._requires_grad:
            return True
    return False


def _dead_view(t: Tensor) -> bool:
    """A view that requires grad only through its base, without history of its own (made under no_grad, or
    before its base required grad): PyTorch's dead edge. A view made to require grad itself is a leaf."""
    return t._base is not None and not getattr(t, "_view_leaf", False)


def input_edges(inputs):
    """Edges and gradient metadata of `inputs`, or None when none of them requires grad."""
    edges, meta, wanted = [], [], False
    for t in inputs:
        if not (isinstance(t, Tensor) and t._requires_grad):
            edges.append(NO_EDGE)
            meta.append(None)
            continue
        wanted = True
        fn = t._grad_fn
        if t._base is not None:  # a view: its history may be stale, or it may have none (a dead edge)
            if t._view_version != t._version[0]:
                fn = view_grad_fn(t)
            if fn is None and _dead_view(t):
                edges.append(NO_EDGE)
                meta.append(None)
                continue
        if fn is None:  # a leaf: its AccumulateGrad, made once
            edges.append((accumulator(t), 0))
        else:
            edges.append((fn, t._output_nr))
        meta.append((t._data.shape, t._dtype))
    return (tuple(edges), tuple(meta)) if wanted else None


def link(node: Node, inputs, saved=(), outputs=()) -> None:
    """Fill `node`'s edges and input metadata from `inputs` and save `saved` (outputs without a cycle)."""
    found = input_edges(inputs)
    edges, meta = found if found is not None else ([NO_EDGE] * len(inputs), [None] * len(inputs))
    _fill(node, edges, meta, saved, outputs)


def _fill(node: Node, edges, meta, saved, outputs) -> None:
    node.next_functions = tuple(edges)
    node._seq = _next_seq()
    node._input_meta = tuple(meta)
    if saved:
        save(node, saved, outputs)
    if _anomaly.enabled:
        _record_trace(node)


def save(node: Node, saved, outputs) -> None:
    """Save `saved` on `node`, whose `outputs` (each kept as its buffer and number: no cycle) are given."""
    node._saved = _hooked(node, saved, outputs) if _hooks_active else tuple([_pack_among(t, outputs) for t in saved])


def _record_trace(node: Node) -> None:
    """Anomaly mode: keep the forward stack that made `node`, for its backward's error."""
    import traceback
    node._trace = traceback.format_stack()[:-3]


def attach(result: Tensor, node_cls: type, inputs, saved=(), **attributes) -> Tensor:
    """Record `result` as the output of a `node_cls` node over `inputs`, when a gradient is needed."""
    if not _grad_state.enabled or not result._dtype.is_floating_point:
        return result  # integer and bool results never require grad
    return record(result, node_cls, inputs, saved, attributes)


def record(result: Tensor, node_cls: type, inputs, saved=(), attributes=None) -> Tensor:
    """`attach` for a caller that knows grad mode is on and `result` is floating (the ops' straight paths):
    the node, when any of `inputs` requires grad, with `attributes` set on it."""
    # The straight paths' common case, without a loop: one or two inputs, each with a history of its own
    # (not a view, not a leaf) or not requiring grad at all (a plain Tensor: not a Parameter).
    n = len(inputs)
    a = inputs[0]
    if a.__class__ is Tensor and a._base is None and a._grad_fn is not None and a._requires_grad and (
            n == 1 or (n == 2 and (not isinstance(inputs[1], Tensor) or not inputs[1]._requires_grad))):
        next_functions = ((a._grad_fn, a._output_nr),) if n == 1 else ((a._grad_fn, a._output_nr), NO_EDGE)
        input_meta = ((a._data.shape, a._dtype),) if n == 1 else ((a._data.shape, a._dtype), None)
    else:
        found = input_edges(inputs)
        if found is None:
            return result
        next_functions, input_meta = found
    if result._base is not None and not _views_an_input(result._base, inputs):
        result._base = None  # a view of the op's own scratch buffer: its history does not pass through it
    return record_edges(result, node_cls, next_functions, input_meta, saved, attributes)


def record_edges(result: Tensor, node_cls: type, next_functions: tuple, input_meta: tuple, saved=(),
                 attributes=None) -> Tensor:
    """`record` from edges the caller found itself (for an input that is never made a tensor: linear's
    transposed weight, see `transposed_edge`): `result` becomes the output of a new `node_cls` node."""
    node: Node = _new_node(node_cls)  # `new_node`, inline: every recorded op passes here
    node.next_functions = next_functions
    node._seq = _next_seq()
    node._input_meta = input_meta
    if attributes:
        for key, value in attributes.items():
            setattr(node, key, value)
    if _anomaly.enabled:
        _record_trace(node)
    result._requires_grad = True
    result._grad_fn = node
    result._output_nr = 0
    if saved:  # one or two saved values (the common cases) packed without a loop, once `result` has its history
        n = len(saved)
        node._saved = _hooked(node, saved, (result,)) if _hooks_active else (_pack(saved[0], result),) if n == 1 else \
            (_pack(saved[0], result), _pack(saved[1], result)) if n == 2 else \
            tuple([_pack(t, result) for t in saved])
    return result


def new_node(node_cls: type, next_functions: tuple, input_meta: tuple) -> Node:
    """A `node_cls` node over `next_functions`, newer than every node made before (and its forward stack
    kept in anomaly mode)."""
    node: Node = _new_node(node_cls)
    node.next_functions = next_functions
    node._seq = _next_seq()
    node._input_meta = input_meta
    if _anomaly.enabled:
        _record_trace(node)
    return node


_new_node = object.__new__


def unary_recorder(node_cls: type, saves: tuple) -> Callable:
    """``rec(result, input)``: `record` of a `node_cls` node over one input for the straight path of an
    elementwise op (grad mode on, `input` a Tensor that requires grad, `result` new, floating and its own
    buffer), saving `saves` ("input" or "result" each) without building the general call's tuples."""
    only_result = saves == ("result",)

    def rec(result: Tensor, input: Tensor) -> Tensor:
        fn = input._grad_fn
        if fn is None or input._base is not None or _anomaly.enabled:  # a leaf or a view: the general path
            return record(result, node_cls, (input,), tuple(result if what == "result" else input for what in saves))
        node: Node = _new_node(node_cls)
        node.next_functions = ((fn, input._output_nr),)
        node._seq = _next_seq()
        node._input_meta = ((input._data.shape, input._dtype),)
        result._requires_grad = True
        result._grad_fn = node
        result._output_nr = 0
        if _hooks_active:
            node._saved = _hooked(node, tuple(result if what == "result" else input for what in saves), (result,))
        elif only_result:  # `_pack(result, result)` of a new result (no version counter yet)
            counter = result._version = [0]
            node._saved = ((None, counter, 0, (result._data, result._dtype, result._device, 0), False),)
        elif saves:
            node._saved = tuple([_pack(result if what == "result" else input, result) for what in saves])
        return result
    return rec


def binary_recorder(node_cls: type, saving: Callable | None) -> Callable:
    """``rec(result, a, b)``: `record` of a `node_cls` node over `a` (a Tensor) and `b` (a Tensor or a
    Python number) for the straight path of an elementwise op (grad mode on, one of them requires grad,
    `result` new and floating), saving ``saving(a, b, None)``, without the general call's loop. A product's
    `cross_saved` is decided from the flags read here (on this path a tensor wants a gradient exactly when
    it requires grad: no view without history gets here)."""
    cross = saving is cross_saved

    def saved(a: Tensor, b) -> tuple:
        return saving(a, b, None) if saving is not None else ()

    def rec(result: Tensor, a: Tensor, b) -> Tensor:
        a_wanted = a._requires_grad
        if a_wanted:
            fn = a._grad_fn
            if fn is None or a._base is not None:
                return record(result, node_cls, (a, b), saved(a, b))
            edge_a, meta_a = (fn, a._output_nr), (a._data.shape, a._dtype)
        else:
            edge_a, meta_a = NO_EDGE, None
        b_wanted = b.__class__ is Tensor and b._requires_grad
        if b_wanted:
            fn = b._grad_fn
            if fn is None or b._base is not None:
                return record(result, node_cls, (a, b), saved(a, b))
            edge_b, meta_b = (fn, b._output_nr), (b._data.shape, b._dtype)
        else:
            edge_b, meta_b = NO_EDGE, None
        if _anomaly.enabled:
            return record(result, node_cls, (a, b), saved(a, b))
        node: Node = _new_node(node_cls)
        node.next_functions = (edge_a, edge_b)
        node._seq = _next_seq()
        node._input_meta = (meta_a, meta_b)
        result._requires_grad = True
        result._grad_fn = node
        result._output_nr = 0
        if _hooks_active:
            values = saved(a, b)
            if values:
                node._saved = _hooked(node, values, (result,))
        elif cross:  # b for a's gradient, a for b's
            node._saved = (_pack(a, result) if b_wanted else _NOTHING_SAVED,
                           _pack(b, result) if a_wanted else _NOTHING_SAVED)
        elif saving is not None:
            values = saving(a, b, None)
            if values:  # two saved values (a quotient's), the common case, packed without a loop
                node._saved = (_pack(values[0], result), _pack(values[1], result)) if len(values) == 2 else \
                    tuple([_pack(t, result) for t in values])
        return result
    return rec


_NOTHING_SAVED = (None,)  # `_pack(None)`: a value a node keeps only for a gradient not wanted


def _views_an_input(base: Tensor, inputs) -> bool:
    for t in inputs:
        if t is base or (isinstance(t, Tensor) and t._base is base):
            return True
    return False


def _pack(t, output: Tensor | None, nr: int = 0):
    """A saved entry: inputs keep their tensor (and whether it had a history: PyTorch refuses one detached
    in place since); the op's own `output` (its output number `nr`) keeps only its buffer (no cycle); Python
    values (scalars, None) are kept as they are."""
    if t.__class__ is not Tensor and not isinstance(t, Tensor):
        return (t,)
    counter = t._version
    if counter is None:
        counter = t._version = [0]
    if t is output:
        return (None, counter, counter[0], (t._data, t._dtype, t._device, nr), False)
    return (t, counter, counter[0], None, t._grad_fn is not None)


def _hooked(node: Node, saved, outputs) -> tuple:
    """`node`'s entries of `saved` while saved-tensor hooks are active in some thread: tensors kept through
    this thread's innermost hooks, if any, else as `_pack_among` keeps them. `outputs`: the node's outputs.
    Packed in PyTorch's order: its nodes save their inputs sorted by name, then their outputs."""
    hooks = saved_tensor.default_hooks()
    if hooks is None:
        return tuple([_pack_among(t, outputs) for t in saved])
    names = node._names_saved
    numbers = [next((nr for nr, out in enumerate(outputs) if out is t), None) for t in saved]
    entries: list = [None] * len(saved)
    order = sorted(range(len(saved)), key=lambda i: (numbers[i] is not None, i >= len(names), names[i:i + 1], i))
    if order != sorted(order):
        node._unpack_order = order
    for i in order:
        t, nr = saved[i], numbers[i]
        if not isinstance(t, Tensor):
            entries[i] = (t,)
        else:
            entries[i] = saved_tensor.pack(t, hooks, *_place(t)) if nr is None else \
                saved_tensor.pack(t, hooks, "own", None, nr)
    return tuple(entries)


def pack_through(t: Tensor, hooks) -> tuple:
    """`t` kept through ``hooks = (pack_hook, unpack_hook)`` outside any node (a non-reentrant checkpoint's
    input), its place in the graph recorded: ``saved_tensor.unpack(None, entry)`` gives it back."""
    return saved_tensor.pack(t, hooks, *_place(t))


def _place(t: Tensor) -> tuple:
    """Where a gradient for `t` flows, as `saved_tensor.Hooked` records it: (kind, node, output number)."""
    fn, nr = edge(t)
    return ("none" if fn is None else "leaf" if fn.__class__ is AccumulateGrad else "history"), fn, nr


def _pack_among(t, outputs):
    """`_pack` for a node of several `outputs` (output `nr` keeps its buffer and its number)."""
    for nr, out in enumerate(outputs):
        if t is out:
            return _pack(t, out, nr)
    return _pack(t, None)


def _op_name(node_name: str) -> str:
    """The op a node belongs to, as PyTorch's saved-variable errors name it: ``Prod1`` for ProdBackward1."""
    name = node_name.replace("Backward", "")
    return name[:-1] if name.endswith("0") else name


_DETACHED_IN_PLACE = ("Trying to use a saved tensor that has been detached in-place, i.e. with .detach_().This "
                      "is not supported, please use out-of-place `.detach()` instead")


def _saved_value(node: Node, entry):
    """A saved entry's value: a Python value as it is; a tensor kept through hooks, unpacked; an input at its
    saved version and not detached in place since, as it is; the op's own output at its saved version, as a
    tensor over its buffer with `node` as its history; anything else through `_unpack`'s checks (and errors)."""
    n = len(entry)
    if n == 1:
        return entry[0]
    if n == 2:
        return saved_tensor.unpack(node, entry)
    counter = entry[1]
    if counter[0] == entry[2]:
        t = entry[0]
        if t is None:
            data, dtype, device, nr = entry[3]
            out = wrap(data, dtype, device, True)
            out._version = counter
            out._grad_fn = node
            out._output_nr = nr
            return out
        if not entry[4] or t._grad_fn is not None:
            return t
    return _unpack(node, entry)


_FUSED_DTYPES = frozenset((_dtype.float32, _dtype.float64))


def fused_saved(node: Node, grad: Tensor, entry, kernel: str, threshold=None):
    """``kernels.<kernel>(grad, value)`` (with `threshold` as third argument when given: threshold_backward) on
    the buffers of `grad` and `node`'s saved `entry`, when no graph of the gradient is recorded (grad mode off,
    no profiler), the device has the kernel and the saved tensor is intact, float32 or float64, of grad's
    dtype and device; None otherwise (the caller's formula in ember ops runs: its checks, errors and graph).
    Saves unpacking the saved tensor on the hot path."""
    if grad.__class__ is not Tensor or len(entry) != 5 or entry[1][0] != entry[2] or _grad_state.enabled or \
            _profiling.enabled:
        return None
    t = entry[0]
    if t is None:  # the op's own output
        data, dtype, device, _ = entry[3]
    elif not entry[4] or t._grad_fn is not None:
        data, dtype, device = t._data, t._dtype, t._device
    else:
        return None  # detached in place since: `_unpack` raises PyTorch's error
    if dtype is not grad._dtype or device is not grad._device or dtype not in _FUSED_DTYPES:
        return None
    fused = getattr(device.kernels, kernel, None)
    if fused is None:
        return None
    try:
        return wrap(fused(grad._data, data) if threshold is None else fused(grad._data, data, threshold), dtype, device)
    except Exception:  # noqa: BLE001 -- the caller's formula raises PyTorch's error for it
        return None


def _unpack(node: Node, entry, by_name: bool = False):
    """A saved value, checked: a tensor detached in place since (except read by name, ``_saved_self``, as
    PyTorch's unpack given its node), or changed in place since, is PyTorch's error. A tensor kept through
    hooks is unpacked unchecked, as PyTorch's."""
    if len(entry) == 1:
        return entry[0]
    if len(entry) == 2:
        return saved_tensor.unpack(node, entry)
    t, counter, version, output, had_history = entry
    if had_history and t._grad_fn is None and not by_name:
        raise RuntimeError(_DETACHED_IN_PLACE)
    if counter[0] != version:
        creator: str | None
        if output is not None:
            data, dtype, dev, nr = output
            shape, creator, out_nr = data.shape, node.name(), nr
        else:
            dtype, shape = t._dtype, t._data.shape
            creator = t.grad_fn.name() if t.grad_fn is not None else None
            out_nr = t._output_nr if t.grad_fn is not None else 0
        from .._dtype import LEGACY_NAMES
        where = f", which is output {out_nr} of {_op_name(creator)}," if creator else ""
        hint = ("the backtrace further above shows the operation that failed to compute its gradient. The "
                "variable in question was changed in there or anywhere later. Good luck!" if _anomaly.enabled else
                "enable anomaly detection to find the operation that failed to compute its gradient, with "
                "ember.autograd.set_detect_anomaly(True, check_nan=False).")
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [ember.{LEGACY_NAMES[dtype.name]} [{', '.join(map(str, shape))}]]{where} is at "
            f"version {counter[0]}; expected version {version} instead. Hint: {hint}")
    if output is None:
        return t
    data, dtype, dev, nr = output
    out = wrap(data, dtype, dev, True)
    out._version = counter
    out._grad_fn = node
    out._output_nr = nr
    return out


class SavedTensor:
    """What ``grad_fn._raw_saved_<name>`` gives: a node's saved value number `index`, on which
    ``register_hooks(pack_hook, unpack_hook)`` makes the node keep that tensor through these hooks."""

    def __init__(self, node: Node, index: int) -> None:
        self._node, self._index = node, index

    def register_hooks(self, pack_hook, unpack_hook) -> None:
        """Pack the saved tensor now (given detached) and unpack it on each later use, as PyTorch's."""
        if not callable(pack_hook) or not callable(unpack_hook):
            raise TypeError(f"register_hooks(): expected two callables, but got {type(pack_hook).__name__} and "
                            f"{type(unpack_hook).__name__}")
        node, index = self._node, self._index
        saved = node._saved
        if saved is None:
            raise RuntimeError(_REGISTER_FREED)
        entry = saved[index]
        if len(entry) == 2:
            raise RuntimeError("Calling register_hooks on a saved tensor whose hooks have already been set. "
                               "Hint: only one pair of hooks is allowed at a time.")
        if len(entry) == 1:
            if entry[0] is None:
                raise RuntimeError("Calling register_hooks on a saved tensor with value None is forbidden")
            raise RuntimeError(f"Calling register_hooks on a saved value that is not a tensor: ember keeps the "
                               f"{type(entry[0]).__name__} {entry[0]!r} as it is")
        t, counter, _, output, _ = entry
        hooks = (pack_hook, unpack_hook)
        if output is None:
            hooked = saved_tensor.pack(t.detach(), hooks, *_place(t))
        else:
            data, dtype, device, nr = output
            shown = wrap(data, dtype, device)
            shown._version = counter
            hooked = saved_tensor.pack(shown, hooks, "own", None, nr)
        node._saved = saved[:index] + (hooked,) + saved[index + 1:]


_REGISTER_FREED = ("Calling register_hooks on a saved tensor after it has been freed. Saved intermediate values of "
                   "the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
                   "you need to backward through the graph a second time or if you need to access saved variables "
                   "after calling backward.")


# What PyTorch's refusals of in-place changes of particular views say has happened to the view.
IS_MODIFIED = "is being modified inplace"
BASE_MODIFIED = "its base or another view of its base has been modified inplace"


def _output_of(view: Tensor) -> str:
    return f"Output {view._output_nr} of {view._grad_fn.name()[:-len('Backward0')]}"


def no_grad_view_refusal(view: Tensor, what: str) -> RuntimeError:
    """PyTorch's error for a view made under no_grad (or a view of one, which has its own grad_fn) that `what`
    (`IS_MODIFIED`, `BASE_MODIFIED`) with grad mode enabled."""
    made = "A view was" if view._grad_fn is None else f"{_output_of(view)} is a view of a view which was"
    return RuntimeError(f"{made} created in no_grad mode and {what} with grad mode enabled. Given that this use "
                        "case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving "
                        "both the view and the inplace either both inside the no_grad block (if you don't want the "
                        "inplace to be tracked) or both outside (if you want the inplace to be tracked).")


def multi_view_refusal(view: Tensor, what: str) -> RuntimeError:
    """PyTorch's error for an output of split, unbind... (views of one node) that `what` (`IS_MODIFIED`,
    `BASE_MODIFIED`)."""
    return RuntimeError(f"{_output_of(view)} is a view and {what}. This view is the output of a function that "
                        "returns multiple views. Such functions do not allow the output views to be modified "
                        "inplace. You should replace the inplace operation by an out-of-place one.")


class AsStridedBackward0(Node):
    """``as_strided``'s node, and the history of a view re-taken from its base after an in-place change to
    their shared storage: the base's gradient is the view's gradient put back where the view lies (the view
    ops' backwards, in turn, or its geometry in the base's storage, see `ember._ops.strided`)."""

    chain: list | None = None  # the backward nodes of the view ops, from the view's end to the base's
    geometry: tuple  # without chain: the view's shape, strides and storage offset
    input_geometry: tuple  # and its input's

    def backward(self, grad):
        from .engine import _call

        if self.chain is None:
            from .._ops.strided import as_strided_backward
            return as_strided_backward(grad, self.input_geometry, self.geometry)
        for node in self.chain:
            grad = _call(node, [grad])[0]
        # PyTorch's as_strided_backward writes into a fresh tensor of the base's layout and returns a view of it
        fresh = grad.contiguous()
        return fresh.view(fresh.shape)


def view_grad_fn(view: Tensor):
    """The grad_fn of `view` once its storage changed in place since the one it holds was recorded: a new
    AsStridedBackward0 over its base's current history (PyTorch's rule for views and in-place ops)."""
    base, counter = view._base, view._version
    assert base is not None and counter is not None  # a view shares its base's version counter
    old = view._grad_fn
    if old is None and not base._requires_grad:
        return None
    if view._view_no_grad:
        raise no_grad_view_refusal(view, BASE_MODIFIED)
    if getattr(old, "multi_view", False):
        raise multi_view_refusal(view, BASE_MODIFIED)
    node = AsStridedBackward0.__new__(AsStridedBackward0)
    if replays(view):
        node.chain = _view_chain(base, view._view_fn)
    else:
        from .._ops.strided import geometry
        node.geometry, node.input_geometry = geometry(view), geometry(base)
    link(node, (base,))
    view._grad_fn, view._output_nr, view._requires_grad = node, 0, True
    view._view_version = counter[0]
    if getattr(view, "_retains_grad", False):
        from .._tensor import add_retain_hook
        add_retain_hook(view, node)
    return node


def replays(view: Tensor) -> bool:
    """Whether `view`'s `_view_fn` redoes it from its base: it has one (no view op in its chain addresses the
    storage directly, as ``as_strided`` does), and the base holds the buffer it held when the view's first op
    was taken. An in-place view op on the base (``t_()``, ``as_strided_()``...) gives it a new one. A view
    that does not replay is found by its geometry in its base's storage, as PyTorch finds every view."""
    base = view._base
    assert base is not None
    return view._view_fn is not None and view._view_frame is base._data


def _view_chain(base: Tensor, view_fn) -> list:
    """The backward nodes that replaying `view_fn` on (a stand-in for) `base` records, view end first."""
    stand_in = Tensor._make(base._data, base._dtype, base._device, True)
    with grad_mode.enable_grad():
        fn = view_fn(stand_in)._grad_fn
    chain = []
    while fn is not None and fn.__class__ is not AccumulateGrad:
        chain.append(fn)
        fn = fn.next_functions[0][0]
    return chain


class _AnomalyState:
    enabled = False  # nodes record the forward stack that made them
    check_nan = False  # backward fails on a NaN gradient


_anomaly = _AnomalyState()


def cross_saved(a, b, result=None) -> tuple:
    """What a product's backward keeps: `b` for a's gradient and `a` for b's, each only when that gradient
    is wanted (as PyTorch: an in-place change of an operand that is not needed then raises no error).
    (`result`, unused, makes it a `Gradient.saving`.)"""
    return (a if wants_gradient(b) else None, b if wants_gradient(a) else None)


def wants_gradient(t) -> bool:
    """Whether `t` is a tensor that will be given a gradient: it requires grad along an edge, not as a dead
    one (a view without history of its own, `_dead_view`); what PyTorch's nodes ask (should_compute_output)
    before saving the values only that gradient reads."""
    if not (isinstance(t, Tensor) and t._requires_grad):
        return False
    if t._grad_fn is not None or t._base is None:
        return True
    counter = t._version  # (a view changed in place since it was made gets a history when recorded: `view_grad_fn`)
    return counter is None or t._view_version != counter[0] or not _dead_view(t)


def needs_input_grad(node: Node, i: int) -> bool:
    """Whether input `i` of `node` wants a gradient (backward formulas skip the others)."""
    return node.next_functions[i][0] is not None
