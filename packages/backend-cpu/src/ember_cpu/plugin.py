"""The plugin ember loads through the ``ember.backends`` entry point ``cpu``: the device and its kernels."""
from __future__ import annotations

from ember.plugins import Registry, hookimpl
from ember_cpu.device import CPU
from ember_cpu.kernels import KERNELS


@hookimpl
def ember_register_devices(registry: Registry) -> None:
    registry.add_device(CPU)


@hookimpl
def ember_register_kernels(registry: Registry) -> None:
    registry.add_kernels("cpu", KERNELS)
