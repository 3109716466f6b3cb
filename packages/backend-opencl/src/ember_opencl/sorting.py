"""sort along one axis: a stable bottom-up merge sort of each line by one work-item, values and int64
indices together, ping-ponging between the result and a scratch pair. NaN sorts above every number
and -0.0 ties with 0.0 (plain comparisons), and equal elements keep their order in both directions.
A work-item per line is fast for many short lines (a batch of rows); one long line would want a
parallel (bitonic or radix) sort: not done yet."""
from __future__ import annotations

import numpy as np

from . import program
from .buffer import CLArray, allocate
from .program import FLOATS, ctype


def _precedes(t: str, descending: bool) -> str:
    """C expression: value `p` goes strictly before value `q`."""
    if t in FLOATS:
        return "(p > q || (isnan(p) && !isnan(q)))" if descending else "(p < q || (isnan(q) && !isnan(p)))"
    return "(p > q)" if descending else "(p < q)"


def _source(t: str, dims: int, descending: bool) -> str:
    unravel = program.unravel("g", [f"s{d}" for d in range(dims)], [[f"a{d}" for d in range(dims)]], ["at"])
    params = [f"__global {t} *V", "__global long *I", f"__global {t} *W", "__global long *J",
              f"__global const {t} *x", "long x_off", "long lines", "long n", "long step"]
    params += [f"long s{d}, long a{d}" for d in range(dims)]
    return f"""
__kernel void k({", ".join(params)}) {{
    const long g = get_global_id(0);
    if (g >= lines) return;
    long at = x_off;
    {unravel}
    __global {t} *v = V + g * n, *w = W + g * n;
    __global long *i = I + g * n, *j = J + g * n;
    for (long e = 0; e < n; e++) {{ v[e] = x[at + e * step]; i[e] = e; }}
    for (long width = 1; width < n; width *= 2) {{
        for (long lo = 0; lo < n; lo += 2 * width) {{
            const long mid = min(lo + width, n), hi = min(lo + 2 * width, n);
            long l = lo, r = mid;
            for (long e = lo; e < hi; e++) {{
                bool right = l >= mid;
                if (!right && r < hi) {{ const {t} p = v[r], q = v[l]; right = {_precedes(t, descending)}; }}
                if (right) {{ w[e] = v[r]; j[e] = i[r]; r++; }} else {{ w[e] = v[l]; j[e] = i[l]; l++; }}
            }}
        }}
        __global {t} *tv = v; v = w; w = tv;
        __global long *ti = i; i = j; j = ti;
    }}
    if (v != V + g * n) for (long e = 0; e < n; e++) {{ w[e] = v[e]; j[e] = i[e]; }}
}}"""


def sort(x: CLArray, axis: int, descending: bool, stable: bool):
    """(values, indices) of x sorted along `axis` (always stable)."""
    moved = [d for d in range(x.ndim) if d != axis] + [axis]
    line_shape = tuple(x.shape[d] for d in moved)
    values = allocate(x.device, line_shape, x.dtype)
    indices = allocate(x.device, line_shape, np.dtype(np.int64))
    if values.size:
        scratch_values = allocate(x.device, line_shape, x.dtype)
        scratch_indices = allocate(x.device, line_shape, np.dtype(np.int64))
        shape, (strides,) = program.collapse(line_shape[:-1], [tuple(x.strides[d] for d in moved[:-1])])
        types = [None] * 5 + [np.int64] * (4 + 2 * len(shape))
        kernel = program.build(x.device, _source(ctype(x.dtype), len(shape), descending), "k", types)
        n = x.shape[axis]
        lines = values.size // n
        args = [values.base, indices.base, scratch_values.base, scratch_indices.base, x.base, x.offset, lines, n,
                x.strides[axis]]
        for d in range(len(shape)):
            args += [shape[d], strides[d]]
        program.launch(x.device, kernel, lines, *args)
    back = [moved.index(d) for d in range(x.ndim)]  # the sorted axis back in its place, as views
    return tuple(array.view(x.shape, tuple(array.strides[d] for d in back), 0) for array in (values, indices))


KERNELS = {"sort": sort}
