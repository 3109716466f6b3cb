"""The CUDA backend's kernel table (docs/internals.md's contract), built over an `ArrayAPI`.

`build(api)` gathers the kernels of each family. With more than one device, every kernel that takes
buffers runs with the device of its first buffer made current (cupy launches on the current device and
refuses arrays of another): a guard that one-GPU machines do not pay for.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ember.plugins import CREATION_KERNELS

from . import (
    activations,
    creation,
    decompositions,
    elementwise,
    factorizations,
    indexing,
    reductions,
    sorting,
    svd,
    views,
)
from .arrays import ArrayAPI

_FAMILIES = (creation, elementwise, reductions, activations, views, indexing, sorting, factorizations, svd,
             decompositions)


def build(api: ArrayAPI, device_count: int,
          fused: Callable[[Callable], dict[str, Callable]] | None = None) -> dict[str, Callable]:
    """Every kernel of the backend over `api`, guarded by device when `device_count` > 1. `fused(matmul)`
    gives kernels that replace or add to the families' (the CUDA C ones, `fused.kernels`)."""
    table: dict[str, Callable] = {}
    for family in _FAMILIES:
        table.update(family.kernels(api))
    if fused is not None:
        table.update(fused(table["matmul"]))
    if device_count > 1:
        table = {name: kernel if name in CREATION_KERNELS or name == "from_dlpack" else _on_device_of(api, kernel)
                 for name, kernel in table.items()}
    return table


def _first_buffer(api: ArrayAPI, arguments: tuple) -> Any:
    for argument in arguments:
        if isinstance(argument, api.ndarray):
            return argument
        if isinstance(argument, (list, tuple)) and argument and isinstance(argument[0], api.ndarray):
            return argument[0]
    return None


def _on_device_of(api: ArrayAPI, kernel: Callable) -> Callable:
    """`kernel` run with the device of its first buffer argument current."""

    def guarded(*args, **kwargs):
        buffer = _first_buffer(api, args)
        if buffer is None:
            return kernel(*args, **kwargs)
        with api.device_of(buffer):
            return kernel(*args, **kwargs)

    guarded.__name__ = guarded.__qualname__ = kernel.__name__
    guarded.__doc__ = kernel.__doc__
    return guarded
