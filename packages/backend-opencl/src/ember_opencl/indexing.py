"""numpy's indexing on device arrays: ``index`` (gather) and ``index_put_`` (scatter, accumulating).

A key is split into its basic part, applied as a view (slices, None, integers), and its advanced part
(int64 arrays, broadcast together). One generated kernel walks the result's elements: the view's dims
through their strides, the advanced dims through the index arrays (negative indices count from the end;
an index out of range is clamped, so a kernel never touches memory outside the array: core checks
ranges before). A bool mask becomes the int64 arrays of its true positions, which needs their count on
the host (PyTorch synchronises there too).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ember import _deterministic

from . import elementwise, program
from .buffer import CLArray, allocate, download, upload
from .memory import NewAxis, expand_ellipsis
from .program import ctype


@dataclass
class Geometry:
    """Where each element of x[key] lives: the basic view, the index arrays and the result's shape."""

    view: CLArray  # x with the basic part applied; advanced dims kept whole
    shape: tuple[int, ...]  # the result's shape
    view_strides: tuple[int, ...]  # per result dim: the view's stride (0 for a broadcast index dim)
    arrays: list[CLArray]  # the index arrays
    array_strides: list[tuple[int, ...]]  # per array, per result dim: its broadcast stride (0 elsewhere)
    sizes: list[int]  # per array: the size of the dim it indexes
    steps: list[int]  # per array: the view's stride of that dim


def _expand_masks(key: tuple) -> tuple:
    """key with each boolean mask replaced by the index arrays of its True positions (read on the host: the
    result's shape depends on them); a 0-d mask (x[True], x[False]) becomes a NewAxis indexed by [0] or []."""
    expanded: list = []
    for item in key:
        if isinstance(item, CLArray) and item.dtype == np.bool_ and not item.shape:
            expanded.append(NewAxis(upload(item.device, np.arange(int(download(item)), dtype=np.int64))))
        elif isinstance(item, CLArray) and item.dtype == np.bool_:
            positions = np.nonzero(download(item))
            expanded += [upload(item.device, axis.astype(np.int64)) for axis in positions]
        else:
            expanded.append(item)
    return tuple(expanded)


def geometry(x: CLArray, key: tuple) -> Geometry:
    key = expand_ellipsis(_expand_masks(tuple(key)), x.ndim)
    shape, strides, offset, d = [], [], x.offset, 0
    key_positions = []  # per view dim: the position of its key item (numpy's adjacency rule counts those)
    advanced: list[tuple[int, int, CLArray | None]] = []  # (key position, view dim, array; None: an int)
    for position, item in enumerate(key):
        if item is None:
            shape.append(1)
            strides.append(0)
            key_positions.append(position)
        elif isinstance(item, NewAxis):
            advanced.append((position, len(shape), item.index))
            shape.append(1)
            strides.append(0)
            key_positions.append(position)
        elif isinstance(item, slice):
            start, stop, step = item.indices(x.shape[d])
            shape.append(len(range(start, stop, step)))
            strides.append(x.strides[d] * step)
            key_positions.append(position)
            offset += start * x.strides[d]
            d += 1
        elif isinstance(item, CLArray):
            advanced.append((position, len(shape), item))
            shape.append(x.shape[d])
            strides.append(x.strides[d])
            key_positions.append(position)
            d += 1
        else:
            offset += (item + x.shape[d] if item < 0 else item) * x.strides[d]
            advanced.append((position, -1, None))
            d += 1
    key_positions += range(len(key), len(key) + x.ndim - d)
    shape += x.shape[d:]
    strides += x.strides[d:]
    arrays = [(dim, array) for _, dim, array in advanced if array is not None]
    view = x.view(tuple(shape), tuple(strides), offset)
    if not arrays:
        return Geometry(view, view.shape, view.strides, [], [], [], [])
    index_shape = elementwise.broadcast_shape(*(array.shape for _, array in arrays))
    positions = [position for position, _, _ in advanced]
    adjacent = positions == list(range(positions[0], positions[0] + len(positions)))
    indexed = {dim for dim, _ in arrays}
    kept = [dim for dim in range(len(shape)) if dim not in indexed]
    at = sum(1 for dim in kept if key_positions[dim] < positions[0]) if adjacent else 0
    before, after = kept[:at], kept[at:]
    result_shape = (*(shape[dim] for dim in before), *index_shape, *(shape[dim] for dim in after))
    view_strides = (*(strides[dim] for dim in before), *(0,) * len(index_shape), *(strides[dim] for dim in after))
    array_strides = [(*(0,) * len(before), *elementwise.broadcast_strides(array, index_shape), *(0,) * len(after))
                     for _, array in arrays]
    return Geometry(view, result_shape, view_strides, [array for _, array in arrays], array_strides,
                    [shape[position] for position, _ in arrays], [strides[position] for position, _ in arrays])


