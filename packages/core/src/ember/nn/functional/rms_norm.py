"""`rms_norm`: scale each input by the reciprocal root mean square of its last dims (no centring), then by an
optional weight; composed as PyTorch 2.13's CPU path is (half upcast to float32, scaled by the weight, then
cast back once; nodes MulBackward0 or ToCopyBackward0)."""

from __future__ import annotations

import numpy as np

import ember
from ember import _dtype
from ember._ops.dispatch import profiled
from ember._ops.scalar_ops import shifted
from ember._tensor import Tensor
from ember.nn.functional.layer_normalization import _shape_list, normalized_shape_tuple


def _check(input: Tensor, shape: tuple, weight: Tensor | None) -> None:
    """rms_norm's refusals, in PyTorch's order and words."""
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
                           f"one element, but got normalized_shape = {_shape_list(shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{_shape_list(weight.shape)} and normalized_shape = {_shape_list(shape)}")
    if input.dim() < len(shape) or tuple(input.shape[input.dim() - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={_shape_list(shape)}, expected input with shape "
                           f"[*{', '.join(map(str, shape))}], but got input of size{_shape_list(input.shape)}")
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"rms_norm\" not implemented for '{_dtype.TYPE_NAMES[input._dtype.name]}'")


@profiled("aten::rms_norm")
def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """x / sqrt(mean(x²) + eps) over the last len(normalized_shape) dims, times ``weight``; ``eps`` None is
    the machine epsilon of the dtype computed in (float32 for half)."""
    shape = normalized_shape_tuple(normalized_shape, "rms_norm")
    _check(input, shape, weight)
    dims = tuple(range(input.dim() - len(shape), input.dim()))
    wide = ember.float32 if input._dtype is ember.float16 else input._dtype
    x = input.to(wide)
    if eps is None:
        eps = float(np.finfo(wide.numpy).eps)
    result = x * shifted(x.pow(2).mean(dims, keepdim=True), eps).rsqrt()
    if weight is not None:  # in the wider dtype: a float32 weight scales a half input's float32 result
        result = result * weight
    return result.to(input._dtype)
