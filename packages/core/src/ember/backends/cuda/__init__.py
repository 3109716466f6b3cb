"""`ember.backends.cuda`: ``matmul.allow_tf32``, whether the cuda backend's float32 matmul may use TF32 tensor
cores (False by default, as in PyTorch); the cuda ``matmul`` kernel reads it on each call.
``ember.set_float32_matmul_precision`` sets it too ('highest': False, 'high' or 'medium': True)."""
from __future__ import annotations

from .._flags import Flags

matmul = Flags("set_allow_tf32_cublas", allow_tf32=False)

__all__ = ["matmul"]