def _walk(g: Geometry, extra_params: list[str], statement: str, serial: bool) -> tuple[str, list]:
    """The kernel source visiting each element of the indexed shape (serially in one work-item when
    `serial`), with `at` the view's element and `i` the flat position; and its scalar types."""
    ndim, count = len(g.shape), len(g.arrays)
    t = ctype(g.view.dtype)
    params = [f"__global {t} *x", "long x_off", "long n", *extra_params]
    params += [f"__global const long *I{k}, long I{k}_off, long n{k}, long d{k}" for k in range(count)]
    params += [f"long s{d}, long v{d}" + "".join(f", long t{k}_{d}" for k in range(count)) for d in range(ndim)]
    targets = ["at", *(f"i{k}" for k in range(count))]
    unravel = program.unravel("i", [f"s{d}" for d in range(ndim)],
                              [[f"v{d}" for d in range(ndim)], *([f"t{k}_{d}" for d in range(ndim)]
                                                                for k in range(count))], targets)
    lookups = "\n        ".join(
        f"{{ long v = I{k}[i{k}]; if (v < 0) v += n{k}; v = clamp(v, 0L, n{k} - 1); at += v * d{k}; }}"
        for k in range(count))
    starts = " ".join([f"long i{k} = I{k}_off;" for k in range(count)])
    if serial:
        loop = "if (get_global_id(0) == 0) for (long i = 0; i < n; i++)"
    else:
        loop = "const long i = get_global_id(0); if (i < n)"
    source = f"""
__kernel void k({", ".join(params)}) {{
    {loop} {{
        long at = x_off; {starts}
        {unravel}
        {lookups}
        {statement}
    }}
}}"""
    return source, [None, np.int64, np.int64]


def _walk_args(g: Geometry) -> list:
    args: list = []
    for array, size, step in zip(g.arrays, g.sizes, g.steps):
        args += [array.base, array.offset, size, step]
    for d in range(len(g.shape)):
        args += [g.shape[d], g.view_strides[d], *(strides[d] for strides in g.array_strides)]
    return args


def _walk_types(g: Geometry) -> list:
    return [None, np.int64, np.int64, np.int64] * len(g.arrays) + [np.int64] * (2 + len(g.arrays)) * len(g.shape)


def index(x: CLArray, key) -> CLArray:
    """x[key] as a new row-major array."""
    g = geometry(x, key)
    result = allocate(x.device, g.shape, x.dtype)
    if not g.arrays:
        return elementwise.copy_(result, g.view)
    if result.size and not x.size:  # every index is out of range (core raises at the next sync): no read
        return elementwise.copy_(result, 0)
    if result.size:
        source, types = _walk(g, [f"__global {ctype(x.dtype)} *out"], "out[i] = x[at];", False)
        kernel = program.build(x.device, source, "k", types + [None] + _walk_types(g))
        program.launch(x.device, kernel, result.size, g.view.base, g.view.offset, result.size, result.base,
                       *_walk_args(g))
    return result


def index_put_(x: CLArray, key, value, accumulate: bool) -> CLArray:
    """x[key] = value (an array broadcast to the indexed shape, or a number); with `accumulate`, adds,
    repeated indices adding up."""
    return _scatter(x, key, value, "add" if accumulate else None)


_REDUCTIONS = {"prod": "mul", "amax": "maximum", "amin": "minimum"}


def index_reduce_(x: CLArray, key, value, reduce: str) -> CLArray:
    """x[key] = reduce(x[key], value), each repeated index folding in its value (numpy's ufunc.at)."""
    return _scatter(x, key, value, _REDUCTIONS[reduce])


