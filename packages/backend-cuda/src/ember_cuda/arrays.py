"""The array library the kernels are written over: `ArrayAPI` names what they need beyond numpy's
functions (which cupy mirrors as `xp`), and `CupyAPI` supplies it from cupy.

Kernels never import cupy themselves: `kernels.build(api)` makes the table from an `ArrayAPI`, so CI
without a GPU runs the same kernel code over a numpy stand-in (tests/cudasim.py).
"""
from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from . import forking, ufuncs
from .captured_gemm import CapturedGemms

# The dtypes cupyx.scatter_add documents (CUDA's atomicAdd); the stand-in declares the same, so CI runs
# the same kernel paths.
ATOMIC_ADD_DTYPES = frozenset(np.dtype(t) for t in (np.int32, np.uint32, np.uint64, np.float32))


class ArrayAPI:
    """What a kernel table needs from its array library, besides the numpy-like functions of `xp`. The
    methods that make a device current (`device`, `device_of`, `set_device`, `synchronize`) refuse in a bad
    fork with PyTorch's error (`forking.check`)."""

    xp: ModuleType  # numpy-compatible functions and ufuncs (cupy)
    ndarray: type  # the buffer type
    # dtypes whose `scatter_add` is one atomic kernel; others take the sorted-segment path (indexing.py)
    atomic_add_dtypes: frozenset[np.dtype]
    stable_sort: str | None  # the `kind` that makes xp.argsort stable (cupy's is always: None)

    def device_count(self) -> int:
        raise NotImplementedError

    def synchronize(self, index: int) -> None:
        """Wait until device `index` has run all its queued work."""
        raise NotImplementedError

    def set_device(self, index: int) -> None:
        """Make device `index` the current one."""
        raise NotImplementedError

    def describe(self, index: int) -> str:
        """One line naming device `index` (name, compute capability, memory)."""
        raise NotImplementedError

    def device(self, index: int) -> contextlib.AbstractContextManager:
        """Within: new arrays go to device `index`."""
        raise NotImplementedError

    def device_of(self, x: Any) -> contextlib.AbstractContextManager:
        """Within: the current device is the one holding `x`."""
        raise NotImplementedError

    def device_index(self, x: Any) -> int:
        """The index of the device holding `x`."""
        raise NotImplementedError

    def view(self, x: Any, shape: tuple, byte_strides: tuple, byte_offset: int) -> Any:
        """An array over x's memory starting `byte_offset` bytes after x's first element."""
        raise NotImplementedError

    def address(self, x: Any) -> int:
        """The device address of x's first element."""
        raise NotImplementedError

    def scatter_add(self, x: Any, key: tuple, value: Any) -> None:
        """x[key] += value with repeated indices adding up, for x's dtype in `atomic_add_dtypes`."""
        raise NotImplementedError

    def to_device(self, array: np.ndarray) -> Any:
        """A copy of host `array` on the current device."""
        raise NotImplementedError

    def to_host(self, x: Any) -> np.ndarray:
        """A host copy of `x` (waits for the work that writes it)."""
        raise NotImplementedError

    # PyTorch's special functions cupy's ufuncs lack (``f(x, out=None)``, cupyx.scipy.special's; lgamma is CUDA's:
    # ufuncs.py)
    erf: Callable[..., Any]
    erfc: Callable[..., Any]
    lgamma: Callable[..., Any]
    digamma: Callable[..., Any]
    erfinv: Callable[..., Any]
    i0: Callable[..., Any]
    # and the regularized incomplete gamma functions (``f(a, x, out=None)``: gammainc, gammaincc)
    igamma: Callable[..., Any]
    igammac: Callable[..., Any]
    # PyTorch's floor division, remainder, maximum and minimum of floats (``f(a, b, out=None)``; cupy's
    # differ: ufuncs.py)
    floor_divide: Callable[..., Any]
    remainder: Callable[..., Any]
    maximum: Callable[..., Any]
    minimum: Callable[..., Any]
    # 2 ** x of floats by the math library's exp2 (``f(x, out=None)``; cupy's is pow(2, x): ufuncs.py)
    exp2: Callable[..., Any]

    def use_tf32(self, allowed: bool) -> None:
        """Let float32 matmuls use TF32 tensor cores (or not) from now on."""
        raise NotImplementedError

    def captured_matmul(self) -> Callable[..., Any] | None:
        """The matmul to call while the current stream captures a CUDA graph (``f(a, b, out, *, tf32)``),
        or None when it does not capture (always, for a library that cannot capture, as the stand-in)."""
        return None

    def new_generator(self, seed: int) -> Any:
        """A seeded counter-based generator on the current device, with numpy's Generator methods."""
        raise NotImplementedError

    def generator_state(self, gen: Any) -> bytes:
        raise NotImplementedError

    def set_generator_state(self, gen: Any, state: bytes) -> Any:
        raise NotImplementedError


