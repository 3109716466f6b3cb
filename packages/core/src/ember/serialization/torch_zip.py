"""PyTorch's own checkpoints (the zip format torch.save writes since 1.6), read without PyTorch: the
archive's ``data.pkl`` goes through `RestrictedUnpickler`, which accepts only what torch.load's
``weights_only=True`` does, and its tensors' storages come from the ``data/<key>`` records.
"""
from __future__ import annotations

import io
import pickle
import zipfile
from collections import Counter, OrderedDict
from typing import Any

import numpy as np

from .. import _dtype
from .._device import device as Device
from .._size import Size
from .._tensor import Tensor
from .errors import CorruptCheckpoint, UnsupportedContent
from .restricted_unpickler import RestrictedUnpickler
from .storages import Placement, Storage, window

ZIP_MAGIC = b"PK\x03\x04"
# torch.save's legacy (pre-1.6) format starts with this pickled magic number.
LEGACY_MAGIC = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)[2:]


class StorageType:
    """A legacy storage class (``torch.FloatStorage``) named in a storage's persistent id: its dtype."""

    def __init__(self, dtype: _dtype.dtype | None, name: str) -> None:
        self.dtype, self.name = dtype, name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


_STORAGE_DTYPES = {"FloatStorage": "float32", "DoubleStorage": "float64", "HalfStorage": "float16",
                   "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16", "CharStorage": "int8",
                   "ByteStorage": "uint8", "BoolStorage": "bool"}
# Storages and dtypes torch.load accepts but ember has no dtype for: named in a clear error.
_UNSUPPORTED_STORAGES = ("BFloat16Storage", "ComplexFloatStorage", "ComplexDoubleStorage", "QInt8Storage",
                         "QUInt8Storage", "QInt32Storage", "QUInt4x2Storage", "QUInt2x4Storage")
_UNSUPPORTED_DTYPES = ("bfloat16", "complex32", "complex64", "complex128", "uint16", "uint32", "uint64",
                       "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "qint8", "quint8",
                       "qint32", "quint4x2", "quint2x4", "bits8", "bits16")


def _unsupported(what: str) -> StorageType:
    return StorageType(None, what)


def _rebuild_tensor_v2(storage: Storage, storage_offset: int, size: Any, stride: Any, requires_grad: bool,
                       backward_hooks: Any, metadata: Any = None) -> Tensor:
    if not isinstance(storage, Storage) or type(size) is not tuple or type(stride) is not tuple:
        raise pickle.UnpicklingError("_rebuild_tensor_v2 expects a storage and size and stride tuples")
    return window(storage, storage_offset, size, stride, bool(requires_grad))


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks: Any) -> Tensor:
    from ..nn.parameter import Parameter

    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError(f"_rebuild_parameter expects a tensor, got {type(data)}")
    return Parameter(data, requires_grad=bool(requires_grad))


def _rebuild_parameter_with_state(data: Tensor, requires_grad: bool, backward_hooks: Any, state: Any) -> Tensor:
    if state:
        raise UnsupportedContent("a Parameter with Python attributes (ember restores none)")
    return _rebuild_parameter(data, requires_grad, backward_hooks)


class _TensorType:
    """``torch.Tensor`` / ``torch.nn.Parameter`` as `_rebuild_from_type_v2` names them."""

    def __init__(self, parameter: bool) -> None:
        self.parameter = parameter


def _rebuild_from_type_v2(func: Any, new_type: Any, args: tuple, state: Any) -> Tensor:
    if func not in (_rebuild_tensor_v2, _rebuild_parameter) or not isinstance(new_type, _TensorType) \
            or type(args) is not tuple:
        raise pickle.UnpicklingError("_rebuild_from_type_v2 may only rebuild tensors and parameters")
    if state:
        raise UnsupportedContent("a tensor with Python attributes (ember restores none)")
    t = func(*args)
    return _rebuild_parameter(t, t.requires_grad, None) if new_type.parameter and type(t) is Tensor else t


def _encode(text: str, encoding: str = "utf-8") -> bytes:
    """``_codecs.encode``, as pickle writes bytes at protocol 2: text to bytes only."""
    if type(text) is not str or encoding not in ("latin1", "latin-1", "utf-8", "utf8"):  # no codec lookup
        raise pickle.UnpicklingError("_codecs.encode may only turn text into bytes")
    return text.encode(encoding)


