"""matmul with numpy's semantics: a tiled kernel reading both operands through their strides (so a
transposed view costs nothing), batch dims broadcast and unravelled in the kernel, 1-D operands as
numpy promotes them; `addmm` adds the bias in the same kernel."""
from __future__ import annotations

import numpy as np

from . import elementwise, program
from .buffer import CLArray, allocate, contiguous_strides
from .program import FLOATS, ctype

GROUP = 16  # work-items per side of a work-group
TILE = 64  # rows and columns of C per work-group: each work-item computes a 4 x 4 block in registers
DEPTH = 16  # the k-slice of A and B staged in local memory at a time


def _source(t: str, batch_dims: int, bias: bool, logical: bool) -> str:
    """The register-blocked tiled kernel: a GROUP x GROUP work-group computes a TILE x TILE tile of C,
    staging DEPTH-deep slices of A and B in local memory; each element sums its products in k order."""
    acc = t if t in FLOATS else program.UNSIGNED[t]
    params = [f"__global {t} *C", "long c_off", "long c_rs", "long c_cs",
              f"__global const {t} *A", "long a_off", "long a_rs", "long a_cs",
              f"__global const {t} *B", "long b_off", "long b_rs", "long b_cs", "long M", "long N", "long K"]
    if bias:
        params += [f"__global const {t} *D", "long d_off", "long d_rs", "long d_cs"]
    params += [f"long bs{d}, long ab{d}, long bb{d}, long cb{d}" for d in range(batch_dims)]
    unravel = program.unravel("get_global_id(2)", [f"bs{d}" for d in range(batch_dims)],
                              [[f"ab{d}" for d in range(batch_dims)], [f"bb{d}" for d in range(batch_dims)],
                               [f"cb{d}" for d in range(batch_dims)]], ["ao", "bo", "co"])
    store = "acc[i][j] != 0" if logical else "acc[i][j]"  # bool: any product is true
    if bias:
        store = f"({acc})D[d_off + row * d_rs + col * d_cs] + acc[i][j]"
    return f"""
#define G {GROUP}
#define TS {TILE}
#define TK {DEPTH}
#define W (TS / G)
__kernel __attribute__((reqd_work_group_size(G, G, 1)))
void mm({", ".join(params)}) {{
    const int lc = get_local_id(0), lr = get_local_id(1), tid = lr * G + lc;
    const long col0 = get_group_id(0) * TS, row0 = get_group_id(1) * TS;
    long ao = a_off, bo = b_off, co = c_off;
    {unravel}
    __local {t} As[TK][TS + 1], Bs[TK][TS + 1];
    {acc} acc[W][W];
    for (int i = 0; i < W; i++) for (int j = 0; j < W; j++) acc[i][j] = 0;
    for (long k0 = 0; k0 < K; k0 += TK) {{
        for (int e = tid; e < TS * TK; e += G * G) {{
            const int r = e / TK, kk = e % TK;
            const long gr = row0 + r, gk = k0 + kk;
            As[kk][r] = (gr < M && gk < K) ? A[ao + gr * a_rs + gk * a_cs] : 0;
        }}
        for (int e = tid; e < TS * TK; e += G * G) {{
            const int kk = e / TS, c = e % TS;
            const long gk = k0 + kk, gc = col0 + c;
            Bs[kk][c] = (gk < K && gc < N) ? B[bo + gk * b_rs + gc * b_cs] : 0;
        }}
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TK; kk++) {{
            {acc} a[W], b[W];
            for (int i = 0; i < W; i++) a[i] = As[kk][lr + G * i];
            for (int j = 0; j < W; j++) b[j] = Bs[kk][lc + G * j];
            for (int i = 0; i < W; i++) for (int j = 0; j < W; j++) acc[i][j] += a[i] * b[j];
        }}
        barrier(CLK_LOCAL_MEM_FENCE);
    }}
    for (int i = 0; i < W; i++) for (int j = 0; j < W; j++) {{
        const long row = row0 + lr + G * i, col = col0 + lc + G * j;
        if (row < M && col < N) C[co + row * c_rs + col * c_cs] = ({t})({store});
    }}
}}"""


def _as_matrix(x: CLArray, first: bool) -> CLArray:
    """A 1-D operand as numpy promotes it: (1, k) on the left, (k, 1) on the right."""
    if x.ndim != 1:
        return x
    if first:
        return x.view((1, x.shape[0]), (0, x.strides[0]), x.offset)
    return x.view((x.shape[0], 1), (x.strides[0], 0), x.offset)


def _product(a: CLArray, b: CLArray, bias: CLArray | None, out: CLArray | None) -> CLArray:
    a2, b2 = _as_matrix(a, True), _as_matrix(b, False)
    m, k = a2.shape[-2:]
    n = b2.shape[-1]
    batch = elementwise.broadcast_shape(a2.shape[:-2], b2.shape[:-2])
    full_shape = (*batch, m, n)
    shape = full_shape
    if a.ndim == 1:
        shape = shape[:-2] + shape[-1:]
    if b.ndim == 1:
        shape = shape[:-1]
    result = allocate(a.device, shape, a.dtype)
    c2 = result.view(full_shape, contiguous_strides(full_shape), 0)
    if result.size:
        batch_strides = [elementwise.broadcast_strides(x.view(x.shape[:-2], x.strides[:-2], 0), batch)
                         for x in (a2, b2, c2)]
        bshape, bstrides = program.collapse(batch, batch_strides)
        t = ctype(a.dtype)
        types = [None, np.int64, np.int64, np.int64] * 3 + [np.int64] * 3
        args = [c2.base, c2.offset, *c2.strides[-2:], a2.base, a2.offset, *a2.strides[-2:],
                b2.base, b2.offset, *b2.strides[-2:], m, n, k]
        if bias is not None:
            bias_view = bias.view((m, n), elementwise.broadcast_strides(bias, (m, n)), bias.offset)
            types += [None, np.int64, np.int64, np.int64]
            args += [bias_view.base, bias_view.offset, *bias_view.strides]
        types += [np.int64] * 4 * len(bshape)
        for d in range(len(bshape)):
            args += [bshape[d], bstrides[0][d], bstrides[1][d], bstrides[2][d]]
        kernel = program.build(a.device, _source(t, len(bshape), bias is not None, a.dtype == np.bool_), "mm", types)
        batches = int(np.prod(bshape, dtype=np.int64))
        global_size = (-(-n // TILE) * GROUP, -(-m // TILE) * GROUP, batches)
        kernel(a.device.queue, global_size, (GROUP, GROUP, 1), *args)
    if out is None:
        return result
    return elementwise.copy_(out, result)


def matmul(a, b, out=None):
    return _product(a, b, None, out)


def addmm(bias, a, b, out=None):
    return _product(a, b, bias, out)


KERNELS = {"matmul": matmul, "addmm": addmm}
