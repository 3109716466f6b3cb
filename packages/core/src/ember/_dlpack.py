"""DLPack exchange: ``ember.from_dlpack`` and ``Tensor.__dlpack__`` / ``__dlpack_device__``, as PyTorch's.

Core maps DLPack device codes to ember devices, makes PyTorch's checks and handles ``copy=`` and
``device=``; the buffer work is the device's optional kernels ``from_dlpack(obj, *, index)`` (a buffer
sharing the producer's memory), ``to_dlpack(x, stream)`` (a capsule) and ``dlpack_device(x)``. A device
whose backend lacks them gives an error naming the device.
"""
from __future__ import annotations

import ctypes
import enum
import warnings
from typing import Any

from . import _dtype
from ._device import current_index, device, resolve
from ._tensor import Tensor


class DLDeviceType(enum.IntEnum):
    """DLPack's device type codes (``torch.utils.dlpack.DLDeviceType``)."""

    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLROCMHost = 11
    kDLExtDev = 12
    kDLCUDAManaged = 13
    kDLOneAPI = 14
    kDLWebGPU = 15
    kDLHexagon = 16
    kDLMAIA = 17


# DLPack device code -> ember device type (host-visible memory kinds are the CPU, as in PyTorch).
_DEVICE_TYPES = {DLDeviceType.kDLCPU: "cpu", DLDeviceType.kDLCUDAHost: "cpu", DLDeviceType.kDLROCMHost: "cpu",
                 DLDeviceType.kDLCUDA: "cuda", DLDeviceType.kDLOpenCL: "opencl"}

_INVALID_CAPSULE = ("from_dlpack received an invalid capsule. Note that DLTensor capsules can be consumed only "
                    "once, so you might have already constructed a tensor from it once.")


def ember_device(dl_device: tuple[int, int]) -> device:
    """The ember device a DLPack ``(device_type, index)`` pair names; BufferError for kinds ember lacks."""
    code, index = int(dl_device[0]), int(dl_device[1])
    name = _DEVICE_TYPES.get(code)  # type: ignore[call-overload]
    if name is None:
        kind = DLDeviceType(code).name if code in DLDeviceType._value2member_map_ else str(code)
        raise BufferError(f"from_dlpack: DLPack device {kind} (index {index}) has no ember device type")
    return device("cpu") if name == "cpu" else device(name, index)


def _kernel(where: device, name: str, error: type[Exception], action: str) -> Any:
    kernel = where.kernels.get(name)
    if kernel is None:
        raise error(f"{action}: device '{where}' does not support DLPack (its ember backend registers no "
                    f"'{name}' kernel)")
    return kernel


def from_dlpack(ext_tensor: Any, *, device: Any = None, copy: bool | None = None) -> Tensor:
    """A tensor sharing memory with `ext_tensor` (an object with ``__dlpack__``, or a DLPack capsule)."""
    if hasattr(ext_tensor, "__dlpack__"):
        source = ext_tensor.__dlpack_device__()
    else:
        if device is not None or copy is not None:
            raise AssertionError("device and copy kwargs not supported when ext_tensor is already a DLPack "
                                 "capsule.")
        ext_tensor = _Capsule(ext_tensor)
        source = ext_tensor.__dlpack_device__()
    target = None if device is None else resolve(device)
    if target is not None and copy is False and _dlpack_device_of(target) != (int(source[0]), int(source[1])):
        raise ValueError(f"cannot move DLPack tensor from device {tuple(source)} to {_dlpack_device_of(target)} "
                         "without copying. Set copy=None or copy=True.")
    where = resolve(ember_device(source))
    buffer = _kernel(where, "from_dlpack", RuntimeError, "from_dlpack")(ext_tensor)
    dt = _dtype.from_numpy(buffer.dtype)
    strides = where.kernels.strides(buffer)
    if any(stride < 0 for stride in strides):
        raise BufferError(f"from_dlpack: strides {list(strides)} include a negative one, which PyTorch's tensors "
                          "cannot have; pass a copy (e.g. numpy's array.copy())")
    tensor = Tensor._make(buffer, dt, where)
    if target is not None and target is not where:
        return tensor.to(target)
    if copy:
        return tensor.clone()
    if not getattr(getattr(buffer, "flags", None), "writeable", True):
        warnings.warn("from_dlpack: the producer's memory is read-only, so writing to this tensor will fail; "
                      "pass copy=True for a writable copy.", UserWarning, stacklevel=2)
    return tensor


def _dlpack_device_of(where: device) -> tuple[int, int]:
    codes = {"cpu": DLDeviceType.kDLCPU, "cuda": DLDeviceType.kDLCUDA, "opencl": DLDeviceType.kDLOpenCL}
    return (int(codes.get(where.type, 0)), where.index or 0)


