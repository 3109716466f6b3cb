"""Elementwise ops over one tensor, one registry entry each (see `ember._ops.registry`).

Adding one is one `Unary(...)` line here: a kernel name for a new primitive (plus that kernel in each
backend) or a composition of existing ops, PyTorch's backward formula, and numpy's version with an input
domain for the generated tests. Gradient formulas follow PyTorch's derivatives.yaml.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _dtype, _special_series
from .._dtype import EXACT_NAMES
from .._tensor import wrap
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from .creation import zeros_like
from .registry import LN2, LN10, Unary, build, in_float32

_INF = math.inf
_float16 = _dtype.float16
_grad_state = grad_mode.state
TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_DEG2RAD, _RAD2DEG = math.pi / 180, 180 / math.pi
HALF_SQRT_PI = math.sqrt(math.pi) / 2


def _refuse_bool(input) -> None:
    if input._dtype.name == "bool":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")


def _tanh_grad(g, y):
    """g * (1 - tanh²), computed in float32 for float16 as PyTorch's kernel does (one frame: the hot path);
    the device's fused `tanh_backward` when no graph of the gradient is recorded."""
    if g._dtype is _float16:
        return in_float32(_tanh_grad, g, y)
    fused = g._device.kernels.tanh_backward
    if fused is not None and not _grad_state.enabled and g._dtype is y._dtype:
        return wrap(fused(g._data, y._data), g._dtype, g._device)
    return g * (1 - y * y)


def _sinc(x):
    """sin(pi x) / (pi x), 1 at 0 (PyTorch's kernel: the product rounded once, then divided)."""
    product = x * math.pi
    return _where(x == 0, 1.0, product.sin() / product)


def _sinc_backward(g, x):
    """PyTorch's sinc_backward: g (pi x cos(pi x) - sin(pi x)) / (pi x²), 0 at 0."""
    product, square = x * math.pi, x * x * math.pi
    return _where(square == 0, 0.0, g * (product * product.cos() - product.sin()) / square)


def _special(name):
    from .special_functions import FUNCTIONS as SPECIAL
    return SPECIAL[name]


def _polygamma(n, x):
    from .polygamma import polygamma
    return polygamma(n, x)


def _digamma_reference(x):
    """digamma for the test rows, apart from PyTorch's algorithm: the recurrence up to 30, the asymptotic
    series to x^-12 (float64 accuracy there), the reflection below 0; PyTorch's values at 0, the poles and
    -inf."""
    x = np.asarray(x, dtype=np.float64)
    negative = x < 0
    y = np.where(negative, 1 - x, x)
    y = np.where(np.isfinite(y), y, 30.0)
    shift = np.zeros_like(y)
    while np.any(y < 30):
        shift = np.where(y < 30, shift + 1 / y, shift)
        y = np.where(y < 30, y + 1, y)
    z = 1 / (y * y)
    tail = z * (1 / 12 - z * (1 / 120 - z * (1 / 252 - z * (1 / 240 - z * (1 / 132 - z * 691 / 32760)))))
    result = np.log(y) - 0.5 / y - tail - shift
    result = np.where(negative, result - np.pi / np.tan(np.pi * (x - np.trunc(x))), result)
    result = np.where(negative & (x == np.trunc(x)), np.nan, result)
    result = np.where(np.isinf(x) | np.isnan(x), np.where(x > 0, np.inf, np.nan), result)
    return np.where(x == 0, np.copysign(np.inf, -x), result)


def _erfinv_reference(y: float) -> float:
    """erfinv for the test rows: math.erf inverted by bisection; +-inf at +-1, NaN beyond."""
    if not math.fabs(y) < 1:  # (the module's `abs` is ember's)
        return math.copysign(math.inf, y) if math.fabs(y) == 1 else math.nan
    low, high = -6.0, 6.0
    for _ in range(80):
        middle = (low + high) / 2
        low, high = (middle, high) if math.erf(middle) < y else (low, middle)
    return (low + high) / 2


