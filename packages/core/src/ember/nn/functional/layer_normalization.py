"""`layer_norm`: normalise the trailing `normalized_shape` dimensions to zero mean and unit (biased)
variance, then scale and shift; one NativeLayerNormBackward0 node over (input, weight, bias), as PyTorch
records it, whose backward is written in differentiable ember ops (second derivatives compose). A float16
input is computed in float32, with float16 or (mixed type) float32 weight and bias."""

from __future__ import annotations

from ember import _dtype
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach, needs_input_grad
from ember.nn.functional._mixed_dtype import opmath, parameter_dtype


class NativeLayerNormBackward0(Node):
    """dx = rstd * (g - mean(g) - x̂ * mean(g * x̂)) with g = grad * weight; dweight = Σ grad * x̂,
    dbias = Σ grad over the leading (batch) dimensions."""

    _names_saved = ("input", "weight", "bias", "result1", "result2")
    axes: tuple
    batch_axes: tuple
    eps: float

    def backward(self, grad: Tensor) -> tuple:
        input, weight, bias, mean, rstd = self.saved_tensors
        compute = opmath(input._dtype)  # the gradients are computed in float32 for a float16 input
        input, grad = input.to(compute), grad.to(compute)
        weight = None if weight is None else weight.to(compute)
        if grad_mode.is_grad_enabled():  # create_graph: the statistics as functions of the input
            mean, rstd = _statistics(input, self.axes, self.eps)
        normalized = (input - mean) * rstd
        grads: list = [None, None, None]
        if needs_input_grad(self, 0):
            g = grad if weight is None else grad * weight
            grads[0] = rstd * (g - g.mean(self.axes, keepdim=True)
                               - normalized * (g * normalized).mean(self.axes, keepdim=True))
        if weight is not None and needs_input_grad(self, 1):
            grads[1] = (grad * normalized).sum(self.batch_axes) if self.batch_axes else grad * normalized
        if bias is not None and needs_input_grad(self, 2):
            grads[2] = grad.sum(self.batch_axes) if self.batch_axes else grad
        return tuple(grads)


def _shape_list(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _check(input: Tensor, shape: tuple, weight: Tensor | None, bias: Tensor | None) -> _dtype.dtype:
    """layer_norm's refusals, in PyTorch's order and words; the parameters' dtype."""
    parameters = parameter_dtype(input, weight, bias)
    if not input.dtype.is_floating_point:
        name = _dtype.TYPE_NAMES[input.dtype.name]
        raise NotImplementedError(f"\"LayerNormKernelImpl\" not implemented for '{name}'")
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and tuple(tensor.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                f"{_shape_list(tensor.shape)} and normalized_shape = {_shape_list(shape)}"
            )
    n = len(shape)
    if not shape or input.dim() < n or tuple(input.shape[input.dim() - n:]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={_shape_list(shape)}, expected input with shape "
            f"[*{''.join(', ' + str(s) for s in shape)}], but got input of size{_shape_list(input.shape)}"
        )
    return parameters


def normalized_shape_tuple(normalized_shape, op: str) -> tuple:
    """`normalized_shape` as a tuple of ints (an int is one dimension for the module, a TypeError for the
    function, as in PyTorch)."""
    if isinstance(normalized_shape, (tuple, list)) and all(isinstance(s, int) for s in normalized_shape):
        return tuple(normalized_shape)
    if hasattr(normalized_shape, "__iter__") and not isinstance(normalized_shape, str):
        return tuple(int(s) for s in normalized_shape)
    raise TypeError(f"{op}(): argument 'normalized_shape' (position 2) must be tuple of ints, "
                    f"not {type(normalized_shape).__name__}")


def _statistics(input: Tensor, axes: tuple, eps: float) -> tuple:
    """The mean and 1/sqrt(biased variance + eps) over `axes`, kept as dimensions of size 1."""
    mean = input.mean(axes, keepdim=True)
    centered = input - mean
    return mean, ((centered * centered).mean(axes, keepdim=True) + eps).rsqrt()


@profiled("aten::layer_norm")
def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """(x - E[x]) / sqrt(Var[x] + eps) * weight + bias over the last len(normalized_shape) dimensions."""
    shape = normalized_shape_tuple(normalized_shape, "layer_norm")
    parameters = _check(input, shape, weight, bias)
    axes = tuple(range(input.dim() - len(shape), input.dim()))
    compute = opmath(input._dtype)
    with grad_mode.no_grad():
        x = input.to(compute)
        mean, rstd = _statistics(x, axes, eps)
        result = (x - mean) * rstd
        if weight is not None:
            result = result * weight.to(compute)
        if bias is not None:
            result = result + bias.to(compute)
        result = result.to(input._dtype)
        # PyTorch's backward reads the statistics it kept in the parameters' dtype (float16 without mixing)
        mean, rstd = mean.to(parameters).to(compute), rstd.to(parameters).to(compute)
    return attach(result, NativeLayerNormBackward0, (input, weight, bias), (input, weight, bias, mean, rstd),
                  axes=axes, eps=eps, batch_axes=tuple(range(input.dim() - len(shape))))
