"""A spread and the mean in one call, as PyTorch's var_mean and std_mean (floating tensors only)."""
from __future__ import annotations

from . import reduction


def _exact_refused(op: str, input) -> None:
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{op} only support floating point and complex dtypes")


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over `dim`, as one call (PyTorch's var signature: `unbiased` or `correction`)."""
    _exact_refused("var_mean", input)
    if isinstance(dim, bool):  # var_mean(input, unbiased)
        dim, unbiased = None, dim
    variance = reduction.var(input, dim, unbiased, keepdim, correction=correction)
    return variance, reduction.mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over `dim`, as one call (PyTorch's std signature: `unbiased` or `correction`)."""
    _exact_refused("std_mean", input)
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    deviation = reduction.std(input, dim, unbiased, keepdim, correction=correction)
    return deviation, reduction.mean(input, dim, keepdim)