UNARY: tuple[Unary, ...] = (
    Unary("neg", lambda g: -g, dtypes="same", check=_refuse_bool, reference=np.negative, aliases=("negative",)),
    Unary("abs", lambda g, x: g * x.sgn(), ("input",), dtypes="same", refuses=("bool",), reference=np.abs,
          aliases=("absolute",)),
    Unary("exp", lambda g, y: g * y, ("result",), reference=np.exp, fused="mul"),
    Unary("exp2", lambda g, y: g * y * LN2, ("result",), reference=np.exp2),
    Unary("expm1", lambda g, y: g * (y + 1), ("result",), reference=np.expm1),
    Unary("log", lambda g, x: g / x, ("input",), reference=np.log, domain="positive"),
    Unary("log2", lambda g, x: g / (x * LN2), ("input",), reference=np.log2, domain="positive"),
    Unary("log10", lambda g, x: g / (x * LN10), ("input",), reference=np.log10, domain="positive"),
    Unary("log1p", lambda g, x: g / (x + 1), ("input",), reference=np.log1p, domain="positive",
          grad_fn="Log1PBackward0"),
    Unary("sqrt", lambda g, y: g / (2 * y), ("result",), reference=np.sqrt, domain="positive"),
    Unary("rsqrt", lambda g, y: -0.5 * g * y * y * y, ("result",), compose=lambda x: x.sqrt().reciprocal(),
          reference=lambda x: 1 / np.sqrt(x), domain="positive"),
    Unary("sin", lambda g, x: g * x.cos(), ("input",), reference=np.sin, domain="any"),
    Unary("cos", lambda g, x: g * -x.sin(), ("input",), reference=np.cos, domain="any"),
    Unary("tan", lambda g, y: g * (1 + y * y), ("result",), reference=np.tan),
    Unary("asin", lambda g, x: g / (1 - x * x).sqrt(), ("input",), reference=np.arcsin, domain="unit",
          aliases=("arcsin",)),
    Unary("acos", lambda g, x: -g / (1 - x * x).sqrt(), ("input",), reference=np.arccos, domain="unit",
          aliases=("arccos",)),
    Unary("atan", lambda g, x: g / (x * x + 1), ("input",), reference=np.arctan, aliases=("arctan",)),
    Unary("sinh", lambda g, x: g * x.cosh(), ("input",), reference=np.sinh),
    Unary("cosh", lambda g, x: g * x.sinh(), ("input",), reference=np.cosh),
    Unary("tanh", _tanh_grad, ("result",), reference=np.tanh, fused="tanh_backward"),
    Unary("asinh", lambda g, x: g / (x * x + 1).sqrt(), ("input",), reference=np.arcsinh, aliases=("arcsinh",)),
    Unary("acosh", lambda g, x: g / ((x - 1) * (x + 1)).sqrt(), ("input",), reference=np.arccosh,
          domain="above_one", aliases=("arccosh",)),
    Unary("atanh", lambda g, x: g / (1 - x * x), ("input",), reference=np.arctanh, domain="unit", aliases=("arctanh",)),
    Unary("sign", None, dtypes="same", bools="copy", reference=np.sign),
    Unary("floor", None, dtypes="same", integers="copy", refuses=("bool",), reference=np.floor, domain="any"),
    Unary("ceil", None, dtypes="same", integers="copy", refuses=("bool",), reference=np.ceil, domain="any"),
    Unary("trunc", None, dtypes="same", integers="copy", refuses=("bool",), reference=np.trunc, domain="any",
          aliases=("fix",)),
    Unary("round", None, dtypes="same", integers="copy", refuses=("bool",), reference=np.round, domain="any"),
    Unary("frac", lambda g: g, compose=lambda x: x - x.trunc(), dtypes="same", refuses=EXACT_NAMES,
          reference=lambda x: x - np.trunc(x), domain="any"),
    Unary("erf", lambda g, x: g * TWO_OVER_SQRT_PI * (-x * x).exp(), ("input",),
          reference=np.vectorize(math.erf, otypes=[np.float64]), domain="any"),
    Unary("erfc", lambda g, x: g * -TWO_OVER_SQRT_PI * (-x * x).exp(), ("input",),
          reference=np.vectorize(math.erfc, otypes=[np.float64]), domain="any"),
    Unary("deg2rad", lambda g: g * _DEG2RAD, compose=lambda x: x * _DEG2RAD, grad_fn="Deg2RadBackward0",
          reference=np.deg2rad, domain="any"),
    Unary("rad2deg", lambda g: g * _RAD2DEG, compose=lambda x: x * _RAD2DEG, grad_fn="Rad2DegBackward0",
          reference=np.rad2deg, domain="any"),
    Unary("sinc", _sinc_backward, ("input",), compose=lambda x: in_float32(_sinc, x), reference=np.sinc,
          domain="any"),
    Unary("isnan", compose=lambda x: x != x, dtypes="bool", integers="false", differentiable=False,
          reference=np.isnan),
    Unary("isinf", compose=lambda x: x.abs() == _INF, dtypes="bool", integers="false", differentiable=False,
          reference=np.isinf),
    Unary("isfinite", compose=lambda x: (x - x) == 0, dtypes="bool", integers="true", differentiable=False,
          reference=np.isfinite),
    Unary("isposinf", compose=lambda x: x == _INF, dtypes="bool", integers="false", differentiable=False,
          reference=np.isposinf),
    Unary("isneginf", compose=lambda x: x == -_INF, dtypes="bool", integers="false", differentiable=False,
          reference=np.isneginf),
    Unary("isreal", compose=lambda x: ~zeros_like(x, dtype=_dtype.bool_), dtypes="bool", integers="true",
          differentiable=False, reference=np.isreal),
    Unary("lgamma", lambda g, x: g * x.digamma(), ("input",),
          reference=np.vectorize(_special_series.lgamma, otypes=[np.float64]), domain="above_two"),
    Unary("digamma", lambda g, x: g * _polygamma(1, x), ("input",), reference=_digamma_reference,
          domain="above_two"),
    Unary("erfinv", lambda g, x: g * HALF_SQRT_PI * (x.erfinv() ** 2).exp(), ("input",),
          reference=np.vectorize(_erfinv_reference, otypes=[np.float64]), domain="unit"),
    Unary("i0", lambda g, x: g * _special("i1")(x), ("input",), reference=np.i0, domain="any"),
)



