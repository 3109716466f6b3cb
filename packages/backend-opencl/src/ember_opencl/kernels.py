"""The OpenCL backend's kernel table (docs/internals.md, kernel contract v2): generated kernels by family;
the families that do not read half themselves (all but elementwise and scan) take float16 through float32
(half.py)."""
from __future__ import annotations

from typing import Any

from . import (
    decompositions,
    elementwise,
    fused,
    indexing,
    linalg,
    matmul,
    memory,
    philox,
    reduction,
    scan,
    sorting,
    svd,
)
from .half import widening

# the arguments these kernels update in place (an array, or a list of arrays)
_MUTATED = {"index_put_": (0,), "index_reduce_": (0,), "sgd_step": (0, 2), "adam_step": (0, 2, 3, 4)}

KERNELS: dict[str, Any] = {
    "empty": memory.empty,
    "full": memory.full,
    "arange": memory.arange,
    "uniform": philox.uniform,
    "normal": philox.normal,
    "from_numpy": memory.from_numpy,
    "to_numpy": memory.to_numpy,
    "strides": memory.strides,
    "is_contiguous": memory.is_contiguous,
    "as_strided": memory.as_strided,
    "contiguous": memory.contiguous,
    **elementwise.KERNELS,
    **scan.KERNELS,
    **{name: widening(kernel, _MUTATED.get(name, ())) for name, kernel in {
        **reduction.KERNELS, **matmul.KERNELS, **indexing.KERNELS, **sorting.KERNELS,
        **fused.KERNELS}.items()},
    # optional
    "storage_offset": memory.storage_offset,
    "view_dtype": memory.view_dtype,
    "reshape": memory.reshape,
    "permute": memory.permute,
    "slice": memory.slice_view,
    "zero_": memory.zero_,
    "copy_to": memory.copy_to,
    **decompositions.KERNELS,
    **linalg.KERNELS,
    **svd.KERNELS,
}
