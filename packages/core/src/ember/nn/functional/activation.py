"""Activation functions: relu, sigmoid, tanh, softmax, log_softmax, with their backward nodes.

Forward values run on the device's buffers, through its fused kernel when it has one and composed from
required kernels otherwise; backward formulas use differentiable ember ops (double backward works).
"""

from __future__ import annotations

import ember
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.autograd.node import Node, attach
from ember.nn.functional._common import implicit_softmax_dim, type_name, wrap_dim, zero_of


class ReluBackward0(Node):
    def backward(self, grad: Tensor) -> Tensor:
        (result,) = self.saved_tensors
        return grad * (result > 0)


def _relu_data(input: Tensor):
    kernels = input._device.kernels
    if kernels.relu is not None:
        return kernels.relu(input._data)
    return kernels.maximum(input._data, zero_of(input))


@profiled("aten::relu")
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x) elementwise; ``inplace=True`` writes the result into ``input``."""
    if inplace:
        return relu_(input)
    result = Tensor._make(_relu_data(input), input._dtype, input._device)
    return attach(result, ReluBackward0, (input,), (result,))


@profiled("aten::relu_")
def relu_(input: Tensor) -> Tensor:
    """In-place relu: ``input`` becomes max(0, input) and, under autograd, the output of ReluBackward0."""
    return input._inplace(_relu_data(input), ReluBackward0, save_result=True)


class SigmoidBackward0(Node):
    def backward(self, grad: Tensor) -> Tensor:
        (result,) = self.saved_tensors
        return grad * (1 - result) * result


def _sigmoid_data(kernels, x):
    """1 / (1 + exp(-x)) without overflow: with e = exp(-|x|), 1/(1+e) for x >= 0 and e/(1+e) below."""
    e = kernels.exp(kernels.neg(kernels.abs(x)))
    positive = kernels.div(1.0, kernels.add(e, 1.0))
    return kernels.where(kernels.ge(x, 0.0), positive, kernels.mul(e, positive))


@profiled("aten::sigmoid")
def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)) elementwise (integer inputs give the default float dtype)."""
    kernels = input._device.kernels
    dtype, data = input._dtype, input._data
    if not dtype.is_floating_point:
        dtype = ember.get_default_dtype()
        data = kernels.astype(data, dtype)
    data = kernels.sigmoid(data) if kernels.sigmoid is not None else _sigmoid_data(kernels, data)
    result = Tensor._make(data, dtype, input._device)
    return attach(result, SigmoidBackward0, (input,), (result,))


def tanh(input: Tensor) -> Tensor:
    """tanh(x) elementwise (the same op as ``ember.tanh``)."""
    return ember.tanh(input)


class SoftmaxBackward0(Node):
    def backward(self, grad: Tensor) -> Tensor:
        (result,) = self.saved_tensors
        return result * (grad - (grad * result).sum(self.dim, keepdim=True))


class LogSoftmaxBackward0(Node):
    def backward(self, grad: Tensor) -> Tensor:
        (result,) = self.saved_tensors
        return grad - result.exp() * grad.sum(self.dim, keepdim=True)


def _softmax_input(name: str, input: Tensor, dim: int | None, stacklevel: int, dtype) -> tuple[Tensor, int]:
    """The (cast) input and the non-negative dim of a softmax-family call, checked as PyTorch does."""
    if dim is None:
        dim = implicit_softmax_dim(name, input.dim(), stacklevel + 1)
    if dtype is not None:
        input = input.to(dtype)
    if not input._dtype.is_floating_point:
        raise RuntimeError(f'"{name}_lastdim_kernel_impl" not implemented for \'{type_name(input)}\'')
    return input, wrap_dim(dim, input.dim(), name)


def softmax_data(input: Tensor, axis: int):
    """Buffer of softmax(input) along ``axis``: the device's fused kernel, or max-shifted exp / sum."""
    kernels = input._device.kernels
    x = input._data
    if not x.shape:
        return kernels.full((), 1.0, input._dtype)
    if kernels.softmax is not None:
        return kernels.softmax(x, axis)
    e = kernels.exp(kernels.sub(x, kernels.max(x, (axis,), True)))
    return kernels.div(e, kernels.sum(e, (axis,), True), out=e)


def log_softmax_data(input: Tensor, axis: int):
    """Buffer of log_softmax(input) along ``axis``: fused kernel, or (x - max) - log(sum(exp(x - max)))."""
    kernels = input._device.kernels
    x = input._data
    if not x.shape:
        return kernels.full((), 0.0, input._dtype)
    if kernels.log_softmax is not None:
        return kernels.log_softmax(x, axis)
    shifted = kernels.sub(x, kernels.max(x, (axis,), True))
    log_sum = kernels.log(kernels.sum(kernels.exp(shifted), (axis,), True))
    return kernels.sub(shifted, log_sum, out=shifted)


@profiled("aten::softmax")
def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``; ``dtype`` casts the input first."""
    input, axis = _softmax_input("softmax", input, dim, _stacklevel, dtype)
    result = Tensor._make(softmax_data(input, axis), input._dtype, input._device)
    return attach(result, SoftmaxBackward0, (input,), (result,), dim=axis)


@profiled("aten::log_softmax")
def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably; ``dtype`` casts the input first."""
    input, axis = _softmax_input("log_softmax", input, dim, _stacklevel, dtype)
    result = Tensor._make(log_softmax_data(input, axis), input._dtype, input._device)
    return attach(result, LogSoftmaxBackward0, (input,), (result,), dim=axis)