def _where(mask, a, b):
    from .pointwise import where
    return where(mask, a, b)


class _BackwardOfBackward(Node):
    """An op's first derivative recorded as an op over the incoming gradient and the input, with PyTorch's
    derivative of it (its derivatives.yaml ``<op>_backward`` entries), so that second derivatives agree
    at the kinks and non-finite points; `refusal` is PyTorch's error where it has none."""

    def backward(self, gg):
        if self.refusal:
            raise RuntimeError(self.refusal)
        g, x = self.saved_tensors
        return self.first(gg, x, **self.params), self.second(gg, g, x, **self.params)


def _twice(name: str, second, refusal: str = ""):
    """Decorates `first`, the backward formula of op `name`: run without a graph, then recorded as a
    ``<name>BackwardBackward0`` node whose gradients are `first` (for the gradient) and `second`."""
    node_cls = type(f"{name}BackwardBackward0", (_BackwardOfBackward,), {"__module__": __name__})

    def decorate(first):
        def backward(g, x, **params):
            with grad_mode.no_grad():
                result = first(g, x, **params)
            return attach(result, node_cls, (g, x), (g, x), first=backward, second=second, params=params,
                          refusal=refusal)
        return backward
    return decorate


def _zero(gg, g, x, **params):
    """The derivative of a piecewise-linear op's gradient with respect to its input."""
    return zeros_like(x)