def dlpack_device(tensor: Tensor) -> tuple[DLDeviceType, int]:
    """``Tensor.__dlpack_device__``: the DLPack device type and index of the tensor's memory."""
    where = tensor._device
    kernel = _kernel(where, "dlpack_device", ValueError, f"Unknown device type {where.type} for Dlpack")
    code, index = kernel(tensor._data)
    return DLDeviceType(code), index


def to_dlpack(tensor: Tensor, *, stream: Any = -1, max_version: tuple[int, int] | None = None,
              dl_device: tuple[int, int] | None = None, copy: bool | None = None) -> Any:
    """``Tensor.__dlpack__``: a DLPack capsule of the tensor's memory (of a copy with ``copy=True`` or a
    different ``dl_device``). `stream` is the consumer's stream, -1 for none; `max_version` is the newest
    DLPack version the consumer reads (None: the unversioned capsule), passed on to the kernel."""
    if tensor._requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    where = tensor._device
    if where.type == "cuda" and where.index != current_index("cuda"):
        raise BufferError(f"Can't export tensors on a different CUDA device index. Expected: {where.index}. "
                          f"Current device: {current_index('cuda')}.")
    if stream is not None and type(stream) is not int:
        raise TypeError("stream must be ``int`` or ``none``")
    if dl_device is not None and (int(dl_device[0]), int(dl_device[1])) != _dlpack_device_of(where):
        if copy is False:
            raise BufferError(f"Can't export tensors on {where} to DLPack device {tuple(dl_device)} without a copy")
        tensor = tensor.to(ember_device(dl_device))
    elif copy:
        tensor = tensor.clone()
    return _export(tensor, stream, max_version)


def _export(tensor: Tensor, stream: Any, max_version: tuple[int, int] | None) -> Any:
    export = _kernel(tensor._device, "to_dlpack", BufferError, "__dlpack__")
    if max_version is None:
        return export(tensor._data, stream)
    return export(tensor._data, stream, max_version=tuple(max_version))


def to_dlpack_capsule(tensor: Tensor) -> Any:
    """``ember.utils.dlpack.to_dlpack``: the unversioned capsule of a tensor's memory. As PyTorch's, it makes
    none of ``__dlpack__``'s checks (a tensor requiring grad is exported as its data)."""
    return _export(tensor, None, None)


class _Capsule:
    """A bare DLPack capsule (``to_dlpack``'s) as a producer object: its device is read from the DLTensor
    the capsule points to, and ``__dlpack__`` hands the capsule over."""

    def __init__(self, capsule: Any) -> None:
        self.capsule = capsule
        self.device = _capsule_device(capsule)

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self.capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return self.device


_is_valid = ctypes.pythonapi.PyCapsule_IsValid
_is_valid.restype, _is_valid.argtypes = ctypes.c_int, [ctypes.py_object, ctypes.c_char_p]
_get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_get_pointer.restype, _get_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]

# Where the DLTensor sits in the struct each capsule name points to: DLManagedTensor starts with it;
# DLManagedTensorVersioned has a version, a context, a deleter and flags (8 bytes each) before it. The
# DLTensor's device (two int32: type, index) follows its data pointer.
_DLTENSOR_OFFSETS = {b"dltensor": 0, b"dltensor_versioned": 32}


def _capsule_device(capsule: Any) -> tuple[int, int]:
    for name, offset in _DLTENSOR_OFFSETS.items():
        if _is_valid(capsule, name):
            address = _get_pointer(capsule, name) + offset + ctypes.sizeof(ctypes.c_void_p)
            pair = (ctypes.c_int32 * 2).from_address(address)
            return pair[0], pair[1]
    raise RuntimeError(_INVALID_CAPSULE)


# The DLTensor's fields after its data pointer: device (two int32), ndim (int32), dtype (4 bytes), shape and
# strides (pointers); then byte_offset (uint64), 40 bytes from its start on a 64-bit build.
_BYTE_OFFSET = 2 * ctypes.sizeof(ctypes.c_void_p) + 8 + 2 * ctypes.sizeof(ctypes.c_void_p)


def data_ptr(tensor: Tensor) -> int:
    """``Tensor.data_ptr()``: the address of the tensor's first element (0 without elements, as PyTorch's),
    read from the DLTensor of its memory's DLPack capsule (data pointer plus byte offset); a device without
    a ``to_dlpack`` kernel has no address to give."""
    if tensor.numel() == 0:
        return 0
    capsule = _kernel(tensor._device, "to_dlpack", RuntimeError, "data_ptr()")(tensor._data, None)
    if not _is_valid(capsule, b"dltensor"):
        raise RuntimeError(_INVALID_CAPSULE)
    start = _get_pointer(capsule, b"dltensor")
    data = ctypes.c_void_p.from_address(start).value or 0
    return data + ctypes.c_uint64.from_address(start + _BYTE_OFFSET).value
