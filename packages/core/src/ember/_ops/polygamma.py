"""polygamma(n, x), the n-th derivative of digamma, and mvlgamma, the multivariate log-gamma, composed
from ember ops as PyTorch computes them (its ATen Math.h): digamma's kernel for n = 0, trigamma's series
for n = 1, and (-1)^(n+1) n! zeta(n + 1, x) beyond, with Cephes' Hurwitz zeta."""
from __future__ import annotations

import math

from .. import _dtype
from .._tensor import Tensor, wrap
from ..autograd import grad_mode
from ..autograd.node import Node, attach, needs_grad
from .dispatch import profiled
from .hurwitz_zeta import zeta
from .linalg import write_out
from .pointwise import where
from .registry import in_float32


def _trigamma(x: Tensor) -> Tensor:
    """PyTorch's calc_trigamma: the reflection below 1/2, six terms of the series, the asymptotic tail."""
    reflected = x < 0.5
    sin_pi_x = (x * math.pi).sin()
    x = where(reflected, 1 - x, x)
    result = where(reflected, -(math.pi * math.pi) / (sin_pi_x * sin_pi_x), 0.0)
    for _ in range(6):
        result = result + 1 / (x * x)
        x = x + 1
    ixx = 1 / (x * x)
    result = result + (1 + 1 / (2 * x) + ixx * (1.0 / 6 - ixx * (1.0 / 30 - ixx * (1.0 / 42)))) / x
    return where(reflected, -result, result)


def _polygamma(n: int, x: Tensor) -> Tensor:
    if n == 0:
        return x.digamma()
    if n == 1:
        return in_float32(_trigamma, x)
    sign = 1.0 if n % 2 else -1.0
    return in_float32(lambda x: sign * math.exp(math.lgamma(n + 1.0)) * zeta(n + 1.0, x), x)


def _recorded(name: str, compute, input: Tensor, out, node_cls: type, **attributes) -> Tensor:
    """``compute(x)`` without a graph, x `input` in its floating dtype (the default one for integers),
    written into `out` or recorded as `node_cls` over `input` (saved) with `attributes`."""
    dt = input._dtype if input._dtype.is_floating_point else _dtype.get_default_dtype()
    with grad_mode.no_grad():
        data = compute(input.to(dt))._data
    if out is not None:
        return write_out(out, name, data, dt, (input,), (input,))
    result = wrap(data, dt, input._device)
    if needs_grad((input,)):
        attach(result, node_cls, (input,), (input,), **attributes)
    return result


class PolygammaBackward0(Node):
    """polygamma's gradient: polygamma(n + 1, x)."""

    _names_saved = ("self",)

    def backward(self, grad):
        x, = self.saved_tensors
        return grad * polygamma(self.n + 1, x)


@profiled("aten::polygamma")
def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma at each element of `input` (as torch.polygamma)."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if not isinstance(input, Tensor):
        raise TypeError(f"polygamma(): argument 'input' (position 2) must be Tensor, not {type(input).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _recorded("polygamma", lambda x: _polygamma(n, x), input, out, PolygammaBackward0, n=n)


class MvlgammaBackward0(Node):
    """mvlgamma's gradient: the sum of digamma over its p arguments."""

    _names_saved = ("self",)

    def backward(self, grad):
        x, = self.saved_tensors
        return grad * _arguments(x, self.p).digamma().sum(-1)


def _arguments(x: Tensor, p: int) -> Tensor:
    """x - j/2 for j = 0 .. p-1, along a new last dim (PyTorch's order: from x - (p-1)/2 up to x)."""
    from .creation import arange
    return arange(-p * 0.5 + 0.5, 0.5, 0.5, dtype=x.dtype, device=x.device) + x.unsqueeze(-1)


@profiled("aten::mvlgamma")
def mvlgamma(input, p, *, out=None):
    """The multivariate log-gamma of dimension `p`, elementwise (as torch.mvlgamma)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"mvlgamma(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(p, int) or isinstance(p, bool):
        raise TypeError(f"mvlgamma(): argument 'p' (position 2) must be int, not {type(p).__name__}")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return _recorded("mvlgamma", lambda x: _arguments(x, p).lgamma().sum(-1) + p * (p - 1) * math.log(math.pi) * 0.25,
                     input, out, MvlgammaBackward0, p=p)


def polygamma_method(input, n, *, out=None):
    """``Tensor.polygamma(n)``: the tensor first, as PyTorch's method takes it."""
    return polygamma(n, input, out=out)