def _gelu(x, approximate):
    """0.5 x (1 + erf(x / sqrt(2))), or with tanh's approximation of erf."""
    if approximate == "tanh":
        return in_float32(lambda x: 0.5 * x * (1 + (_GELU_K * (x + _GELU_C * x * x * x)).tanh()), x)
    if approximate != "none":
        raise RuntimeError("approximate argument must be either none or tanh.")
    return in_float32(lambda x: 0.5 * x * (1 + (x * SQRT_HALF).erf()), x)


def _gelu_double_backward(gg, g, x, approximate):
    """PyTorch's gelu_double_backward: the derivative of gelu's gradient with respect to the input."""
    if approximate == "tanh":
        def formula(gg, g, x):
            inner = (_GELU_K * (x + _GELU_C * x * x * x)).tanh()
            inner_slope, tanh_slope = _GELU_K * (1 + 3 * _GELU_C * x * x), 1 - inner * inner
            return gg * g * (tanh_slope * inner_slope - x * inner * tanh_slope * inner_slope * inner_slope
                             + 0.5 * x * tanh_slope * _GELU_K * 6 * _GELU_C * x)
    else:
        def formula(gg, g, x):
            square = x * x
            return gg * g * ((2 - square) * (-0.5 * square).exp() * _ONE_OVER_SQRT_2PI)
    return in_float32(formula, gg, g, x)


@_twice("Gelu", _gelu_double_backward)
def _gelu_backward(g, x, approximate):
    if approximate == "tanh":
        def formula(g, x):
            inner = (_GELU_K * (x + _GELU_C * x * x * x)).tanh()
            return g * (0.5 * (1 + inner) + 0.5 * x * (1 - inner * inner) * _GELU_K * (1 + 3 * _GELU_C * x * x))
    else:
        def formula(g, x):
            return g * (0.5 * (1 + (x * SQRT_HALF).erf()) + x * (-0.5 * x * x).exp() * _ONE_OVER_SQRT_2PI)
    return in_float32(formula, g, x)


def _elu(x, alpha, scale, input_scale):
    return in_float32(lambda x: _where(x <= 0, (x * input_scale).expm1() * (alpha * scale), x * scale), x)


def _elu_double_backward(gg, g, x, alpha, scale, input_scale):
    first = _elu_backward(gg * g * input_scale, x, alpha=alpha, scale=scale, input_scale=input_scale)
    return first * (x < 0).to(x.dtype)


@_twice("Elu", _elu_double_backward)
def _elu_backward(g, x, alpha, scale, input_scale):
    return in_float32(lambda g, x: _where(x <= 0, g * (input_scale * alpha * scale) * (x * input_scale).exp(),
                                          g * scale), g, x)


def _check_hardtanh(x, min_val, max_val):
    if max_val < min_val:
        raise ValueError("min_val cannot be greater than max_val")
    if x._dtype.is_floating_point:
        return x.clamp(min_val, max_val)
    return x.clamp(int(min_val), int(max_val))


def _refuse_bool_hardtanh(input) -> None:
    if input._dtype.name == "bool":
        raise RuntimeError("Bool inputs not supported for hardtanh")


def _softplus(x, beta, threshold):
    return in_float32(lambda x: _where(x * beta > threshold, x, (x * beta).exp().log1p() / beta), x)


def _softplus_double_backward(gg, g, x, beta, threshold):
    z = (x * beta).sigmoid()
    return gg * g * z * (1 - z) * (x * beta < threshold).to(x.dtype) * beta


@_twice("Softplus", _softplus_double_backward)
def _softplus_backward(g, x, beta, threshold):
    return in_float32(lambda g, x: _where(x * beta > threshold, g, g * (x * beta).sigmoid()), g, x)


def _mish_backward(g, x):
    def formula(g, x):
        t = x.exp().log1p().tanh()
        return g * (t + x * x.sigmoid() * (1 - t * t))
    return in_float32(formula, g, x)


def _shrink_check(lambd):
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {float(lambd)}.")


def _shrink_mask(x, lambd):
    return (x >= -lambd) & (x <= lambd)


