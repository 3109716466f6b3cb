"""``torch.autograd.graph``: the graph's nodes, hooks on the tensors nodes save (pack at save time, unpack at
use), multi-tensor gradient hooks and the version counter of in-place changes made behind autograd's back."""
from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from .._tensor import Tensor
from . import engine, saved_tensor
from .node import Node, SavedTensor, edge

__all__ = ["Node", "SavedTensor", "allow_mutation_on_saved_tensors", "disable_saved_tensors_hooks",
           "increment_version", "register_multi_grad_hook", "save_on_cpu", "saved_tensors_hooks"]


class saved_tensors_hooks:
    """Context manager under which every tensor a node saves (built-in ops' and ``ctx.save_for_backward``'s)
    is kept as ``pack_hook(tensor)`` and given back as ``unpack_hook(packed)`` when backward (or
    ``grad_fn._saved_<name>``) uses it. Nested, the innermost pair applies."""

    def __init__(self, pack_hook: Callable[[Tensor], Any], unpack_hook: Callable[[Any], Tensor]) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> None:
        saved_tensor.push(self.pack_hook, self.unpack_hook)

    def __exit__(self, *args: object) -> None:
        saved_tensor.pop()


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors kept on the CPU and moved back to their device when backward uses them. ember has no
    pinned memory: with ``pin_memory=True`` each is kept as a fresh CPU copy (PyTorch's pinned copy), moved
    back synchronously, and `device_type` (whose pinned memory PyTorch asks for) changes nothing."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        from .._ops.creation import empty

        def pack_to_cpu(tensor: Tensor) -> tuple:
            if not pin_memory:
                return tensor.device, tensor.cpu()
            return tensor.device, empty(tuple(tensor.shape), dtype=tensor.dtype, device="cpu").copy_(tensor)

        def unpack_from_cpu(packed: tuple) -> Tensor:
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack_to_cpu, unpack_from_cpu)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message: str) -> Iterator[None]:
    """Refuse saved-tensor hooks in the block: entering ``saved_tensors_hooks`` (or this block while some are
    active) raises RuntimeError(`error_message`)."""
    state = saved_tensor.state
    previous = state.disabled
    if state.hooks:
        raise RuntimeError(error_message)
    state.disabled = error_message
    try:
        yield
    finally:
        state.disabled = previous


def increment_version(tensor: Tensor | Iterable[Tensor]) -> None:
    """Count an in-place change of `tensor` (or of each of several) made where autograd cannot see it, so
    that a backward that saved it refuses the changed value. Inference tensors have no version to count."""
    from .._ops.dispatch import bump

    if isinstance(tensor, Tensor):
        tensors: tuple = (tensor,)
    else:
        try:
            tensors = tuple(tensor)
        except TypeError:
            raise RuntimeError("increment_version expect a Iterable[Tensor] as input") from None
        if not all(isinstance(t, Tensor) for t in tensors):
            raise RuntimeError("increment_version expects each element of the iterable to be a tensor")
    for t in tensors:
        if not t.is_inference():
            bump(t)


class _MultiHandle:
    """What `register_multi_grad_hook` returns: ``remove()`` takes the hook off every tensor."""

    def __init__(self, handles: tuple) -> None:
        self.handles = handles

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()


def register_multi_grad_hook(tensors: Sequence[Tensor], fn: Callable, *, mode: str = "all") -> _MultiHandle:
    """Call `fn` once per backward pass: ``mode="all"``, with the gradients of all `tensors` (None for those the
    pass computes none for) once the last one the pass reaches is computed; ``mode="any"``, with the first
    gradient computed among them."""
    modes = ("all", "any")
    if mode not in modes:
        raise ValueError(f"Expects mode to be one of {modes} but got {mode}")
    lock = threading.Lock()
    if mode == "any":
        fired: set = set()

        def first(grad):
            task = _task_id()
            with lock:
                if task in fired:
                    return
                fired.add(task)
            fn(grad)

        return _MultiHandle(tuple(t.register_hook(first) for t in tensors if t.requires_grad))
    nodes = [edge(t)[0] for t in tensors]
    pending: dict = {}  # per backward pass: [gradients still to come, the gradients so far]

    def collector(index: int):
        def collect(grad):
            task = _task_id()
            with lock:
                waiting = pending.get(task)
                if waiting is None:
                    count = sum(engine.will_execute(n) for n in nodes if n is not None)
                    waiting = pending[task] = [count, [None] * len(nodes)]
                waiting[1][index] = grad
                waiting[0] -= 1
                done = waiting[0] == 0
                if done:
                    del pending[task]
            if done:
                fn(waiting[1])
        return collect

    return _MultiHandle(tuple(t.register_hook(collector(i)) for i, t in enumerate(tensors)))


def _task_id() -> int:
    task = engine.current_graph_task_id()
    if task == -1:
        raise AssertionError("expected this hook to be called inside a backward call")
    return task


class _AllowMutationOnSavedContext:
    """What `allow_mutation_on_saved_tensors` yields: the copies of the tensors saved in it, each kept while
    the graph keeps its handle (cleared when the block ends)."""

    def __init__(self) -> None:
        self.cloned: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def clear(self) -> None:
        self.cloned.clear()


class _Handle:
    """What a node keeps of a tensor saved under `allow_mutation_on_saved_tensors`: a key to its copy."""


_mutation_allowed: list = []  # the `allow_mutation_on_saved_tensors` block running, if any


@contextlib.contextmanager
def allow_mutation_on_saved_tensors() -> Iterator[_AllowMutationOnSavedContext]:
    """Tensors saved for backward in the block may be changed in place there: the backward (run in the block)
    uses their values as saved. PyTorch copies a saved tensor on its first in-place change; ember copies each
    when it is saved (the same values, at the cost of the copies), having no hook on every write."""
    if _mutation_allowed:
        raise RuntimeError("allow_mutation_on_saved_tensors contexts cannot be nested")
    ctx = _AllowMutationOnSavedContext()

    def pack_copy(tensor: Tensor) -> _Handle:
        handle = _Handle()
        ctx.cloned[handle] = tensor.clone()
        return handle

    def unpack_copy(handle: _Handle) -> Tensor:
        if not _mutation_allowed or handle not in ctx.cloned:
            raise AssertionError("Trying to backward outside of the 'allow_mutation_on_saved_tensors' context"
                                 "in which the graph was originally recorded.")
        return ctx.cloned[handle]

    with saved_tensors_hooks(pack_copy, unpack_copy):
        _mutation_allowed.append(ctx)
        try:
            yield ctx
        finally:
            ctx.clear()
            _mutation_allowed.pop()
