"""ember.cpu.amp: torch.cpu.amp's deprecated ``autocast`` and ``GradScaler``, CPU forms of ember.amp's (PyTorch's
default CPU dtype, bfloat16, which ember lacks, disables autocast: pass ``dtype=ember.float16``)."""
from __future__ import annotations

from ...amp.autocast_mode import device_autocast
from ...amp.grad_scaler import device_scaler

__all__ = ["autocast", "GradScaler"]

autocast = device_autocast("cpu", None)
GradScaler = device_scaler("cpu")
