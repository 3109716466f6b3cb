"""quantile and nanquantile, as PyTorch's: the q-th quantiles along a dim (or of all elements), read from
the sorted values at rank q (n - 1) with PyTorch's interpolations between the neighbouring ranks; composed of
sort, gather and lerp, so gradients flow to the selected elements."""
from __future__ import annotations

import numbers

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from .creation import full_like, tensor
from .dispatch import profiled
from .lerp import lerp
from .scatter import gather

_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


class SqueezeBackward4(Node):
    """PyTorch's node of its final in-place ``squeeze_(-1)``: the gradient with the dim put back."""

    def backward(self, grad):
        return grad.unsqueeze(-1)


def _checked_q(q, input, op: str):
    """`q` as a tensor of the input's dtype, refused as PyTorch refuses it."""
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        if q.device != input.device:
            raise RuntimeError("quantile() q tensor must be on the same device as the input tensor")
        if not bool(((q >= 0) & (q <= 1)).all()):
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
        return q
    if not (0 <= q <= 1):
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q:g}")
    return tensor(float(q), dtype=input.dtype, device=input.device)


def _quantile(op: str, input, q, dim, keepdim: bool, interpolation: str, ignore_nan: bool, out):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(q, Tensor) and (isinstance(q, bool) or not isinstance(q, numbers.Real)):
        raise TypeError("quantile() received an invalid combination of arguments - got (Tensor, {type(q).__name__}), "
                        "but expected (Tensor input, Tensor q, ...) or (Tensor input, float q, ...)")
    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if isinstance(q, Tensor) and q.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if input.dtype not in (_dtype.float32, _dtype.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if interpolation not in _MODES:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, but "
                           f"got {interpolation}")
    d = _wrap_dim(dim, max(input.ndim, 1), op) if dim is not None else 0
    q_tensor = _checked_q(q, input, op)
    # the result's shape: the input's without dim (kept as 1 with keepdim), q's length in front
    if dim is not None and input.ndim:
        shape = list(input.shape)
        if keepdim:
            shape[d] = 1
        else:
            del shape[d]
    else:
        shape = [1] * input.ndim if keepdim else []
    if dim is None or not input.ndim:
        values = input.reshape(-1)
    elif d == input.ndim - 1:
        values = input
    else:
        values = input.unsqueeze(-1).transpose(d, -1)
    values = values.sort(-1)[0]
    values = values.reshape(shape + [values.shape[-1]])
    with grad_mode.no_grad():
        if ignore_nan:
            ranks = q_tensor.reshape(-1) * ((values == values).sum(-1, keepdim=True) - 1)
            ranks = ranks.masked_fill(ranks < 0, 0)
        else:
            last = values.shape[-1] - 1
            ranks = q_tensor.reshape(-1) * last
            has_nan = (values != values).any(-1, keepdim=True)
            ranks = ranks.expand(*has_nan.shape[:-1], ranks.shape[-1]).masked_fill(has_nan, last)
        if interpolation in ("lower", "higher", "nearest"):
            ranks = {"lower": ranks.floor, "higher": ranks.ceil, "nearest": ranks.round}[interpolation]()
        below = ranks.long()
        above = ranks.ceil().long()
        weights = full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - below
    result = gather(values, -1, below)
    if interpolation in ("linear", "midpoint"):
        result = lerp(result, gather(values, -1, above), weights)
    if q_tensor.ndim:
        result = result.unsqueeze(0).transpose(0, -1)
    with grad_mode.no_grad():
        final = result.squeeze(-1).contiguous()
    if out is not None:
        from .linalg import write_out
        return write_out(out, op, final._data, input.dtype, (input, q_tensor))
    return attach(final, SqueezeBackward4, (result,))


@profiled("aten::quantile")
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The `q`-th quantiles (a number or a 0-d/1-d tensor in [0, 1]) of `input` along `dim` (all elements when
    None), interpolated as `interpolation`; NaN wherever a reduced slice holds a NaN."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False, out)


@profiled("aten::nanquantile")
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """quantile ignoring NaN values (NaN only where a reduced slice is all NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True, out)
