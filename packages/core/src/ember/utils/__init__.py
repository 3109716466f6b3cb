"""`ember.utils`: PyTorch's ``torch.utils`` (the data pipeline, `ember.utils.data`; DLPack, `ember.utils.dlpack`;
activation checkpointing, `ember.utils.checkpoint`)."""
from __future__ import annotations

from . import checkpoint, data, dlpack

__all__ = ["checkpoint", "data", "dlpack"]
