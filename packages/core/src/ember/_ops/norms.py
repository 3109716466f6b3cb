"""Reductions composed of other ops: vector norms, logsumexp, count_nonzero, and isclose/allclose.

Forwards run on existing ops without recording; each records one node whose backward is PyTorch's
formula written in differentiable ops (so ``grad_fn`` names and gradients at 0 match PyTorch's).
"""
from __future__ import annotations

import builtins
import math
import numbers

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from .dispatch import profiled
from .linalg import OUT_DTYPE, exact_out, written
from .pointwise import where
from .queries import tensor_argument
from .reduction import amax, amin, expand_back, numpy_keywords, reduced_dims
from .reduction import sum as _sum

_INF = math.inf
_LEGACY = _dtype.LEGACY_NAMES


def _floating(input, dtype, op: str):
    """`input` in the dtype a norm computes in (`dtype` when given), refusing integer inputs as PyTorch."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not input._dtype.is_floating_point:
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{_LEGACY[input._dtype.name][:-6]}")
    dt = _dtype.parse(dtype, op)
    if dt is not None and not dt.is_floating_point:
        raise RuntimeError(f"{op}: dtype should be floating point or complex, but got {_LEGACY[dt.name][:-6]}")
    if dt is not None and _dtype.promote(input._dtype, 1, dt, 1) is not dt:
        raise RuntimeError(f"{op}: the dtype of the input ({_LEGACY[input._dtype.name][:-6]}) should be convertible "
                           f"without narrowing to the specified dtype ({_LEGACY[dt.name][:-6]})")
    return input if dt is None or dt is input._dtype else input.to(dt)


def norm_backward(grad, x, norm, ord, dims: tuple, keepdim: bool):
    """PyTorch's norm_backward: sgn(x) for ord 1, x / norm for 2 (0 where the norm is 0), the ties of the
    extreme shared evenly for ±inf, sgn(x)·|x|^(ord-1) / norm^(ord-1) otherwise; None for ord 0."""
    shape = x._data.shape
    grad, norm = expand_back(grad, shape, dims, keepdim), expand_back(norm, shape, dims, keepdim)
    if ord == 0:
        return None
    if ord == 1:
        return x.sgn() * grad
    if ord == 2:
        return x * where(norm == 0, 0.0, grad / norm)
    if ord in (_INF, -_INF):
        mask = x.abs() == norm
        return x.sgn() * (grad * mask / expand_back(mask.sum(dims, keepdim=True), shape, dims, True))
    scale = where(norm == 0, 0.0, grad / norm ** (ord - 1))
    if ord < 1:
        return x.sgn() * where(x == 0, 0.0, x.abs() ** (ord - 1)) * scale
    return x * x.abs() ** (ord - 2) * scale


class LinalgVectorNormBackward0(Node):
    """`norm_backward` of the saved input and norm."""

    def backward(self, grad):
        x, norm = self.saved_tensors
        return norm_backward(grad, x, norm, self.ord, self.dims, self.keepdim)


class NormBackward1(LinalgVectorNormBackward0):
    """at::norm's node over dims (what torch.frobenius_norm records): vector_norm's formula."""


@profiled("aten::linalg_vector_norm")
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The `ord`-norm of `x` over `dim` (all elements when None) seen as a vector: 2, 1, inf, -inf, 0
    (the count of non-zeros) or any real p."""
    if isinstance(ord, bool) or not isinstance(ord, numbers.Real):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    source = _floating(x, dtype, "linalg.vector_norm")
    if (ord < 0 or ord == _INF) and 0 in source._data.shape:
        _refuse_empty(source, ord, dim)
    dims = reduced_dims(dim, source.ndim, "linalg.vector_norm")
    exact_out(out, source._dtype, OUT_DTYPE)
    return written(p_norm(x, source, ord, dims, keepdim, LinalgVectorNormBackward0), out, "linalg_vector_norm",
                   (x,))


def order_text(ord) -> str:
    """A norm's order as PyTorch's messages print it (a double: -1 for -1.0, inf)."""
    return f"{float(ord):g}"


