"""``ember.cuda.device`` and ``device_of``: context managers that make a CUDA device current for a block."""
from __future__ import annotations

from typing import Any

from .._device import current_index, resolve, set_current_index
from .._device import device as _device_named


def device_index(where: Any) -> int:
    """PyTorch's ``_get_device_index``: an int as it is, a ``device`` context's index, a CUDA device's index
    (the current one when it has none, or for None); ValueError for a device of another type."""
    if isinstance(where, int) and not isinstance(where, bool):
        return where
    if isinstance(where, device):
        return where.idx
    if where is None:
        return current_index("cuda")
    d = _device_named(where)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return current_index("cuda") if d.index is None else d.index


class device:
    """Make CUDA device `device` (an index, ``'cuda:1'`` or a device) current inside the block, and restore
    the previous one after; a negative index is a no-op, as in PyTorch."""

    def __init__(self, device: Any) -> None:
        self.idx = device_index(device)
        self.prev_idx = -1

    def __enter__(self) -> None:
        self.prev_idx = _exchange(self.idx)

    def __exit__(self, *exc_info: object) -> None:
        self.idx = _exchange(self.prev_idx)


class device_of(device):
    """Make the CUDA device of tensor `obj` current inside the block (a no-op for a tensor elsewhere)."""

    def __init__(self, obj: Any) -> None:
        super().__init__(obj.get_device() if obj.is_cuda else -1)


def _exchange(index: int) -> int:
    """Make `index` current (unless negative) and return the index that was current (-1 when unchanged)."""
    if index < 0:
        return -1
    resolve(_device_named("cuda", index))  # no CUDA backend, or no such device: the error says which
    previous = current_index("cuda")
    if index != previous:
        set_current_index("cuda", index)
    return previous
