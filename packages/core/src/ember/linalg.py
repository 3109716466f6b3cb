"""ember.linalg: PyTorch's torch.linalg functions that ember provides."""
from __future__ import annotations

from ._ops.cholesky_ops import cholesky, cholesky_ex, solve_triangular
from ._ops.condition_number import cond
from ._ops.cross import linalg_cross as cross
from ._ops.eigh_ops import eigh, eigvalsh
from ._ops.householder_ops import householder_product
from ._ops.least_squares import lstsq
from ._ops.linalg import matmul
from ._ops.linalg_composed import diagonal, vander, vecdot
from ._ops.lu_decomposition import lu, lu_factor, lu_factor_ex, lu_solve
from ._ops.lu_ops import det, inv, inv_ex, slogdet, solve, solve_ex
from ._ops.matrix_chains import matrix_power, multi_dot
from ._ops.matrix_checks import LinAlgError
from ._ops.matrix_exp import matrix_exp
from ._ops.matrix_norms import linalg_norm as norm
from ._ops.matrix_norms import matrix_norm
from ._ops.norms import vector_norm
from ._ops.pseudoinverse import matrix_rank, pinv
from ._ops.qr_ops import qr
from ._ops.svd_decomposition import svd, svdvals

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eigh", "eigvalsh",
           "householder_product", "inv", "inv_ex", "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "matmul",
           "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet",
           "solve", "solve_ex", "solve_triangular", "svd", "svdvals", "vander", "vecdot", "vector_norm"]
