"""The plugin ember loads through the ``ember.backends`` entry point ``opencl``: the device and its kernels."""
from __future__ import annotations

from ember.plugins import Registry, hookimpl
from ember_opencl.device import device_type
from ember_opencl.kernels import KERNELS


@hookimpl
def ember_register_devices(registry: Registry) -> None:
    registry.add_device(device_type())


@hookimpl
def ember_register_kernels(registry: Registry) -> None:
    registry.add_kernels("opencl", KERNELS)
