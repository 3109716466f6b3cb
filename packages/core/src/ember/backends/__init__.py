"""`ember.backends`: PyTorch's ``torch.backends`` switches (``ember.backends.cuda.matmul.allow_tf32``...)."""
from __future__ import annotations

from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
