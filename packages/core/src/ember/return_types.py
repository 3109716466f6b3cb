"""The named tuples ops return, as ``torch.return_types``: ``values, indices = x.max(0)``, ``.values``."""
from __future__ import annotations

from collections import namedtuple


def _named(name: str, fields: list[str]) -> type:
    """PyTorch's result type `name` with its field names (its repr is ``name(values=..., indices=...)``)."""
    result = namedtuple(name, fields)  # type: ignore[misc]
    result.__module__ = __name__
    return result


def _pair(name: str) -> type:
    """PyTorch's (values, indices) result type named `name`."""
    return _named(name, ["values", "indices"])


max = _pair("max")  # noqa: A001 - PyTorch's names, shadowing builtins only inside this module
min = _pair("min")  # noqa: A001
sort = _pair("sort")
topk = _pair("topk")
kthvalue = _pair("kthvalue")
median = _pair("median")
nanmedian = _pair("nanmedian")
mode = _pair("mode")
cummax = _pair("cummax")
cummin = _pair("cummin")


linalg_slogdet = _named("linalg_slogdet", ["sign", "logabsdet"])
slogdet = _named("slogdet", ["sign", "logabsdet"])
linalg_inv_ex = _named("linalg_inv_ex", ["inverse", "info"])
linalg_solve_ex = _named("linalg_solve_ex", ["result", "info"])
linalg_cholesky_ex = _named("linalg_cholesky_ex", ["L", "info"])
linalg_lu_factor = _named("linalg_lu_factor", ["LU", "pivots"])
linalg_lu_factor_ex = _named("linalg_lu_factor_ex", ["LU", "pivots", "info"])
linalg_lu = _named("linalg_lu", ["P", "L", "U"])
