"""trapezoid (trapz) and cumulative_trapezoid, as PyTorch's: the trapezoidal rule along a dim, with sample
spacing `dx` or sample points `x` (1-d, or broadcasting after the differences are taken, as NumPy's);
composed in PyTorch's order, so values and grad_fn names (MulBackward1, DivBackward1, CumsumBackward0) are its."""
from __future__ import annotations

import numbers

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from .creation import zeros
from .dispatch import profiled
from .scalar_ops import divided, scaled


def _checked(op: str, y, x, dx, dim):
    """dim wrapped, after PyTorch's refusals of the arguments."""
    if not isinstance(y, Tensor):
        raise TypeError(f"{op}(): argument 'y' (position 1) must be Tensor, not {type(y).__name__}")
    if x is not None and dx is not None:
        raise TypeError(f"{op}() received an invalid combination of arguments - got (Tensor, Tensor, dx=...), but "
                        "expected one of:\n * (Tensor y, Tensor x, *, int dim = -1)\n"
                        " * (Tensor y, *, Number dx = 1, int dim = -1)\n")
    if dx is not None and (isinstance(dx, bool) or not isinstance(dx, numbers.Real)):
        raise RuntimeError(f"{op}: Currently, we only support dx as a real number.")
    if not y.ndim:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, y.ndim, op)
    if y.dtype is _dtype.bool_ or (x is not None and x.dtype is _dtype.bool_):
        what = "`x` or `y`" if x is not None else "`y`"
        raise RuntimeError(f"{op}: received a bool input for {what}, but bool is not supported")
    return d


def _spacing(op: str, y, x, d: int):
    """The differences of the sample points `x` along `d`, shaped to broadcast with y's."""
    if x.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{op}: There must be one `x` value for each sample point")
        shape = [1] * y.ndim
        shape[d] = x.shape[0]
        x = x.view(shape)
    elif x.ndim < y.ndim:
        x = x.view([1] * (y.ndim - x.ndim) + list(x.shape))
    return x.narrow(d, 1, x.shape[d] - 1) - x.narrow(d, 0, x.shape[d] - 1)


def _pair_sums(y, d: int):
    """y's neighbouring samples added: y[1:] + y[:-1] along `d`."""
    n = y.shape[d]
    return y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)


@profiled("aten::trapezoid")
def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The integral of `y` along `dim` by the trapezoidal rule: samples `dx` apart (1 by default) or at the
    points `x`; 0 over no samples."""
    d = _checked("trapezoid", y, x, dx, dim)
    if y.shape[d] == 0:
        return zeros([n for i, n in enumerate(y.shape) if i != d], dtype=y.dtype, device=y.device)
    if x is not None:
        return divided((_spacing("trapezoid", y, x, d) * _pair_sums(y, d)).sum(d), 2.0)
    ends = y.select(d, 0) + y.select(d, -1)
    return scaled(y.sum(d) - scaled(ends, 0.5), float(1 if dx is None else dx))


def trapz(y, x=None, *, dx=None, dim=-1):
    """trapezoid's older name."""
    return trapezoid(y, x, dx=dx, dim=dim)


@profiled("aten::cumulative_trapezoid")
def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running integral of `y` along `dim` by the trapezoidal rule (one value fewer than samples)."""
    d = _checked("cumulative_trapezoid", y, x, dx, dim)
    if x is not None:
        spacing = _spacing("cumulative_trapezoid", y, x, d)
        if y.shape[d] == 0:
            return divided(y.narrow(d, 0, 0) * spacing, 2.0)
        return divided((spacing * _pair_sums(y, d)).cumsum(d), 2.0)
    step = float(1 if dx is None else dx) / 2.0
    if y.shape[d] == 0:
        return step * y.narrow(d, 0, 0)
    return (step * _pair_sums(y, d)).cumsum(d)
