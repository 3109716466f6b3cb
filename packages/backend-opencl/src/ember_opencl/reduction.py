"""Reductions over any axes of a strided input: sum, max, min (NaN propagates), argmax, argmin.

The kept dims and the reduced dims are each collapsed; a work-item reduces one output element over a
chunk of the reduced range, reading the input through its strides. When few outputs reduce many
elements, the range is split into parts whose partial results a second pass reduces (two stages).
Float sums are compensated (Kahan), so a float32 sum is as accurate as numpy's pairwise one.
"""
from __future__ import annotations

import numpy as np

from . import elementwise, program
from .buffer import CLArray, allocate, contiguous_strides
from .program import FLOATS, ctype

_PART = 4096  # elements one work-item reduces in the first stage of a two-stage reduction

# (combine acc with v), per op and kind: a sum starts from +0 (so -0s sum to +0, as PyTorch's), the
# others from the first element
_COMBINE = {
    ("sum", "float"): "{{ {T} y = v - comp; {T} t = acc + y; comp = isfinite(t) ? (t - acc) - y : 0; acc = t; }}",
    ("sum", "int"): "acc = ({T})(({U})acc + ({U})v);",
    ("sum", "bool"): "acc = acc | v;",
    ("max", "float"): "if (v > acc || isnan(v)) acc = isnan(acc) ? acc : v;",
    ("max", "int"): "if (v > acc) acc = v;",
    ("max", "bool"): "acc = acc | v;",
    ("min", "float"): "if (v < acc || isnan(v)) acc = isnan(acc) ? acc : v;",
    ("min", "int"): "if (v < acc) acc = v;",
    ("min", "bool"): "acc = acc & v;",
    ("argmax", "float"): "if (!isnan(acc) && (v > acc || isnan(v))) {{ acc = v; best = r; }}",
    ("argmax", "int"): "if (v > acc) {{ acc = v; best = r; }}",
    ("argmin", "float"): "if (!isnan(acc) && (v < acc || isnan(v))) {{ acc = v; best = r; }}",
    ("argmin", "int"): "if (v < acc) {{ acc = v; best = r; }}",
}


def _kind(dtype: np.dtype) -> str:
    return "bool" if dtype.name == "bool" else "float" if ctype(dtype) in FLOATS else "int"


def _source(op: str, dtype: np.dtype, kept: int, reduced: int) -> str:
    t = ctype(dtype)
    kind = "int" if op.startswith("arg") and dtype.name == "bool" else _kind(dtype)
    combine = _COMBINE[(op, kind)].format(T=t, U=program.UNSIGNED.get(t, t))
    arg = op.startswith("arg")
    out_type = "long" if arg else t
    seed = "" if op == "sum" else "if (r == first) { acc = v; continue; }"
    kept_unravel = program.unravel("o", [f"ks{d}" for d in range(kept)], [[f"kt{d}" for d in range(kept)]],
                                   ["base"], "k")
    red_unravel = program.unravel("r", [f"rs{d}" for d in range(reduced)], [[f"rt{d}" for d in range(reduced)]],
                                  ["at"])
    params = ["__global " + out_type + " *out", f"__global const {t} *x", "long x_off", "long n_out",
              "long n_red", "long parts", "long chunk"]
    params += [f"long ks{d}, long kt{d}" for d in range(kept)]
    params += [f"long rs{d}, long rt{d}" for d in range(reduced)]
    return f"""
__kernel void k({", ".join(params)}) {{
    const long g = get_global_id(0);
    if (g >= n_out * parts) return;
    const long o = g / parts, part = g % parts;
    long base = x_off;
    {kept_unravel}
    const long first = part * chunk, last = min(first + chunk, n_red);
    {t} acc = 0, comp = 0; long best = first;
    for (long r = first; r < last; r++) {{
        long at = base;
        {red_unravel}
        const {t} v = x[at];
        {seed}
        {combine}
    }}
    (void)comp;
    out[g] = {"best" if arg else "acc"};
}}"""


def _reduce(op: str, x: CLArray, axes: tuple[int, ...], out_dtype: np.dtype, parts_allowed: bool):
    """The reduction of x over `axes` as a row-major array of the kept dims' shape."""
    kept_dims = [d for d in range(x.ndim) if d not in axes]
    kept_shape = tuple(x.shape[d] for d in kept_dims)
    red_shape = tuple(x.shape[d] for d in axes)
    n_out = int(np.prod(kept_shape, dtype=np.int64))
    n_red = int(np.prod(red_shape, dtype=np.int64))
    kshape, (kstrides,) = program.collapse(kept_shape, [tuple(x.strides[d] for d in kept_dims)])
    rshape, (rstrides,) = program.collapse(red_shape, [tuple(x.strides[d] for d in axes)])
    parts = 1
    if parts_allowed and n_red > 2 * _PART and n_out < 4096:
        parts = -(-n_red // _PART)
    chunk = -(-n_red // parts) if n_red else 0
    result = allocate(x.device, (n_out * parts,), out_dtype)
    if not result.size:
        return result
    types = [None, None, np.int64, np.int64, np.int64, np.int64, np.int64] + [np.int64] * 2 * (len(kshape)
                                                                                             + len(rshape))
    kernel = program.build(x.device, _source(op, x.dtype, len(kshape), len(rshape)), "k", types)
    args = [result.base, x.base, x.offset, n_out, n_red, parts, chunk]
    args += [v for pair in zip(kshape, kstrides) for v in pair] + [v for pair in zip(rshape, rstrides) for v in pair]
    program.launch(x.device, kernel, n_out * parts, *args)
    if parts > 1:
        result = _reduce(op, result.view((n_out, parts), (parts, 1), 0), (1,), out_dtype, False)
    return result


def _shaped(result: CLArray, x: CLArray, axes, keepdim: bool) -> tuple[int, ...]:
    if keepdim:
        return tuple(1 if d in axes else size for d, size in enumerate(x.shape))
    return tuple(size for d, size in enumerate(x.shape) if d not in axes)


def _reduction(op: str):
    def kernel(x, axes, keepdim, out=None):
        axes = tuple(sorted(axes))
        flat = _reduce(op, x, axes, x.dtype, True)
        shape = _shaped(flat, x, axes, keepdim)
        result = flat.view(shape, contiguous_strides(shape), flat.offset)
        if out is None:
            return result
        return elementwise.copy_(out, result)

    kernel.__name__ = kernel.__qualname__ = op
    return kernel


def _arg(op: str):
    def kernel(x, axis, keepdim):
        if axis is None:
            flat = x if x.is_contiguous else elementwise.copy_(allocate(x.device, x.shape, x.dtype), x)
            flat = flat.view((x.size,), (1,), flat.offset)
            result = _reduce(op, flat, (0,), np.dtype(np.int64), False)
            shape = (1,) * x.ndim if keepdim else ()
        else:
            result = _reduce(op, x, (axis,), np.dtype(np.int64), False)
            shape = _shaped(result, x, (axis,), keepdim)
        return result.view(shape, contiguous_strides(shape), 0)

    kernel.__name__ = kernel.__qualname__ = op
    return kernel


KERNELS = {"sum": _reduction("sum"), "max": _reduction("max"), "min": _reduction("min"),
           "argmax": _arg("argmax"), "argmin": _arg("argmin")}
