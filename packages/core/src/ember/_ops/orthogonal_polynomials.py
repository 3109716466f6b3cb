"""torch.special's orthogonal polynomials of x and a degree n (Chebyshev T, U, V, W and their shifted forms,
the Hermite H and He, Laguerre L and Legendre P), declared as binary registry entries without a derivative
(PyTorch records none) and composed from ember ops as PyTorch's ATen Math.h computes them: n truncated to an
integer, 0 for n < 0, the closed values at the interval's ends, the trigonometric form for a large n inside
it, else the three-term recurrence, run up to the largest n of the elements that need it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._tensor import Tensor
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
    special = n < 0
    value = x * 0
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
    p, q = x * 0 + 1, family.first(x)
    for k in range(1, last + 1):
        active = k <= steps
        p, q = where(active, q, p), where(active, family.step(k, x, p, q), q)
    result = where(n == 0, 1.0, q)
    return where(special, value, result)


def _odd_sign(n: Tensor, odd: Any, even: Any) -> Any:
    """`even` where n is even, `odd` where it is odd."""
    return where(n.remainder(2) == 0, even, odd)


def _chebyshev_ends(kind: str):
    """PyTorch's values of T, U, V, W at x = 1 and x = -1."""
    def ends(x: Tensor, n: Tensor):
        plus = {"t": 1.0, "u": n + 1, "v": 1.0, "w": 2 * n + 1}[kind]
        minus = {"t": _odd_sign(n, -1.0, 1.0), "u": _odd_sign(n, -(n + 1), n + 1),
                 "v": _odd_sign(n, -(2 * n + 1), 2 * n + 1), "w": _odd_sign(n, -1.0, 1.0)}[kind]
        return x.abs() == 1, where(x > 0, plus, minus)
    return ends


def _chebyshev_trig(kind: str):
    """PyTorch's trigonometric forms of T (n > 6), U, V and W (n > 8) inside (-1, 1)."""
    def trig(x: Tensor, n: Tensor):
        theta = x.acos()
        inside = x.abs() < 1
        if kind == "t":
            return inside & (n > 6), (n * theta).cos()
        if kind == "u":
            sin = theta.sin()
            value = where(sin != 0, ((n + 1) * theta).sin() / sin, (n + 1) * ((n + 1) * theta).cos() / x)
            return inside & (n > 8), value
        half = theta / 2
        if kind == "v":
            value = where(half.sin() != 1, ((n + 0.5) * theta).cos() / half.cos(),
                          _odd_sign(n, -(2 * n + 1), 2 * n + 1))
        else:
            value = where(half.cos() != 1, ((n + 0.5) * theta).sin() / half.sin(),
                          where(x > 0, 2 * n + 1, _odd_sign(n, -1.0, 1.0)))
        return inside & (n > 8), value
    return trig


_CHEBYSHEV_FIRST = {"t": lambda x: x, "u": lambda x: x + x, "v": lambda x: x + x - 1, "w": lambda x: x + x + 1}


def _chebyshev(kind: str) -> _Family:
    return _Family(_CHEBYSHEV_FIRST[kind], lambda k, x, p, q: (x + x) * q - p, _chebyshev_ends(kind),
                   _chebyshev_trig(kind))


def _shifted(family: _Family) -> _Family:
    """The family at 2x - 1 (PyTorch's shifted Chebyshev polynomials on [0, 1])."""
    def moved(f):
        return None if f is None else (lambda x, n: f(x + x - 1, n))
    return _Family(lambda x: family.first(x + x - 1), lambda k, x, p, q: family.step(k, x + x - 1, p, q),
                   moved(family.edges), moved(family.trig))


_HERMITE_H = _Family(lambda x: x + x, lambda k, x, p, q: (x + x) * q - (2 * k) * p)
_HERMITE_HE = _Family(lambda x: x, lambda k, x, p, q: x * q - k * p)
_LAGUERRE_L = _Family(lambda x: 1 - x, lambda k, x, p, q: ((2 * k + (1 - x)) * q - k * p) / (k + 1),
                      lambda x, n: (x == 0, 1.0))
_LEGENDRE_P = _Family(lambda x: x, lambda k, x, p, q: ((2 * k + 1) * x * q - k * p) / (k + 1),
                      _chebyshev_ends("t"))

_FAMILIES = {
    **{f"chebyshev_polynomial_{kind}": _chebyshev(kind) for kind in "tuvw"},
    **{f"shifted_chebyshev_polynomial_{kind}": _shifted(_chebyshev(kind)) for kind in "tuvw"},
    "hermite_polynomial_h": _HERMITE_H, "hermite_polynomial_he": _HERMITE_HE,
    "laguerre_polynomial_l": _LAGUERRE_L, "legendre_polynomial_p": _LEGENDRE_P,
}


def _entry(name: str, family: _Family) -> Binary:
    return Binary(name, dtypes="float", compose=lambda x, n: _evaluate(family, x, n), refuses=("float16",),
                  in_place=False, recorded=False, domains=("real", "real"))


POLYNOMIALS = tuple(_entry(name, family) for name, family in _FAMILIES.items())
FUNCTIONS: dict[str, Any]
FUNCTIONS, _ = build_binary(POLYNOMIALS)
