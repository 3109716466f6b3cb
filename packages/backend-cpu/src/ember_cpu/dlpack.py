"""The CPU's DLPack kernels: numpy's own DLPack support, zero-copy both ways."""
from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

from .kernels import _Memory

_CPU = (1, 0)  # DLPack's kDLCPU, index 0

_is_capsule_named = ctypes.pythonapi.PyCapsule_IsValid
_is_capsule_named.restype, _is_capsule_named.argtypes = ctypes.c_int, [ctypes.py_object, ctypes.c_char_p]


class _Producer:
    """`producer` as numpy sees it, noting whether the capsule it hands over is the unversioned kind."""

    def __init__(self, producer: Any) -> None:
        self.producer = producer
        self.unversioned = False

    def __dlpack__(self, **kwargs: Any) -> Any:
        capsule = self.producer.__dlpack__(**kwargs)
        self.unversioned = bool(_is_capsule_named(capsule, b"dltensor"))
        return capsule

    def __dlpack_device__(self) -> Any:
        return self.producer.__dlpack_device__()


def from_dlpack(obj: Any, *, index: int = 0) -> np.ndarray:
    """An array sharing the memory of a CPU DLPack producer (``obj.__dlpack__``). numpy marks arrays from
    unversioned capsules read-only, as that kind cannot say; PyTorch writes to them, so ember does too (a
    versioned capsule's read-only flag is kept)."""
    producer = _Producer(obj)
    array = np.from_dlpack(producer)
    if array.flags.writeable or not producer.unversioned:
        return array
    memory = _Memory()
    memory.base = array
    address = array.__array_interface__["data"][0]
    memory.__array_interface__ = dict(array.__array_interface__, data=(address, False))
    return np.asarray(memory)


def to_dlpack(x: np.ndarray, stream: Any = None, max_version: tuple[int, int] | None = None) -> Any:
    """The DLPack capsule of `x` (versioned when `max_version` allows it, so that a writable buffer stays
    writable for the consumer); the CPU has no streams, so only None (or -1, "none") is accepted."""
    if stream is not None and stream != -1:
        raise AssertionError("stream should be None on cpu.")
    return x.__dlpack__(max_version=max_version)


def dlpack_device(x: np.ndarray) -> tuple[int, int]:
    """DLPack's device of a CPU buffer."""
    return _CPU


KERNELS = {"from_dlpack": from_dlpack, "to_dlpack": to_dlpack, "dlpack_device": dlpack_device}
