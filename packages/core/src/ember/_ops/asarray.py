"""``ember.asarray``: PyTorch's conversion of a tensor, numpy array, number or sequence to a tensor, sharing
memory where it can (`copy=None`), always copying (`copy=True`), or refusing to copy (`copy=False`)."""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._device import resolve
from .._tensor import Tensor
from .._warn_always import warn_once
from .creation import as_tensor, tensor


def _scalar_name(dt) -> str:
    return _dtype.LEGACY_NAMES[repr(dt).rsplit(".", 1)[-1]][:-len("Tensor")]


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None) -> Tensor:
    """`obj` as a tensor of `dtype` on `device` (by default `obj`'s own, or the defaults for a sequence).

    A tensor or a CPU numpy array of that dtype and device is shared, unless `copy` is True; with `copy`
    False, a conversion that would need a copy is refused (ValueError, as PyTorch's). `requires_grad`
    None keeps a tensor's graph (warning once, as PyTorch 2.13, when `obj` requires grad), False detaches
    the result and True makes it require grad.
    """
    dt = _dtype.parse(dtype, "asarray")
    if isinstance(obj, (Tensor, np.ndarray)):
        source = _dtype.from_numpy(obj.dtype) if isinstance(obj, np.ndarray) else obj.dtype
        if copy is False and dt is not None and dt is not source:
            raise ValueError(f"can't alias tensor with dtype '{_scalar_name(source)}' into dtype "
                             f"'{_scalar_name(dt)}'.")
        on = obj.device if isinstance(obj, Tensor) else resolve("cpu")
        if copy is False and device is not None and resolve(device) is not on:
            raise ValueError(f"can't alias tensor on device '{on}' into device '{resolve(device)}'.")
        if isinstance(obj, Tensor):  # a conversion keeps the graph (ToCopyBackward0)
            result = obj.to(device=on if device is None else device, dtype=dt or obj.dtype)
        else:
            result = as_tensor(obj, dtype=dt, device=device)
        if copy and (result is obj or isinstance(obj, np.ndarray)):
            result = result.clone()
    else:
        if copy is False:
            raise ValueError("can't alias arbitrary sequence into a tensor.")
        result = tensor(obj, dtype=dt, device=device)
    if requires_grad is None:
        if isinstance(obj, Tensor) and obj.requires_grad:
            warn_once("torch.asarray: unspecified requires_grad now defaults to obj.requires_grad instead of "
                      "False. Pass requires_grad=False explicitly to get the old behavior and silence this warning.")
        return result
    if not requires_grad:
        return result.detach() if result.requires_grad else result
    return result.requires_grad_(True) if result.is_leaf else result
