"""The dtypes of a normalisation: PyTorch's CPU rule for parameters (weight, bias, running statistics) of
another dtype than the input, "mixed type" (a float16 input with float32 parameters, as a float32 module
meets a half input), and the dtype the statistics are computed in (float32 for float16, PyTorch's opmath)."""

from __future__ import annotations

from ember import _dtype
from ember._tensor import Tensor
from ember.nn.functional._common import type_name


def parameter_dtype(input: Tensor, *parameters: Tensor | None, read_order: tuple | None = None) -> _dtype.dtype:
    """The dtype of the given ``parameters`` (in PyTorch's order): float32 when the first of them differs
    from the input's dtype (mixed type: then all must be float32 and the input float16), else the input's,
    which all then share. PyTorch's errors otherwise (its check_mixed_data_type, then its kernel's, which
    names the first parameter of another dtype in the order it reads them, ``read_order``)."""
    first = next((p for p in parameters if p is not None), None)
    if first is None or first._dtype is input._dtype:
        for parameter in read_order or parameters:
            if parameter is not None and parameter._dtype is not input._dtype:
                raise RuntimeError(f"expected scalar type {type_name(input)} but found {type_name(parameter)}")
        return input._dtype
    if any(p is not None and p._dtype is not _dtype.float32 for p in parameters):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    if input._dtype is not _dtype.float16:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
    return _dtype.float32


def opmath(dt: _dtype.dtype) -> _dtype.dtype:
    """The dtype PyTorch's CPU kernels compute a ``dt`` tensor's statistics in: float32 for float16."""
    return _dtype.float32 if dt is _dtype.float16 else dt