def _refuse_empty(source: Tensor, ord, dim) -> None:
    """PyTorch's refusal of a norm without an identity (negative or inf orders) over an empty tensor or over
    one of the `dim` (checked in their order) that is empty."""
    named = () if dim is None else (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
    if not named:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {order_text(ord)} norm on an empty tensor because "
                           "the operation does not have an identity")
    for d in named:
        if source._data.shape[_wrap_dim(d, source.ndim, "linalg.vector_norm")] == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {order_text(ord)} norm on the dimension "
                               f"{d}because this dimension is empty and the operation does not have an identity")


def p_norm(input: Tensor, source: Tensor, ord, dims: tuple, keepdim: bool, node) -> Tensor:
    """The `ord`-norm over the (checked) `dims` of `source` (floating `input` in the dtype the norm computes in),
    recorded as one `node` on `input`, as PyTorch (no node for the conversion)."""
    with grad_mode.no_grad():
        magnitude = source.abs()
        if ord == 2:
            result = _sum(magnitude * magnitude, dims, keepdim).sqrt()
        elif ord == 1:
            result = _sum(magnitude, dims, keepdim)
        elif ord == _INF:
            result = amax(magnitude, dims, keepdim)
        elif ord == -_INF:
            result = amin(magnitude, dims, keepdim)
        elif ord == 0:
            result = _sum(magnitude != 0, dims, keepdim).to(source._dtype)
        else:
            result = _sum(magnitude ** ord, dims, keepdim) ** (1.0 / ord)
    return attach(result, node, (input,), (source, result), dims=dims, keepdim=keepdim, ord=ord)


class LogsumexpBackward0(Node):
    """grad · exp(x - result): NaN on slices that are all -inf, as in PyTorch."""

    def backward(self, grad):
        x, result = self.saved_tensors
        shape = x._data.shape
        return expand_back(grad, shape, self.dims, self.keepdim) * \
            (x - expand_back(result, shape, self.dims, self.keepdim)).exp()


@profiled("aten::logsumexp")
def logsumexp(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """log(sum(exp(input))) over `dim` (required, or numpy's `axis`), computed stably (the max is
    subtracted first); integer inputs give the default float dtype."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_keywords("logsumexp", dim, keepdim, axis, keepdims)
    if dim is None:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    source = input if input._dtype.is_floating_point else input.to(_dtype.get_default_dtype())
    dims = reduced_dims(dim, source.ndim, "logsumexp")
    with grad_mode.no_grad():
        if source.numel() == 0:
            result = _sum(source.exp(), dims, keepdim).log()
        else:
            peak = amax(source, dims, True)
            peak = where(peak.abs() == _INF, 0.0, peak)
            result = _sum((source - peak).exp(), dims, True).log() + peak
            if not keepdim and source.ndim:
                result = result.reshape(tuple(s for i, s in enumerate(source._data.shape) if i not in dims))
    return attach(result, LogsumexpBackward0, (source,), (source, result), dims=dims, keepdim=keepdim)


@profiled("aten::count_nonzero")
def count_nonzero(input, dim=None, *, axis=None):
    """The number of non-zero elements (over `dim`, an int or a tuple of ints), as int64."""
    return _sum(input != 0, dim if axis is None else axis)


@profiled("aten::isclose")
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Where |input - other| <= atol + rtol·|other| elementwise (infinities close when equal, NaNs when
    `equal_nan`), as PyTorch."""
    for position, (name, value) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(value, Tensor):
            raise TypeError(f"isclose(): argument '{name}' (position {position}) must be Tensor, not "
                            f"{type(value).__name__}")
    if input._dtype is not other._dtype:
        raise RuntimeError(f"{_LEGACY[input._dtype.name][:-6]} did not match {_LEGACY[other._dtype.name][:-6]}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    with grad_mode.no_grad():
        equal = input == other
        if equal_nan and input._dtype.is_floating_point:
            equal = equal | ((input != input) & (other != other))
        if input._dtype is _dtype.bool_ or (rtol == 0 and atol == 0):
            return equal
        wide = input._dtype if input._dtype.is_floating_point else _dtype.get_default_dtype()
        a, b = input.to(wide), other.to(wide)
        difference = (a - b).abs()
        return equal | ((difference <= atol + rtol * b.abs()) & (difference.abs() != _INF))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> builtins.bool:
    """Whether every element of `input` is close to `other`'s (see `isclose`), as a Python bool."""
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan).all())


