"""`ember.utils`: PyTorch's ``torch.utils`` (the data pipeline, `ember.utils.data`; DLPack, `ember.utils.dlpack`;
activation checkpointing, `ember.utils.checkpoint`; the deterministic mode's memory filling,
`ember.utils.deterministic`)."""
from __future__ import annotations

from . import checkpoint, data, deterministic, dlpack

__all__ = ["checkpoint", "data", "deterministic", "dlpack"]
