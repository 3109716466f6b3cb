"""ember.cuda: CUDA availability and device queries, answered by the ember-cuda backend when installed."""
from __future__ import annotations

from .. import _checks
from .._device import DeviceUnavailableError, current_index, index_of, set_current_index
from .._device import device as _device_named
from . import amp
from ._context import device, device_of
from ._memory import (
    DeviceProperties,
    empty_cache,
    get_device_capability,
    get_device_name,
    get_device_properties,
    mem_get_info,
    memory_allocated,
    memory_reserved,
)
from ._record_stream import release_reached
from .graphs import CUDAGraph, check_not_capturing, graph, graph_pool_handle, is_current_stream_capturing
from .streams import Event, Stream, StreamContext, current_stream, default_stream, set_stream, stream

__all__ = ["is_available", "device_count", "current_device", "set_device", "synchronize", "manual_seed",
           "manual_seed_all", "device", "device_of", "DeviceProperties", "get_device_properties",
           "get_device_name", "get_device_capability", "mem_get_info", "memory_allocated", "memory_reserved",
           "empty_cache", "CUDAGraph", "graph", "graph_pool_handle", "is_current_stream_capturing", "Stream", "Event",
           "StreamContext", "stream", "current_stream", "default_stream", "set_stream"]


def _backend():
    from ..plugins import get_backend

    try:
        return get_backend("cuda")
    except RuntimeError as error:
        raise DeviceUnavailableError(f"CUDA is not available: {error}") from None


def is_available() -> bool:
    """True when a CUDA backend is installed and reports a usable GPU."""
    try:
        return bool(_backend().device_type.is_available())
    except RuntimeError:
        return False


def device_count() -> int:
    """The number of CUDA devices (0 without a working CUDA backend)."""
    try:
        return int(_backend().device_type.device_count())
    except RuntimeError:
        return 0


def current_device() -> int:
    """The index of the current CUDA device: where ``'cuda'`` without an index puts tensors."""
    _backend()
    return current_index("cuda")


def set_device(device) -> None:
    """Make ``device`` (an index, ``'cuda:1'`` or a device) the current CUDA device."""
    _backend()
    set_current_index("cuda", index_of("cuda", device))


def synchronize(device=None) -> None:
    """Wait for all work queued on a CUDA device (the current one by default) to finish."""
    index = index_of("cuda", device)
    check_not_capturing(_device_named("cuda", index))
    _backend().device_type.synchronize(index)
    release_reached()
    _checks.raise_pending(_device_named("cuda", index))


def manual_seed(seed: int) -> None:
    """Seed every device's generator (ember seeds all devices together)."""
    from .._ops.creation import manual_seed as seed_all
    seed_all(seed)


manual_seed_all = manual_seed
