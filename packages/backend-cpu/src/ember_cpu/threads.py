"""The CPU device type's thread hooks: numpy's BLAS (the OpenBLAS its wheels bundle, scipy-openblas) set and
read through ctypes. numpy's elementwise loops are single-threaded, so BLAS's threads are the kernels'. A
numpy built without a loadable OpenBLAS gives no hooks (core then leaves the threads alone)."""
from __future__ import annotations

import ctypes
import glob
import os
from collections.abc import Callable

import numpy as np

# the names OpenBLAS exports its thread functions under: scipy-openblas's 64-bit-integer build, its 32-bit
# one, then a plain OpenBLAS
_PREFIXES = ("scipy_openblas", "openblas")
_SUFFIXES = ("64_", "_64_", "")


def _libraries() -> list[str]:
    """The OpenBLAS shared libraries a numpy wheel bundles (numpy.libs on Linux, .dylibs on macOS)."""
    root = os.path.dirname(os.path.dirname(np.__file__))
    return sorted(glob.glob(os.path.join(root, "numpy.libs", "*openblas*"))
                  + glob.glob(os.path.join(os.path.dirname(np.__file__), ".dylibs", "*openblas*")))


def _function(library: ctypes.CDLL, name: str) -> Callable | None:
    for prefix in _PREFIXES:
        for suffix in _SUFFIXES:
            found = getattr(library, f"{prefix}_{name}{suffix}", None)
            if found is not None:
                return found
    return None


def _hooks(setter: Callable, getter: Callable) -> tuple[Callable[[int], None], Callable[[], int]]:
    setter.argtypes, setter.restype, getter.restype = [ctypes.c_int], None, ctypes.c_int  # type: ignore[attr-defined]

    def set_num_threads(n: int) -> None:
        setter(n)

    def get_num_threads() -> int:
        return int(getter())
    return set_num_threads, get_num_threads


def blas_thread_hooks() -> tuple[Callable[[int], None] | None, Callable[[], int] | None]:
    """(set, get) of numpy's OpenBLAS thread count, or (None, None) when it cannot be reached."""
    for path in _libraries():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        setter, getter = _function(library, "set_num_threads"), _function(library, "get_num_threads")
        if setter is not None and getter is not None:
            return _hooks(setter, getter)
    return None, None