class DistBackward0(Node):
    """`norm_backward` of the difference, for input, and its negation for other."""

    _names_saved = ("self", "other", "result")

    def backward(self, grad):
        input, other, result = self.saved_tensors
        difference = input - other
        g = norm_backward(grad, difference, result, self.p, tuple(range(difference.ndim)), False)
        return (None, None) if g is None else (g, -g)


@profiled("aten::dist")
def dist(input, other, p=2):
    """The `p`-norm of ``input - other`` (broadcast), as one number."""
    for position, (name, t) in enumerate((("input", input), ("other", other))):
        if not isinstance(t, Tensor):
            raise TypeError(f"dist(): argument '{name}' (position {position + 1}) must be Tensor, not "
                            f"{type(t).__name__}")
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"dist(): argument 'p' (position 3) must be Number, not {type(p).__name__}")
    with grad_mode.no_grad():
        difference = input - other
        if not difference._dtype.is_floating_point:
            raise RuntimeError("norm(): input dtype should be either floating point or complex. Got "
                               f"{_LEGACY[difference._dtype.name][:-6]} instead.")
        result = vector_norm(difference, p)
    return attach(result, DistBackward0, (input, other), (input, other, result), p=p)


class RenormBackward0(Node):
    """PyTorch's renorm_backward: where a slice was rescaled, factor·grad - factor/(norm + 1e-7) times the
    norm's gradient of the slice's grad·x sum."""

    _names_saved = ("self",)

    def backward(self, grad):
        (x,) = self.saved_tensors
        dims, p, maxnorm = self.dims, self.p, self.maxnorm
        norm = vector_norm(_accumulating(x), p, dims, True)
        inverse = (norm + 1e-7).reciprocal()
        factor = inverse * maxnorm
        product = _sum(_accumulating(x) * grad, dims, True)
        slope = norm_backward(product, x, norm, p, dims, True)
        return where(norm > maxnorm, factor * grad - (factor * inverse) * slope, grad)


def _accumulating(x):
    """`x` in the dtype PyTorch accumulates it in (float16 in float32)."""
    return x.to(_dtype.float32) if x._dtype is _dtype.float16 else x


@profiled("aten::renorm")
def renorm(input, p, dim, maxnorm, *, out=None):
    """Each slice of `input` along `dim` whose `p`-norm exceeds `maxnorm` scaled down to norm `maxnorm`
    (by maxnorm / (norm + 1e-7), as PyTorch's)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"renorm(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    for position, (name, value) in ((2, ("p", p)), (4, ("maxnorm", maxnorm))):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"renorm(): argument '{name}' (position {position}) must be Number, not "
                            f"{type(value).__name__}")
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"renorm(): argument 'dim' (position 3) must be int, not {type(dim).__name__}")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    if input.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions")
    d = _wrap_dim(dim, input.ndim, "renorm")
    dims = tuple(i for i in range(input.ndim) if i != d)
    with grad_mode.no_grad():
        norm = vector_norm(_accumulating(input), p, dims, True)
        factor = where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0).to(input._dtype)  # as PyTorch rounds it
        result = input * factor
    if out is not None:
        from .linalg import write_out
        return write_out(out, "renorm", result._data, input._dtype, (input,), reads=(input,))
    return attach(result, RenormBackward0, (input,), (input,), dims=dims, p=p, maxnorm=maxnorm)


def equal(input, other) -> builtins.bool:
    """Whether both tensors have the same shape and elements, compared in their promoted dtype (NaN is
    unequal to itself), as a Python bool; tensors on two devices are PyTorch's error (its CUDA `equal`'s)."""
    tensor_argument(input, "equal")
    if tensor_argument(other, "equal", "other", 2)._device is not input._device:  # before the shapes, as PyTorch
        raise RuntimeError(f"Cannot compare two tensors on different devices. Got: {input._device} and "
                           f"{other._device}")
    if tuple(other._data.shape) != tuple(input._data.shape):
        return False
    return builtins.bool((input == other).all())


def equal_method(self, other) -> builtins.bool:
    return equal(self, tensor_argument(other, "equal", "other", 1))
