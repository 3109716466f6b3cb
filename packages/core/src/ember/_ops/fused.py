"""The one way nn's losses and layers reach the device's fused optional kernels (docs/internals.md): `has`
says whether the device offers them (else the caller composes ember ops), `fused` calls one on tensors."""
from __future__ import annotations

from .._tensor import Tensor, wrap


def has(tensor: Tensor, *names: str) -> bool:
    """Whether `tensor`'s device has every optional kernel of `names`."""
    kernels = tensor._device.kernels
    for name in names:
        if getattr(kernels, name) is None:
            return False
    return True


def fused(like: Tensor, name: str, *arguments):
    """The device's optional kernel `name` called on `arguments` (a tensor passes its buffer, None and
    numbers pass as they are): its result, or each of a tuple of results, as a tensor of `like`'s dtype
    and device. Callers check `has` first."""
    results = getattr(like._device.kernels, name)(*[a._data if isinstance(a, Tensor) else a for a in arguments])
    if isinstance(results, tuple):
        return tuple([wrap(data, like._dtype, like._device) for data in results])
    return wrap(results, like._dtype, like._device)