class CupyAPI(ArrayAPI):
    """`ArrayAPI` on cupy: buffers are `cupy.ndarray`, devices `cupy.cuda.Device`."""

    def __init__(self, cupy: ModuleType) -> None:
        import cupyx
        import cupyx.scipy.special

        self.xp = cupy
        self.ndarray = cupy.ndarray
        self.erf = cupyx.scipy.special.erf
        self.erfc = cupyx.scipy.special.erfc
        self.digamma = cupyx.scipy.special.digamma
        self.erfinv = cupyx.scipy.special.erfinv
        self.i0 = cupyx.scipy.special.i0
        self.igamma = cupyx.scipy.special.gammainc
        self.igammac = cupyx.scipy.special.gammaincc
        for name, function in ufuncs.ufuncs(cupy).items():
            setattr(self, name, function)
        self.atomic_add_dtypes = ATOMIC_ADD_DTYPES
        self.stable_sort = None  # cupy's argsort is always stable and takes no other kind
        self._tf32: bool | None = None
        self.gemms = CapturedGemms(cupy)  # bound by graph capture (graphs.py)

    def device_count(self) -> int:
        return int(self.xp.cuda.runtime.getDeviceCount())

    def synchronize(self, index: int) -> None:
        forking.check()
        self.xp.cuda.Device(index).synchronize()

    def set_device(self, index: int) -> None:
        forking.check()
        self.xp.cuda.Device(index).use()

    def describe(self, index: int) -> str:
        properties = self.device_properties(index)
        return (f"{properties['name']}, compute capability {properties['major']}.{properties['minor']}, "
                f"{properties['total_memory'] / 2**30:.1f} GiB")

    def device_properties(self, index: int) -> dict[str, Any]:
        """PyTorch's names for the CUDA runtime's properties of device `index`."""
        properties = self.xp.cuda.runtime.getDeviceProperties(index)
        name = properties["name"]
        return {"name": name.decode() if isinstance(name, bytes) else str(name), "major": properties["major"],
                "minor": properties["minor"], "total_memory": properties["totalGlobalMem"],
                "multi_processor_count": properties["multiProcessorCount"]}

    def mem_get_info(self, index: int) -> tuple[int, int]:
        with self.xp.cuda.Device(index):
            return self.xp.cuda.runtime.memGetInfo()

    def memory_allocated(self, index: int) -> int:
        """Bytes of cupy's default pool in use by arrays on device `index`."""
        with self.xp.cuda.Device(index):
            return self.xp.get_default_memory_pool().used_bytes()

    def memory_reserved(self, index: int) -> int:
        """Bytes cupy's default pool holds on device `index`, cached blocks included."""
        with self.xp.cuda.Device(index):
            return self.xp.get_default_memory_pool().total_bytes()

    def empty_cache(self) -> None:
        self.xp.get_default_memory_pool().free_all_blocks()

    def device(self, index: int) -> contextlib.AbstractContextManager:
        forking.check()
        return self.xp.cuda.Device(index)

    def device_of(self, x: Any) -> contextlib.AbstractContextManager:
        forking.check()
        return x.device

    def device_index(self, x: Any) -> int:
        return int(x.device.id)

    def view(self, x: Any, shape: tuple, byte_strides: tuple, byte_offset: int) -> Any:
        return self.xp.ndarray(shape, x.dtype, memptr=x.data + byte_offset, strides=byte_strides)

    def address(self, x: Any) -> int:
        return int(x.data.ptr)

    def scatter_add(self, x: Any, key: tuple, value: Any) -> None:
        self.xp.add.at(x, key, value)  # cupy's atomic scatter (cupyx.scatter_add is deprecated for it)

    def to_device(self, array: np.ndarray) -> Any:
        return self.xp.asarray(array)

    def to_host(self, x: Any) -> np.ndarray:
        return self.xp.asnumpy(x)

    def captured_matmul(self) -> Callable[..., Any] | None:
        return self.gemms.for_current_stream()

    def use_tf32(self, allowed: bool) -> None:
        """cupy picks cuBLAS's compute type per dtype (a process-wide setting): TF32 for float32 only when
        allowed, plain FP32 otherwise (PyTorch's default; it also overrides cupy's CUPY_TF32). Before
        compute capability 8.0 cupy warns and keeps FP32: silently, as PyTorch ignores the flag there."""
        allowed = bool(allowed)
        if allowed is self._tf32:
            return
        from cupy._core import _routines_linalg as linalg

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            linalg.set_compute_type(np.float32, linalg.COMPUTE_TYPE_TF32 if allowed else linalg.COMPUTE_TYPE_DEFAULT)
        self._tf32 = allowed

    def new_generator(self, seed: int) -> Any:
        random = self.xp.random
        bits = random.Philox4x3210(seed % 2**64)
        return random.Generator(bits)

    def generator_state(self, gen: Any) -> bytes:
        """The bit generator's curand states (device memory), copied to the host."""
        return self.xp.asnumpy(gen.bit_generator._state).tobytes()

    def set_generator_state(self, gen: Any, state: bytes) -> Any:
        current = gen.bit_generator._state
        if len(state) != current.nbytes:
            raise ValueError(f"not a state of this generator: {len(state)} bytes, expected {current.nbytes}")
        current[...] = self.xp.asarray(np.frombuffer(state, dtype=current.dtype))
        return gen


