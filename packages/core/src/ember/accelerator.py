"""ember.accelerator: PyTorch's device-agnostic queries, answered by the installed backend plugins.

The accelerator is the first non-CPU device type a plugin provides ('cuda' when there is one, else the
first by name); on a CPU-only install there is none, and the queries answer as PyTorch's on a CPU-only
build.
"""
from __future__ import annotations

from ._device import device

_NONE_AVAILABLE = "Cannot access accelerator device when none is available."
_current = [0]  # the index set_device_index chose (ember keeps one per process, not per accelerator)


def _accelerator_status(check_available: bool):
    """The plugin report's DeviceStatus of the accelerator, or None."""
    from .plugins import plugin_report

    found = [status for status in plugin_report().devices if status.name != "cpu" and status.plugin is not None
             and (status.available and status.device_count > 0 or not check_available)]
    found.sort(key=lambda status: status.name != "cuda")
    return found[0] if found else None


def current_accelerator(check_available: bool = False) -> device | None:
    """The accelerator's device type as a device (``device(type='cuda')``), or None when there is none
    (or, with `check_available`, none usable now)."""
    status = _accelerator_status(check_available)
    return None if status is None else device(status.name)


def is_available() -> bool:
    """Whether an accelerator is installed and has a usable device."""
    return _accelerator_status(True) is not None


def device_count() -> int:
    """How many devices the accelerator has (0 without one)."""
    status = _accelerator_status(True)
    return 0 if status is None else status.device_count


def _usable():
    status = _accelerator_status(True)
    if status is None:
        raise RuntimeError(_NONE_AVAILABLE)
    return status


def current_device_index() -> int:
    """The index of the accelerator device in use; RuntimeError when there is none, as in PyTorch."""
    _usable()
    return _current[0]


def set_device_index(index) -> None:
    """Make device `index` of the accelerator the current one."""
    status = _usable()
    index = index.index if isinstance(index, device) else index
    if not isinstance(index, int) or not 0 <= index < status.device_count:
        raise RuntimeError(f"set_device_index(): device index {index} is out of range for the "
                           f"{status.device_count} '{status.name}' device(s)")
    _current[0] = index


def index_device(index: int) -> device:
    """The accelerator device a bare integer names (``to(0)``, ``device(0)``), as in PyTorch."""
    return device(_usable().name, index)


def synchronize(device_index=None) -> None:
    """Wait until the accelerator's queued work on `device_index` (the current one by default) is done."""
    from .plugins import get_backend

    status = _usable()
    index = _current[0] if device_index is None else getattr(device_index, "index", device_index) or 0
    get_backend(status.name).device_type.synchronize(index)


current_device_idx = current_device_index
set_device_idx = set_device_index
