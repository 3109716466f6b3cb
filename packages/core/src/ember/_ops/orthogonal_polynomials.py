"""torch.special's orthogonal polynomials of x and a degree n (Chebyshev T, U, V, W and their shifted forms,
the Hermite H and He, Laguerre L and Legendre P), declared as binary registry entries without a derivative
(PyTorch records none) and composed from ember ops as PyTorch's ATen Math.h computes them: n truncated to an
integer, 0 for n < 0 (or not finite), NaN past the Hermite limits, the closed values at the interval's ends,
the trigonometric form for a large n inside it, else the three-term recurrence, run up to the largest n of
the elements that need it."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._tensor import Tensor
from .creation import full_like
from .pointwise import where
from .registry import Binary, build_binary


@dataclass(frozen=True)
class _Family:
    """One polynomial family: `first` its degree-1 polynomial of x, `step(k, x, p, q)` the next degree from
    the two before (k counts the steps from 1), `edges(x, n)` -> (mask, value) for the closed values
    PyTorch returns first (or None), `trig(x, n)` -> (mask, value) for its trigonometric form."""

    first: Callable[[Tensor], Tensor]
    step: Callable[[int, Tensor, Tensor, Tensor], Tensor]
    edges: Callable[[Tensor, Tensor], tuple[Tensor, Any]] | None = None
    trig: Callable[[Tensor, Tensor], tuple[Tensor, Tensor]] | None = None


def _evaluate(family: _Family, x: Tensor, n: Tensor) -> Tensor:
    """The polynomial of degree trunc(n) at x, elementwise (x and n broadcast, of x's dtype)."""
    n = n.trunc()
    shape = (x + n).shape
    x, n = x.expand(shape), n.expand(shape)
    special = ~(n >= 0) | n.isinf()  # an infinite or NaN degree converts to a negative integer: 0
    value = full_like(x, 0.0)
    if family.edges is not None:
        mask, edge = family.edges(x, n)
        value = where(special, value, where(mask, edge, value))
        special = special | mask
    if family.trig is not None:
        mask, closed = family.trig(x, n)
        mask = mask & ~special
        value = where(mask, closed, value)
        special = special | mask
    steps = where(special, 0, n - 1)
    last = int(steps.max().item()) if steps.numel() else 0
    p, q = full_like(x, 1.0), family.first(x)
    for k in range(1, last + 1):
        active = k <= steps
        p, q = where(active, q, p), where(active, family.step(k, x, p, q), q)
    result = where(n == 0, 1.0, q)
    return where(special, value, result)


def _odd_sign(n: Tensor, odd: Any, even: Any) -> Any:
    """`even` where n is even, `odd` where it is odd."""
    return where(n.remainder(2) == 0, even, odd)


def _end_values(kind: str, n: Tensor) -> tuple[Any, Any]:
    """PyTorch's values of Chebyshev's T, U, V or W of degree n at the interval's right and left ends."""
    if kind == "t":
        return 1.0, _odd_sign(n, -1.0, 1.0)
    if kind == "u":
        return n + 1, _odd_sign(n, -(n + 1), n + 1)
    if kind == "v":
        return 1.0, _odd_sign(n, -(2 * n + 1), 2 * n + 1)
    return 2 * n + 1, _odd_sign(n, -1.0, 1.0)


def _chebyshev(kind: str, shifted: bool) -> _Family:
    """Chebyshev's `kind` polynomials, at x or (`shifted`) at 2x - 1, with PyTorch's closed values at the
    ends (|x| = 1; x = 0 or 1 shifted) and its trigonometric forms past degree 6 or 8 (4 for shifted W)."""
    threshold = 4 if shifted and kind == "w" else 6 if shifted or kind == "t" else 8
    first = {"t": lambda y: y, "u": lambda y: y + y, "v": lambda y: y + y - 1, "w": lambda y: y + y + 1}[kind]

    def at(x: Tensor) -> Tensor:
        return x + x - 1 if shifted else x

    def edges(x: Tensor, n: Tensor):
        plus, minus = _end_values(kind, n)
        if shifted:
            return (x == 1) | (x == 0), where(x == 1, plus, minus)
        return x.abs() == 1, where(x > 0, plus, minus)

    def trig(x: Tensor, n: Tensor):
        y = at(x)
        theta = y.acos()
        mask = (y.abs() < 1) & (n > threshold)
        if kind == "t":
            return mask, (n * theta).cos()
        if kind == "u":
            sin = theta.sin()
            return mask, where(sin != 0, ((n + 1) * theta).sin() / sin, (n + 1) * ((n + 1) * theta).cos() / y)
        plus, minus = _end_values(kind, n)
        half = theta / 2
        if kind == "v":
            return mask, where(half.sin() != 1, ((n + 0.5) * theta).cos() / half.cos(), minus)
        fallback = minus if shifted else where(y > 0, plus, minus)
        return mask, where(half.cos() != 1, ((n + 0.5) * theta).sin() / half.sin(), fallback)

    return _Family(lambda x: first(at(x)), lambda k, x, p, q: (at(x) + at(x)) * q - p, edges, trig)


def _hermite_limit(x: Tensor, n: Tensor):
    """PyTorch's NaN for a Hermite degree past 128 (float32) or 512 (float64)."""
    return n > (128 if x.dtype.itemsize == 4 else 512), math.nan


_HERMITE_H = _Family(lambda x: x + x, lambda k, x, p, q: (x + x) * q - (2 * k) * p, _hermite_limit)
_HERMITE_HE = _Family(lambda x: x, lambda k, x, p, q: x * q - k * p, _hermite_limit)
_LAGUERRE_L = _Family(lambda x: 1 - x, lambda k, x, p, q: ((2 * k + (1 - x)) * q - k * p) / (k + 1),
                      lambda x, n: (x == 0, 1.0))
_LEGENDRE_P = _Family(lambda x: x, lambda k, x, p, q: ((2 * k + 1) * x * q - k * p) / (k + 1),
                      lambda x, n: (x.abs() == 1, where(x > 0, 1.0, _odd_sign(n, -1.0, 1.0))))

_FAMILIES = {
    **{f"chebyshev_polynomial_{kind}": _chebyshev(kind, False) for kind in "tuvw"},
    **{f"shifted_chebyshev_polynomial_{kind}": _chebyshev(kind, True) for kind in "tuvw"},
    "hermite_polynomial_h": _HERMITE_H, "hermite_polynomial_he": _HERMITE_HE,
    "laguerre_polynomial_l": _LAGUERRE_L, "legendre_polynomial_p": _LEGENDRE_P,
}


def _entry(name: str, family: _Family) -> Binary:
    return Binary(name, dtypes="float", compose=lambda x, n: _evaluate(family, x, n), refuses=("float16",),
                  in_place=False, recorded=False)


POLYNOMIALS = tuple(_entry(name, family) for name, family in _FAMILIES.items())
FUNCTIONS: dict[str, Any]
FUNCTIONS, _ = build_binary(POLYNOMIALS)
