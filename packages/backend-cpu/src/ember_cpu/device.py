"""The "cpu" device type: always available, one device, numpy's PCG64 as the random generator."""
from __future__ import annotations

import json

import numpy as np

from ember.plugins import DeviceType

from .threads import blas_thread_hooks


def _always_available() -> bool:
    return True


def _one_device() -> int:
    return 1


def _synchronize(index: int) -> None:
    """numpy runs each kernel to completion before returning: there is no queue to wait for."""


def _new_generator(seed: int, index: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def _get_generator_state(gen: np.random.Generator) -> bytes:
    """PCG64's state (numpy's dict of Python ints) as JSON bytes."""
    return json.dumps(gen.bit_generator.state).encode()


def _set_generator_state(gen: np.random.Generator, state: bytes) -> np.random.Generator:
    """`gen` put back into a state `_get_generator_state` gave (numpy checks it: ValueError, TypeError)."""
    try:
        gen.bit_generator.state = json.loads(state)
    except KeyError as missing:
        raise ValueError(f"not a PCG64 state (no {missing})") from None
    return gen


_set_num_threads, _get_num_threads = blas_thread_hooks()

CPU = DeviceType(
    name="cpu",
    is_available=_always_available,
    device_count=_one_device,
    synchronize=_synchronize,
    new_generator=_new_generator,
    get_generator_state=_get_generator_state,
    set_generator_state=_set_generator_state,
    set_num_threads=_set_num_threads,
    get_num_threads=_get_num_threads,
    dtypes=frozenset({"bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"}),
)
