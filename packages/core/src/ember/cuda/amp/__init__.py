"""ember.cuda.amp: torch.cuda.amp's deprecated ``autocast`` and ``GradScaler``, CUDA forms of ember.amp's."""
from __future__ import annotations

import warnings

from ... import _dtype
from ...amp import custom_bwd as _custom_bwd
from ...amp import custom_fwd as _custom_fwd
from ...amp.autocast_mode import device_autocast
from ...amp.grad_scaler import device_scaler

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd"]


autocast = device_autocast("cuda", _dtype.float16)
GradScaler = device_scaler("cuda")


def custom_fwd(fwd=None, *, cast_inputs=None):
    """Deprecated: ``ember.amp.custom_fwd(device_type='cuda')``."""
    warnings.warn("`torch.cuda.amp.custom_fwd(args...)` is deprecated. Please use `torch.amp.custom_fwd(args..., "
                  "device_type='cuda')` instead.", FutureWarning, stacklevel=2)
    return _custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd):
    """Deprecated: ``ember.amp.custom_bwd(device_type='cuda')``."""
    warnings.warn("`torch.cuda.amp.custom_bwd(args...)` is deprecated. Please use `torch.amp.custom_bwd(args..., "
                  "device_type='cuda')` instead.", FutureWarning, stacklevel=2)
    return _custom_bwd(bwd, device_type="cuda")
