"""Scatter kernels: reductions into a buffer at indices, repeated indices reducing together."""
from __future__ import annotations

import numpy as np

_UFUNCS = {"prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def index_reduce_(x, key, value, reduce):
    """``x[key] = reduce(x[key], value)`` element by element, each repeated index folding in its value
    (`ufunc.at`); NaN propagates through amax and amin, as in PyTorch."""
    with np.errstate(all="ignore"):  # a product that overflows is inf, silently, as PyTorch's
        _UFUNCS[reduce].at(x, key, value)
    return x
