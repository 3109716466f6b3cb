"""addcmul and addcdiv: ``input + value * tensor1 * tensor2`` and ``input + value * tensor1 / tensor2`` as one op
(AddcmulBackward0, AddcdivBackward0), the three tensors broadcast and promoted together, in float32 for float16.
addcdiv rounds as PyTorch's kernel: ``(value * tensor1) / tensor2``, then the sum. addcmul rounds ``(value *
tensor1) * tensor2`` before the sum, where PyTorch's CPU kernel fuses that multiply-add (one rounding, as its
``add`` with ``alpha``): ember's result can be an ulp from PyTorch's there."""
from __future__ import annotations

import numbers

from .. import _dtype
from .._tensor import Tensor, wrap
from ..autograd.node import Node, attach, needs_input_grad
from .dispatch import _CPP_NAMES, broadcast_all, broadcast_shapes, element, profiled
from .linalg import same_device, write_out


class AddcmulBackward0(Node):
    _names_saved = ("tensor1", "tensor2")

    def backward(self, grad):
        tensor1, tensor2 = self.saved_tensors
        return (grad if needs_input_grad(self, 0) else None,
                grad * (tensor2 * self.value) if needs_input_grad(self, 1) else None,
                grad * (tensor1 * self.value) if needs_input_grad(self, 2) else None)


class AddcdivBackward0(Node):
    _names_saved = ("tensor1", "tensor2")

    def backward(self, grad):
        tensor1, tensor2 = self.saved_tensors
        return (grad if needs_input_grad(self, 0) else None,
                grad * (self.value / tensor2) if needs_input_grad(self, 1) else None,
                -grad * (self.value * tensor1 / (tensor2 * tensor2)) if needs_input_grad(self, 2) else None)


def _rank(t: Tensor) -> int:
    return _dtype.DIMENSIONED if t._data.shape else _dtype.ZERO_DIM


def _combine(op: str, node_cls, input, tensor1, tensor2, value, out, divide: bool) -> Tensor:
    for position, (name, t) in enumerate((("input", input), ("tensor1", tensor1), ("tensor2", tensor2))):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' (position {position + 1}) must be Tensor, not "
                            f"{type(t).__name__}")
    if not isinstance(value, numbers.Number):
        raise TypeError(f"{op}(): argument 'value' must be Number, not {type(value).__name__}")
    same_device(op, input, tensor1, tensor2)
    dt = _dtype.promote_many([(t._dtype, _rank(t)) for t in (input, tensor1, tensor2)])
    if dt is _dtype.bool_:
        raise NotImplementedError(f"\"{op}_cpu_out\" not implemented for 'Bool'")
    if divide and not (tensor1._dtype.is_floating_point or tensor2._dtype.is_floating_point):
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
                           "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
                           "be implemented as (input + value * ember.trunc(tensor1 / tensor2)).to(input.dtype) for "
                           "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * tensor1 / "
                           "tensor2), for all dtypes.")
    broadcast_all(op, [t._data.shape for t in (input, tensor1, tensor2)])
    if isinstance(value, complex):
        raise RuntimeError(f"value cannot be converted to type {_CPP_NAMES[dt.name]} without overflow")
    value = element(value, dt)
    k = input._device.kernels
    opmath = _dtype.float32 if dt is _dtype.float16 else dt  # PyTorch computes half in float
    a, b, c = (t._data if t._dtype is opmath else k.astype(t._data, opmath) for t in (input, tensor1, tensor2))
    scaled = b if value == 1 else k.mul(b, value)
    # the two later results go into a buffer of this op's own (the scaled or the product) when it has the
    # result's shape: no fresh allocation per step, as numpy's own expression reuses its temporaries
    product = (k.div if divide else k.mul)(scaled, c, out=scaled if scaled is not b and _fits(scaled, c) else None)
    data = k.add(a, product, out=product if _fits(product, a) else None)
    if opmath is not dt:
        data = k.astype(data, dt)
    if out is not None:
        return write_out(out, op, data, dt, (input, tensor1, tensor2), reads=(input, tensor1, tensor2))
    saved = (tensor1 if tensor2._requires_grad else None,
             tensor2 if tensor1._requires_grad or (divide and tensor2._requires_grad) else None)
    return attach(wrap(data, dt, input._device), node_cls, (input, tensor1, tensor2), saved, value=value)


def _fits(into, other) -> bool:
    """Whether a binary op of buffer `into` with buffer `other` can write its result into `into`."""
    return broadcast_shapes(into.shape, other.shape) == into.shape


@profiled("aten::addcmul")
def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2, elementwise (the three broadcast)."""
    return _combine("addcmul", AddcmulBackward0, input, tensor1, tensor2, value, out, divide=False)


@profiled("aten::addcdiv")
def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2, elementwise (the three broadcast); floating point only."""
    return _combine("addcdiv", AddcdivBackward0, input, tensor1, tensor2, value, out, divide=True)
