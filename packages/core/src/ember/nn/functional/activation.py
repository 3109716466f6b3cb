"""Activation functions as ``torch.nn.functional`` spells them, over core's activation ops."""

from __future__ import annotations

import ember
from ember._ops import unary
from ember._ops.inplace import make_inplace
from ember._tensor import Tensor
from ember.nn.functional._common import implicit_softmax_dim


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x) elementwise; ``inplace=True`` writes the result into ``input``."""
    return input.relu_() if inplace else ember.relu(input)


def relu_(input: Tensor) -> Tensor:
    """In-place relu."""
    return input.relu_()


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)) elementwise."""
    return ember.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """tanh(x) elementwise."""
    return unary.FUNCTIONS["tanh"](input)


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: ember.dtype | None = None
) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``; ``dtype`` casts the input first."""
    if dim is None:
        dim = implicit_softmax_dim("softmax", input.dim(), _stacklevel)
    return ember.softmax(input, dim, dtype=dtype)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: ember.dtype | None = None
) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably; ``dtype`` casts the input first."""
    if dim is None:
        dim = implicit_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return ember.log_softmax(input, dim, dtype=dtype)


_OPS = unary.ACTIVATION_FUNCTIONS
_IN_PLACE = {name: make_inplace(unary.ACTIVATION_IN_PLACE.get(name, op), name + "_", writes_out=False)
             for name, op in _OPS.items()}
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _apply(name: str, input: Tensor, inplace: bool, *params) -> Tensor:
    """The registry's activation `name`, in place on `input` when `inplace`."""
    return (_IN_PLACE if inplace else _OPS)[name](input, *params)


def gelu(input: Tensor, *, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF; ``approximate="tanh"`` uses tanh's approximation of it."""
    return _OPS["gelu"](input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x)."""
    return _apply("silu", input, inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha * (exp(x) - 1) elsewhere."""
    return _apply("elu", input, inplace, alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants (its grad_fn is elu's, as in PyTorch)."""
    return _apply("elu", input, inplace, _SELU_ALPHA, _SELU_SCALE)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    return _apply("celu", input, inplace, alpha)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope * x elsewhere."""
    return _apply("leaky_relu", input, inplace, negative_slope)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold."""
    return _OPS["softplus"](input, beta, threshold)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clamped to [min_val, max_val]."""
    return _apply("hardtanh", input, inplace, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6): hardtanh(x, 0, 6), as in PyTorch (HardtanhBackward0)."""
    return _apply("hardtanh", input, inplace, 0.0, 6.0)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    return _apply("hardswish", input, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    return _apply("hardsigmoid", input, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return _apply("mish", input, inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), computed stably."""
    return _OPS["log_sigmoid"](input)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, 0 elsewhere."""
    return _OPS["hardshrink"](input, lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x shrunk towards 0 by lambd, 0 where |x| <= lambd."""
    return _OPS["softshrink"](input, lambd)


def elu_(input: Tensor, alpha: float = 1.0, scale: float = 1.0, input_scale: float = 1.0) -> Tensor:
    """In-place elu, with the scales of PyTorch's binding (``scale * elu(input_scale * x)``, alpha scaled too)."""
    return _apply("elu", input, True, alpha, scale, input_scale)


def selu_(input: Tensor) -> Tensor:
    """In-place selu."""
    return selu(input, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place celu."""
    return celu(input, alpha, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place leaky_relu."""
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place hardtanh."""
    return hardtanh(input, min_val, max_val, inplace=True)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|) (a composition, as in PyTorch: its grad_fn is DivBackward0)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x) (a composition, as in PyTorch: SubBackward0)."""
    return input - input.tanh()


def softmin(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: ember.dtype | None = None
) -> Tensor:
    """softmax(-x) along ``dim``; ``dtype`` casts the input first."""
    if dim is None:
        dim = implicit_softmax_dim("softmin", input.dim(), _stacklevel)
    return ember.softmax(-input, dim, dtype=dtype)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``value`` where x <= ``threshold``, x elsewhere."""
    return _apply("threshold", input, inplace, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place threshold."""
    return _apply("threshold", input, True, threshold, value)
