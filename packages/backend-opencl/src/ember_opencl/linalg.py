"""The LU/Cholesky family's optional kernels (docs/internals.md: `lu_factor`, `cholesky`, `triangular_solve`)
in OpenCL C: one work-item per matrix (per column of the right-hand side for the solve) runs the same
elimination as `ember._backend_linalg`'s numpy version, in the matrix's dtype; dot products are summed first,
then subtracted, as that version's matmuls. Operands are first copied row-major by the elementwise copy, so
one program per kernel and dtype serves every layout and batch shape (core's column-by-column composition
launched several kernels per column, and PoCL built a program for each new slice shape).
"""
from __future__ import annotations

import math

import numpy as np

from . import elementwise, program
from .buffer import CLArray, allocate

# LAPACK getrf by partial pivoting in place on row-major (m, n) matrices: the pivot is the first largest
# |value| of its column (the first NaN, as numpy's argmax); a zero pivot leaves its column unscaled.
_LU = """
__kernel void lu(__global T *lu, __global int *pivots, __global int *info, long matrices, long m, long n) {
    const long g = get_global_id(0);
    if (g >= matrices) return;
    __global T *a = lu + g * m * n;
    const long steps = min(m, n);
    int first_zero = 0;
    for (long j = 0; j < steps; j++) {
        long p = j;
        T best = fabs(a[j * n + j]);
        for (long i = j + 1; i < m; i++) {
            const T v = fabs(a[i * n + j]);
            if (v > best || (isnan(v) && !isnan(best))) { best = v; p = i; }
        }
        pivots[g * steps + j] = (int)(p + 1);
        if (p != j)
            for (long k = 0; k < n; k++) { const T t = a[j * n + k]; a[j * n + k] = a[p * n + k]; a[p * n + k] = t; }
        const T pivot = a[j * n + j];
        if (pivot == 0 && first_zero == 0) first_zero = (int)(j + 1);
        const T divisor = pivot == 0 ? (T)1 : pivot;
        for (long i = j + 1; i < m; i++) {
            const T l = a[i * n + j] / divisor;
            a[i * n + j] = l;
            for (long k = j + 1; k < n; k++) a[i * n + k] -= l * a[j * n + k];
        }
    }
    info[g] = first_zero;
}
"""

# Cholesky column by column in place on row-major (n, n) matrices, from the lower triangle; zeros above.
# info is the first column whose square is not > 0 (NaN included); the columns after it are unspecified.
_CHOLESKY = """
__kernel void cholesky(__global T *l, __global int *info, long matrices, long n) {
    const long g = get_global_id(0);
    if (g >= matrices) return;
    __global T *a = l + g * n * n;
    int first = 0;
    for (long j = 0; j < n; j++) {
        T sum = 0;
        for (long k = 0; k < j; k++) sum += a[j * n + k] * a[j * n + k];
        const T square = a[j * n + j] - sum;
        if (!(square > 0) && first == 0) first = (int)(j + 1);
        const T root = sqrt(square);
        a[j * n + j] = root;
        for (long i = j + 1; i < n; i++) {
            T dot = 0;
            for (long k = 0; k < j; k++) dot += a[i * n + k] * a[j * n + k];
            a[i * n + j] = (a[i * n + j] - dot) / root;
            a[j * n + i] = 0;
        }
    }
    info[g] = first;
}
"""

# Substitution for one column of X (row-major (n, k) per matrix, holding B on entry) against the row-major
# (n, n) triangle of A: rows upward for UPPER, downward otherwise.
_SOLVE = """
__kernel void solve(__global T *x, __global const T *a, long columns, long n, long k) {
    const long g = get_global_id(0);
    if (g >= columns) return;
    const long matrix = g / k, column = g % k;
    __global T *b = x + matrix * n * k + column;
    __global const T *t = a + matrix * n * n;
    for (long step = 0; step < n; step++) {
        const long i = UPPER ? n - 1 - step : step;
        T solved = 0;
        for (long j = UPPER ? i + 1 : 0; j < (UPPER ? n : i); j++) solved += t[i * n + j] * b[j * k];
        const T rest = b[i * k] - solved;
        b[i * k] = UNIT ? rest : rest / t[i * n + i];
    }
}
"""


def _row_major(x: CLArray, shape: tuple[int, ...] | None = None) -> CLArray:
    """A new row-major copy of x (broadcast to `shape` when given)."""
    return elementwise.copy_(allocate(x.device, x.shape if shape is None else shape, x.dtype), x)


def _kernel(device, body: str, name: str, dtype: np.dtype, scalars: int, buffers: int, **flags: bool):
    """The kernel `name` of `body` built for `dtype` (T) and the 0/1 `flags`, `buffers` buffer arguments
    then `scalars` long ones."""
    defines = [f"#define T {program.ctype(dtype)}"] + [f"#define {flag} {int(on)}" for flag, on in flags.items()]
    return program.build(device, "\n".join(defines) + "\n" + body, name, [None] * buffers + [np.int64] * scalars)


def lu_factor(a: CLArray):
    *batch, m, n = a.shape
    matrices, steps = math.prod(batch), min(m, n)
    lu = _row_major(a)
    pivots = allocate(a.device, (*batch, steps), np.dtype(np.int32))
    info = allocate(a.device, tuple(batch), np.dtype(np.int32))
    if lu.size:
        kernel = _kernel(a.device, _LU, "lu", a.dtype, 3, 3)
        program.launch(a.device, kernel, matrices, lu.base, pivots.base, info.base, matrices, m, n)
    else:
        elementwise.copy_(info, 0)  # matrices without elements: nothing to factor, every info 0
    return lu, pivots, info


def cholesky(a: CLArray):
    *batch, n, _ = a.shape
    matrices = math.prod(batch)
    factor = _row_major(a)
    info = allocate(a.device, tuple(batch), np.dtype(np.int32))
    if factor.size:
        kernel = _kernel(a.device, _CHOLESKY, "cholesky", a.dtype, 2, 2)
        program.launch(a.device, kernel, matrices, factor.base, info.base, matrices, n)
    else:
        elementwise.copy_(info, 0)  # 0 x 0 matrices: every info 0
    return factor, info


def triangular_solve(a: CLArray, b: CLArray, upper: bool, unitriangular: bool):
    *batch, n, k = b.shape
    x = _row_major(b)
    if x.size:
        columns = math.prod(batch) * k
        triangle = _row_major(a, (*batch, n, n))
        kernel = _kernel(a.device, _SOLVE, "solve", a.dtype, 3, 2, UPPER=upper, UNIT=unitriangular)
        program.launch(a.device, kernel, columns, x.base, triangle.base, columns, n, k)
    return x


KERNELS = {"lu_factor": lu_factor, "cholesky": cholesky, "triangular_solve": triangular_solve}
