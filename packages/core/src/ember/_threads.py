"""PyTorch's intra-op thread count, ``set_num_threads``/``get_num_threads``: what the CPU device type's
kernels compute with, set and read through its optional `set_num_threads`/`get_num_threads` hooks
(the CPU backend's are numpy's BLAS threads)."""
from __future__ import annotations

from .plugins.manager import get_backend


def set_num_threads(n: int, /) -> None:
    """Make the CPU's kernels compute with `n` threads (a backend without the hook keeps its default)."""
    if n.__class__ is not int:
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    hook = get_backend("cpu").device_type.set_num_threads
    if hook is not None:
        hook(n)


def get_num_threads() -> int:
    """The threads the CPU's kernels compute with now; 1 for a backend that does not say (numpy's own
    elementwise loops are single-threaded)."""
    hook = get_backend("cpu").device_type.get_num_threads
    return 1 if hook is None else hook()
