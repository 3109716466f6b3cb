"""Cephes' Hurwitz zeta(x, q) as PyTorch's ATen Math.h computes it (`zeta`), composed from ember ops: the
function behind torch.special.zeta and behind polygamma beyond n = 1."""
from __future__ import annotations

import math

from .._tensor import Tensor
from .pointwise import where

_MACHEP = 1.11022302462515654042e-16
# The Euler-Maclaurin denominators of Cephes' zeta: (2k)! / B_2k
_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
           -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
           1.8152105401943546773e17, -7.1661652561756670113e18)


def zeta(s: Tensor | float, q: Tensor) -> Tensor:
    """Hurwitz zeta(s, q) (s a tensor, or a number >= 2): nine or more terms of the sum, then the
    Euler-Maclaurin tail, each element stopping where PyTorch's loop returns (a term below MACHEP of the
    sum); inf at s = 1 and at the poles q = 0, -1, ...; NaN for s < 1 and for q < 0 with s not whole."""
    pole = (q <= 0) & (q == q.floor())
    total = q ** -s
    a, b = q, q * 0
    done = pole | (q != q)  # PyTorch returns at once for these (inf, NaN), before the sum
    terms = 0
    while True:
        terms += 1
        a = a + 1
        b = a ** -s
        total = where(done, total, total + b)
        done = done | ((-_MACHEP * total < b) & (b < _MACHEP * total))
        if terms >= 9 and not bool(((a <= 9.0) & ~done).any()):
            break
    w = a
    total = where(done, total, total + b * w / (s - 1) - 0.5 * b)
    factor: Tensor | float = 1.0
    k = 0.0
    for denominator in _ZETA_A:
        factor = factor * (s + k)
        b = b / w
        term = factor * b / denominator
        total = where(done, total, total + term)
        done = done | ((term / total).abs() < _MACHEP)
        k += 1
        factor = factor * (s + k)
        b = b / w
        k += 1
    total = where(pole, math.inf, total)
    if not isinstance(s, Tensor):
        return total
    total = where((q <= 0) & ~pole & (s != s.floor()), math.nan, total)
    return where(s == 1, math.inf, where(s < 1, math.nan, total))
