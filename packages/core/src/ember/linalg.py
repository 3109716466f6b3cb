"""ember.linalg: PyTorch's torch.linalg functions that ember provides."""
from __future__ import annotations

from ._ops.linalg import matmul
from ._ops.norms import vector_norm

__all__ = ["matmul", "vector_norm"]
