"""Activation checkpointing, as ``torch.utils.checkpoint``: run part of a model without keeping what its
backward needs, and recompute it (with the same random numbers) when the backward reaches it.

``use_reentrant=True`` (PyTorch's default when not given, with its warning) is PyTorch's reentrant form:
one `CheckpointFunction` node whose backward reruns the function with grad on and runs a nested backward
through it; like PyTorch's, it serves ``backward()`` only, not ``autograd.grad``. ``use_reentrant=False``
records the function's own graph, as PyTorch's, then empties the saved values of the nodes it made; the
first of them the backward reaches reruns the function and hands each node its recomputed values."""
from __future__ import annotations

import contextlib
import warnings
from typing import Any

from .. import _generator
from .._tensor import Tensor
from ..amp import autocast_mode
from ..autograd import engine, grad_mode, saved_tensor
from ..autograd.function import Function
from ..autograd.node import _next_seq, pack_through

__all__ = ["CheckpointError", "CheckpointFunction", "checkpoint", "checkpoint_sequential", "detach_variable",
           "noop_context_fn"]


class CheckpointError(RuntimeError):
    """The recomputation of a non-reentrant checkpoint did not make the graph the forward made."""


def noop_context_fn() -> tuple:
    """The default `context_fn`: no context around the forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def detach_variable(inputs: tuple) -> tuple:
    """Each tensor of `inputs` detached, requiring grad as it did (other values as they are)."""
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: {type(inputs).__name__}")
    return tuple(x.detach().requires_grad_(x.requires_grad) if isinstance(x, Tensor) else x for x in inputs)


def _rng_states(args: tuple) -> list:
    """The states of the CPU's default generator and of the default generators of the devices of `args`."""
    devices = {_generator.cpu_device()} | {a.device for a in args if isinstance(a, Tensor)}
    return [(gen, gen.get_state()) for gen in (_generator.default_for(d) for d in devices)]


def _autocast_states(args: tuple) -> list:
    """Autocast's state (enabled, dtype, cache) for the CPU and the device types of `args`, as PyTorch's
    checkpoint keeps it for the recomputation, which the backward runs outside the forward's autocast region."""
    types = ["cpu"] + sorted({a.device.type for a in args if isinstance(a, Tensor)} - {"cpu"})
    return [dict(device_type=t, enabled=autocast_mode.is_autocast_enabled(t), dtype=autocast_mode.get_autocast_dtype(t),
                 cache_enabled=autocast_mode.is_autocast_cache_enabled()) for t in types]


@contextlib.contextmanager
def _autocasting(states: list):
    """Run the block under the autocast `states` (`_autocast_states`) again."""
    with contextlib.ExitStack() as stack:
        for kwargs in states:
            stack.enter_context(autocast_mode.autocast(**kwargs))
        yield


@contextlib.contextmanager
def _replaying(states: list | None):
    """Run the block with the generators set to `states` (when given), their current states restored after."""
    if states is None:
        yield
        return
    current = [(gen, gen.get_state()) for gen, _ in states]
    for gen, state in states:
        gen.set_state(state)
    try:
        yield
    finally:
        for gen, state in current:
            gen.set_state(state)


class CheckpointFunction(Function):
    """The reentrant checkpoint's node (``CheckpointFunctionBackward``)."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=4)
        ctx.run_function = run_function
        ctx.rng_states = _rng_states(args) if preserve_rng_state else None
        ctx.autocast_states = _autocast_states(args)
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*(a for a in args if isinstance(a, Tensor)))
        with grad_mode.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        if not engine.accumulating():
            raise RuntimeError("When use_reentrant=True, ember.utils.checkpoint is incompatible with .grad() or "
                               "passing an `inputs` parameter to .backward(). To resolve this error, you can "
                               "either set use_reentrant=False, or call .backward() without passing the `inputs` "
                               "argument.")
        inputs = list(ctx.inputs)
        for index, tensor in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[index] = tensor
        with _replaying(ctx.rng_states):
            detached = detach_variable(tuple(inputs))
            with grad_mode.enable_grad(), _autocasting(ctx.autocast_states):
                outputs = ctx.run_function(*detached)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(out, g) for out, g in zip(outputs, grads) if isinstance(out, Tensor) and out.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        engine.backward([out for out, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(x.grad if isinstance(x, Tensor) else None for x in detached)


def _reentrant_by_default(use_reentrant: bool | None, caller: str) -> bool:
    """`use_reentrant` as given, else True with PyTorch's warning that it should be given."""
    if use_reentrant is None:
        warnings.warn(f"{caller}: the use_reentrant parameter should be passed explicitly. use_reentrant=False is "
                      "recommended, but if you need to preserve the current default behavior, you can pass "
                      "use_reentrant=True. Refer to docs for more details on the differences between the two "
                      "variants.", stacklevel=3)
        return True
    return use_reentrant


def checkpoint(function, *args, use_reentrant: bool | None = None, context_fn=noop_context_fn,
               determinism_check: str = "default", debug: bool = False, early_stop: bool = True, **kwargs):
    """``function(*args, **kwargs)``, keeping none of the values its backward needs: they are recomputed in
    the backward (``preserve_rng_state=True``, the default, replays the same random numbers)."""
    use_reentrant = _reentrant_by_default(use_reentrant, "ember.utils.checkpoint")
    preserve = kwargs.pop("preserve_rng_state", True)
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    return _checkpoint_recorded(function, args, kwargs, preserve, context_fn)


