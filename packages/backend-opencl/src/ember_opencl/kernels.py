"""The OpenCL backend's kernel table (docs/internals.md, kernel contract v2): generated kernels by family."""
from __future__ import annotations

from typing import Any

from . import elementwise, fused, indexing, matmul, memory, philox, reduction, scan, sorting

KERNELS: dict[str, Any] = {
    "empty": memory.empty,
    "full": memory.full,
    "arange": memory.arange,
    "uniform": philox.uniform,
    "normal": philox.normal,
    "from_numpy": memory.from_numpy,
    "to_numpy": memory.to_numpy,
    "strides": memory.strides,
    "as_strided": memory.as_strided,
    "contiguous": memory.contiguous,
    **elementwise.KERNELS,
    **reduction.KERNELS,
    **matmul.KERNELS,
    **indexing.KERNELS,
    **scan.KERNELS,
    **sorting.KERNELS,
    # optional
    "storage_offset": memory.storage_offset,
    "reshape": memory.reshape,
    "permute": memory.permute,
    "slice": memory.slice_view,
    "zero_": memory.zero_,
    "copy_to": memory.copy_to,
    **fused.KERNELS,
}
