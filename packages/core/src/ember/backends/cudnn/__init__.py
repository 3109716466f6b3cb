"""`ember.backends.cudnn`: ``allow_tf32`` (True by default, as in PyTorch) for convolutions on a cuda backend
that uses cuDNN; ember's own convolutions are matmuls, governed by ``ember.backends.cuda.matmul``."""
from __future__ import annotations

import sys

from .._flags import Flags

# The module itself holds the switch, so ``ember.backends.cudnn.allow_tf32 = x`` is checked as PyTorch's is.
_flags = Flags("set_allow_tf32_cudnn", allow_tf32=True)


class _CudnnModule(type(sys)):  # type: ignore[misc]
    """This module, whose ``allow_tf32`` is a checked bool flag."""

    @property
    def allow_tf32(self) -> bool:
        return _flags.allow_tf32

    @allow_tf32.setter
    def allow_tf32(self, value: bool) -> None:
        _flags.allow_tf32 = value


sys.modules[__name__].__class__ = _CudnnModule
