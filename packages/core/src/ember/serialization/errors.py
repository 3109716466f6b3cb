"""Why a checkpoint cannot be loaded; `ember.load` turns these into a RuntimeError naming the file."""
from __future__ import annotations


class CorruptCheckpoint(Exception):
    """A checkpoint whose bytes or structure do not hold together (truncated, changed, or crafted)."""


class UnsupportedContent(Exception):
    """A checkpoint PyTorch could load but that holds something ember has no equivalent for."""