def _checkpoint_recorded(function, args: tuple, kwargs: dict, preserve: bool, context_fn) -> Any:
    """The non-reentrant checkpoint (see the module's docstring). Saved-tensor hooks active around it see its
    tensor inputs, packed now and unpacked for the recomputation, and none of the values it saves, as
    PyTorch's."""
    forward_context, recompute_context = context_fn()
    states = _rng_states(args) if preserve else None
    autocasts = _autocast_states(args)
    hooks = saved_tensor.default_hooks() if grad_mode.is_grad_enabled() else None
    packed = {} if hooks is None else {i: pack_through(a, hooks) for i, a in enumerate(args) if isinstance(a, Tensor)}
    first = _next_seq()
    with forward_context, saved_tensor.suspended():
        result = function(*args, **kwargs)
    if not grad_mode.is_grad_enabled():
        return result
    nodes = _nodes_since(first, result)
    if nodes:
        recompute = _Recompute(function, args, packed, kwargs, states, (_autocasting(autocasts), recompute_context),
                               first, nodes)
        for node in nodes:
            node.register_prehook(recompute.fill)
    return result


def _nodes_since(first: int, result) -> list:
    """The nodes made after sequence number `first` that `result`'s graph reaches, oldest first, that
    hold saved values."""
    outputs = [result] if isinstance(result, Tensor) else [r for r in _flatten(result) if isinstance(r, Tensor)]
    found: dict = {}
    stack = [out.grad_fn for out in outputs if out.grad_fn is not None]
    while stack:
        node = stack.pop()
        if node is None or node._seq <= first or id(node) in found:
            continue
        found[id(node)] = node
        stack.extend(next_node for next_node, _ in node.next_functions)
    return sorted(found.values(), key=lambda node: node._seq)


def _flatten(value) -> list:
    if isinstance(value, (tuple, list)):
        return [item for element in value for item in _flatten(element)]
    if isinstance(value, dict):
        return [item for element in value.values() for item in _flatten(element)]
    return [value]


class _Recompute:
    """The saved values of one non-reentrant checkpoint's nodes: emptied after the forward, recomputed when
    the backward first reaches one of them. `packed`: the inputs kept through saved-tensor hooks, by position
    (`args` keeps None there)."""

    def __init__(self, function, args: tuple, packed: dict, kwargs: dict, states, context, first: int,
                 nodes: list) -> None:
        self.function, self.kwargs, self.packed = function, kwargs, packed
        self.args = tuple(None if i in packed else a for i, a in enumerate(args))
        self.states, self.context = states, context
        self.nodes = [node for node in nodes if node._saved]
        self.first = first
        self.shapes = [_saved_kinds(node) for node in self.nodes]
        for node in self.nodes:
            node._saved = _RECOMPUTE
        self.done = False

    def fill(self, grad_outputs):
        """A node's pre-hook: on the first call, rerun the function and give each node its saved values."""
        if self.done:
            return None
        self.done = True
        first = _next_seq()
        packed = self.packed
        args = tuple(saved_tensor.unpack(None, packed[i]) if i in packed else a for i, a in enumerate(self.args))
        autocasting, context = self.context
        with _replaying(self.states), grad_mode.enable_grad(), autocasting, context, saved_tensor.suspended():
            result = self.function(*args, **self.kwargs)
        fresh = [node for node in _nodes_since(first, result) if node._saved]
        if [type(node) for node in fresh] != [type(node) for node in self.nodes] or \
                [_saved_kinds(node) for node in fresh] != self.shapes:
            raise CheckpointError("ember.utils.checkpoint: Recomputed values for the following tensors have different "
                                  "metadata than during the forward pass: the recomputation made "
                                  f"{[type(n).__name__ for n in fresh]}, the forward "
                                  f"{[type(n).__name__ for n in self.nodes]}.")
        for node, source in zip(self.nodes, fresh):
            node._saved = source._saved
        return None


_RECOMPUTE = ()  # a node's emptied saved values (falsy, as a node without saved values)


def _saved_kinds(node) -> tuple:
    """What a node saved, as a comparable description: each entry's shape and dtype, or its Python value."""
    kinds: list[tuple] = []
    for entry in node._saved:
        if len(entry) == 1:
            kinds.append(("value", repr(entry[0])))
        elif len(entry) == 2:  # kept through saved-tensor hooks
            kinds.append((tuple(entry[1].shape), entry[1].dtype))
        else:
            data = entry[3][0] if entry[0] is None else entry[0]._data
            dtype = entry[3][1] if entry[0] is None else entry[0]._dtype
            kinds.append((tuple(data.shape), dtype))
    return tuple(kinds)


def checkpoint_sequential(functions, segments: int, input, use_reentrant: bool | None = None, **kwargs):
    """Run `functions` (an nn.Sequential or a list of modules/functions) in order on `input`, all but the last
    of `segments` equal segments checkpointed."""
    use_reentrant = _reentrant_by_default(use_reentrant, "ember.utils.checkpoint.checkpoint_sequential")
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    from ..nn.modules.container import Sequential

    if isinstance(functions, Sequential):
        functions = list(functions.children())

    def segment(start: int, end: int):
        def run(x):
            for function in functions[start:end + 1]:
                x = function(x)
            return x
        return run

    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(segment(start, end), input, use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return segment(end + 1, len(functions) - 1)(input)
