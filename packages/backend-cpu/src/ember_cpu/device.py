"""The "cpu" device type: always available, one device, PyTorch's CPU generator (mt19937) as the random one."""
from __future__ import annotations

from ember._mt19937 import MT19937Engine
from ember.plugins import DeviceType

from .threads import blas_thread_hooks


def _always_available() -> bool:
    return True


def _one_device() -> int:
    return 1


def _synchronize(index: int) -> None:
    """numpy runs each kernel to completion before returning: there is no queue to wait for."""


def _new_generator(seed: int, index: int) -> MT19937Engine:
    return MT19937Engine(seed)


def _get_generator_state(gen: MT19937Engine) -> bytes:
    """The 5056 bytes of PyTorch's CPU generator state."""
    return gen.get_state()


def _set_generator_state(gen: MT19937Engine, state: bytes) -> MT19937Engine:
    """`gen` put back into a state `_get_generator_state` (or PyTorch's get_rng_state) gave."""
    gen.set_state(state)
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
