"""PyTorch's ZeroTensor kernels of mul, div, add and sub, for an operand that is an efficient zero tensor
(`ember._tensor.ZeroTensor`): a product is one (0 * inf is 0), so is 0 / x (even 0 / 0 as a number), x / 0 is
inf and 0 / 0 NaN, and a sum is a copy of the other operand (-0. stays -0.). Every other op reads its zeros."""
from __future__ import annotations

import math

from .._tensor import Tensor, ZeroTensor, wrap
from .dispatch import broadcast_all


def efficient_zeros(shape, dtype, device) -> ZeroTensor:
    """An efficient zero tensor (PyTorch's at::_efficientzerotensor)."""
    return wrap(device.kernels.full(tuple(shape), 0, dtype), dtype, device, cls=ZeroTensor)  # type: ignore[return-value]


def _shape(name: str, a, b) -> tuple:
    return broadcast_all(name, tuple(v._data.shape if isinstance(v, Tensor) else () for v in (a, b)))


def _device(a, b):
    return a._device if isinstance(a, Tensor) else b._device


def product(a, b, x, y, dt, params: dict) -> Tensor:
    """mul_zerotensor: a zero tensor of the broadcast shape."""
    return efficient_zeros(_shape("mul", a, b), dt, _device(a, b))


def quotient(a, b, x, y, dt, params: dict) -> Tensor:
    """div_zerotensor: 0 / x a zero tensor, x / 0 all inf and 0 / 0 all NaN (whatever x holds)."""
    shape, device = _shape("div", a, b), _device(a, b)
    divisor_zero = b.__class__ is ZeroTensor
    if a.__class__ is ZeroTensor and not divisor_zero:
        return efficient_zeros(shape, dt, device)
    value = math.nan if a.__class__ is ZeroTensor else math.inf
    return wrap(device.kernels.full(shape, value, dt), dt, device)


def _sum(name: str, a, b, x, y, dt, alpha) -> Tensor:
    """add_zerotensor: a zero tensor when both are; else the other operand broadcast and cast (`x` or `y`, a
    buffer or a number converted), times `alpha` when it is the second and alpha is not 1."""
    shape, device = _shape(name, a, b), _device(a, b)
    if a.__class__ is ZeroTensor and b.__class__ is ZeroTensor:
        return efficient_zeros(shape, dt, device)
    k = device.kernels
    data = k.copy_(k.empty(shape, dt), y if a.__class__ is ZeroTensor else x)
    if a.__class__ is ZeroTensor and alpha != 1:
        data = k.mul(data, alpha)
    return wrap(data, dt, device)


def total(a, b, x, y, dt, params: dict) -> Tensor:
    return _sum("add", a, b, x, y, dt, params.get("alpha", 1))


def difference(a, b, x, y, dt, params: dict) -> Tensor:
    """sub_zerotensor: add_zerotensor with -alpha."""
    return _sum("sub", a, b, x, y, dt, -params.get("alpha", 1))
