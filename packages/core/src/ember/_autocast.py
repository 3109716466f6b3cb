"""Autocast's thread-local state (as PyTorch's TLS): per device type whether it is enabled and its lower
precision dtype, the nesting depth, the weight-cast cache and whether it is used.

`regions` counts the device types enabled over all threads: the op path reads it alone, so an op costs one
flag check while no thread has autocast on. A thread that ends with autocast on leaves it counted, which
costs that check's slow branch, never a wrong cast (the branch reads the thread's own state).
"""
from __future__ import annotations

import threading
import weakref

from . import _dtype

# The device types autocast knows (PyTorch's cpu and cuda, and ember's opencl), and their default dtypes:
# PyTorch's CPU default is bfloat16, which ember lacks, so None stands for it (refused at `autocast`'s entry).
DEVICE_TYPES = ("cpu", "cuda", "opencl")
DEFAULT_DTYPES: dict = {"cpu": None, "cuda": _dtype.float16, "opencl": _dtype.float16}

regions = 0
_count_lock = threading.Lock()


class _AutocastState(threading.local):
    def __init__(self) -> None:
        self.enabled = dict.fromkeys(DEVICE_TYPES, False)
        self.dtypes = dict(DEFAULT_DTYPES)
        self.nesting = 0
        self.cache_enabled = True
        self.cache: dict = {}


state = _AutocastState()


def set_enabled(device_type: str, enabled: bool) -> None:
    """Turn autocast on or off for `device_type` in this thread, keeping `regions` counted."""
    global regions
    was = state.enabled[device_type]
    state.enabled[device_type] = enabled
    if was != enabled:
        with _count_lock:
            regions += 1 if enabled else -1


def cached(source, make):
    """The cast of leaf weight `source` made once per autocast region: ``make()`` on the first use, then the
    same tensor (and graph node) until the outermost region ends, as PyTorch's weight cache. The cache holds
    `source` weakly, so a freed tensor's id never hits another's entry."""
    key = id(source)
    entry = state.cache.get(key)
    if entry is not None and entry[0]() is source:
        return entry[1]
    result = make()
    state.cache[key] = (weakref.ref(source), result)
    return result


def clear_cache() -> None:
    """Drop this thread's cached weight casts."""
    state.cache.clear()
