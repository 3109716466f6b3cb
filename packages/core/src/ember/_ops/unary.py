"""Elementwise ops over one tensor, one registry entry each (see `ember._ops.registry`).

Adding one is one `Unary(...)` line here: a kernel name for a new primitive (plus that kernel in each
backend) or a composition of existing ops, PyTorch's backward formula, and numpy's version with an input
domain for the generated tests. Gradient formulas follow PyTorch's derivatives.yaml.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .registry import LN2, LN10, Unary, build, in_float32

_INF = math.inf
_INTEGERS = ("bool", "int32", "int64")


def _refuse_bool(input) -> None:
    if input._dtype.name == "bool":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")


UNARY: tuple[Unary, ...] = (
    Unary("neg", lambda g: -g, dtypes="same", check=_refuse_bool, reference=np.negative, aliases=("negative",)),
    Unary("abs", lambda g, x: g * x.sign(), ("input",), dtypes="same", refuses=("bool",), reference=np.abs,
          aliases=("absolute",)),
    Unary("exp", lambda g, y: g * y, ("result",), reference=np.exp),
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
    Unary("tanh", lambda g, y: in_float32(lambda g, y: g * (1 - y * y), g, y), ("result",), reference=np.tanh),
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
    Unary("frac", lambda g: g, compose=lambda x: x - x.trunc(), dtypes="same", refuses=_INTEGERS,
          reference=lambda x: x - np.trunc(x), domain="any"),
    Unary("isnan", compose=lambda x: x != x, dtypes="bool", integers="false", differentiable=False,
          reference=np.isnan),
    Unary("isinf", compose=lambda x: x.abs() == _INF, dtypes="bool", integers="false", differentiable=False,
          reference=np.isinf),
    Unary("isfinite", compose=lambda x: (x - x) == 0, dtypes="bool", integers="true", differentiable=False,
          reference=np.isfinite),
)

FUNCTIONS, NODES = build(UNARY)
IN_PLACE = tuple(name for entry in UNARY if entry.dtypes != "bool" for name in (entry.name, *entry.aliases))
globals().update(NODES)  # PyTorch's grad_fn classes, importable by name as the other ops' are
__all__ = sorted(FUNCTIONS) + sorted(NODES)
globals().update(FUNCTIONS)

if TYPE_CHECKING:
    def __getattr__(name: str) -> Any: ...  # the functions above, made at import
