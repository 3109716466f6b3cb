"""Saved tensors under hooks: what a node keeps of a tensor it saves while ``saved_tensors_hooks`` is active
(or once ``grad_fn._raw_saved_<name>.register_hooks`` was called): the pack hook's result and what the
unpacked tensor needs to take the saved tensor's place in the graph.

A node's saved entry is ``(value,)`` for a Python value, a 5-tuple for a tensor kept as it is (see
`node._pack`), and ``(packed, Hooked)`` for a tensor kept through hooks. As PyTorch's, a tensor kept
through hooks is not checked against in-place changes: the hooks own its value."""
from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterator

from .._tensor import Tensor, wrap
from . import grad_mode


class _Stack(threading.local):
    """This thread's default hooks (innermost last) and ``disable_saved_tensors_hooks``'s message."""

    def __init__(self) -> None:
        self.hooks: list = []
        self.disabled: str | None = None


state = _Stack()
# One item per pair of hooks pushed in any thread: the recorders' one check (`node._hooks_active`), so that
# saving costs nothing more while no thread has hooks.
active: list = []

_PACK_IN_PLACE = ("A saved tensor pack hook is modifying its input in place. Tensors provided as input to pack hook "
                  "cannot be modified by in-place operations as this can lead to unexpected side-effects. Please "
                  "open an issue if you need to perform in-place operations on the input to a pack hook.")


def push(pack_hook, unpack_hook) -> None:
    """Make ``(pack_hook, unpack_hook)`` this thread's innermost default hooks (refused while disabled)."""
    if state.disabled is not None:
        raise RuntimeError(state.disabled)
    state.hooks.append((pack_hook, unpack_hook))
    active.append(None)


def pop() -> None:
    state.hooks.pop()
    active.pop()


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """No default hooks in the block: a non-reentrant checkpoint's function, whose saved values it recomputes
    (PyTorch's checkpoint runs it under hooks of its own, the innermost)."""
    state.hooks.append(None)
    try:
        yield
    finally:
        state.hooks.pop()


def default_hooks():
    """This thread's innermost default hooks, or None."""
    hooks = state.hooks
    return hooks[-1] if hooks else None  # (None while `suspended`)


class Hooked:
    """A tensor saved through hooks: its unpack hook, its shape and dtype (for checkpoint's comparison) and
    where the unpacked tensor's gradient flows, by `kind`: "own", the saving node's output `nr`; "history",
    output `nr` of node `fn`; "leaf", into the leaf whose AccumulateGrad is `fn`; "none", nowhere."""

    __slots__ = ("unpack_hook", "kind", "fn", "nr", "shape", "dtype")

    def __init__(self, unpack_hook, t: Tensor, kind: str, fn, nr: int) -> None:
        self.unpack_hook, self.kind, self.fn, self.nr = unpack_hook, kind, fn, nr
        self.shape, self.dtype = t._data.shape, t._dtype


def pack(t: Tensor, hooks, kind: str, fn=None, nr: int = 0) -> tuple:
    """The entry of `t` saved through ``hooks = (pack_hook, unpack_hook)``: the pack hook runs now, without
    grad mode, and may not change `t` in place (see `Hooked` for `kind`, `fn` and `nr`)."""
    pack_hook, unpack_hook = hooks
    counter = t._version_counter
    version = counter[0]
    grad = grad_mode.state
    previous, grad.enabled = grad.enabled, False
    try:
        packed = pack_hook(t)
    finally:
        grad.enabled = previous
    if counter[0] != version:
        raise RuntimeError(_PACK_IN_PLACE)
    return (packed, Hooked(unpack_hook, t, kind, fn, nr))


def unpack(node, entry: tuple) -> Tensor:
    """A hooked entry's tensor: the unpack hook's result as a new tensor with the saved tensor's place in the
    graph (`node`'s own output, the saved history, or the saved leaf's accumulator)."""
    packed, saved = entry
    value = saved.unpack_hook(packed)
    if not isinstance(value, Tensor):
        raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
                        f"{type(value).__name__}")
    out = wrap(value._data, value._dtype, value._device)
    kind = saved.kind
    if kind == "own":
        out._grad_fn, out._output_nr, out._requires_grad = node, saved.nr, True
    elif kind == "history":
        out._grad_fn, out._output_nr, out._requires_grad = saved.fn, saved.nr, True
    elif kind == "leaf":
        out._accumulator, out._requires_grad = weakref.ref(saved.fn), True
    return out
