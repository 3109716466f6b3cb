"""The plugin ember loads through the ``ember.backends`` entry point ``cuda``: the device and its kernels.

Registration never fails for want of cupy or a GPU: the device type is then declared unavailable with
the reason, and no kernels are registered.
"""
from __future__ import annotations

import functools

from ember.plugins import DeviceType, Registry, hookimpl

from . import device, kernels, runtime


@functools.cache
def _backend() -> tuple[DeviceType, dict | None]:
    why = runtime.unavailable_reason()
    if why is not None:
        return device.unavailable("cuda", why), None
    from . import fused, timing
    from .arrays import CupyAPI
    from .graphs import Capturer
    from .streams import CupyStreams

    cupy = runtime.cupy()
    api = CupyAPI(cupy)
    capturer = Capturer(cupy, api.gemms)
    device_type = device.available("cuda", api, begin_capture=capturer.begin_capture,
                                   end_capture=capturer.end_capture, start_timer=timing.start_timer,
                                   elapsed_us=timing.elapsed_us, device_properties=api.device_properties,
                                   mem_get_info=api.mem_get_info, memory_allocated=api.memory_allocated,
                                   memory_reserved=api.memory_reserved, empty_cache=api.empty_cache,
                                   streams=CupyStreams(cupy))
    return device_type, kernels.build(api, api.device_count(), fused.kernels)


@hookimpl
def ember_register_devices(registry: Registry) -> None:
    registry.add_device(_backend()[0])


@hookimpl
def ember_register_kernels(registry: Registry) -> None:
    table = _backend()[1]
    if table is not None:
        registry.add_kernels("cuda", table)
