"""The fused CUDA kernels run on the CPU, for tests without a GPU: each source of ember_cuda/sources,
compiled as host C++ by g++ (a shim defines CUDA's qualifiers and thread indices), and a stand-in for
the part of cupy that ember_cuda/fused.py calls, over numpy arrays. A launch runs one thread per block
row (the kernels stride over their elements, so any launch shape covers them); what stays unchecked is
the real launch shape, cupy itself and device arithmetic (exp, log of the GPU's math library)."""
from __future__ import annotations

import ctypes
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np

SHIM = r"""
#include <cmath>
#include <cstddef>
#include <utility>
using namespace std;
struct dim3 { unsigned x, y, z; };
static dim3 blockIdx, threadIdx, blockDim, gridDim;
#define __global__
#define __device__
#define __forceinline__ inline
#define __align__(n) alignas(n)
#define __shared__ static
static inline void __syncthreads() {}
"""

LAUNCHER = r"""
template <typename... A, std::size_t... I>
static void call_(void (*kernel)(A...), void **args, std::index_sequence<I...>) {
    kernel(*(typename std::remove_reference<A>::type *)args[I]...);
}
// The byte size of each parameter, 0-terminated: a launch must pass exactly these.
template <typename... A> static const unsigned *sizes_(void (*)(A...)) {
    static const unsigned sizes[] = {(unsigned)sizeof(A)..., 0};
    return sizes;
}
template <typename... A> static void run_(void (*kernel)(A...), unsigned rows, void **args) {
    gridDim = {1, rows, 1}; blockDim = {1, 1, 1}; threadIdx = {0, 0, 0};
    for (unsigned y = 0; y < rows; y++) {
        blockIdx = {0, y, 0};
        call_(kernel, args, std::index_sequence_for<A...>{});
    }
}
"""


def compiler_available() -> bool:
    return shutil.which("g++") is not None


class HostArray(np.ndarray):
    """A numpy array with the attributes of a cupy array that fused.py reads (device, data.ptr)."""

    @property
    def device(self):
        return DEVICE

    @property
    def data(self):  # type: ignore[override]
        return SimpleNamespace(ptr=self.__array_interface__["data"][0])


class _Device:
    id = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


DEVICE = _Device()


def host(array) -> HostArray:
    return np.asarray(array).view(HostArray)


class _StructArgument:
    def __init__(self, array: np.ndarray) -> None:
        self.array = array


class _Function:
    """A kernel of a host build: called as a cupy Function, with (grid, block, args); the arguments must
    match the kernel's parameters in number and byte size."""

    def __init__(self, library, index: int, name: str) -> None:
        self.name = name
        self.entry = getattr(library, f"launch_{index}")
        self.entry.argtypes = [ctypes.c_uint, ctypes.c_void_p]
        sizes = getattr(library, f"sizes_{index}")
        sizes.restype = ctypes.POINTER(ctypes.c_uint)
        found = sizes()
        self.sizes = []
        while found[len(self.sizes)]:
            self.sizes.append(found[len(self.sizes)])

    def __call__(self, grid, block, args) -> None:
        keep = []
        for arg in args:
            if isinstance(arg, np.ndarray):
                keep.append(ctypes.c_void_p(arg.__array_interface__["data"][0]))
            elif isinstance(arg, _StructArgument):
                keep.append(arg.array)
            else:
                assert isinstance(arg, np.generic), f"kernel argument {arg!r} is not a numpy scalar"
                keep.append(np.array(arg))
        passed = [8 if isinstance(k, ctypes.c_void_p) else k.nbytes for k in keep]
        assert passed == self.sizes, f"{self.name} takes parameters of {self.sizes} bytes, got {passed}"
        pointers = (ctypes.c_void_p * len(keep))(*(
            ctypes.addressof(k) if isinstance(k, ctypes.c_void_p) else k.ctypes.data for k in keep))
        self.entry(grid[1] if len(grid) > 1 else 1, pointers)


class _RawModule:
    """cupy.RawModule on the host: the code compiled by g++ with one C entry point per name expression."""

    _built: dict[str, ctypes.CDLL] = {}

    def __init__(self, code: str, options=(), name_expressions=()) -> None:
        self.names = list(name_expressions)
        entries = "".join(f'extern "C" void launch_{k}(unsigned rows, void **args) {{ run_(&{name}, rows, args); }}\n'
                          f'extern "C" const unsigned *sizes_{k}() {{ return sizes_(&{name}); }}\n'
                          for k, name in enumerate(self.names))
        self.code = SHIM + code + LAUNCHER + entries
        self.library: ctypes.CDLL | None = None

    def get_function(self, name: str) -> _Function:
        if self.library is None:
            self.library = self._build(self.code)
        return _Function(self.library, self.names.index(name), name)

    @classmethod
    def _build(cls, code: str) -> ctypes.CDLL:
        key = hashlib.sha256(code.encode()).hexdigest()[:16]
        if key not in cls._built:
            folder = Path(tempfile.mkdtemp(prefix="ember-cuda-host-"))
            (folder / "kernels.cpp").write_text(code)
            # -ffp-contract=off: as NVRTC's --fmad=false, every product is rounded on its own
            built = subprocess.run(["g++", "-std=c++17", "-O1", "-ffp-contract=off", "-shared", "-fPIC", "-o",
                                    str(folder / "kernels.so"), str(folder / "kernels.cpp")],
                                   capture_output=True, text=True)
            if built.returncode:
                raise RuntimeError(f"g++ could not build the host kernels:\n{built.stderr}")
            cls._built[key] = ctypes.CDLL(str(folder / "kernels.so"))
        return cls._built[key]


def _wrap(function):
    def wrapped(*args, **kwargs):
        result = function(*args, **kwargs)
        return result.view(HostArray) if isinstance(result, np.ndarray) else result
    return wrapped


CUPY = SimpleNamespace(
    ndarray=HostArray,
    empty=_wrap(np.empty),
    ascontiguousarray=_wrap(np.ascontiguousarray),
    broadcast_to=_wrap(np.broadcast_to),
    matmul=_wrap(np.matmul),
    copyto=np.copyto,
    lib=SimpleNamespace(stride_tricks=SimpleNamespace(as_strided=_wrap(np.lib.stride_tricks.as_strided))),
    RawModule=_RawModule,
    cuda=SimpleNamespace(function=SimpleNamespace(CNumpyArray=_StructArgument)),
)
