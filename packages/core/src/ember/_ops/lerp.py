"""lerp: linear interpolation ``input + weight * (end - input)``, with PyTorch's two-sided formula (exact
at both ends: ``end + (weight - 1) * (end - input)`` once |weight| >= 0.5), each step rounded or the
multiply-add fused, as the device's kernel rounds (both are PyTorch's CPU results, docs/internals.md)."""
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
    """lerp from required kernels (devices without the optional `lerp` kernel): PyTorch's two-sided formula,
    each step rounded (its default CPU capability's result, docs/internals.md), float16 computed in float32."""
    dt = input._dtype
    opmath = _dtype.float64 if dt is _dtype.float64 else _dtype.float32
    a, b = (t._data if dt is opmath else k.astype(t._data, opmath) for t in (input, end))
    diff = k.sub(b, a)
    if isinstance(weight, float):  # PyTorch takes a number weight in the opmath dtype, and weight - 1 there
        w = weight if opmath is _dtype.float64 else np.float32(weight)
        data = k.add(a, k.mul(diff, float(w))) if abs(w) < 0.5 else k.add(b, k.mul(diff, float(w - 1)))
    else:
        w = weight if dt is opmath else k.astype(weight, opmath)
        low = k.add(a, k.mul(w, diff))
        high = k.add(b, k.mul(diff, k.sub(w, 1.0)))
        data = k.where(k.lt(k.abs(w), 0.5), low, high)
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
