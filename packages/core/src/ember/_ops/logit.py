"""logit: ``log(x / (1 - x))``, x first clamped to [eps, 1 - eps] when ``eps`` is given (LogitBackward0), as
PyTorch's kernel computes it (float16 in float32)."""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from .dispatch import profiled
from .linalg import write_out
from .pointwise import where


class LogitBackward0(Node):
    """grad / (x (1 - x)); NaN outside [0, 1] without eps, 0 outside [eps, 1 - eps] with it (PyTorch's)."""

    _names_saved = ("self",)
    eps: float | None

    def backward(self, grad):
        (x,) = self.saved_tensors
        slope = grad / (x * (1 - x))
        if self.eps is None:
            return where((x < 0) | (x > 1), math.nan, slope)
        low, high = _bounds(self.eps, x._dtype)
        return where((x < low) | (x > high), 0.0, slope)


def _bounds(eps: float, dt) -> tuple[float, float]:
    """[eps, 1 - eps] as PyTorch's kernel forms them: eps in the tensor's type, then 1 - eps in it."""
    element = np.dtype(dt.numpy).type
    low = element(eps)
    return float(low), float(element(1) - low)


@profiled("aten::logit")
def logit(input, eps=None, *, out=None):
    """log(input / (1 - input)); with ``eps`` (>= 0) the input is clamped to [eps, 1 - eps] first."""
    if not isinstance(input, Tensor):
        raise TypeError(f"logit(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if eps is not None and not isinstance(eps, (int, float)):
        raise TypeError(f"logit(): argument 'eps' must be float, not {type(eps).__name__}")
    eps = None if eps is None or eps < 0 else float(eps)
    dt = input._dtype if input._dtype.is_floating_point else _dtype.get_default_dtype()
    opmath = _dtype.float32 if dt is _dtype.float16 else dt
    with grad_mode.no_grad():
        x = input if input._dtype is opmath else input.to(opmath)
        if eps is not None:
            x = x.clamp(*_bounds(eps, dt))
        result = (x / (1 - x)).log()
        if opmath is not dt:
            result = result.to(dt)
    if out is not None:
        return write_out(out, "logit", result._data, dt, (input,), reads=(input,))
    return attach(result, LogitBackward0, (input,), (input,), eps=eps)
