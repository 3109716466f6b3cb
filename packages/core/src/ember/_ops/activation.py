"""Activations: relu, sigmoid, softmax, log_softmax (fused kernels when the device has them)."""
from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd import grad_mode
from ..autograd.node import Node, attach, fused_saved
from . import softmax_double_backward
from .creation import zeros_like
from .dispatch import profiled
from .registry import in_float32


def _float_input(input: Tensor, op: str):
    """PyTorch's refusal of a (log-)softmax over integers or bools, which an empty input escapes."""
    if not input._dtype.is_floating_point and input._data.size:
        raise NotImplementedError(f"\"{op}\" not implemented for '{_dtype.LEGACY_NAMES[input._dtype.name][:-6]}'")
    return input._data


class ReluBackward0(Node):
    def backward(self, grad):
        saved = self._saved
        if saved:  # no graph of the gradient: the kernel straight on the saved result's buffer
            masked = fused_saved(self, grad, saved[0], "threshold_backward", 0)
            if masked is not None:
                return masked
        (result,) = self.saved_tensors
        return threshold_backward(grad, result)


class ThresholdBackwardBackward0(Node):
    """Gradient of relu's gradient: the upstream gradient masked as in the first one; 0 for relu's result."""

    def backward(self, grad):
        (result,) = self.saved_tensors
        return threshold_backward(grad, result), zeros_like(result)


def threshold_backward(grad: Tensor, result: Tensor) -> Tensor:
    """PyTorch's threshold_backward for relu: `grad` where `result` > 0 or is NaN (for relu's results, where
    it is not 0), else 0. Recorded over `result` too, so that under create_graph relu's gradient requires
    grad as PyTorch's does (ThresholdBackwardBackward0)."""
    k = grad._device.kernels
    if k.threshold_backward is not None:
        data = k.threshold_backward(grad._data, result._data, 0)
    else:
        data = k.where(k.ne(result._data, 0), grad._data, 0.0)
    return attach(wrap(data, grad._dtype, grad._device), ThresholdBackwardBackward0, (grad, result), (result,))


@profiled("aten::relu")
def relu(input):
    """max(input, 0) elementwise."""
    if input._dtype is _dtype.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    k = input._device.kernels
    data = k.relu(input._data) if k.relu is not None else k.maximum(input._data, 0)
    result = wrap(data, input._dtype, input._device)
    return attach(result, ReluBackward0, (input,), (result,)) if input._requires_grad else result


class SigmoidBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        fused = grad._device.kernels.sigmoid_backward
        if fused is not None and not grad_mode.state.enabled and grad._dtype is result._dtype \
                and grad._dtype is not _dtype.float16:
            return wrap(fused(grad._data, result._data), grad._dtype, grad._device)
        return in_float32(lambda g, y: g * (1 - y) * y, grad, result)


@profiled("aten::sigmoid")
def sigmoid(input):
    """1 / (1 + exp(-input)), elementwise."""
    k = input._device.kernels
    dt, data = input._dtype, input._data
    if not dt.is_floating_point:  # integer and bool inputs give the default float dtype, as in PyTorch
        dt = _dtype.get_default_dtype()
        data = k.astype(data, dt)
    if dt is _dtype.float16:  # computed in float32, as PyTorch does, where exp(17) would overflow
        data = k.astype(data, _dtype.float32)
    if k.sigmoid is not None:
        out = k.sigmoid(data)
    else:
        out = k.div(1.0, k.add(k.exp(k.neg(data)), 1.0))
    if dt is _dtype.float16:
        out = k.astype(out, dt)
    result = wrap(out, dt, input._device)
    return attach(result, SigmoidBackward0, (input,), (result,))


class SoftmaxBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        dim = self.dim
        fused = _fused_backward(grad._device.kernels.softmax_backward, grad, result, dim)
        if fused is not None:
            return fused
        def gradient(grad, result):
            return in_float32(lambda g, y: y * (g - (g * y).sum(dim, keepdim=True)), grad, result)
        if grad_mode.state.enabled:  # create_graph: PyTorch's node for the gradient
            return softmax_double_backward.recorded(gradient, softmax_double_backward.SoftmaxBackwardDataBackward0,
                                                    grad, result, dim)
        return gradient(grad, result)


class LogSoftmaxBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        dim = self.dim
        fused = _fused_backward(grad._device.kernels.log_softmax_backward, grad, result, dim)
        if fused is not None:
            return fused
        def gradient(grad, result):
            return in_float32(lambda g, y: g - y.exp() * g.sum(dim, keepdim=True), grad, result)
        if grad_mode.state.enabled:  # create_graph: PyTorch's node for the gradient
            return softmax_double_backward.recorded(
                gradient, softmax_double_backward.LogSoftmaxBackwardDataBackward0, grad, result, dim)
        return gradient(grad, result)


def _fused_backward(kernel, grad: Tensor, result: Tensor, dim: int) -> Tensor | None:
    """``kernel(grad, result, dim)`` as the gradient, in one call, when the device has the kernel and no
    graph of the gradient is recorded (float16 keeps core's float32 composition); else None."""
    if kernel is None or grad_mode.state.enabled or grad._dtype is _dtype.float16 or not result._data.shape \
            or grad._dtype is not result._dtype:
        return None
    return wrap(kernel(grad._data, result._data, dim), grad._dtype, grad._device)


def softmax_buffer(input: Tensor, dim: int, log: bool):
    """(log-)softmax of `input` along `dim` on its device: fused kernel, else max-shifted composition."""
    k = input._device.kernels
    data = input._data
    if not data.shape:  # x - max(x) is x - x: 0, or NaN for an infinite or NaN element, as in PyTorch
        shifted = k.sub(data, data)
        return shifted if log else k.exp(shifted)
    if 0 in data.shape:
        return k.empty(data.shape, input._dtype)
    data = k.contiguous(data)  # the result is contiguous whatever the input's layout, as in PyTorch
    if input._dtype is _dtype.float16:  # computed in float32 and rounded once, as PyTorch does
        data = k.astype(data, _dtype.float32)
        if log and dim == len(data.shape) - 1:
            return k.astype(_half_log_softmax_last_dim(k, data, dim), _dtype.float16)
    fused = k.log_softmax if log else k.softmax
    if fused is not None:
        result = fused(data, dim)
    else:
        shifted = k.sub(data, k.max(data, (dim,), True))
        exps = k.exp(shifted)
        total = k.sum(exps, (dim,), True)
        result = k.sub(shifted, k.log(total)) if log else k.div(exps, total)
    return k.astype(result, input._dtype) if input._dtype is _dtype.float16 else result


def _half_log_softmax_last_dim(k, data, dim: int):
    """PyTorch's float16 log_softmax over the last dim, on float32 `data`: its kernel keeps the sum of
    the exponentials in float16 before the log (so the largest of [11.5, -11.5] gives 0, not -1e-5), and the
    log too (ATen's LogSoftmaxKernelImpl stores both in the float16 output's type)."""
    shifted = k.sub(data, k.max(data, (dim,), True))
    total = k.astype(k.astype(k.sum(k.exp(shifted), (dim,), True), _dtype.float16), _dtype.float32)
    return k.sub(shifted, k.astype(k.astype(k.log(total), _dtype.float16), _dtype.float32))


def _softmax(op: str, node_cls, input, dim, dtype):
    if dim is None:
        dim = 0 if input.ndim in (0, 1, 3) else 1  # PyTorch's legacy implicit dim choice
    if dtype is not None:
        input = input.to(dtype)
    _float_input(input, op)
    d = _wrap_dim(dim, input.ndim, op)
    result = wrap(softmax_buffer(input, d, op == "log_softmax"), input._dtype, input._device)
    return attach(result, node_cls, (input,), (result,), dim=d)


@profiled("aten::softmax")
def softmax(input, dim=None, dtype=None):
    """exp(x) / sum(exp(x)) along `dim`, computed stably."""
    return _softmax("softmax", SoftmaxBackward0, input, dim, dtype)


@profiled("aten::log_softmax")
def log_softmax(input, dim=None, dtype=None):
    """x - log(sum(exp(x))) along `dim`, computed stably."""
    return _softmax("log_softmax", LogSoftmaxBackward0, input, dim, dtype)
