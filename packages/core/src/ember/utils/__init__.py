"""`ember.utils`: PyTorch's ``torch.utils`` (the data pipeline, `ember.utils.data`; DLPack, `ember.utils.dlpack`;
the deterministic mode's memory filling, `ember.utils.deterministic`)."""
from __future__ import annotations

from . import data, deterministic, dlpack

__all__ = ["data", "deterministic", "dlpack"]
