"""The named tuples ops return, as ``torch.return_types``: ``values, indices = x.max(0)``, ``.values``."""
from __future__ import annotations

from collections import namedtuple


def _pair(name: str, fields: tuple[str, str] = ("values", "indices")) -> type:
    """PyTorch's result type named `name` (its repr is ``name(values=..., indices=...)``)."""
    result = namedtuple(name, fields)  # type: ignore[misc]
    result.__module__ = __name__
    return result


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
frexp = _pair("frexp", ("mantissa", "exponent"))
aminmax = _pair("aminmax", ("min", "max"))
histogram = _pair("histogram", ("hist", "bin_edges"))
