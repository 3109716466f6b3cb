"""Exact fused multiply-add on numpy, which has none, and PyTorch's lerp built on it (its CPU kernel fuses each
multiply-add). float32 (and float16, computed in float32): the product of two floats is exact in double, the
sum rounded to odd in double and then to float is correctly rounded (Boldo & Melquiond, "Emulation of FMA and
correctly rounded sums: proved algorithms using rounding to odd", 2008). float64: error-free transformations
(Dekker's product, Knuth's sum) and the same round-to-odd step; exact unless a product's error term leaves
double's range (|product| above ~2**996 or, but for a zero addend, under ~2**-969), where the unfused result
is kept."""
from __future__ import annotations

import numpy as np

_SPLITTER = 134217729.0  # 2**27 + 1: Veltkamp's split of a double into two 26-bit halves


def _two_sum(a, b):
    """(s, e): s = a + b rounded, e its exact rounding error (Knuth)."""
    s = a + b
    b_virtual = s - a
    return s, (a - (s - b_virtual)) + (b - b_virtual)


def _split(a):
    c = _SPLITTER * a
    high = c - (c - a)
    return high, a - high


def _two_product(a, b):
    """(p, e): p = a * b rounded, e its exact rounding error (Dekker)."""
    p = a * b
    a_high, a_low = _split(a)
    b_high, b_low = _split(b)
    return p, ((a_high * b_high - p) + a_high * b_low + a_low * b_high) + a_low * b_low


def _sum_to_odd(a, b):
    """a + b rounded to odd in double: truncated, its last bit set when inexact (finite sums)."""
    s, error = _two_sum(a, b)
    inexact_even = ((s.view(np.int64) & 1) == 0) & (error != 0) & np.isfinite(s)
    return np.where(inexact_even, np.nextafter(s, np.where(error > 0, np.inf, -np.inf)), s)


# lerp works in blocks of this many elements, through buffers the blocks share (`_Scratch`): a block's
# temporaries stay in the cache through its passes, and nothing the size of the whole input is allocated
# (fresh pages cost more than the arithmetic).
_BLOCK = 1 << 17
_TINY32 = 2.0 ** -126  # float's smallest normal: below it float rounds coarser than its 24 bits


class _Scratch:
    """The buffers of one lerp call, shared by its blocks: float32 lerp's double sums and flags, and the
    block's difference ``end - start`` in the opmath dtype."""

    def __init__(self, size: int, opmath) -> None:
        self.total = np.empty(size, np.float64)
        self.other = np.empty(size, np.float64)
        self.flags = np.empty(size, np.bool_)
        self.diff = np.empty(size, opmath)

    def take(self, name: str, like):
        """The first elements of buffer `name`, shaped as the array `like`."""
        return getattr(self, name)[:like.size].reshape(like.shape)


def _fma32(a, b, c, out, scratch: _Scratch) -> None:
    """out = a * b + c rounded once to float32 (float32 arrays broadcasting to out's shape, or numbers). `out`
    may be one of the inputs: they are read before it is written."""
    total, other = scratch.take("total", out), scratch.take("other", out)
    np.copyto(total, b)  # (mixed float/double ufuncs cast through small buffers: slower than a copy)
    np.multiply(total, a, out=total)  # exact: the product of two floats fits in a double
    if isinstance(c, np.ndarray):
        np.copyto(other, c)
        c_double = other
    else:
        c_double = np.float64(c)
    np.add(total, c_double, out=total)
    # Rounding twice (to double, then to float) differs from once only where the double lies halfway between
    # two floats (its low 29 bits 1000...0), or among float's subnormals: those few sums are redone rounded
    # to odd.
    words, flags = other.view(np.uint64), scratch.take("flags", out)
    np.bitwise_and(total.view(np.uint64), 0x1FFFFFFF, out=words)
    np.equal(words, 0x10000000, out=flags)
    halfway = flags.any()
    magnitude = np.abs(total, out=other)
    tiny = out.size and np.fmin.reduce(magnitude, axis=None) < _TINY32  # (fmin: NaNs do not hide a tiny sum)
    fixed = None
    if halfway or tiny:
        if tiny:
            flags |= magnitude < _TINY32
        where = np.nonzero(flags)  # few: indices, not masks, over the block
        a, b, c = (np.broadcast_to(x, out.shape)[where] for x in (a, b, c))
        fixed = _sum_to_odd(np.multiply(a, b, dtype=np.float64), c.astype(np.float64))
    np.copyto(out, total, casting="same_kind")
    if fixed is not None:
        out[where] = fixed


