"""`F.pad`: constant, reflect, replicate and circular padding (the op lives in `ember._ops.padding`)."""

from ember._ops.padding import pad

__all__ = ["pad"]
