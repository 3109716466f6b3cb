"""matmul with numpy's semantics: a tiled kernel reading both operands through their strides (so a
transposed view costs nothing), batch dims broadcast and unravelled in the kernel, 1-D operands as
numpy promotes them; `addmm` adds the bias in the same kernel."""
from __future__ import annotations

import numpy as np

from . import elementwise, program
from .buffer import CLArray, allocate, contiguous_strides
from .program import FLOATS, ctype

TILE = 16


def _source(t: str, batch_dims: int, bias: bool, logical: bool) -> str:
    """The tiled kernel: a TILE x TILE work-group computes one tile of C, staging A and B in local memory."""
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
    store = "acc != 0" if logical else "acc"  # bool: any product is true
    if bias:
        store = f"({acc})D[d_off + row * d_rs + col * d_cs] + acc"
    return f"""
#define TS {TILE}
__kernel __attribute__((reqd_work_group_size(TS, TS, 1)))
void mm({", ".join(params)}) {{
    const int lc = get_local_id(0), lr = get_local_id(1);
    const long col = get_group_id(0) * TS + lc, row = get_group_id(1) * TS + lr;
    long ao = a_off, bo = b_off, co = c_off;
    {unravel}
    __local {t} As[TS][TS + 1], Bs[TS][TS + 1];
    {acc} acc = 0;
    for (long k0 = 0; k0 < K; k0 += TS) {{
        const long ka = k0 + lc, kb = k0 + lr;
        As[lr][lc] = (row < M && ka < K) ? A[ao + row * a_rs + ka * a_cs] : 0;
        Bs[lr][lc] = (kb < K && col < N) ? B[bo + kb * b_rs + col * b_cs] : 0;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < TS; k++) acc += ({acc})As[lr][k] * ({acc})Bs[k][lc];
        barrier(CLK_LOCAL_MEM_FENCE);
    }}
    if (row < M && col < N) C[co + row * c_rs + col * c_cs] = ({t})({store});
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
        global_size = (-(-n // TILE) * TILE, -(-m // TILE) * TILE, batches)
        kernel(a.device.queue, global_size, (TILE, TILE, 1), *args)
    if out is None:
        return result
    return elementwise.copy_(out, result)


def matmul(a, b, out=None):
    return _product(a, b, None, out)


def addmm(bias, a, b, out=None):
    return _product(a, b, bias, out)


KERNELS = {"matmul": matmul, "addmm": addmm}
