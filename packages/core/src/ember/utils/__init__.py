"""`ember.utils`: PyTorch's ``torch.utils`` (the data pipeline, `ember.utils.data`)."""
from __future__ import annotations

from . import data

__all__ = ["data"]
