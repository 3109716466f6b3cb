"""``ember.get_device_module``: the module of a device type (``ember.cpu``, ``ember.cuda``), as PyTorch's."""
from __future__ import annotations

import importlib
from types import ModuleType

from ._device import device as _device


def get_device_module(device=None) -> ModuleType:
    """The ``ember.<type>`` module of `device` (a device, a type name such as "cuda", or None for the current
    accelerator's, else ``ember.cpu``)."""
    if isinstance(device, _device):
        name = device.type
    elif isinstance(device, str):
        name = _device(device).type
    elif device is None:
        from .accelerator import current_accelerator

        accelerator = current_accelerator()
        name = accelerator.type if accelerator is not None else "cpu"
    else:
        raise RuntimeError(f"Invalid value of device '{device}', expect ember.device, str, or None")
    try:
        return importlib.import_module(f"ember.{name}")
    except ImportError:
        raise RuntimeError(f"Device '{name}' does not have a corresponding module registered as "
                           f"'ember.{name}'.") from None