def _fma64(a, b, c):
    """a * b + c rounded once (float64 arrays or numbers)."""
    product, product_error = _two_product(np.asarray(a, np.float64), np.asarray(b, np.float64))
    high, low = _two_sum(np.asarray(c, np.float64), product)
    rest = _sum_to_odd(low, product_error)
    result = np.where(np.isfinite(rest) & (rest != 0), high + rest, high)
    zero = (result == 0) & (c == 0)
    if np.any(zero):  # c + a*b with c a zero is a*b rounded, signed as a*b also where it underflows to 0
        exact_zero = (np.asarray(a) == 0) | (np.asarray(b) == 0)
        result = np.where(zero, np.where(exact_zero, product + c, product), result)
    return result


def lerp(start, end, weight, out=None):
    """PyTorch's lerp: ``start + weight * (end - start)`` as one fused multiply-add while |weight| < 0.5,
    else ``end + (weight - 1) * (end - start)`` (exact at both ends); float16 computed in float32. `weight`
    an array of start's dtype or a number; the three broadcast. Computed block by block (see `_BLOCK`) into
    `out` (which may be `start`: lerp_) or a new array."""
    shape = np.broadcast_shapes(start.shape, end.shape, np.shape(weight))
    result = np.empty(shape, start.dtype) if out is None else out
    size = result.size
    opmath = np.float64 if start.dtype == np.float64 else np.float32
    scratch = _Scratch(min(size, _BLOCK), opmath)
    if size <= _BLOCK:
        _lerp(start, end, weight, result, scratch)
        return result
    flat = result.reshape(-1)
    start, end = (np.broadcast_to(x, shape).reshape(-1) for x in (start, end))
    by_array = isinstance(weight, np.ndarray)
    if by_array:
        weight = np.broadcast_to(weight, shape).reshape(-1)
    for first in range(0, size, _BLOCK):
        block = slice(first, first + _BLOCK)
        _lerp(start[block], end[block], weight[block] if by_array else weight, flat[block], scratch)
    return result


def _lerp(start, end, weight, out, scratch: _Scratch) -> None:
    """`lerp` of one block into `out`."""
    opmath = scratch.diff.dtype.type
    a, b = start.astype(opmath, copy=False), end.astype(opmath, copy=False)
    diff = np.subtract(b, a, out=scratch.take("diff", out))
    if isinstance(weight, np.ndarray):
        w = weight.astype(opmath, copy=False)
        large = np.abs(w) >= 0.5
        # Branch-free selection (np.where on a random mask runs ~15x slower): w - 1 where large, a or b bitwise.
        keep_a = -np.logical_not(large).view(np.int8).astype(np.dtype(f"i{a.itemsize}"))  # all ones: take a
        a, b = np.broadcast_arrays(a, b)
        base = ((a.view(keep_a.dtype) & keep_a) | (b.view(keep_a.dtype) & ~keep_a)).view(opmath)
        terms = np.subtract(w, large.astype(opmath)), diff, base
    else:
        w = opmath(weight)
        terms = (w, diff, a) if abs(w) < 0.5 else (w - opmath(1), diff, b)
    if opmath is np.float64:
        np.copyto(out, _fma64(*terms))
    elif out.dtype == np.float32:
        _fma32(*terms, out, scratch)
    else:  # float16: PyTorch rounds its float32 result
        result = np.empty(out.shape, np.float32)
        _fma32(*terms, result, scratch)
        np.copyto(out, result, casting="same_kind")
