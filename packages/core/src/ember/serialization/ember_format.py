"""ember's checkpoint format: a safetensors file whose tensors are the flat storages and whose metadata
holds, as JSON, the saved object's structure (containers, numbers, strings, dtypes, devices) and each
tensor's place in a storage. No pickle: loading a file builds only these types, so it cannot run code.

The metadata key ``ember`` holds ``{"version": 1, "storages": [{"location", "crc32"}], "tensors": [{"storage",
"offset", "shape", "stride", "requires_grad", "parameter"}], "object": node}`` and ``ember.crc32`` the CRC-32
of that JSON text; storage ``i`` is the safetensors tensor named ``str(i)``. A node is a JSON string, int,
bool or null, a finite float, or a one-key object: ``{"list": [...]}``, ``{"tuple": [...]}``,
``{"set": [...]}``, ``{"dict": [[k, v], ...]}``, ``{"OrderedDict": [[k, v], ...], "metadata": node}``,
``{"tensor": i}`` (a saved tensor, by identity), ``{"float": "nan"}``, ``{"complex": [re, im]}``,
``{"bytes": base64}``, ``{"Size": [...]}``, ``{"dtype": name}``, ``{"device": name}``.
"""
from __future__ import annotations

import base64
import json
import math
import struct
import zlib
from collections import OrderedDict
from typing import Any

import numpy as np

from .. import _dtype
from .._device import device as Device
from .._size import Size
from .._tensor import Tensor
from .errors import CorruptCheckpoint
from .storages import Placement, Storage, StorageWriter, contiguous_strides, window

FORMAT_KEY = "ember"
CHECKSUM_KEY = "ember.crc32"  # of the structure's JSON text, as a decimal string
VERSION = 1


