"""The "cuda" device type: one device per GPU cupy sees, a per-device Philox generator, CUDA graphs.

Without cupy or without a usable GPU the device type is still declared (so ``python -m ember info``,
``ember.cuda.is_available()`` and ``.cuda()`` can say why), with no kernels: `is_available` raises
ember's DeviceUnavailableError with the reason, which core reports as is.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from ember._device import DeviceUnavailableError
from ember.plugins import DeviceType

from .arrays import ArrayAPI

DTYPES = frozenset({"bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"})


def unavailable(name: str, reason: str) -> DeviceType:
    """A device type that cannot be used here, saying why."""

    def is_available() -> bool:
        raise DeviceUnavailableError(reason)

    def no_device(*args: object) -> Any:
        raise DeviceUnavailableError(reason)

    return DeviceType(name=name, is_available=is_available, device_count=lambda: 0, synchronize=no_device,
                      new_generator=no_device, dtypes=DTYPES, has_queue=True)  # info shows the reason


def available(name: str, api: ArrayAPI, **hooks: Any) -> DeviceType:
    """The device type of a working array library; `hooks` are the optional DeviceType fields core
    knows (graph capture, timers, streams), the others are left out."""

    def new_generator(seed: int, index: int) -> Any:
        with api.device(index):
            return api.new_generator(seed)

    def notes() -> tuple[str, ...]:
        return tuple(f"{name}:{index} {api.describe(index)}" for index in range(api.device_count()))

    known = {field.name for field in dataclasses.fields(DeviceType)}
    return DeviceType(name=name, is_available=lambda: True, device_count=api.device_count,
                      synchronize=api.synchronize, new_generator=new_generator,
                      get_generator_state=api.generator_state, set_generator_state=api.set_generator_state,
                      dtypes=DTYPES, has_queue=True, set_device=api.set_device, notes=notes,
                      **{key: hook for key, hook in hooks.items() if key in known})
