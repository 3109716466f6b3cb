"""Tensors as views of flat storages, the unit both checkpoint formats hold.

Saving finds the storage each tensor uses, so views of one tensor (tied weights, slices) are written once
and come back sharing memory, as with torch.save. Loading places each storage on a device (``map_location``)
and rebuilds every tensor as its own strided window on it: like the tensors torch.load returns, they share
memory but not autograd view links or version counters.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .. import _dtype
from .._device import DeviceUnavailableError
from .._device import device as Device
from .._ops.creation import place
from .._ops.overlap import _dense as fills_its_memory  # a permutation of a contiguous layout
from .._ops.overlap import root
from .._tensor import Tensor, wrap


def contiguous_strides(shape) -> list[int]:
    """Row-major element strides for `shape` (PyTorch's, with 1 for a size-0 dimension's step)."""
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return strides[::-1]


def _host_storage(t: Tensor) -> np.ndarray | None:
    """The memory of storage owner `t` as a flat host array, in the device's memory order (its strides, not
    the host copy's layout); None when `t` does not fill its memory exactly once (its views are then saved
    one by one)."""
    shape, strides = tuple(t.shape), tuple(t._device.kernels.strides(t._data))
    if t.numel() and not fills_its_memory(shape, strides):  # an empty storage: any strides describe it
        return None
    host = np.asarray(t._host())
    flat = np.empty(host.size, host.dtype)
    np.lib.stride_tricks.as_strided(flat, shape, [s * host.itemsize for s in strides])[...] = host
    return flat


class StorageWriter:
    """Collects the storages of the tensors being saved: ``storages`` (flat host arrays, their devices)."""

    def __init__(self) -> None:
        self.storages: list[tuple[np.ndarray, str]] = []
        # id of an owner's buffer -> (its storage's index, or None when it cannot be one; the owner, kept so
        # that the id stays unique while saving)
        self._owners: dict[int, tuple[int | None, Tensor]] = {}
        # id of a version counter -> (the dtype its memory was saved as, the counter, kept as above)
        self._memory_types: dict[int, tuple[_dtype.dtype, list]] = {}

    def add(self, t: Tensor) -> dict[str, Any]:
        """Record `t`'s storage (once per storage); returns where `t` lies in it."""
        self._check_one_type(t)
        owner = root(t)
        k = t._device.kernels
        known = self._owners.get(id(owner._data))
        if known is None:
            flat = _host_storage(owner)
            known = (None if flat is None else self._new(flat, str(t._device)), owner)
            self._owners[id(owner._data)] = known
        index = known[0]
        if index is not None and (t._data is owner._data or k.storage_offset is not None):
            offset = 0 if t._data is owner._data else k.storage_offset(t._data, owner._data)
            return {"storage": index, "offset": int(offset), "shape": list(t.shape),
                    "stride": [int(s) for s in k.strides(t._data)]}
        flat = np.ascontiguousarray(t._host()).reshape(-1)
        return {"storage": self._new(flat, str(t._device)), "offset": 0, "shape": list(t.shape),
                "stride": contiguous_strides(t.shape)}

    def _check_one_type(self, t: Tensor) -> None:
        """PyTorch's refusal of tensors that read one memory as different dtypes (``x`` and ``x.view(int32)``,
        which share a version counter): a storage has one dtype in a checkpoint."""
        counter = t._version
        if counter is None:
            return
        seen = self._memory_types.setdefault(id(counter), (t._dtype, counter))[0]
        if seen is not t._dtype:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same data as different types")

    def _new(self, flat: np.ndarray, location: str) -> int:
        self.storages.append((flat, location))
        return len(self.storages) - 1


class Storage:
    """A loaded storage: a flat buffer on its device."""

    __slots__ = ("data", "dtype", "device", "numel")

    def __init__(self, data: Any, dtype: _dtype.dtype, device: Device, numel: int) -> None:
        self.data, self.dtype, self.device, self.numel = data, dtype, device, numel


class Placement:
    """Where loaded storages go: ``map_location`` as torch.load takes it (None: where they were saved; a
    device or its name; a dict from saved location to location; or ``fn(storage, location)`` returning a
    1-D tensor, or None for the default)."""

    def __init__(self, map_location: Any) -> None:
        if not (map_location is None or isinstance(map_location, (str, Device, Mapping))
                or callable(map_location)):
            raise TypeError("ember.load(): map_location should be a string, an ember.device, a dict or a "
                            f"callable, not {type(map_location).__name__}")
        self.map_location = map_location

    def place(self, flat: np.ndarray, location: str) -> Storage:
        """The storage holding the host array `flat` (owned and writable), saved on `location`."""
        dt = _dtype.from_numpy(flat.dtype)
        where: Any = location
        rule = self.map_location
        if isinstance(rule, (str, Device)):
            where = rule
        elif isinstance(rule, Mapping):
            where = rule.get(location, location)
        elif callable(rule):
            moved = self._call(rule, flat, dt, location)
            if moved is not None:
                return moved
        try:
            d = place(str(where), dt, "load")
        except DeviceUnavailableError as error:
            raise RuntimeError(f"Attempting to deserialize object on device '{where}', which is not available "
                               f"({error}). Use ember.load with map_location='cpu' to map the storages to the "
                               "CPU.") from None
        return Storage(d.kernels.from_numpy(flat), dt, d, flat.size)

    @staticmethod
    def _call(rule: Callable, flat: np.ndarray, dt: _dtype.dtype, location: str) -> Storage | None:
        cpu = place("cpu", dt, "load")
        result = rule(wrap(cpu.kernels.from_numpy(flat), dt, cpu), location)
        if result is None:
            return None
        if not isinstance(result, Tensor) or result.dim() != 1 or result.numel() != flat.size \
                or result._dtype is not dt:
            raise RuntimeError(f"ember.load(): map_location must return None or a 1-D {dt!r} tensor of "
                               f"{flat.size} elements (the storage it was given, on any device)")
        return Storage(result._device.kernels.contiguous(result._data), dt, result._device, flat.size)


def _check_bounds(storage: Storage, offset: int, shape, stride) -> None:
    """Refuse a window outside its storage (PyTorch's setStorage check), before any view is made."""
    ok = all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (offset, *shape, *stride))
    if ok and len(shape) == len(stride):
        if any(size == 0 for size in shape):
            return
        needed = offset + 1 + sum((size - 1) * step for size, step in zip(shape, stride))
        if needed <= storage.numel:
            return
        raise RuntimeError(f"setStorage: sizes {list(shape)}, strides {list(stride)}, storage offset {offset}, "
                           f"and itemsize {storage.dtype.itemsize} requiring a storage size of "
                           f"{needed * storage.dtype.itemsize} are out of bounds for storage of size "
                           f"{storage.numel * storage.dtype.itemsize}")
    raise RuntimeError(f"invalid tensor geometry: sizes {list(shape)}, strides {list(stride)}, storage "
                       f"offset {offset}")


def window(storage: Storage, offset: int, shape, stride, requires_grad: bool) -> Tensor:
    """A tensor over `storage` with this geometry, sharing its memory."""
    _check_bounds(storage, offset, tuple(shape), tuple(stride))
    if requires_grad and not storage.dtype.is_floating_point:
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    data = storage.device.kernels.as_strided(storage.data, tuple(shape), tuple(stride), offset)
    return Tensor._make(data, storage.dtype, storage.device, bool(requires_grad))
