"""``ember.cuda``'s device properties and memory queries, answered by the cuda DeviceType's optional hooks
(``device_properties``, ``mem_get_info``, ``memory_allocated``, ``memory_reserved``, ``empty_cache``)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._context import device_index


def _hook(name: str) -> Any:
    from . import _backend

    hook = getattr(_backend().device_type, name)
    if hook is None:
        raise RuntimeError(f"ember.cuda.{name}: the installed cuda backend does not provide DeviceType.{name}")
    return hook


class DeviceProperties:
    """A CUDA device's properties (``name``, ``major``, ``minor``, ``total_memory``, ...), as PyTorch's
    ``_CudaDeviceProperties``: one attribute per property the backend reports."""

    name: str
    major: int
    minor: int
    total_memory: int

    def __init__(self, properties: Mapping[str, Any]) -> None:
        self.__dict__.update(properties)

    def __repr__(self) -> str:
        shown = []
        for name, value in self.__dict__.items():
            if name == "total_memory":
                shown.append(f"total_memory={value // (1024 * 1024)}MB")
            else:
                shown.append(f"{name}={value!r}")
        return f"_CudaDeviceProperties({', '.join(shown)})"


def get_device_properties(device: Any = None) -> DeviceProperties:
    """The properties of a CUDA device (the current one by default)."""
    from . import device_count

    index = device_index(device)
    if not 0 <= index < device_count():
        raise AssertionError("Invalid device id")
    return DeviceProperties(_hook("device_properties")(index))


def get_device_name(device: Any = None) -> str:
    """The name of a CUDA device, such as 'NVIDIA H200'."""
    return get_device_properties(device).name


def get_device_capability(device: Any = None) -> tuple[int, int]:
    """The (major, minor) compute capability of a CUDA device."""
    properties = get_device_properties(device)
    return properties.major, properties.minor


def mem_get_info(device: Any = None) -> tuple[int, int]:
    """(free, total) bytes of a CUDA device's memory."""
    free, total = _hook("mem_get_info")(device_index(device))
    return int(free), int(total)


def memory_allocated(device: Any = None) -> int:
    """Bytes of a CUDA device's memory held by tensors."""
    return int(_hook("memory_allocated")(device_index(device)))


def memory_reserved(device: Any = None) -> int:
    """Bytes of a CUDA device's memory held by the backend's allocator, cached blocks included."""
    return int(_hook("memory_reserved")(device_index(device)))


def empty_cache() -> None:
    """Release the cached blocks of the backend's allocator, so other programs can use that memory."""
    from . import is_available

    if is_available():
        _hook("empty_cache")()