_hardshrink_backward = _twice("Hardshrink", _zero)(lambda g, x, lambd: _where(_shrink_mask(x, lambd), 0.0, g))
_softshrink_backward = _twice("Softshrink", _zero)(lambda g, x, lambd: _where(_shrink_mask(x, lambd), 0.0, g))


def _threshold(x, threshold, value):
    """value where x <= threshold, x elsewhere (NaN kept); an integer input takes both numbers truncated."""
    if not x._dtype.is_floating_point:
        threshold, value = int(threshold), int(value)
    return _where(x <= threshold, value, x)


def _hardshrink(x, lambd):
    return _where(_shrink_mask(x, lambd), 0.0, x)


def _softshrink(x, lambd):
    _shrink_check(lambd)
    return x - x.clamp(-lambd, lambd)


_ONE_SIXTH = float(np.float32(1 / 6))  # PyTorch's hardsigmoid gradient, in float64 too
_GELU_K, _GELU_C = math.sqrt(2 / math.pi), 0.044715
SQRT_HALF, _ONE_OVER_SQRT_2PI = math.sqrt(0.5), 1 / math.sqrt(2 * math.pi)

# torch.nn.functional's activations (PyTorch has no torch.<name> for most): built as the ops above, used by
# ember.nn.functional. selu is elu with its constants, relu6 hardtanh(0, 6), as in PyTorch.
ACTIVATIONS: tuple[Unary, ...] = (
    Unary("gelu", _gelu_backward, ("input",), compose=_gelu, refuses=EXACT_NAMES, params=(("approximate", "none"),)),
    Unary("silu", lambda g, x: in_float32(lambda g, x: g * x.sigmoid() * (1 + x * (1 - x.sigmoid())), g, x),
          ("input",), compose=lambda x: in_float32(lambda x: x / ((-x).exp() + 1), x), refuses=EXACT_NAMES),
    Unary("elu", _elu_backward, ("input",), compose=_elu, refuses=EXACT_NAMES,
          params=(("alpha", 1.0), ("scale", 1.0), ("input_scale", 1.0))),
    Unary("celu", lambda g, x, alpha: _elu_backward(g, x, alpha=alpha, scale=1.0, input_scale=1.0 / alpha), ("input",),
          compose=lambda x, alpha: _elu(x, alpha, 1.0, 1.0 / alpha), refuses=EXACT_NAMES, params=(("alpha", 1.0),)),
    Unary("leaky_relu", _twice("LeakyRelu", _zero)(lambda g, x, negative_slope: _where(x > 0, g, g * negative_slope)),
          ("input",),
          compose=lambda x, negative_slope: _where(x > 0, x, x * negative_slope), refuses=EXACT_NAMES,
          params=(("negative_slope", 0.01),)),
    Unary("softplus", _softplus_backward, ("input",), compose=_softplus, refuses=EXACT_NAMES,
          params=(("beta", 1.0), ("threshold", 20.0))),
    Unary("hardtanh", _twice("Hardtanh", _zero)(
        lambda g, x, min_val, max_val: _where((x <= min_val) | (x >= max_val), 0.0, g)), ("input",),
          compose=_check_hardtanh, dtypes="same", check=_refuse_bool_hardtanh,
          params=(("min_val", -1.0), ("max_val", 1.0))),
    Unary("hardswish", lambda g, x: _where(x <= -3, 0.0, _where(x < 3, g * (x / 3 + 0.5), g)), ("input",),
          compose=lambda x: in_float32(lambda x: x * (x + 3).clamp(0, 6) / 6, x), refuses=EXACT_NAMES),
    Unary("hardsigmoid", _twice("Hardsigmoid", _zero, "derivative for aten::hardsigmoid_backward is not implemented")(
        lambda g, x: _where((x > -3) & (x < 3), g * _ONE_SIXTH, 0.0)), ("input",),
          compose=lambda x: in_float32(lambda x: (x + 3).clamp(0, 6) / 6, x), refuses=EXACT_NAMES),
    Unary("mish", _mish_backward, ("input",),
          compose=lambda x: in_float32(lambda x: x * x.exp().log1p().tanh(), x), refuses=EXACT_NAMES),
    Unary("log_sigmoid", lambda g, x: in_float32(lambda g, x: g * (-x).sigmoid(), g, x), ("input",),
          compose=lambda x: in_float32(lambda x: x.clamp(max=0) - (-x.abs()).exp().log1p(), x),
          refuses=EXACT_NAMES),
    Unary("hardshrink", _hardshrink_backward, ("input",), compose=_hardshrink, refuses=EXACT_NAMES,
          params=(("lambd", 0.5),)),
    Unary("softshrink", _softshrink_backward, ("input",), compose=_softshrink, refuses=EXACT_NAMES,
          params=(("lambd", 0.5),)),
    Unary("threshold", _twice("Threshold", _zero)(lambda g, x, threshold, value: _where(x <= threshold, 0.0, g)),
          ("input",), compose=_threshold, dtypes="same", refuses=("bool",),
          params=(("threshold", None), ("value", None))),
)

