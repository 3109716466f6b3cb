"""Elementwise ops over two operands, one registry entry each (see `ember._ops.registry.Binary`): the
arithmetic of `arithmetic` (add, sub, mul, div, pow), integer and floor division, remainders, atan2,
copysign, logaddexp, hypot, xlogy, the regularized incomplete gamma functions igamma and igammac, the
bitwise ops and shifts, with their Python operators; div's rounding modes are entries here.
Gradient formulas follow PyTorch's derivatives.yaml.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._dtype import EXACT_NAMES
from .._tensor import Tensor, wrap
from ..autograd.node import Node, attach, needs_input_grad
from .arithmetic import ARITHMETIC
from .dispatch import bump as _bump
from .dispatch import check_out, profiled, type_name
from .incomplete_gamma import density, reference, refused_input_gradient
from .registry import Binary, build_binary, in_float32

_FLOATS = ("float16", "float32", "float64")
_NOT_INT = ("bool",)


def _zeros(g, a, b, r):
    from .creation import zeros_like
    return zeros_like(g)


def _grad(g, a, b, r):
    return g


def _xlogy(a, b):
    return (a * b.log()).masked_fill((a == 0) & (b == b), 0.0)  # 0 * log(y) is 0 unless y is NaN


def _trunc_divide(a, b):
    """Division rounded toward zero: trunc(a / b) for floats (computed in float32 for float16, as
    PyTorch's), a - fmod(a, b) divided exactly for integers."""
    if a._dtype.is_floating_point:
        return in_float32(lambda a, b: (a / b).trunc(), a, b)
    return floor_divide(a - fmod(a, b), b)  # noqa: F821 - made below by build_binary


def _extreme_grad(g, other_wins, tie):
    """maximum's/minimum's gradient for one operand: none where the other operand won, half on a tie."""
    from .pointwise import where
    return where(other_wins, 0.0, where(tie, g / 2, g))


def _fmax_wins(a, b):
    """Where fmax takes `a` (PyTorch's ``(self >= other) | other.isnan()``: `a` on a tie and where `b` is NaN);
    fmin's with ``a <= b``."""
    return (a >= b) | (b != b)


def _fmin_wins(a, b):
    return (a <= b) | (b != b)


def _fmax(a, b):
    from .pointwise import where
    return where(_fmax_wins(a, b), a, b)


def _fmin(a, b):
    from .pointwise import where
    return where(_fmin_wins(a, b), a, b)


def _denominator(a, b):
    return a * a + b * b


BINARY: tuple[Binary, ...] = (
    *ARITHMETIC,
    Binary("floor_divide", None, ("NotImplemented",) * 3, refuses=_NOT_INT, cpu_name="div_floor_cpu", divides=True,
           operators=("__floordiv__", "__rfloordiv__", "__ifloordiv__"), reference=np.floor_divide,
           domains=("real", "nonzero")),
    Binary("remainder", (_grad, lambda g, a, b, r: -g * a.div(b, rounding_mode="floor")),
           ("RemainderBackward1", "RemainderBackward0", "NotImplemented"), refuses=_NOT_INT, divides=True,
           operators=("__mod__", "__rmod__", "__imod__"), reference=np.remainder, domains=("real", "nonzero")),
    Binary("fmod", (_grad, lambda g, a, b, r: -g * a.div(b, rounding_mode="trunc")),
           ("FmodBackward1", "FmodBackward0", ""), refuses=_NOT_INT, divides=True, numbers="other",
           reference=np.fmod, domains=("real", "nonzero")),
    Binary("atan2", (lambda g, a, b, r: g * b / _denominator(a, b), lambda g, a, b, r: g * -a / _denominator(a, b)),
           ("Atan2Backward0", "", ""), dtypes="float", numbers="none", aliases=("arctan2",), reference=np.arctan2),
    Binary("copysign", (lambda g, a, b, r: g * (r / a).masked_fill(a == 0, 0.0), _zeros),
           ("CopysignBackward0", "CopysignBackward1", ""), saves_result=True, dtypes="float", numbers="other",
           reference=np.copysign),
    Binary("logaddexp", (lambda g, a, b, r: g / ((b - a).exp() + 1), lambda g, a, b, r: g / ((a - b).exp() + 1)),
           ("LogaddexpBackward0", "", ""), refuses=EXACT_NAMES, numbers="none", in_place=False,
           reference=np.logaddexp),
    Binary("logaddexp2", (lambda g, a, b, r: g / ((b - a).exp2() + 1), lambda g, a, b, r: g / ((a - b).exp2() + 1)),
           ("Logaddexp2Backward0", "", ""), refuses=EXACT_NAMES, numbers="none", in_place=False,
           reference=np.logaddexp2),
    Binary("hypot", (lambda g, a, b, r: g * a / r, lambda g, a, b, r: g * b / r), ("HypotBackward0", "", ""),
           saves_result=True, refuses=EXACT_NAMES, numbers="none", reference=np.hypot),
    Binary("xlogy", (lambda g, a, b, r: g * FUNCTIONS["xlogy"]((a != 0).to(a.dtype), b), lambda g, a, b, r: g * a / b),
           ("XlogyBackward0", "XlogyBackward2", "XlogyBackward1"), dtypes="float", domains=("real", "positive"),
           compose=lambda a, b: in_float32(_xlogy, a, b)),
    Binary("bitwise_and", refuses=_FLOATS, operators=("__and__", "__rand__", "__iand__"), reference=np.bitwise_and),
    Binary("bitwise_or", refuses=_FLOATS, operators=("__or__", "__ror__", "__ior__"), reference=np.bitwise_or),
    Binary("bitwise_xor", refuses=_FLOATS, operators=("__xor__", "__rxor__", "__ixor__"), reference=np.bitwise_xor),
    Binary("bitwise_left_shift", refuses=_FLOATS + _NOT_INT, cpu_name="lshift_cpu",
           operators=("__lshift__", "__rlshift__", "__ilshift__"), reference=np.left_shift,
           domains=("real", "exponent")),
    Binary("bitwise_right_shift", refuses=_FLOATS + _NOT_INT, cpu_name="rshift_cpu",
           operators=("__rshift__", "__rrshift__", "__irshift__"), reference=np.right_shift,
           domains=("real", "exponent")),
    # The incomplete gamma functions' test rows skip float64: PyTorch's expansion for a ~ x large takes pi as
    # a float, 4e-10 off in float64, which the kernels keep (the oracle tests compare them with PyTorch's)
    Binary("igamma", (refused_input_gradient("igamma"), lambda g, a, x, r: g * density(a, x)),
           ("IgammaBackward0", "", ""), refuses=EXACT_NAMES, cpu_name="igamma_cpu", numbers="none",
           kit_dtypes=("float16", "float32"),
           reference=reference(upper=False), domains=("positive", "positive")),
    Binary("igammac", (refused_input_gradient("igammac"), lambda g, a, x, r: -g * density(a, x)),
           ("IgammacBackward0", "", ""), refuses=EXACT_NAMES, cpu_name="igammac_cpu", numbers="none",
           kit_dtypes=("float16", "float32"),
           reference=reference(upper=True), domains=("positive", "positive")),
    # comparisons: a bool result, no gradient; their in-place forms are `COMPARED_IN_PLACE`
    *(Binary(name, dtypes="bool", wide_scalars=True, numbers="other", operators=(f"__{name}__",),
             aliases=aliases, reference=getattr(np, ufunc))
      for name, ufunc, aliases in (("eq", "equal", ()), ("ne", "not_equal", ("not_equal",)), ("lt", "less", ("less",)),
                                   ("le", "less_equal", ("less_equal",)), ("gt", "greater", ("greater",)),
                                   ("ge", "greater_equal", ("greater_equal",)))),
    Binary("maximum", (lambda g, a, b, r: _extreme_grad(g, a < b, a == b),
                       lambda g, a, b, r: _extreme_grad(g, a > b, a == b)),
           ("MaximumBackward0", "", ""), wide_scalars=True, numbers="none", in_place=False, reference=np.maximum),
    Binary("minimum", (lambda g, a, b, r: _extreme_grad(g, a > b, a == b),
                       lambda g, a, b, r: _extreme_grad(g, a < b, a == b)),
           ("MinimumBackward0", "", ""), wide_scalars=True, numbers="none", in_place=False, reference=np.minimum),
    Binary("fmax", (lambda g, a, b, r: g.masked_fill(~_fmax_wins(a, b), 0.0),
                    lambda g, a, b, r: g.masked_fill(_fmax_wins(a, b), 0.0)),
           ("FmaxBackward0", "", ""), compose=_fmax, numbers="none", in_place=False, reference=np.fmax),
    Binary("fmin", (lambda g, a, b, r: g.masked_fill(~_fmin_wins(a, b), 0.0),
                    lambda g, a, b, r: g.masked_fill(_fmin_wins(a, b), 0.0)),
           ("FminBackward0", "", ""), compose=_fmin, numbers="none", in_place=False, reference=np.fmin),
    Binary("nextafter", (lambda g, a, b, r: g.masked_fill(a == b, 0.0), _zeros), ("NextafterBackward0", "", ""),
           refuses=EXACT_NAMES, numbers="none", reference=np.nextafter),
    # div's rounding modes (``div(a, b, rounding_mode="floor")``): PyTorch's DivBackward2, zero gradients.
    Binary("div_floor", (_zeros, _zeros), ("DivBackward2",) * 3, kernel="floor_divide", refuses=_NOT_INT,
           cpu_name="div_floor_cpu", divides=True, public=False),
    Binary("div_trunc", (_zeros, _zeros), ("DivBackward2",) * 3, compose=_trunc_divide, refuses=_NOT_INT,
           cpu_name="div_trunc_cpu", divides=True, public=False),
)

_ALL, NODES = build_binary(BINARY)
FUNCTIONS: dict[str, Any] = {name: _ALL[name] for entry in BINARY if entry.public
                             for name in (entry.name, *entry.aliases)}


def rsub(input, other, alpha=1):
    """``other - alpha * input`` (torch.rsub; alpha positional too, as PyTorch's form with a number)."""
    return _ALL["rsub"](input, other, alpha=alpha)


TORCH_ONLY = {"rsub": rsub}  # ops PyTorch has as ``torch.name`` only, not as Tensor methods

IN_PLACE = tuple(name for entry in BINARY if entry.public and entry.in_place and entry.dtypes != "bool"
                 for name in (entry.name, *entry.aliases)) + ("bitwise_not",)
_ROUNDED = {"floor": _ALL["div_floor"], "trunc": _ALL["div_trunc"]}


def rounding(rounding_mode):
    """The op of ``div(input, other, rounding_mode=...)``: the quotient rounded down ("floor") or toward
    zero ("trunc")."""
    op = _ROUNDED.get(rounding_mode) if isinstance(rounding_mode, str) else None
    if op is None:
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    return op


@profiled("aten::bitwise_not")
def bitwise_not(input, *, out=None):
    """Elementwise bitwise not of an integer tensor (logical not of a bool one), as torch.bitwise_not."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bitwise_not(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    dt = input._dtype
    if dt.is_floating_point:
        raise NotImplementedError(f'"bitwise_not_cpu" not implemented for \'{type_name(dt)}\'')
    k = input._device.kernels
    if out is None:
        return wrap(k.bitwise_not(input._data), dt, input._device)
    check_out(out, "bitwise_not", input._data.shape, dt, (input,))
    if out._dtype is dt:
        k.bitwise_not(input._data, out=out._data)
    else:
        k.copy_(out._data, k.bitwise_not(input._data))
    _bump(out)
    return out


def invert(input):
    """Python's ``~t``: bitwise_not, for integer and bool tensors only."""
    if input._dtype.is_floating_point:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(input)


def _reflected(entry: Binary):
    """The reflected operator of `entry` (``2 - t``): the op itself, another entry's, a function of its own, or
    the op with its operands swapped."""
    op = _ALL[entry.name]
    if entry.reflected == "same":
        return op
    if isinstance(entry.reflected, str):
        return _ALL[entry.reflected]
    if callable(entry.reflected):
        return entry.reflected

    def reflected(self, other):
        return op(other, self)
    reflected.__name__ = reflected.__qualname__ = f"r{op.__name__}"
    return reflected


class _ComparedInPlace(Node):
    """A comparison written into its tensor (``t.lt_(x)``), which PyTorch records with zero gradients."""

    def backward(self, grad):
        from .creation import zeros_like
        return tuple(zeros_like(grad) if needs_input_grad(self, i) else None for i in range(2))


def _compared_in_place(entry: Binary):
    """`entry`'s comparison in its first operand's dtype (``t.lt_(x)`` writes 1 and 0 into `t`), recorded as
    PyTorch's in-place comparisons are: ``LtBackward1`` with a tensor, ``LtBackward0`` with a number."""
    op, stem = _ALL[entry.name], entry.name.capitalize()
    by_tensor, by_number = (type(f"{stem}Backward{n}", (_ComparedInPlace,), {}) for n in (1, 0))

    def compared(input, other):
        result = op(input, other).to(input._dtype)
        return attach(result, by_tensor if isinstance(other, Tensor) else by_number, (input, other))
    compared.__name__ = compared.__qualname__ = entry.name
    return compared


# The in-place comparisons by method name (``lt``, ``less``), each written into its tensor by `make_inplace`.
COMPARED_IN_PLACE = {name: compared for entry in BINARY if entry.in_place and entry.dtypes == "bool"
                     for compared in (_compared_in_place(entry),) for name in (entry.name, *entry.aliases)}
FUNCTIONS["bitwise_not"] = bitwise_not
# Python operators (forward and reflected), and the in-place ones by the method they are.
OPERATORS = {name: fn for entry in BINARY for name, fn in zip(entry.operators, (_ALL[entry.name], _reflected(entry)))}
IN_OPERATORS = {entry.operators[2]: entry.name + "_" for entry in BINARY if len(entry.operators) == 3}
globals().update(NODES)  # PyTorch's grad_fn classes, importable by name as the other ops' are
__all__ = sorted(FUNCTIONS) + sorted(NODES)
globals().update(FUNCTIONS)

if TYPE_CHECKING:
    def __getattr__(name: str) -> Any: ...  # the functions above, made at import
