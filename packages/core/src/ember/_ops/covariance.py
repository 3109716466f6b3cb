"""cov and corrcoef, as PyTorch's: the (weighted) covariance matrix of the rows of a matrix of observations,
composed of sum, mm and division in PyTorch's order (so its values, rounding and grad_fn names are PyTorch's),
and the correlation coefficients normalised from it."""
from __future__ import annotations

import warnings

from .. import _dtype
from .._tensor import Tensor
from .dispatch import type_name
from .linalg import mm


def _checked_weights(weights, kind: str, floating: bool, observations: int):
    """`weights` (fweights or aweights), refused as PyTorch refuses them."""
    if not isinstance(weights, Tensor):
        raise TypeError(f"cov(): argument '{kind}' must be Tensor, not {type(weights).__name__}")
    if weights.ndim > 1:
        raise RuntimeError(f"cov(): expected {kind} to have one or fewer dimensions but got {kind} with "
                           f"{weights.ndim} dimensions")
    dt = weights.dtype
    if floating != dt.is_floating_point or dt is _dtype.bool_:
        expected = "floating point" if floating else "integral"
        raise RuntimeError(f"cov(): expected {kind} to have {expected} dtype but got {kind} with "
                           f"{type_name(dt)} dtype")
    if weights.numel() != observations:
        raise RuntimeError(f"cov(): expected {kind} to have the same numel as there are observations in the input "
                           f"but got {weights.numel()} != {observations}")
    if observations and not bool(weights.min() >= 0):
        raise RuntimeError(f"cov(): {kind} cannot be negative")
    return weights


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of `input` (one variable: a vector or a scalar),
    with `correction` subtracted from the (weighted) count, observations repeated `fweights` times and
    weighted by `aweights`."""
    if not isinstance(input, Tensor):
        raise TypeError(f"cov(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")
    if input.dtype is _dtype.bool_:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    if isinstance(correction, bool) or not isinstance(correction, int):
        raise TypeError(f"cov(): argument 'correction' must be int, not {type(correction).__name__}")
    observations_in = input if input.ndim == 2 else input.view(1, -1)
    observations = observations_in.shape[1]
    weights = None
    if fweights is not None:
        weights = _checked_weights(fweights, "fweights", False, observations)
    if aweights is not None:
        _checked_weights(aweights, "aweights", True, observations)
        weights = aweights if weights is None else weights * aweights
    if weights is None:
        total = observations
    else:
        total = weights.sum()
        if not bool(total != 0):
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    weighted = observations_in if weights is None else observations_in * weights
    average = weighted.sum(1) / total
    if weights is None:
        factor = observations - correction
    elif correction == 0:
        factor = total
    elif aweights is None:
        factor = total - correction
    elif fweights is None and observations == 1 and correction == 1:
        factor = 0  # PyTorch's corner case (NumPy's result)
    else:
        factor = total - correction * (weights * aweights).sum() / total
    if float(factor) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=2)
        factor = factor * 0
    if observations == 1 and (fweights is None) != (aweights is None):
        centred = observations_in * 0  # one observation and one set of weights: the average is the input
        if not centred.dtype.is_floating_point:
            centred = centred.to(_dtype.float32)
    else:
        centred = observations_in - average.unsqueeze(1)
    product = mm(centred, (centred if weights is None else centred * weights).t())
    return (product / factor).squeeze()


def corrcoef(input):
    """Pearson's correlation coefficients of the variables in the rows of `input`, clipped to [-1, 1]."""
    if isinstance(input, Tensor) and input.ndim > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")
    c = cov(input)
    if c.ndim == 0:
        return c / c  # one variable: NaN for a covariance of 0, inf or NaN, else 1
    deviation = c.diagonal().sqrt()
    c = c / deviation.view(-1, 1)
    c = c / deviation.view(1, -1)
    return c.clip(-1, 1)
