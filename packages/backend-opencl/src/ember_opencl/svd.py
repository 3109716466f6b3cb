"""The optional `svd` kernel (docs/internals.md): one work-item per matrix of the batch, one-sided Jacobi
(Hestenes) on the taller orientation of the matrix, float and double.

The p x q working matrix X (A, or A^T when A is wide: p = max(m, n), q = min(m, n)) is orthogonalised in place
in the output it becomes (U's columns for a tall A, Vh's rows for a wide one) by plane rotations of column
pairs, accumulated into the q x q matrix W in the other output (Vh^T, or U), sweep after sweep until every
pair is orthogonal to the precision's epsilon (relative to the columns' norms). The singular values are the
column norms, sorted descending with their columns; the columns are then normalised, and those left over (a
zero singular value, or the full_matrices completion) are made orthonormal to the others from the unit
vector that is furthest from their span, by two passes of Gram-Schmidt. A matrix with a non-finite entry
gives NaN everywhere, as `ember._backend_linalg.svd` does.
"""
from __future__ import annotations

import math

import numpy as np

from . import memory, program
from .buffer import CLArray, allocate
from .program import ctype

_SWEEPS = 64  # Jacobi converges quadratically: a few sweeps suffice; this bounds a pathological input

_SOURCE = """
#define XE(i, j) X[(i) * xr + (j) * xc]
#define WE(i, j) W[(i) * wr + (j) * wc]
__kernel void k(__global T *U, __global T *S, __global T *Vh, __global const T *a, long a_off, long batch,
                long m, long n, long ucols, long vrows, long sweeps) {
    const long g = get_global_id(0);
    if (g >= batch) return;
    const bool tall = m >= n;
    const long p = tall ? m : n, q = tall ? n : m, filled = tall ? ucols : vrows;
    __global T *u = U + g * m * ucols, *vh = Vh + g * vrows * n, *s = S + g * q;
    __global const T *x = a + a_off + g * m * n;
    __global T *X = tall ? u : vh, *W = tall ? vh : u;
    const long xr = tall ? ucols : 1, xc = tall ? 1 : n, wr = tall ? 1 : ucols, wc = tall ? n : 1;
    bool finite = true;
    for (long e = 0; e < m * n; e++) finite = finite && isfinite(x[e]);
    if (!finite) {
        for (long e = 0; e < m * ucols; e++) u[e] = NAN;
        for (long e = 0; e < vrows * n; e++) vh[e] = NAN;
        for (long e = 0; e < q; e++) s[e] = NAN;
        return;
    }
    for (long i = 0; i < p; i++)
        for (long j = 0; j < q; j++) XE(i, j) = tall ? x[i * n + j] : x[j * n + i];
    for (long i = 0; i < q; i++)
        for (long j = 0; j < q; j++) WE(i, j) = i == j ? (T)1 : (T)0;
    for (long sweep = 0; sweep < sweeps; sweep++) {
        bool rotated = false;
        for (long j = 0; j + 1 < q; j++) {
            for (long l = j + 1; l < q; l++) {
                T alpha = 0, beta = 0, gamma = 0;
                for (long i = 0; i < p; i++) {
                    const T xj = XE(i, j), xl = XE(i, l);
                    alpha += xj * xj; beta += xl * xl; gamma += xj * xl;
                }
                if (gamma == 0 || fabs(gamma) <= EPS * sqrt(alpha) * sqrt(beta)) continue;
                rotated = true;
                const T zeta = (beta - alpha) / (2 * gamma);
                const T t = copysign((T)1, zeta) / (fabs(zeta) + hypot((T)1, zeta));
                const T c = 1 / sqrt(1 + t * t), sn = c * t;
                for (long i = 0; i < p; i++) {
                    const T xj = XE(i, j), xl = XE(i, l);
                    XE(i, j) = c * xj - sn * xl; XE(i, l) = sn * xj + c * xl;
                }
                for (long i = 0; i < q; i++) {
                    const T wj = WE(i, j), wl = WE(i, l);
                    WE(i, j) = c * wj - sn * wl; WE(i, l) = sn * wj + c * wl;
                }
            }
        }
        if (!rotated) break;
    }
    for (long j = 0; j < q; j++) {
        T norm = 0;
        for (long i = 0; i < p; i++) norm += XE(i, j) * XE(i, j);
        s[j] = sqrt(norm);
    }
    for (long j = 0; j < q; j++) {
        long best = j;
        for (long l = j + 1; l < q; l++) if (s[l] > s[best]) best = l;
        if (best == j) continue;
        const T sv = s[j]; s[j] = s[best]; s[best] = sv;
        for (long i = 0; i < p; i++) { const T v = XE(i, j); XE(i, j) = XE(i, best); XE(i, best) = v; }
        for (long i = 0; i < q; i++) { const T v = WE(i, j); WE(i, j) = WE(i, best); WE(i, best) = v; }
    }
    for (long j = 0; j < filled; j++) {
        if (j < q && s[j] > 0) {
            for (long i = 0; i < p; i++) XE(i, j) /= s[j];
            continue;
        }
        long best = 0;
        T furthest = -1;
        for (long c = 0; c < p; c++) {
            T left = 1;
            for (long l = 0; l < j; l++) left -= XE(c, l) * XE(c, l);
            if (left > furthest) { furthest = left; best = c; }
        }
        for (long i = 0; i < p; i++) XE(i, j) = i == best ? (T)1 : (T)0;
        for (int pass = 0; pass < 2; pass++) {
            for (long l = 0; l < j; l++) {
                T dot = 0;
                for (long i = 0; i < p; i++) dot += XE(i, l) * XE(i, j);
                for (long i = 0; i < p; i++) XE(i, j) -= dot * XE(i, l);
            }
        }
        T norm = 0;
        for (long i = 0; i < p; i++) norm += XE(i, j) * XE(i, j);
        norm = sqrt(norm);
        for (long i = 0; i < p; i++) XE(i, j) /= norm;
    }
}
"""


def svd(a: CLArray, full_matrices: bool, compute_uv: bool):
    """(U, S, Vh) of a float32/float64 (*, m, n) array, S descending; U and Vh None without `compute_uv`."""
    *batch, m, n = a.shape
    k = min(m, n)
    ucols, vrows = (m, n) if full_matrices else (k, k)
    u = allocate(a.device, (*batch, m, ucols), a.dtype)
    s = allocate(a.device, (*batch, k), a.dtype)
    vh = allocate(a.device, (*batch, vrows, n), a.dtype)
    matrices = math.prod(batch)
    if matrices and (m or n):
        t = ctype(a.dtype)
        source = f"#define T {t}\n#define EPS {'DBL_EPSILON' if t == 'double' else 'FLT_EPSILON'}\n{_SOURCE}"
        kernel = program.build(a.device, source, "k", [None] * 4 + [np.int64] * 7)
        x = memory.contiguous(a)
        program.launch(a.device, kernel, matrices, u.base, s.base, vh.base, x.base, x.offset, matrices, m, n,
                       ucols, vrows, _SWEEPS)
    return (u, s, vh) if compute_uv else (None, s, None)


KERNELS = {"svd": svd}
