"""A tensor plus, times or divided by a Python number, recorded as PyTorch's C++ formulas record their
Scalar overloads (``AddBackward1``, ``MulBackward1``, ``DivBackward1``; Python's ``t * 2`` is MulBackward0): for
the ops composed as PyTorch composes them (index_add's alpha, trapezoid's dx, rms_norm's eps)."""
from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor, wrap
from ..autograd.node import Node, attach


class AddBackward1(Node):
    """A sum with a number: the gradient as it is."""

    def backward(self, grad):
        return grad


class MulBackward1(Node):
    """A product with a number: the gradient times it."""

    def backward(self, grad):
        return scaled(grad, self.other)


class DivBackward1(Node):
    """A quotient by a number: the gradient divided by it."""

    def backward(self, grad):
        return divided(grad, self.other)


def _floating(t: Tensor) -> Tensor:
    """An integer or bool `t` in the default float dtype (an integer times a float number is a float)."""
    return t if t._dtype.is_floating_point else t.to(_dtype.get_default_dtype())


def shifted(t: Tensor, number) -> Tensor:
    """t + number (AddBackward1)."""
    if isinstance(number, float):
        t = _floating(t)
    data = t._device.kernels.add(t._data, number)
    return attach(wrap(data, t._dtype, t._device), AddBackward1, (t,))


def scaled(t: Tensor, number) -> Tensor:
    """t * number (MulBackward1)."""
    if isinstance(number, float):
        t = _floating(t)
    data = t._device.kernels.mul(t._data, number)
    return attach(wrap(data, t._dtype, t._device), MulBackward1, (t,), other=number)


def divided(t: Tensor, number) -> Tensor:
    """t / number (DivBackward1), a float."""
    t = _floating(t)
    data = t._device.kernels.div(t._data, number)
    return attach(wrap(data, t._dtype, t._device), DivBackward1, (t,), other=number)
