"""`ember.utils.dlpack`: PyTorch's ``torch.utils.dlpack`` (DLPack capsules in and out)."""
from __future__ import annotations

from .._dlpack import DLDeviceType, from_dlpack
from .._dlpack import to_dlpack_capsule as to_dlpack

__all__ = ["DLDeviceType", "from_dlpack", "to_dlpack"]
