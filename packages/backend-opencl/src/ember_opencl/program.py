"""Building and launching generated OpenCL C: C type names, the per-device program cache, launches.

Each generated source is built once per device and kept in memory (``Device.programs``); its compiled
binary stays on disk for the next process (binaries.py).
"""
from __future__ import annotations

import warnings

import numpy as np

from . import binaries
from .counters import COUNTS
from .device import Device, cl

CTYPES = {"bool": "uchar", "uint8": "uchar", "int8": "char", "int16": "short", "int32": "int",
          "int64": "long", "uint64": "ulong", "float32": "float", "float64": "double"}
UNSIGNED = {"uchar": "uchar", "char": "uchar", "short": "ushort", "int": "uint", "long": "ulong"}
BITS = {"uchar": 8, "char": 8, "short": 16, "int": 32, "long": 64, "float": 32, "double": 64}
FLOATS = ("float", "double")
# The same by dtype, and the dtypes kernels test for: numpy computes `dtype.name` in Python on each access,
# which every launch would pay several times over.
_CTYPE_OF = {np.dtype(name): t for name, t in CTYPES.items()}
HALF, BOOL = np.dtype(np.float16), np.dtype(np.bool_)

WORK_GROUP = 128  # global sizes are rounded up to a multiple of this; kernels skip the extra items

_PRAGMA = "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n"


def ctype(dtype: np.dtype) -> str:
    t = _CTYPE_OF.get(dtype)
    return CTYPES[dtype.name] if t is None else t  # by name: a byte order other than the native one


def value_type(dtype: np.dtype) -> str:
    """The C type elementwise code computes `dtype`'s values in: float for float16 (stored as half through
    vload_half/vstore_half, core OpenCL C that needs no cl_khr_fp16), else the dtype's own."""
    return "float" if dtype == HALF else ctype(dtype)


class CountedKernel:
    """A built kernel whose launches are counted (``counters.COUNTS.launches``), whoever enqueues them."""

    __slots__ = ("kernel",)

    def __init__(self, kernel: cl.Kernel) -> None:
        self.kernel = kernel

    def __call__(self, *args) -> cl.Event:
        COUNTS.launches += 1
        return self.kernel(*args)


def build(device: Device, source: str, name: str, scalar_types: list) -> CountedKernel:
    """The kernel `name` of `source` on `device`, built on first use; `scalar_types` as pyopencl's
    set_scalar_arg_dtypes (None for a buffer argument)."""
    key = (source, name)
    kernel = device.programs.get(key)
    if kernel is None:
        text = (_PRAGMA if "double" in source else "") + source
        with warnings.catch_warnings():  # a compiler's remarks on generated code are not the user's concern
            warnings.simplefilter("ignore")
            built = getattr(binaries.built(device, text), name)
        COUNTS.builds += 1
        built.set_scalar_arg_dtypes(scalar_types)
        kernel = device.programs[key] = CountedKernel(built)
    return kernel


def launch(device: Device, kernel: CountedKernel, items: int, *args) -> None:
    """Enqueue `kernel` over `items` work-items in whole work-groups of a fixed size; never waits. A fixed
    size, not the driver's choice per global size: PoCL compiles a kernel again for each work-group size."""
    if items:
        padded = -(-items // WORK_GROUP) * WORK_GROUP
        kernel(device.queue, (padded,), (WORK_GROUP,), *args)


def unravel(index: str, shape_args: list[str], stride_sets: list[list[str]], targets: list[str],
            prefix: str = "") -> str:
    """C statements adding to each `targets[k]` the offset of flat row-major `index` under the strides
    `stride_sets[k]`, dims given by `shape_args` (last dim varies fastest); `prefix` keeps the names of
    two unravels in one kernel apart."""
    rem = f"{prefix}rem_"
    lines = [f"long {rem} = {index};"]
    for dim in reversed(range(len(shape_args))):
        coordinate = f"{prefix}c{dim}_"
        lines.append(f"long {coordinate} = {rem} % {shape_args[dim]}; {rem} /= {shape_args[dim]};")
        for target, strides in zip(targets, stride_sets):
            lines.append(f"{target} += {coordinate} * {strides[dim]};")
    return "\n    ".join(lines)


def collapse(shape: tuple[int, ...], stride_sets: list[tuple[int, ...]]) -> tuple[tuple, list[tuple]]:
    """Shape and strides with size-1 dims dropped and neighbouring dims merged wherever every stride set
    allows it: fewer dims, fewer divisions per element, fewer generated kernels."""
    dims = [d for d, size in enumerate(shape) if size != 1]
    new_shape: list[int] = []
    new_sets: list[list[int]] = [[] for _ in stride_sets]
    for d in dims:
        if new_shape and all(strides[d] * shape[d] == merged[-1] for strides, merged in zip(stride_sets, new_sets)):
            new_shape[-1] *= shape[d]
            for strides, merged in zip(stride_sets, new_sets):
                merged[-1] = strides[d]
        else:
            new_shape.append(shape[d])
            for strides, merged in zip(stride_sets, new_sets):
                merged.append(strides[d])
    return tuple(new_shape), [tuple(merged) for merged in new_sets]
