"""ember.device: where a tensor lives, and the default device."""
from __future__ import annotations

import os
import re
from typing import Any

from . import _profiling

_DEVICE_RE = re.compile(r"^([a-zA-Z_][a-zA-Z0-9_]*)(?::(\d+))?$")


class device:
    """A device type plus an optional index, e.g. ``device('cuda', 0)`` or ``device('opencl:1')``.

    Devices are interned, so ops compare them by identity. The kernel table of a device type is
    looked up once, when a tensor is first placed on it (`resolve`), never per op.
    """

    __slots__ = ("type", "index", "kernels", "device_type", "__weakref__")
    _interned: dict = {}
    type: str
    index: int | None
    kernels: Any  # the resolved KernelTable, once a tensor was placed here
    device_type: Any  # the backend's DeviceType

    def __new__(cls, type: str | device, index: int | None = None) -> device:
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): a device object takes no separate index")
            return type
        if isinstance(type, int) and not isinstance(type, bool) and index is None:
            if type < 0:  # an accelerator's index, as in PyTorch
                raise RuntimeError("Device index must not be negative")
            from .accelerator import index_device

            return index_device(type)
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string or a device, got {type.__class__.__name__}")
        match = _DEVICE_RE.match(type)
        if match is None:
            raise RuntimeError(f"Invalid device string: '{type}'")
        name, text_index = match.groups()
        if text_index is not None:
            if index is not None:
                raise RuntimeError(f"device(): index given twice in device('{type}', {index})")
            index = int(text_index)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index}")
        key = (name, index)
        found = cls._interned.get(key)
        if found is None:
            _check_type(name)
            found = object.__new__(cls)
            found.type, found.index = name, index
            found.kernels = None
            found.device_type = None
            cls._interned[key] = found
        return found

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (self.type, self.index))


# Device types PyTorch knows: ``device('cuda')`` is valid without a CUDA backend (using it is not).
STANDARD_TYPES = ("cpu", "cuda", "opencl", "mps", "xpu", "hip", "meta", "vulkan", "xla", "hpu", "ipu")


def _check_type(name: str) -> None:
    """Refuse device strings that neither PyTorch nor an installed backend knows, as PyTorch does. A
    backend that is installed but broken or unavailable names a known type: `resolve` says why."""
    if name in STANDARD_TYPES:
        return
    from .plugins import get_backend, plugin_report

    try:
        get_backend(name)
    except RuntimeError as error:
        if not str(error).startswith("Expected one of"):
            return
        installed = [status.name for status in plugin_report().devices]
        known = list(STANDARD_TYPES) + [n for n in installed if n not in STANDARD_TYPES]
        raise RuntimeError(f"Expected one of {', '.join(known)} device type at start of device string: "
                           f"{name}") from None


def resolve(where: str | device | None) -> device:
    """The concrete device a new tensor goes to, with its kernel table loaded.

    `None` means the default device; `'cuda'` means `'cuda:0'`. Errors from the plugin system
    (unknown type, backend installed but broken, no such device) surface here.
    """
    if where is None:
        where = get_default_device()
    d = device(where)
    if d.kernels is not None:
        return d
    if d.type == "cpu":  # 'cpu:0' is the CPU, as in PyTorch (whose cpu tensors report device 'cpu')
        d = device("cpu")
        if d.kernels is not None:
            return d
    from .plugins import get_backend

    try:
        backend = get_backend(d.type)
    except RuntimeError as error:
        message = str(error)
        if message.startswith("Expected one of"):  # a standard type that no installed backend provides
            message = (f"device type '{d.type}' is not available: no installed ember backend provides it "
                       f"(install ember-{d.type}, or see `python -m ember info`)")
        raise DeviceUnavailableError(message) from None
    if d.index is None and d.type != "cpu":
        d = device(d.type, current_index(d.type))
        if d.kernels is not None:
            return d
    if d.index is not None and d.type != "cpu":
        _check_index(d, backend.device_type)
    # Per-index tables: the buffer-creating kernels of device `d` are bound to its index here, once.
    d.kernels = backend.kernels.for_index(d.index or 0)
    d.device_type = backend.device_type
    if _profiling.enabled:
        _profiling.record_kernels_of(d)
    return d


def _check_index(d: device, device_type: Any) -> None:
    count = device_type.device_count()
    if d.index >= count:
        raise RuntimeError(f"device {d} is not available: the '{d.type}' backend reports {count} device(s)")


_current_index: dict[str, int] = {}


def current_index(type_name: str) -> int:
    """The index ``device(type_name)`` without one stands for: 0 until ``set_current_index``."""
    return _current_index.get(type_name, 0)


def set_current_index(type_name: str, index: int) -> None:
    """Make device `index` of `type_name` the current one (``ember.cuda.set_device``); the backend's
    ``DeviceType.set_device`` is told first."""
    d = resolve(device(type_name, index))
    if d.device_type.set_device is not None:
        d.device_type.set_device(index)
    _current_index[type_name] = index


def index_of(type_name: str, where: Any) -> int:
    """The device index `where` names for device type `type_name`: None (current), an int, 'cuda:1' or a
    device of that type, as ``ember.cuda``'s functions take."""
    if where is None:
        return current_index(type_name)
    if isinstance(where, int) and not isinstance(where, bool):
        return where
    d = device(where)
    if d.type != type_name:
        raise ValueError(f"Expected a {type_name} device, but got: {d}")
    return current_index(type_name) if d.index is None else d.index


class DeviceUnavailableError(RuntimeError, AssertionError):
    """A device that cannot be used here. Also an AssertionError, which is what PyTorch raises for
    ``.cuda()`` on a build without CUDA, so code written for either keeps working."""


_default: list = [None]


def get_default_device() -> device:
    """The device factories use when none is given: 'cpu', `EMBER_DEFAULT_DEVICE`, or as set."""
    if _default[0] is None:
        _default[0] = device(os.environ.get("EMBER_DEFAULT_DEVICE", "cpu"))
    return _default[0]


def set_default_device(where: str | device | None) -> None:
    """Make factories place new tensors on `where` (``None`` restores 'cpu')."""
    _default[0] = None if where is None else resolve(where)
