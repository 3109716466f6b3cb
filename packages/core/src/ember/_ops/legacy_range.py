"""``ember.range``: PyTorch's deprecated range, whose end is included, in the default float dtype unless
one is given."""
from __future__ import annotations

import math
import warnings

from .. import _dtype
from .creation import arange


def range(start, end, step=1, *, dtype=None, device=None, requires_grad=False):  # noqa: A001
    """Values ``start, start + step, ...`` up to and including `end`: ``floor((end - start) / step) + 1`` of
    them. Deprecated in PyTorch for arange, which excludes `end`; warns as it does."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=2)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    dt = _dtype.parse(dtype, "range") or _dtype.get_default_dtype()
    count = math.floor((end - start) / step) + 1
    values = arange(count, dtype=_dtype.float64, device=device) * step + start
    return values.to(dt).requires_grad_(requires_grad)
