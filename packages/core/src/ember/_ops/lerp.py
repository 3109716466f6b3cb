"""lerp: linear interpolation ``input + weight * (end - input)``, with PyTorch's two-sided formula (exact
at both ends: ``end - (end - input) * (1 - weight)`` once |weight| >= 0.5) and its fused rounding."""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype
from .._tensor import Tensor, wrap
from ..autograd.node import Node, attach, needs_input_grad
from .dispatch import binary_failure, broadcast_shapes, bump, check_out, profiled, type_name


class LerpBackward0(Node):
    """A number weight."""

    def backward(self, grad):
        return (grad * (1 - self.weight) if needs_input_grad(self, 0) else None,
                grad * self.weight if needs_input_grad(self, 1) else None)


class LerpBackward1(Node):
    """A tensor weight."""

    def backward(self, grad):
        input, end, weight = self.saved_tensors
        return (grad * (1 - weight) if needs_input_grad(self, 0) else None,
                grad * weight if needs_input_grad(self, 1) else None,
                grad * (end - input) if needs_input_grad(self, 2) else None)


def _c_name(t: Tensor) -> str:
    return {"Float": "float", "Double": "double", "Half": "c10::Half"}.get(type_name(t._dtype),
                                                                           type_name(t._dtype).lower())


def _composed(k, input, end, weight):
    """lerp from required kernels (devices without the optional `lerp` kernel): PyTorch's two-sided formula in
    float32 for float16, each multiply-add formed in float64 and rounded from there (fused for float32 but
    for a rare double rounding; float64 rounds each step)."""
    dt = input._dtype
    # The products and sums are formed in float64, where they are exact, then rounded to float32.
    wide, opmath = _dtype.float64, (_dtype.float64 if dt is _dtype.float64 else _dtype.float32)

    def widen(data):  # from opmath
        return data if opmath is wide else k.astype(data, wide)
    a, b = (t._data if dt is opmath else k.astype(t._data, opmath) for t in (input, end))
    diff = widen(k.sub(b, a))
    if not isinstance(weight, float):
        w = weight if dt is opmath else k.astype(weight, opmath)
        low = k.add(widen(a), k.mul(widen(w), diff))
        high = k.sub(widen(b), k.mul(diff, widen(k.sub(1.0, w))))
        data = k.where(k.lt(k.abs(w), 0.5), low, high)
    else:
        weight = float(np.float32(weight)) if opmath is not wide else weight
        one_minus = float(np.float32(1.0 - weight)) if opmath is not wide else 1.0 - weight
        data = (k.add(widen(a), k.mul(diff, weight)) if abs(weight) < 0.5 else
                k.sub(widen(b), k.mul(diff, one_minus)))
    data = data if opmath is wide else k.astype(data, opmath)
    return data if dt is opmath else k.astype(data, dt)


@profiled("aten::lerp")
def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input); `weight` a number or a tensor, all three broadcast."""
    for position, (name, t) in enumerate((("input", input), ("end", end))):
        if not isinstance(t, Tensor):
            raise TypeError(f"lerp(): argument '{name}' (position {position + 1}) must be Tensor, not "
                            f"{type(t).__name__}")
    by_tensor = isinstance(weight, Tensor)
    if not by_tensor and not isinstance(weight, numbers.Real):
        raise TypeError(f"lerp(): argument 'weight' (position 3) must be Tensor or Number, not "
                        f"{type(weight).__name__}")
    if by_tensor and not weight._data.shape and weight._dtype is not input._dtype:
        weight = weight.to(input._dtype)  # a 0-d weight is cast, as PyTorch's (its gradient cast back)
    operands = (("end", end), ("weight", weight)) if by_tensor else (("end", end),)
    for name, t in operands:
        if t._device is not input._device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{input._device} and {t._device}! (in lerp)")
        if t._dtype is not input._dtype:
            raise RuntimeError(f"expected dtype {_c_name(input)} for `{name}` but got dtype {_c_name(t)}")
    if not input._dtype.is_floating_point:
        kernel = "lerp_kernel_tensor" if by_tensor else "lerp_kernel_scalar"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{type_name(input._dtype)}'")
    shape = broadcast_shapes(input._data.shape, end._data.shape)
    if shape is None:
        raise binary_failure("lerp", input, end, ValueError("shapes do not broadcast"))
    if by_tensor and broadcast_shapes(shape, weight._data.shape) is None:
        raise binary_failure("lerp", input if len(input._data.shape) >= len(end._data.shape) else end, weight,
                             ValueError("shapes do not broadcast"))
    k = input._device.kernels
    w = weight._data if by_tensor else float(weight)
    data = k.lerp(input._data, end._data, w) if k.lerp is not None else _composed(k, input, end, w)
    if out is not None:
        check_out(out, "lerp", tuple(data.shape), input._dtype)
        k.copy_(out._data, data)
        bump(out)
        return out
    result = wrap(data, input._dtype, input._device)
    if by_tensor:
        return attach(result, LerpBackward1, (input, end, weight), (input, end, weight))
    return attach(result, LerpBackward0, (input, end), weight=weight)