FUNCTIONS, NODES = build(UNARY)
ACTIVATION_FUNCTIONS, ACTIVATION_NODES = build(ACTIVATIONS)
NODES.update(ACTIVATION_NODES)

_NEGATIVE_SLOPE = ("In-place {} backward calculation is triggered with a negative slope which is not supported. This "
                   "is caused by calling in-place forward function with a negative slope, please call out-of-place "
                   "version instead.")


def _elu_result_double_backward(gg, g, y, alpha, scale, input_scale):
    return gg * g * input_scale * (y < 0).to(y.dtype)


@_twice("Elu", _elu_result_double_backward)
def _elu_result_backward(g, y, alpha, scale, input_scale):
    """elu's gradient from its result (in place, the input is gone): PyTorch's elu_backward(is_result=True)."""
    if alpha < 0:
        raise RuntimeError(_NEGATIVE_SLOPE.format("elu"))
    return in_float32(lambda g, y: _where(y <= 0, g * input_scale * (y + alpha * scale), g * scale), g, y)


@_twice("LeakyRelu", _zero)
def _leaky_relu_result_backward(g, y, negative_slope):
    if negative_slope < 0:
        raise RuntimeError(_NEGATIVE_SLOPE.format("leakyReLu") + " File an issue at https://github.com/pytorch/"
                           "pytorch if you do require supporting in-place leakRelu backward calculation with "
                           "negative slope")
    return _where(y > 0, g, g * negative_slope)


def _on_result(name: str, backward) -> Unary:
    """The in-place form of activation `name` as PyTorch records it: its gradient from the result, in an
    ``<Op>Backward1`` node (elu_, celu_, leaky_relu_)."""
    entry = next(entry for entry in ACTIVATIONS if entry.name == name)
    return replace(entry, backward=backward, saves=("result",), grad_fn=entry.node_name[:-1] + "1")


ACTIVATION_IN_PLACE, _IN_PLACE_NODES = build((
    _on_result("elu", _elu_result_backward),
    _on_result("celu", lambda g, y, alpha: _elu_result_backward(g, y, alpha=alpha, scale=1.0, input_scale=1.0 / alpha)),
    _on_result("leaky_relu", _leaky_relu_result_backward),
    replace(next(entry for entry in ACTIVATIONS if entry.name == "threshold"), grad_fn="ThresholdBackward1"),
))
NODES.update(_IN_PLACE_NODES)
IN_PLACE = tuple(name for entry in UNARY if entry.dtypes != "bool" for name in (entry.name, *entry.aliases))
globals().update(NODES)  # PyTorch's grad_fn classes, importable by name as the other ops' are
__all__ = sorted(FUNCTIONS) + sorted(NODES)
globals().update(FUNCTIONS)

if TYPE_CHECKING:
    def __getattr__(name: str) -> Any: ...  # the functions above, made at import
