"""`ember.distributed`: ember has no process groups, so it answers as PyTorch built without distributed
support: ``is_available()`` is False and nothing else is there. Ordinary training code guards its distributed
paths with it (``if dist.is_available() and dist.is_initialized(): ...``) and so runs single-process."""
from __future__ import annotations

__all__ = ["is_available"]


def is_available() -> bool:
    """Whether the distributed package is available: never in ember."""
    return False
