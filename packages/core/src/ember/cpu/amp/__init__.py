"""ember.cpu.amp: torch.cpu.amp's deprecated ``autocast``, a CPU `ember.amp.autocast`."""
from __future__ import annotations

import warnings

from ...amp import autocast as _autocast

__all__ = ["autocast"]


class autocast(_autocast):
    """Deprecated: ``ember.amp.autocast('cpu', ...)`` (PyTorch's FutureWarning); PyTorch's default dtype,
    bfloat16, which ember lacks, disables it: pass ``dtype=ember.float16``."""

    def __init__(self, enabled: bool = True, dtype=None, cache_enabled: bool = True) -> None:
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. Please use `torch.amp.autocast('cpu', "
                      "args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cpu", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)
