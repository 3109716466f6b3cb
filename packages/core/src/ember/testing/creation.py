"""``ember.testing.make_tensor``: PyTorch's random test tensor of a shape, dtype and device, drawn uniformly
from ``[low, high)`` with its defaults, clamps and refusals, optionally non-contiguous or without zeros."""
from __future__ import annotations

import math
import warnings

from .. import _dtype
from .._ops import creation
from .._typeinfo import finfo, iinfo


def _bounds(low, high, dtype, lowest: float, highest: float, default_low: float, default_high: float):
    """`low` and `high` defaulted, checked and clamped to what `dtype` holds (PyTorch's modify_low_high)."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(value, float) and math.isnan(value) for value in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and dtype.is_floating_point:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or complex types is "
                      "deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
                      FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), "
                         f"but {dtype} only supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    if not dtype.is_floating_point:
        return math.ceil(low), math.ceil(high)
    return low, high


def make_tensor(*shape, dtype, device, low: float | None = None, high: float | None = None,
                requires_grad: bool = False, noncontiguous: bool = False, exclude_zero: bool = False,
                memory_format=None):
    """A tensor of `shape` filled with values drawn uniformly from ``[low, high)``, as PyTorch's.

    Defaults: [-9, 9) for floating dtypes, [-9, 10) for integers (clamped to the dtype's range), {False,
    True} for bool. ``noncontiguous`` gives every other element of a twice as wide last dim;
    ``exclude_zero`` replaces zeros with 1 (integers) or the dtype's smallest normal (floats).
    """
    dims = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError("The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
                         f"noncontiguous={noncontiguous} and memory_format={memory_format}")
    if requires_grad and not dtype.is_floating_point:
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral dtypes, but got "
                         f"dtype={dtype}")
    noncontiguous = noncontiguous and math.prod(dims) > 1
    if noncontiguous:
        dims = (*dims[:-1], 2 * dims[-1])
    if dtype is _dtype.bool_:
        low, high = _bounds(low, high, dtype, 0, 2, 0, 2)
        result = creation.randint(low, high, dims, device=device, dtype=dtype)
    elif not dtype.is_floating_point:
        ints = iinfo(dtype)
        low, high = _bounds(low, high, dtype, ints.min, ints.max + (dtype is not _dtype.int64), -9, 10)
        result = creation.randint(low, high, dims, device=device, dtype=dtype)
    else:
        info = finfo(dtype)
        low, high = _bounds(low, high, dtype, info.min, info.max, -9, 9)
        result = creation.empty(dims, device=device, dtype=dtype)
        if high - low >= info.max:
            result.uniform_(low / 2, high / 2).mul_(2)
        else:
            result.uniform_(low, high)
    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = finfo(dtype).tiny if dtype.is_floating_point else 1
    if dtype.is_floating_point:
        result.requires_grad = requires_grad
    return result
