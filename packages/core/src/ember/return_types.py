"""The named tuples ops return, as ``torch.return_types``: ``values, indices = x.max(0)``, ``.values``."""
from __future__ import annotations

from collections import namedtuple
from typing import Any


def _repr(result: Any) -> str:
    """PyTorch's layout of a result type's repr: its qualified name, then one ``field=repr`` per line."""
    fields = ",\n".join(f"{field}={value!r}" for field, value in zip(result._fields, result))
    return f"{type(result).__module__}.{type(result).__name__}(\n{fields})"


def _named(name: str, fields: tuple[str, ...] = ("values", "indices")) -> type:
    """PyTorch's result type named `name` with its fields (its repr is
    ``ember.return_types.name(\nvalues=...,\nindices=...)``, as PyTorch's torch.return_types.name)."""
    return type(name, (namedtuple(name, fields),), {"__slots__": (), "__module__": __name__, "__repr__": _repr})


max = _named("max")  # noqa: A001 - PyTorch's names, shadowing builtins only inside this module
min = _named("min")  # noqa: A001
sort = _named("sort")
topk = _named("topk")
kthvalue = _named("kthvalue")
median = _named("median")
nanmedian = _named("nanmedian")
mode = _named("mode")
cummax = _named("cummax")
cummin = _named("cummin")
frexp = _named("frexp", ("mantissa", "exponent"))
aminmax = _named("aminmax", ("min", "max"))
histogram = _named("histogram", ("hist", "bin_edges"))
histogramdd = _named("histogramdd", ("hist", "bin_edges"))
linalg_slogdet = _named("linalg_slogdet", ("sign", "logabsdet"))
slogdet = _named("slogdet", ("sign", "logabsdet"))
linalg_inv_ex = _named("linalg_inv_ex", ("inverse", "info"))
linalg_solve_ex = _named("linalg_solve_ex", ("result", "info"))
linalg_cholesky_ex = _named("linalg_cholesky_ex", ("L", "info"))
linalg_lu_factor = _named("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = _named("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_lu = _named("linalg_lu", ("P", "L", "U"))
linalg_qr = _named("linalg_qr", ("Q", "R"))
qr = _named("qr", ("Q", "R"))
geqrf = _named("geqrf", ("a", "tau"))
linalg_eigh = _named("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_svd = _named("linalg_svd", ("U", "S", "Vh"))
svd = _named("svd", ("U", "S", "V"))
linalg_lstsq = _named("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
