"""The device under test as the conformance kit sees it: kernels, capabilities and host transfers."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from ember import _dtype
from ember.plugins import REQUIRED_KERNELS, KernelTable, get_backend

DTYPE_NAMES = ("float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool")
FLOAT_NAMES = ("float16", "float32", "float64")
INT_NAMES = ("uint8", "int8", "int16", "int32", "int64")
NUMERIC_NAMES = FLOAT_NAMES + INT_NAMES


@dataclass(frozen=True)
class DeviceUnderTest:
    """The backend named by ``--ember-device``: its kernel table, its device type and its index.

    Buffers only ever cross to the host through the backend's own ``from_numpy``/``to_numpy``, so the
    kit never assumes they are numpy arrays.
    """

    name: str
    index: int
    kernels: Any
    device_type: Any

    @classmethod
    def resolve(cls, name: str) -> DeviceUnderTest:
        """Look up the backend of ``name`` ("cpu", "opencl:1"); RuntimeError when there is none."""
        type_name, _, index = name.partition(":")
        backend = get_backend(type_name)
        return cls(name, int(index or 0), backend.kernels, backend.device_type)

    @property
    def device(self) -> Any:
        """The ``ember.device`` that tensors on the device under test are created with."""
        import ember

        return ember.device(self.name)

    @property
    def lacks_float64(self) -> bool:
        """Gradients are then checked in float32, with tolerances float32 finite differences can meet."""
        return "float64" not in self.device_type.dtypes

    @contextlib.contextmanager
    def composing(self, op: str) -> Iterator[None]:
        """Within: ember ops on the device under test run without the optional kernel ``op``, so core
        composes the op from required kernels as it does for a backend that lacks it."""
        from ember._device import resolve

        assert op not in REQUIRED_KERNELS, f"{op} is a required kernel: core has no composition of it"
        device = resolve(self.device)
        table = device.kernels
        providers = {name: plugin for name, plugin in table.coverage().items()
                     if plugin is not None and name != op}
        device.kernels = KernelTable(table.device, {name: getattr(table, name) for name in providers},
                                     providers)
        try:
            yield
        finally:
            device.kernels = table

    def dtype(self, name: str) -> Any:
        """The ember dtype called ``name``; skips the calling test when the device lacks it."""
        if name not in self.device_type.dtypes:
            pytest.skip(f"device lacks {name}")
        return _dtype.from_numpy(np.dtype(name))

    def from_numpy(self, array: np.ndarray) -> Any:
        """A device buffer holding a private copy of ``array`` (the CPU backend would share memory)."""
        return self.kernels.from_numpy(np.array(array, order="C"))

    def to_numpy(self, buffer: Any) -> np.ndarray:
        """A host copy of ``buffer`` that later writes to the device memory do not change."""
        return np.array(self.kernels.to_numpy(buffer), order="C")

    def generator(self, seed: int) -> Any:
        """A fresh random generator of the device, seeded with ``seed``."""
        return self.device_type.new_generator(seed, self.index)
