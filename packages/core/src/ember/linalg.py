"""ember.linalg: PyTorch's torch.linalg functions that ember provides."""
from __future__ import annotations

from ._ops.cross import linalg_cross as cross
from ._ops.linalg import matmul
from ._ops.norms import vector_norm

__all__ = ["cross", "matmul", "vector_norm"]
