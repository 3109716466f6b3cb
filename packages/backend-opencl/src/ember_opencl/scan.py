"""Running sums and products along one axis: one work-item walks each line of the input in order.

float32 accumulates in double where the device has it, float16 (read and written as half) in float, as
PyTorch's CPU kernels (each element rounded once); integers wrap in their own width; a bool running sum is
a running or, a product a running and.
"""
from __future__ import annotations

import numpy as np

from . import elementwise, program
from .buffer import CLArray, allocate
from .program import FLOATS, ctype

_STEP = {("cumsum", "float"): "acc += v;", ("cumsum", "int"): "acc = acc + ({A})v;",
         ("cumsum", "bool"): "acc = acc | v;", ("cumprod", "float"): "acc *= v;",
         ("cumprod", "int"): "acc = acc * ({A})v;", ("cumprod", "bool"): "acc = acc & v;"}


def _accumulator(dtype: np.dtype, device) -> tuple[str, str]:
    if dtype.name == "bool":
        return "uchar", "bool"
    if dtype.name == "float16":
        return "float", "float"
    t = ctype(dtype)
    if t in FLOATS:
        return ("double" if "float64" in device.dtypes else t), "float"
    return program.UNSIGNED[t], "int"


def _scan(op: str):
    def kernel(x: CLArray, axis: int, out=None):
        result = allocate(x.device, x.shape, x.dtype)
        if result.size:
            others = [d for d in range(x.ndim) if d != axis]
            shape, (in_strides, out_strides) = program.collapse(
                tuple(x.shape[d] for d in others),
                [tuple(x.strides[d] for d in others), tuple(result.strides[d] for d in others)])
            acc, kind = _accumulator(x.dtype, x.device)
            half = x.dtype.name == "float16"  # read and written through vload_half/vstore_half_rte
            t = "half" if half else ctype(x.dtype)
            load = "vload_half(at + i * step, x)" if half else "x[at + i * step]"
            store = ("vstore_half_rte((float)acc, to + i * out_step, out);" if half else
                     f"out[to + i * out_step] = ({t})acc;")
            identity = "1" if op == "cumprod" else "0"
            unravel = program.unravel("g", [f"s{d}" for d in range(len(shape))],
                                      [[f"a{d}" for d in range(len(shape))], [f"b{d}" for d in range(len(shape))]],
                                      ["at", "to"])
            params = [f"__global {t} *out", f"__global const {t} *x", "long x_off", "long lines", "long length",
                      "long step", "long out_step"] + [f"long s{d}, long a{d}, long b{d}" for d in range(len(shape))]
            source = f"""
__kernel void k({", ".join(params)}) {{
    const long g = get_global_id(0);
    if (g >= lines) return;
    long at = x_off, to = 0;
    {unravel}
    {acc} acc = {identity};
    for (long i = 0; i < length; i++) {{
        const {"float" if half else t} v = {load};
        {_STEP[(op, kind)].format(A=acc)}
        {store}
    }}
}}"""
            types = [None, None] + [np.int64] * (5 + 3 * len(shape))
            built = program.build(x.device, source, "k", types)
            lines = x.size // x.shape[axis]
            args = [result.base, x.base, x.offset, lines, x.shape[axis], x.strides[axis], result.strides[axis]]
            for d in range(len(shape)):
                args += [shape[d], in_strides[d], out_strides[d]]
            program.launch(x.device, built, lines, *args)
        return result if out is None else elementwise.copy_(out, result)

    kernel.__name__ = kernel.__qualname__ = op
    return kernel


KERNELS = {"cumsum": _scan("cumsum"), "cumprod": _scan("cumprod")}
