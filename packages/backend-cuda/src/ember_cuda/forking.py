"""CUDA does not survive fork: a child forked after its parent initialised the CUDA runtime (a DataLoader
worker, say) cannot use it, and cupy then fails with the runtime's bare "initialization error". Where ember
makes a CUDA device current in such a child, it raises PyTorch's error instead (``torch.cuda._lazy_init``'s,
from its ``_is_in_bad_fork`` check), which names the cause and the cure."""
from __future__ import annotations

import os

MESSAGE = ("Cannot re-initialize CUDA in forked subprocess. To use CUDA with multiprocessing, you must use the "
           "'spawn' start method")

_state = {"initialised": False, "in_bad_fork": False}


def initialised() -> None:
    """Record that this process has initialised the CUDA runtime (its children forked from now on cannot)."""
    _state["initialised"] = True


def check() -> None:
    """PyTorch's RuntimeError in a process forked from one that had initialised CUDA (a bad fork)."""
    if _state["in_bad_fork"]:
        raise RuntimeError(MESSAGE)


def _after_fork_in_child() -> None:
    if _state["initialised"]:
        _state["in_bad_fork"] = True


os.register_at_fork(after_in_child=_after_fork_in_child)