def _device(*args: Any) -> Device:
    return Device(*args)


_FUNCTIONS: dict[tuple[str, str], Any] = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
    ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type_v2,
    ("collections", "OrderedDict"): OrderedDict,
    ("collections", "Counter"): Counter,
    ("torch", "Size"): Size,
    ("torch", "device"): _device,
    ("_codecs", "encode"): _encode,
    ("builtins", "set"): set,
    ("builtins", "bytearray"): bytearray,
    ("builtins", "complex"): complex,
}
_VALUES: dict[tuple[str, str], Any] = {
    ("torch", "Tensor"): _TensorType(parameter=False),
    ("torch.nn.parameter", "Parameter"): _TensorType(parameter=True),
    **{("torch", name): StorageType(_dtype.BY_NAME[dtype], name) for name, dtype in _STORAGE_DTYPES.items()},
    **{("torch", name): _unsupported(name) for name in _UNSUPPORTED_STORAGES},
    **{("torch", d.name): d for d in _dtype.ALL},
    **{("torch", name): _unsupported(name) for name in _UNSUPPORTED_DTYPES},
}
ALLOWED = {**_FUNCTIONS, **_VALUES}
CALLABLES = {id(function) for function in _FUNCTIONS.values()}


def is_torch_zip(data: bytes) -> bool:
    return data[:4] == ZIP_MAGIC


def is_legacy_torch(data: bytes) -> bool:
    """torch.save's pre-1.6 format (a pickle stream), or its older tar archive."""
    return LEGACY_MAGIC in data[:16] or data[257:262] == b"ustar"


def loads(data: bytes, placement: Placement) -> Any:
    """The object in the torch.save zip archive `data`. Raises zipfile.BadZipFile (damaged archive),
    pickle.UnpicklingError (content torch's weights_only=True refuses), CorruptCheckpoint or
    UnsupportedContent."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    if any(name.endswith("/constants.pkl") for name in names):
        raise UnsupportedContent("a TorchScript archive (torch.jit.save); ember.load reads torch.save checkpoints")
    pickles = [name for name in names if name.endswith("/data.pkl") and name.count("/") == 1]
    if not pickles:
        raise UnsupportedContent("a zip archive without data.pkl, not a torch.save checkpoint")
    prefix = pickles[0][: -len("data.pkl")]
    byteorder = archive.read(prefix + "byteorder").decode() if prefix + "byteorder" in names else "little"
    if byteorder not in ("little", "big"):
        raise UnsupportedContent(f"an unknown byte order {byteorder!r}")
    storages: dict[str, Storage] = {}

    def persistent_load(pid: tuple) -> Storage:
        if len(pid) != 5:
            raise pickle.UnpicklingError(f"a storage's persistent id has 5 fields, got {pid!r}")
        _, storage_type, key, location, numel = pid
        if not isinstance(storage_type, StorageType):
            raise pickle.UnpicklingError(f"{storage_type!r} is not a storage type")
        if storage_type.dtype is None:
            raise UnsupportedContent(f"a tensor stored as {storage_type!r}, a dtype ember does not have")
        if key not in storages:
            raw = archive.read(f"{prefix}data/{key}")
            dtype = storage_type.dtype.numpy.newbyteorder("<" if byteorder == "little" else ">")
            if len(raw) != numel * dtype.itemsize:
                raise zipfile.BadZipFile(f"storage {key} holds {len(raw)} bytes, not the {numel} elements of "
                                         f"{storage_type!r} its tensors use")
            flat = np.frombuffer(raw, dtype).astype(storage_type.dtype.numpy)  # native order, owned, writable
            storages[key] = placement.place(flat, str(location))
        return storages[key]

    try:
        result = RestrictedUnpickler(archive.read(prefix + "data.pkl"), ALLOWED, CALLABLES, persistent_load).load()
    except (TypeError, ValueError, OverflowError) as error:  # an allowed function given arguments it refuses
        raise CorruptCheckpoint(f"its pickle is damaged ({type(error).__name__}: {error})") from None
    _refuse_unsupported(result)
    return result


def _refuse_unsupported(obj: Any) -> None:
    """A dtype ember lacks may appear as a plain value (``{'dtype': torch.bfloat16}``): refuse it by name."""
    stack, seen = [obj], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, StorageType) or isinstance(item, _TensorType):
            raise UnsupportedContent(f"the value {item!r}, which ember does not have")
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set)):
            stack.extend(item)
