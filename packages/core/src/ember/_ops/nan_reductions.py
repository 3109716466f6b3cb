"""NaN-aware ops, as PyTorch's: nan_to_num, nansum and nanmean, composed of isnan, where, sum and div (their
gradients are zero at the replaced or skipped elements, as PyTorch's)."""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..autograd.node import Node, attach
from . import pointwise, reduction, unary, views
from .dispatch import type_name
from .linalg import write_out


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """`input` with NaN replaced by `nan`, +inf by `posinf` and -inf by `neginf` (by default the dtype's
    largest and lowest finite values); integer and bool tensors are copied as they are."""
    if not input.dtype.is_floating_point:
        result = views.clone(input)
    else:
        limits = np.finfo(input.dtype.numpy)
        posinf = float(limits.max) if posinf is None else posinf
        neginf = float(limits.min) if neginf is None else neginf
        infinite = unary.FUNCTIONS["isinf"](input)
        result = pointwise.where(unary.FUNCTIONS["isnan"](input), nan,
                                 pointwise.where(infinite & (input > 0), posinf,
                                                 pointwise.where(infinite, neginf, input)))
    if out is not None:
        return write_out(out, "nan_to_num", result._data, result._dtype, (input,))
    return result


class NansumBackward0(Node):
    """PyTorch's: the gradient spread back over the summed dims, times "not NaN" (a product, so an infinite
    gradient still gives NaN at the NaN elements, as in PyTorch: nanmean of an all-NaN slice)."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        kept = pointwise.logical_not(unary.FUNCTIONS["isnan"](x))
        return (reduction.expand_back(grad, tuple(x.shape), self.dims, self.keepdim) * kept).to(x.dtype)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum of the elements that are not NaN (0 where all are)."""
    if not input.dtype.is_floating_point:
        return reduction.sum(input, dim, keepdim, dtype=dtype)
    with grad_mode.no_grad():
        result = reduction.sum(pointwise.where(unary.FUNCTIONS["isnan"](input), 0, input), dim, keepdim,
                               dtype=dtype)
    dims = reduction.reduced_dims(dim, input.ndim, "nansum")
    return attach(result, NansumBackward0, (input,), saved=(input,), dims=dims, keepdim=keepdim)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the elements that are not NaN (NaN where all are), for floating tensors."""
    if dtype is not None and not dtype.is_floating_point:
        raise RuntimeError("nanmean(): could not infer output dtype. Optional dtype must be either a floating "
                           f"point or complex dtype. Got: {type_name(dtype)}")
    if not input.dtype.is_floating_point:
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but got "
                           f"{type_name(input.dtype)}")
    counted = reduction.sum(pointwise.logical_not(unary.FUNCTIONS["isnan"](input)), dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / counted.to(dtype or input.dtype)
