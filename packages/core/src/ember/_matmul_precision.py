"""``ember.set_float32_matmul_precision`` / ``get_float32_matmul_precision``, kept consistent with
``ember.backends.cuda.matmul.allow_tf32`` as PyTorch keeps them: 'highest' is TF32 off, 'high' and 'medium'
are TF32 on (setting ``allow_tf32`` reads back as 'highest' or 'high')."""
from __future__ import annotations

import warnings

from .backends.cuda import matmul

_PRECISIONS = ("highest", "high", "medium")
_chosen = ["highest"]  # the precision last set, reported while allow_tf32 still agrees with it


def set_float32_matmul_precision(precision: str) -> None:
    """Choose float32 matmul precision: 'highest' (full float32), 'high' or 'medium' (TF32 allowed)."""
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}")
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    matmul.allow_tf32 = precision != "highest"
    _chosen[0] = precision


def get_float32_matmul_precision() -> str:
    """The float32 matmul precision: the one last set, or, once ``allow_tf32`` was set since, 'high' (TF32
    allowed) or 'highest'."""
    if matmul.allow_tf32 == (_chosen[0] != "highest"):
        return _chosen[0]
    return "high" if matmul.allow_tf32 else "highest"
