"""The QR and symmetric eigen decompositions' optional kernels (`qr`, `geqrf`, `eigh`; docs/internals.md) in OpenCL C,
float and double: one work-item per matrix of the batch, each working in a scratch copy of its matrix.

QR and geqrf are LAPACK's Householder algorithm (geqrf's reflectors with dlarfg's choice of sign, so R's diagonal signs
are LAPACK's and PyTorch's; orgqr's backward accumulation of Q). eigh is the cyclic Jacobi method: sweeps of
rotations over every off-diagonal pair until the off-diagonal part is below the dtype's epsilon relative to the
largest entry (at most MAX_SWEEPS sweeps), then the eigenvalues sorted ascending with their vectors; an input
with NaN or inf gives NaN, as LAPACK's. One work-item per matrix suits batches of small matrices; a large
single matrix would want a blocked, work-group-parallel algorithm (not done yet)."""
from __future__ import annotations

import numpy as np

from . import program
from .buffer import CLArray, allocate
from .memory import contiguous
from .program import ctype

MAX_SWEEPS = 64  # Jacobi converges quadratically: a few sweeps suffice; this bounds a pathological input

_QR = """
/* LAPACK's geqrf of the row-major m x n matrix w, in place: R on and above the diagonal, reflector j (its unit
   first entry implied) below the diagonal of column j, tau[j] its factor (dlarfg: 0 when x below alpha is 0) */
void householder(__global T *w, __global T *tau, long m, long n) {
    for (long j = 0; j < min(m, n); j++) {
        const T alpha = w[j * n + j];
        T scale = 0, sum = 0, xnorm = 0;
        for (long i = j + 1; i < m; i++) scale = fmax(scale, fabs(w[i * n + j]));
        if (scale > 0) {
            for (long i = j + 1; i < m; i++) { const T x = w[i * n + j] / scale; sum += x * x; }
            xnorm = scale * sqrt(sum);
        }
        if (xnorm == 0) { tau[j] = 0; continue; }  /* H = I: the column is already reduced */
        const T beta = -copysign(hypot(alpha, xnorm), alpha);
        const T t = (beta - alpha) / beta, inv = 1 / (alpha - beta);
        tau[j] = t;
        for (long i = j + 1; i < m; i++) w[i * n + j] *= inv;
        w[j * n + j] = beta;
        for (long c = j + 1; c < n; c++) {
            T s = w[j * n + c];
            for (long i = j + 1; i < m; i++) s += w[i * n + j] * w[i * n + c];
            s *= t;
            w[j * n + c] -= s;
            for (long i = j + 1; i < m; i++) w[i * n + c] -= s * w[i * n + j];
        }
    }
}

__kernel void geqrf(__global T *W, __global T *TAU, __global const T *A, long a_off, long batch, long m, long n) {
    const long g = get_global_id(0);
    if (g >= batch) return;
    __global T *w = W + g * m * n;
    __global const T *a = A + a_off + g * m * n;
    for (long e = 0; e < m * n; e++) w[e] = a[e];
    householder(w, TAU + g * min(m, n), m, n);
}

__kernel void qr(__global T *Q, __global T *R, __global T *W, __global T *TAU, __global const T *A, long a_off,
                 long batch, long m, long n, long qcols, long rrows) {
    const long g = get_global_id(0);
    if (g >= batch) return;
    const long steps = min(m, n);
    __global T *w = W + g * m * n, *tau = TAU + g * steps;
    __global const T *a = A + a_off + g * m * n;
    for (long e = 0; e < m * n; e++) w[e] = a[e];
    householder(w, tau, m, n);
    __global T *r = R + g * rrows * n, *q = Q + g * m * qcols;
    for (long i = 0; i < rrows; i++)
        for (long c = 0; c < n; c++) r[i * n + c] = c >= i ? w[i * n + c] : 0;
    for (long i = 0; i < m; i++)
        for (long c = 0; c < qcols; c++) q[i * qcols + c] = i == c;
    for (long j = steps - 1; j >= 0; j--) {  /* Q = H_0 ... H_{k-1} I, the last reflector first (orgqr) */
        const T t = tau[j];
        if (t == 0) continue;
        for (long c = j; c < qcols; c++) {
            T s = q[j * qcols + c];
            for (long i = j + 1; i < m; i++) s += w[i * n + j] * q[i * qcols + c];
            s *= t;
            q[j * qcols + c] -= s;
            for (long i = j + 1; i < m; i++) q[i * qcols + c] -= s * w[i * n + j];
        }
    }
}"""