# ----- saving -----------------------------------------------------------------------------------------
class _Encoder:
    def __init__(self) -> None:
        self.writer = StorageWriter()
        self.tensors: list[dict[str, Any]] = []
        self._tensor_ids: dict[int, tuple[int, Tensor]] = {}
        self._open: set[int] = set()  # the containers being encoded, to refuse one that holds itself

    def encode(self, obj: Any) -> Any:
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj) if math.isfinite(obj) else {"float": repr(float(obj))}
        if isinstance(obj, Tensor):
            return {"tensor": self._tensor(obj)}
        if isinstance(obj, _dtype.dtype):
            return {"dtype": obj.name}
        if isinstance(obj, Device):
            return {"device": str(obj)}
        if isinstance(obj, complex):
            return {"complex": [self.encode(obj.real), self.encode(obj.imag)]}
        if isinstance(obj, (bytes, bytearray)):
            return {"bytes": base64.b64encode(bytes(obj)).decode("ascii")}
        if type(obj) in _CONTAINERS:
            if id(obj) in self._open:
                raise ValueError("ember.save(): cannot save a container that contains itself")
            self._open.add(id(obj))
            try:
                return self._container(obj)
            finally:
                self._open.discard(id(obj))
        raise TypeError(f"ember.save(): cannot save an object of type {type(obj).__module__}."
                        f"{type(obj).__qualname__}: ember checkpoints hold tensors, dicts, lists, tuples, sets, "
                        "numbers, strings, bytes, None, dtypes and devices, never pickled objects (save a module's or "
                        "an optimizer's state_dict() instead)")

    def _container(self, obj: Any) -> dict[str, Any]:
        kind = _CONTAINERS[type(obj)]
        if kind in ("dict", "OrderedDict"):
            node: dict[str, Any] = {kind: [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
            metadata = getattr(obj, "_metadata", None)  # Module.state_dict()'s per-module versions
            if metadata is not None:
                node["metadata"] = self.encode(metadata)
            return node
        if kind == "Size":
            return {kind: [int(size) for size in obj]}
        return {kind: [self.encode(item) for item in obj]}

    def _tensor(self, t: Tensor) -> int:
        known = self._tensor_ids.get(id(t))
        if known is not None:
            return known[0]
        from ..nn.parameter import Parameter

        entry = self.writer.add(t)
        entry.update(requires_grad=bool(t.requires_grad), parameter=isinstance(t, Parameter))
        self.tensors.append(entry)
        self._tensor_ids[id(t)] = (len(self.tensors) - 1, t)
        return len(self.tensors) - 1


_CONTAINERS: dict[type, str] = {list: "list", tuple: "tuple", set: "set", frozenset: "set", dict: "dict",
               OrderedDict: "OrderedDict", Size: "Size"}


def _checksum(flat: np.ndarray) -> int:
    """CRC-32 of a storage's bytes: safetensors has no checksum, and a changed byte must not load silently."""
    return zlib.crc32(np.ascontiguousarray(flat).data)


def dumps(obj: Any) -> bytes:
    """The checkpoint bytes of `obj` (its storages through safetensors, its structure as JSON metadata)."""
    import safetensors.numpy

    encoder = _Encoder()
    node = encoder.encode(obj)
    storages = encoder.writer.storages
    header = {"version": VERSION, "object": node, "tensors": encoder.tensors,
              "storages": [{"location": location, "crc32": _checksum(flat)}
                           for flat, location in storages]}
    arrays = {str(i): flat for i, (flat, _) in enumerate(storages)}
    structure = json.dumps(header, separators=(",", ":"), allow_nan=False)
    metadata = {FORMAT_KEY: structure, CHECKSUM_KEY: str(zlib.crc32(structure.encode()))}
    return safetensors.numpy.save(arrays, metadata=metadata)


# ----- loading ----------------------------------------------------------------------------------------
def read_metadata(data: bytes) -> dict[str, str] | None:
    """The safetensors metadata of `data`, or None when `data` does not start as a safetensors file."""
    if len(data) < 9 or data[8:9] != b"{":
        return None
    (length,) = struct.unpack("<Q", data[:8])
    if length > len(data) - 8:
        raise CorruptCheckpoint("it is truncated (its safetensors header is incomplete)")
    try:
        header = json.loads(data[8:8 + length])
    except (UnicodeDecodeError, ValueError):
        raise CorruptCheckpoint("its safetensors header is damaged") from None
    metadata = header.get("__metadata__", {}) if isinstance(header, dict) else None
    if not isinstance(metadata, dict):
        raise CorruptCheckpoint("its safetensors header is damaged")
    return metadata


def loads(data: bytes, metadata: dict[str, str], placement: Placement) -> Any:
    """The object saved in checkpoint `data` (whose safetensors metadata is `metadata`)."""
    import safetensors.numpy

    try:
        arrays = safetensors.numpy.load(data)
    except safetensors.SafetensorError as error:
        raise CorruptCheckpoint(f"its safetensors data is damaged ({error})") from None
    if FORMAT_KEY not in metadata and CHECKSUM_KEY not in metadata:  # a plain safetensors file: its tensors
        return OrderedDict((name, _whole(placement.place(np.array(a).reshape(-1), "cpu"), a.shape))
                           for name, a in arrays.items())
    structure = metadata.get(FORMAT_KEY, "")
    if metadata.get(CHECKSUM_KEY) != str(zlib.crc32(structure.encode())):
        raise CorruptCheckpoint("its structure does not match its checksum (the file's bytes were changed)")
    try:
        header = json.loads(structure)
        if header.get("version") != VERSION:
            raise CorruptCheckpoint(f"it is an ember checkpoint of version {header.get('version')!r}, "
                                    f"this ember reads version {VERSION}")
        storages = [_storage(arrays, i, entry, placement) for i, entry in enumerate(header["storages"])]
        tensors = [_tensor(storages, entry) for entry in header["tensors"]]
        return _Decoder(tensors).decode(header["object"])
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        raise CorruptCheckpoint(f"its structure is damaged ({type(error).__name__}: {error})") from None


def _whole(storage: Storage, shape) -> Tensor:
    return window(storage, 0, tuple(shape), contiguous_strides(shape), False)


def _storage(arrays: dict[str, np.ndarray], index: int, entry: dict[str, Any], placement: Placement) -> Storage:
    flat = arrays[str(index)]
    if flat.ndim != 1:
        raise CorruptCheckpoint(f"storage {index} is not flat")
    if not flat.flags.writeable:  # the loaded tensors may be changed in place
        flat = flat.copy()
    if _checksum(flat) != entry["crc32"]:
        raise CorruptCheckpoint(f"storage {index} does not match its checksum (the file's bytes were changed)")
    return placement.place(flat, entry["location"])


def _tensor(storages: list[Storage], entry: dict[str, Any]) -> Tensor:
    t = window(storages[entry["storage"]], entry["offset"], entry["shape"], entry["stride"],
               entry["requires_grad"] and not entry["parameter"])
    if entry["parameter"]:
        from ..nn.parameter import Parameter

        return Parameter(t, requires_grad=bool(entry["requires_grad"]))
    return t


class _Decoder:
    def __init__(self, tensors: list[Tensor]) -> None:
        self.tensors = tensors

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or not node:
            raise CorruptCheckpoint(f"unknown node {node!r}")
        kind = next(iter(node))
        value = node[kind]
        if kind == "tensor":
            return self.tensors[value]
        if kind in ("list", "tuple", "set"):
            items = [self.decode(item) for item in value]
            return items if kind == "list" else tuple(items) if kind == "tuple" else set(items)
        if kind in ("dict", "OrderedDict"):
            pairs = [(self.decode(k), self.decode(v)) for k, v in value]
            result: Any = dict(pairs) if kind == "dict" else OrderedDict(pairs)
            if "metadata" in node:
                result._metadata = self.decode(node["metadata"])
            return result
        if kind == "float":
            return float(value)
        if kind == "complex":
            return complex(self.decode(value[0]), self.decode(value[1]))
        if kind == "bytes":
            return base64.b64decode(value, validate=True)
        if kind == "Size":
            return Size(int(size) for size in value)
        if kind == "dtype":
            return _dtype.BY_NAME[value]
        if kind == "device":
            return Device(value)
        raise CorruptCheckpoint(f"unknown node kind {kind!r}")
