"""PyTorch's lerp, each step rounded (numpy has no fused multiply-add): ``start + weight * (end - start)``
while |weight| < 0.5, else ``end + (weight - 1) * (end - start)`` (exact at both ends), float16 computed in
float32. These are the results of PyTorch's vectorised CPU kernel at its default capability
(ATEN_CPU_CAPABILITY=default), bitwise; its AVX2 and AVX512 kernels fuse the multiply-add instead, an ulp away in
about a quarter of the elements. (Its scalar loop, for strided operands, short tensors and the elements past the
last whole vectors, writes the large side as ``end - (end - start) * (1 - weight)``: the same value but for the
sign of a zero where weight is 1.)"""
from __future__ import annotations

import numpy as np

_MASKS = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}


def lerp(start, end, weight, out=None):
    """`start`, `end` and `weight` (an array of start's dtype or a number) broadcast together; the result is
    written into `out` when given (which may be `start` or `end`: lerp_), else into a new array."""
    shape = np.broadcast_shapes(start.shape, end.shape, np.shape(weight))
    opmath = np.float64 if start.dtype == np.float64 else np.float32
    a, b = start.astype(opmath, copy=False), end.astype(opmath, copy=False)
    work = np.subtract(b, a, out=np.empty(shape, opmath))  # end - start
    if out is None:
        out = work if start.dtype == opmath else np.empty(shape, start.dtype)
    if not isinstance(weight, np.ndarray):
        w = opmath(weight)
        if abs(w) < 0.5:
            np.multiply(work, w, out=work)
            return np.add(a, work, out=out, casting="same_kind")
        np.multiply(work, w - opmath(1), out=work)
        return np.add(b, work, out=out, casting="same_kind")
    # A tensor weight picks its side per element. numpy's where on a random mask mispredicts (~15x slower than
    # arithmetic), so the sides are chosen by bits: `large` all ones where |weight| >= 0.5 (or NaN), else zeros.
    w = weight.astype(opmath, copy=False)
    bits = _MASKS[np.dtype(opmath)]
    magnitude = np.abs(w, out=np.empty(w.shape, opmath))
    small = np.less(magnitude, 0.5)
    large = magnitude.view(bits)  # (the magnitudes are read: its buffer takes the mask)
    np.copyto(large, small)
    np.subtract(large, 1, out=large)  # 1 (small) -> 0, 0 -> all ones
    one = np.bitwise_and(large, np.array(1, opmath).view(bits), out=np.empty(w.shape, bits)).view(opmath)
    np.multiply(work, np.subtract(w, one, out=one), out=work)  # (weight - 1 or weight) * (end - start)
    base = np.bitwise_xor(a.view(bits), b.view(bits), out=np.empty(shape, bits))
    np.bitwise_and(base, large, out=base)
    np.bitwise_xor(base, a.view(bits), out=base)  # start where small, end where large
    return np.add(base.view(opmath), work, out=out, casting="same_kind")