_EIGH = """
__kernel void k(__global T *VAL, __global T *VEC, __global T *W, __global const T *A, long a_off, long batch,
                long n, int upper, int vectors) {
    const long g = get_global_id(0);
    if (g >= batch) return;
    __global T *w = W + g * n * n, *val = VAL + g * n, *v = VEC + (vectors ? g * n * n : 0);
    __global const T *a = A + a_off + g * n * n;
    T scale = 0;
    int finite = 1;
    for (long i = 0; i < n; i++)
        for (long j = 0; j < n; j++) {  /* the symmetric matrix of the named triangle */
            const T x = (upper ? j >= i : j <= i) ? a[i * n + j] : a[j * n + i];
            w[i * n + j] = x;
            finite = finite && isfinite(x);
            scale = fmax(scale, fabs(x));
        }
    if (vectors)
        for (long e = 0; e < n * n; e++) v[e] = e % (n + 1) == 0;
    if (!finite) {
        for (long i = 0; i < n; i++) val[i] = NAN;
        if (vectors) for (long e = 0; e < n * n; e++) v[e] = NAN;
        return;
    }
    for (int sweep = 0; sweep < MAX_SWEEPS && scale > 0; sweep++) {
        T off = 0;
        for (long p = 0; p < n; p++)
            for (long q = p + 1; q < n; q++) { const T x = w[p * n + q] / scale; off += x * x; }
        if (off <= EPS * EPS) break;
        for (long p = 0; p < n; p++)
            for (long q = p + 1; q < n; q++) {  /* the rotation that zeroes w[p, q] */
                const T apq = w[p * n + q];
                if (apq == 0) continue;
                const T app = w[p * n + p], aqq = w[q * n + q];
                const T theta = (aqq - app) / (2 * apq);
                const T t = (theta >= 0 ? 1 : -1) / (fabs(theta) + hypot(theta, (T)1));
                const T c = 1 / hypot(t, (T)1), s = t * c;
                for (long e = 0; e < n; e++) {
                    const T ep = w[e * n + p], eq = w[e * n + q];
                    w[e * n + p] = c * ep - s * eq;
                    w[e * n + q] = s * ep + c * eq;
                }
                for (long e = 0; e < n; e++) {
                    const T pe = w[p * n + e], qe = w[q * n + e];
                    w[p * n + e] = c * pe - s * qe;
                    w[q * n + e] = s * pe + c * qe;
                }
                w[p * n + p] = app - t * apq;
                w[q * n + q] = aqq + t * apq;
                w[p * n + q] = w[q * n + p] = 0;
                if (vectors)
                    for (long e = 0; e < n; e++) {
                        const T ep = v[e * n + p], eq = v[e * n + q];
                        v[e * n + p] = c * ep - s * eq;
                        v[e * n + q] = s * ep + c * eq;
                    }
            }
    }
    for (long i = 0; i < n; i++) val[i] = w[i * n + i];
    for (long i = 0; i < n; i++) {  /* ascending, each vector moving with its value */
        long low = i;
        for (long j = i + 1; j < n; j++) if (val[j] < val[low]) low = j;
        if (low == i) continue;
        const T x = val[i]; val[i] = val[low]; val[low] = x;
        if (vectors)
            for (long e = 0; e < n; e++) {
                const T y = v[e * n + i]; v[e * n + i] = v[e * n + low]; v[e * n + low] = y;
            }
    }
}"""


def _source(body: str, dtype: np.dtype) -> str:
    t = ctype(dtype)
    epsilon = "DBL_EPSILON" if t == "double" else "FLT_EPSILON"
    return f"#define T {t}\n#define EPS (({t}){epsilon})\n#define MAX_SWEEPS {MAX_SWEEPS}\n{body}"


def _scratch(device, elements: int, dtype: np.dtype) -> CLArray:
    """Work memory of `elements` (at least one, so that every buffer argument is a real buffer)."""
    return allocate(device, (max(elements, 1),), dtype)


def qr(a: CLArray, complete: bool):
    """(Q, R) of a (*, m, n): Q (*, m, m) and R (*, m, n) when `complete`, else (*, m, k) and (*, k, n)."""
    *batch, m, n = a.shape
    steps = min(m, n)
    qcols, rrows = (m, m) if complete else (steps, steps)
    q = allocate(a.device, (*batch, m, qcols), a.dtype)
    r = allocate(a.device, (*batch, rrows, n), a.dtype)
    matrices = int(np.prod(batch, dtype=np.int64))
    if q.size or r.size:
        x = contiguous(a)
        work = _scratch(a.device, matrices * m * n, a.dtype)
        taus = _scratch(a.device, matrices * steps, a.dtype)
        built = program.build(a.device, _source(_QR, a.dtype), "qr", [None] * 5 + [np.int64] * 6)
        program.launch(a.device, built, matrices, q.base or work.base, r.base or work.base, work.base, taus.base,
                       x.base or work.base, x.offset, matrices, m, n, qcols, rrows)
    return q, r


def geqrf(a: CLArray):
    """(A', tau) of a (*, m, n) as LAPACK's geqrf: R on and above the diagonal, the reflectors below it."""
    *batch, m, n = a.shape
    w = allocate(a.device, a.shape, a.dtype)
    tau = allocate(a.device, (*batch, min(m, n)), a.dtype)
    matrices = int(np.prod(batch, dtype=np.int64))
    if w.size:
        x = contiguous(a)
        taus = tau.base or _scratch(a.device, 0, a.dtype).base
        built = program.build(a.device, _source(_QR, a.dtype), "geqrf", [None] * 3 + [np.int64] * 4)
        program.launch(a.device, built, matrices, w.base, taus, x.base, x.offset, matrices, m, n)
    return w, tau


def eigh(a: CLArray, upper: bool, vectors: bool):
    """(eigenvalues (*, n) ascending, eigenvectors (*, n, n) as columns or None) of the symmetric matrices held
    by the `upper` (else lower) triangle of a (*, n, n)."""
    *batch, n, _ = a.shape
    values = allocate(a.device, (*batch, n), a.dtype)
    vecs = allocate(a.device, a.shape, a.dtype) if vectors else None
    matrices = int(np.prod(batch, dtype=np.int64))
    if values.size:
        x = contiguous(a)
        work = _scratch(a.device, matrices * n * n, a.dtype)
        built = program.build(a.device, _source(_EIGH, a.dtype), "k", [None] * 4 + [np.int64] * 3 + [np.int32] * 2)
        program.launch(a.device, built, matrices, values.base, work.base if vecs is None else vecs.base, work.base,
                       x.base, x.offset, matrices, n, int(upper), int(vectors))
    return values, vecs


KERNELS = {"qr": qr, "geqrf": geqrf, "eigh": eigh}