# The unsigned word each C type is updated through by compare-and-swap (the 64-bit ones need the device's
# cl_khr_int64_base_atomics); other types (1- and 2-byte ones) fold serially.
_WORDS = {"float": "uint", "int": "uint", "uint": "uint", "double": "ulong", "long": "ulong", "ulong": "ulong"}
_INT64_ATOMICS = "#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable\n"


def _atomic_word(x: CLArray, value: CLArray) -> str | None:
    """The word x's elements are updated through atomically, or None when they fold serially."""
    t = ctype(x.dtype)
    word = _WORDS.get(t) if ctype(value.dtype) == t else None
    return word if word == "uint" or (word == "ulong" and x.device.int64_atomics) else None


def _compare_and_swap(t: str, word: str, combined: str) -> str:
    """Replace x[at] by `combined` (an expression of its value `old.v`) atomically: retried until no other
    work-item changed the word in between."""
    swap = "atomic_cmpxchg" if word == "uint" else "atom_cmpxchg"
    return (f"volatile __global {word} *p = (volatile __global {word} *)(x + at); union {{ {word} w; {t} v; }} "
            f"old, next; do {{ old.w = *p; next.v = {combined}; }} while ({swap}(p, old.w, next.w) != old.w);")


def _scatter(x: CLArray, key, value, op: str | None) -> CLArray:
    """x[key] = value, or x[key] = op(x[key], value) folding repeated indices: one work-item per element
    updating its target by compare-and-swap on 32-bit words (64-bit ones where the device has them), or
    else one work-item walking the elements in order, as numpy's ufunc.at."""
    accumulate = op is not None
    g = geometry(x, key)
    if not g.arrays and not accumulate:
        elementwise.copy_(g.view, value)
        return x
    n = int(np.prod(g.shape, dtype=np.int64))
    if not n or not x.size:  # nothing indexed, or only indices out of range (core raises at the next sync)
        return x
    if not isinstance(value, CLArray):
        # numpy's ufunc.at combines a float with integers in double, then converts (x + 2.5, not x + 2)
        widen = accumulate and isinstance(value, float) and x.dtype.kind in "iub"
        value = elementwise.copy_(allocate(x.device, (), np.dtype(np.float64) if widen else x.dtype), value)
    values = value.view(g.shape, elementwise.broadcast_strides(value, g.shape), value.offset)
    t, y_type = ctype(x.dtype), ctype(value.dtype)
    # the values' element: unravel i over the indexed shape with the values' own strides
    value_at = program.unravel("i", [f"s{d}" for d in range(len(g.shape))],
                               [[f"w{d}" for d in range(len(g.shape))]], ["y_at"], "w")
    read = f"long y_at = y_off; {value_at} const {y_type} y = Y[y_at];"
    # compare-and-swap folds floats in the order the work-items happen to run: deterministic mode walks them
    word = _atomic_word(x, value) if accumulate and not (_deterministic.state.enabled and x.dtype.kind == "f") else None
    if op is not None:
        combined = elementwise.expression(op, value.dtype)[0]
        current = "old.v" if word else f"(({y_type})x[at])"
        combine = re.sub(r"\bb\b", "y", re.sub(r"\ba\b", current, combined))
        if y_type != t:  # through long, as numpy's (x86's) double to small-integer conversion
            combine = f"({t})(long)({combine})"
        statement = f"{read} {_compare_and_swap(t, word, combine)}" if word else f"{read} x[at] = {combine};"
    else:
        statement = f"{read} x[at] = y;"
    extra = [f"__global const {y_type} *Y", "long y_off"] + [f"long w{d}" for d in range(len(g.shape))]
    serial = accumulate and word is None
    source, types = _walk(g, extra, statement, serial)
    if word == "ulong":
        source = _INT64_ATOMICS + source
    kernel = program.build(x.device, source, "k", types + [None, np.int64] + [np.int64] * len(g.shape)
                           + _walk_types(g))
    items = 1 if serial else n
    program.launch(x.device, kernel, items, g.view.base, g.view.offset, n, values.base, values.offset,
                   *values.strides, *_walk_args(g))
    return x


KERNELS = {"index": index, "index_put_": index_put_, "index_reduce_": index_reduce_}
