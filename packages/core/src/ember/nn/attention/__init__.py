"""`ember.nn.attention`: PyTorch's `SDPBackend` and the `sdpa_kernel` context manager that chooses which
backends `F.scaled_dot_product_attention` may use and restores the previous choice on exit.

On ember every backend computes the same math path (PyTorch's reference formula, composed from ember ops),
so the choice never changes a result; it only decides, as in PyTorch, whether any backend is viable: on the
cpu device the math or flash backend must be enabled, on other devices any one."""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator

from ember.backends import cuda
from ember.nn.attention import bias


class SDPBackend(enum.Enum):
    """The backends of scaled dot product attention, with PyTorch's names and values."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __int__(self) -> int:
        return self.value


# The `ember.backends.cuda` switch of each backend that has one, by PyTorch's switch names.
_SWITCHES = {SDPBackend.CUDNN_ATTENTION: "cudnn", SDPBackend.FLASH_ATTENTION: "flash",
             SDPBackend.EFFICIENT_ATTENTION: "mem_efficient", SDPBackend.MATH: "math"}


def _enabled_backends() -> list[SDPBackend]:
    return [backend for backend, name in _SWITCHES.items() if cuda._sdp_enabled[name]]


def _enable_only(backends: list[SDPBackend]) -> None:
    for backend, name in _SWITCHES.items():
        cuda._enable_sdp(name, backend in backends)


@contextlib.contextmanager
def sdpa_kernel(backends: list[SDPBackend] | SDPBackend, set_priority: bool = False) -> Iterator[dict]:
    """Enable only `backends` (one or a list) inside the block, then restore the previous switches.

    `set_priority` is accepted for PyTorch's signature; ember has one path, so an order changes nothing."""
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
                             f"{type(backends).__name__}")
    chosen = [backends] if isinstance(backends, SDPBackend) else list(dict.fromkeys(backends))
    previous = _enabled_backends()
    try:
        _enable_only(chosen)
        yield {}
    finally:
        _enable_only(previous)


__all__ = ["SDPBackend", "bias", "sdpa_kernel"]
