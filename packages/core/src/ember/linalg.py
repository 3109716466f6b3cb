"""ember.linalg: PyTorch's torch.linalg functions that ember provides."""
from __future__ import annotations

from ._ops.cross import linalg_cross as cross
from ._ops.linalg import matmul
from ._ops.linalg_composed import diagonal, vander, vecdot
from ._ops.matrix_chains import matrix_power, multi_dot
from ._ops.matrix_norms import linalg_norm as norm
from ._ops.matrix_norms import matrix_norm
from ._ops.norms import vector_norm

__all__ = ["cross", "diagonal", "matmul", "matrix_norm", "matrix_power", "multi_dot", "norm", "vander", "vecdot",
           "vector_norm"]
