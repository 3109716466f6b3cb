"""`ember.utils`: PyTorch's ``torch.utils`` (the data pipeline, `ember.utils.data`; DLPack, `ember.utils.dlpack`)."""
from __future__ import annotations

from . import data, dlpack

__all__ = ["data", "dlpack"]
