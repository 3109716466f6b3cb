"""Dropout: zero elements (or whole channels) at random in training and rescale the rest by 1/(1-p), as
PyTorch's `_dropout_impl` does (a Bernoulli(1-p) noise tensor divided by 1-p, multiplied into the input:
the gradient is MulBackward0's, noise/(1-p)); `alpha_dropout` keeps SELU's mean and variance instead."""

from __future__ import annotations

import math
import warnings

import ember
from ember import _dtype
from ember._tensor import Tensor
from ember.autograd import grad_mode

# SELU's negative saturation value, -scale * alpha, as PyTorch's alpha_dropout writes it.
_ALPHA = 1.7580993408473766


def check_probability(p: float) -> None:
    """PyTorch's check of a dropout probability (functions and modules)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _noise(input: Tensor, p: float, feature: bool) -> Tensor:
    """Bernoulli(1-p) draws (``bernoulli_``, as PyTorch's) from the device's default generator, one per element
    laid out as the input (drawn in its memory order, as PyTorch's ``empty_like``), or one per channel with
    `feature` (shape (N, C, 1, ...)), in the input's dtype."""
    if feature:
        if input.dim() < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = (input.shape[0], input.shape[1]) + (1,) * (input.dim() - 2)
        noise = ember.empty(shape, dtype=input.dtype, device=input.device)
    else:
        noise = ember.empty_like(input)
    with grad_mode.no_grad():
        return noise.bernoulli_(1 - p)


def _dropout(input: Tensor, p: float, training: bool, inplace: bool, feature: bool, alpha: bool) -> Tensor:
    """PyTorch's `_dropout_impl`: the input itself when nothing is dropped, zeros for p = 1."""
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        zero = ember.zeros((), dtype=input.dtype, device=input.device)
        return input.mul_(zero) if inplace else input * zero
    if not input.dtype.is_floating_point:  # the noise is divided by 1-p in the input's dtype
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_dtype.TYPE_NAMES[input.dtype.name]}")
    noise = _noise(input, p, feature)
    if not alpha:
        noise.div_(1 - p)
        return input.mul_(noise) if inplace else input * noise
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    shift = (noise - 1).mul_(_ALPHA * a).add_(_ALPHA * a * p)
    noise.mul_(a)
    return (input.mul_(noise) if inplace else input * noise).add_(shift)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability `p` and scale the others by 1/(1-p) (training only)."""
    check_probability(p)
    return _dropout(input, p, training, inplace, feature=False, alpha=False)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped elements take SELU's saturation value, then an affine map keeps
    the mean and variance."""
    check_probability(p)
    return _dropout(input, p, training, inplace, feature=False, alpha=True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """`alpha_dropout` of whole channels."""
    check_probability(p)
    return _dropout(input, p, training, inplace, feature=True, alpha=True)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) inputs."""
    check_probability(p)
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs)."
        )
    return _unbatched_feature_dropout(input, p, training, inplace, batched=ndim == 3)


def _unbatched_feature_dropout(input: Tensor, p: float, training: bool, inplace: bool, batched: bool) -> Tensor:
    """Channel dropout of an input given a batch dimension of 1 when it has none."""
    if batched:
        return _dropout(input, p, training, inplace, feature=True, alpha=False)
    input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout(input, p, training, inplace, feature=True, alpha=False)
    return result.squeeze_(0) if inplace else result.squeeze(0)


def _warn_dims(name: str, ndim: int, spatial: int) -> None:
    if ndim not in (spatial + 1, spatial + 2):
        warnings.warn(
            f"{name}: Received a {ndim}-D input to {name}, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that "
            f"{name} exists to provide channel-wise dropout on inputs with {spatial} spatial dimensions, "
            f"a channel dimension, and an optional batch dimension (i.e. {spatial + 1}D or {spatial + 2}D "
            "inputs).",
            stacklevel=3,
        )


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) inputs; a 3-D input is taken as (N, C, L), as PyTorch does."""
    check_probability(p)
    ndim = input.dim()
    _warn_dims("dropout2d", ndim, 2)
    if ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _dropout(input, p, training, inplace, feature=True, alpha=False)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    check_probability(p)
    ndim = input.dim()
    _warn_dims("dropout3d", ndim, 3)
    return _unbatched_feature_dropout(input, p, training, inplace, batched=ndim == 5)
