"""What the igamma and igammac registry entries (`ember._ops.binary`) need besides their kernels: their
gradients as PyTorch's derivatives.yaml gives them (w.r.t. x the gamma density, w.r.t. a none: PyTorch's
NotImplementedError) and the test rows' reference, computed apart from the kernels' algorithm (the power
series of P below a + 1, Lentz's continued fraction of Q beyond, element by element in Python floats)."""
from __future__ import annotations

import math

import numpy as np

_EPS = 1e-17
_TINY = 1e-300


def density(a, x):
    """x^(a-1) e^-x / Gamma(a), the derivative of igamma in x (``exp((a - 1) log x - x - lgamma(a))``)."""
    return ((a - 1) * x.log() - x - a.lgamma()).exp()


def refused_input_gradient(name: str):
    """The gradient formula for `name`'s first operand, which PyTorch does not implement."""
    def refuse(g, a, x, r):
        raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
    return refuse


def _log_prefactor(a: float, x: float) -> float:
    """log(x^a e^-x / Gamma(a)); for large a by Stirling's series, so that a ~ x cancels exactly."""
    if a < 30:
        return a * math.log(x) - x - math.lgamma(a)
    correction = (1 / 12 - (1 / 360 - (1 / 1260 - 1 / (1680 * a * a)) / (a * a)) / (a * a)) / a
    return a * math.log1p((x - a) / a) - (x - a) + 0.5 * math.log(a / (2 * math.pi)) - correction


def _lower_by_series(a: float, x: float) -> float:
    term = total = 1 / a
    n = a
    while abs(term) > total * _EPS:
        n += 1
        term *= x / n
        total += term
    return total * math.exp(_log_prefactor(a, x))


def _upper_by_continued_fraction(a: float, x: float) -> float:
    b = x + 1 - a
    c, d = 1 / _TINY, 1 / b
    h = d
    for i in range(1, 100000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1 / d
        h *= d * c
        if abs(d * c - 1) < _EPS:
            break
    return h * math.exp(_log_prefactor(a, x))


def _regularized(a: float, x: float, upper: bool) -> float:
    """P(a, x), or Q(a, x) when `upper`, with PyTorch's (SciPy's) values on the domain's edges."""
    if x < 0 or a < 0:
        return math.nan
    if a == 0:
        return (0.0 if upper else 1.0) if x > 0 else math.nan
    if x == 0:
        return 1.0 if upper else 0.0
    if math.isinf(a):
        return math.nan if math.isinf(x) else float(upper)
    if math.isinf(x):
        return 0.0 if upper else 1.0
    if math.isnan(a) or math.isnan(x):
        return math.nan
    if x < a + 1:
        lower = _lower_by_series(a, x)
        return 1 - lower if upper else lower
    result = _upper_by_continued_fraction(a, x)
    return result if upper else 1 - result


_each = np.frompyfunc(_regularized, 3, 1)


def reference(upper: bool):
    """The test rows' reference of igamma (or igammac, `upper`) on float64 arrays."""
    return lambda a, x: np.asarray(_each(a, x, upper), dtype=np.float64)
