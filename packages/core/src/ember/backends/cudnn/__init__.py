"""`ember.backends.cudnn`: PyTorch's cuDNN switches, which seeding and benchmarking code sets
(``ember.backends.cudnn.deterministic = True``, ``benchmark = False``), checked as PyTorch checks them, and
`flags`, the context that sets them all. ember uses no cuDNN (``is_available()`` is False, as on a PyTorch
build without it), so the switches change nothing it computes: its convolutions are matmuls, governed by
``ember.backends.cuda.matmul``, and ``allow_tf32`` (True by default, as in PyTorch) is there for a cuda
backend that would use cuDNN."""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from .._flags import Flags

# The module itself holds the switches, so ``ember.backends.cudnn.benchmark = x`` is checked as PyTorch's is.
_flags = Flags("set_{name}_cudnn", enabled=True, benchmark=False, deterministic=False, allow_tf32=True)

benchmark_limit = None  # PyTorch's value where cuDNN is not available

__all__ = ["flags", "is_available", "version"]


def is_available() -> bool:
    """Whether cuDNN is available: never, ember has no cuDNN path."""
    return False


def version() -> None:
    """cuDNN's version: None, as PyTorch's where cuDNN is not available."""
    return None


@contextlib.contextmanager
def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10, deterministic: bool = False,
          allow_tf32: bool = True) -> Iterator[None]:
    """Within the block, the switches have these values (PyTorch's defaults: `enabled` False); they are
    restored after it. `benchmark_limit` is ignored, as PyTorch ignores it without cuDNN."""
    previous = _flags.update(enabled=enabled, benchmark=benchmark, deterministic=deterministic,
                             allow_tf32=allow_tf32)
    try:
        yield
    finally:
        _flags.update(**previous)


def _switch(name: str) -> property:
    """The module attribute `name`, read from and checked into `_flags`."""
    return property(lambda module: getattr(_flags, name), lambda module, value: setattr(_flags, name, value))


class _CudnnModule(type(sys)):  # type: ignore[misc]
    """This module, whose switches are checked bool flags."""

    enabled = _switch("enabled")
    benchmark = _switch("benchmark")
    deterministic = _switch("deterministic")
    allow_tf32 = _switch("allow_tf32")


sys.modules[__name__].__class__ = _CudnnModule
