"""`ember.multiprocessing`: Python's multiprocessing under PyTorch's name (``mp.Process``, ``mp.Queue``,
``mp.set_start_method``...), with PyTorch's tensor sharing strategies. ember moves a tensor between processes
by pickling it (its values are copied, never its memory shared), so the strategy is only checked and kept,
for the code that sets it (``set_sharing_strategy('file_system')`` in many data-loading scripts)."""
from __future__ import annotations

import multiprocessing
from multiprocessing import *  # noqa: F403  (PyTorch's torch.multiprocessing re-exports all of it)

_STRATEGIES = frozenset({"file_descriptor", "file_system"})
_strategy = ["file_descriptor"]

__all__ = ["set_sharing_strategy", "get_sharing_strategy", "get_all_sharing_strategies", *multiprocessing.__all__]


def set_sharing_strategy(new_strategy: str) -> None:
    """Set the strategy for sharing tensors between processes (one of `get_all_sharing_strategies`)."""
    if new_strategy not in _STRATEGIES:
        raise AssertionError(f"invalid sharing strategy {new_strategy!r}, expected one of {set(_STRATEGIES)}")
    _strategy[0] = new_strategy


def get_sharing_strategy() -> str:
    """The current strategy for sharing tensors between processes."""
    return _strategy[0]


def get_all_sharing_strategies() -> set[str]:
    """The strategies this system supports."""
    return set(_STRATEGIES)
