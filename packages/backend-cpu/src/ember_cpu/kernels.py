"""The CPU backend: ember's kernel contract (docs/internals.md) as a table of numpy calls.

A buffer is a numpy array. Kernels always return arrays, never numpy scalars: a ufunc gets
``out=ARRAY`` (numpy >= 2.3's ``out=...``, which makes it return a 0-d array where it would return a
scalar), and on older numpy (the only one Python 3.10 has) `_array` turns a scalar result into a 0-d
array. Python scalar operands follow numpy's NEP 50 rules (``float32 array + 2.5`` stays float32), as
the contract asks. The per-op cost matters for small tensors, so a kernel is a thin call into numpy:
no checks core has already made.
"""
from __future__ import annotations

import contextvars
import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ember import _aten_sampling as aten_sampling
from ember import _backend_util

from . import decompositions, erf, factorizations, igamma, rowsum, scatter, sorting, special, svd, ties
from .layout import laid_out

# numpy >= 2.3 returns arrays for 0-d results when given ``out=...``; older numpy needs `_array` after.
_MODERN = np.lib.NumpyVersion(np.__version__) >= "2.3.0"
ARRAY = ... if _MODERN else None

# Like PyTorch, give inf and NaN silently where IEEE arithmetic does (log(0), inf - inf, 0 * inf, sin(inf),
# float16 overflow, NaN cast to int): numpy would warn. Kernels that can raise a floating-point error run
# with numpy's error state set to "ignore" (numpy >= 2 keeps it in a context variable): each runs inside a
# context of its own that holds only that state (Context.run, about 0.03 us a call, where setting and
# resetting the variable costs 0.17 us and np.errstate 1 us). A context is entered by one caller at a time:
# a kernel called inside another, or in a second thread meanwhile, sets the variable instead. Kernels that
# cannot raise one (neg, abs, tanh, maximum, comparisons, where, max, views, indexing) run as they are.
try:
    from numpy._core._ufunc_config import _extobj_contextvar
    from numpy._core.umath import _make_extobj
except ImportError:  # numpy < 2 keeps its error state elsewhere; np.errstate sets it
    _extobj_contextvar = None

if _extobj_contextvar is not None:
    _IGNORE = _make_extobj(all="ignore")
    _ignore_errors, _restore_errors = _extobj_contextvar.set, _extobj_contextvar.reset
    _QUIET = contextvars.Context()
    _QUIET.run(_ignore_errors, _IGNORE)
    _in_quiet = _QUIET.run  # _in_quiet(f, *args, **kwargs): f(*args, **kwargs) in the quiet context

    def _quiet_after(error: RuntimeError, kernel: Callable, *args, **kwargs):
        """`kernel`'s call after `_in_quiet` refused to enter its context (`error`, re-raised if it is any
        other error): with the error state set and reset around it."""
        if "cannot enter context" not in str(error):
            raise error
        token = _ignore_errors(_IGNORE)
        try:
            return kernel(*args, **kwargs)
        finally:
            _restore_errors(token)

    def _quietly(kernel: Callable) -> Callable:
        """``kernel`` with numpy's floating-point warnings off for the duration of each call."""

        def quiet(*args, **kwargs):
            try:
                return _in_quiet(kernel, *args, **kwargs)
            except RuntimeError as error:
                return _quiet_after(error, kernel, *args, **kwargs)

        quiet.__name__ = quiet.__qualname__ = kernel.__name__
        quiet.__doc__ = kernel.__doc__
        return quiet
else:
    def _quietly(kernel: Callable) -> Callable:
        """``kernel`` with numpy's floating-point warnings off for the duration of each call."""
        return np.errstate(all="ignore")(kernel)


_NDARRAY = np.ndarray  # a global: these checks run on every binary kernel call


def _array(result):
    """`result` as an ndarray (numpy < 2.3 returns scalars for 0-d results)."""
    return result if isinstance(result, np.ndarray) else np.asarray(result)


def _unary(ufunc: np.ufunc, quiet: bool = False) -> Callable:
    """The kernel ``f(x, out=None)`` of an elementwise ufunc; ``quiet`` when it can warn (see _quietly)."""

    if _MODERN and quiet and _extobj_contextvar is not None:  # _quietly, inlined: these are the hot kernels
        def kernel(x, out=None):
            try:
                return _in_quiet(ufunc, x, out=... if out is None else out)
            except RuntimeError as error:
                return _quiet_after(error, ufunc, x, out=... if out is None else out)
    else:
        if _MODERN:
            def kernel(x, out=None):
                return ufunc(x, out=... if out is None else out)
        else:
            def kernel(x, out=None):
                return _array(ufunc(x, out=out))

        if quiet:
            kernel = _quietly(kernel)

    kernel.__name__ = kernel.__qualname__ = ufunc.__name__
    return kernel


_plain_negative = _unary(np.negative)


def _negative(x, out=None):
    """np.negative, but into a strided `out` through a fresh array: numpy 2.4's SIMD loop writes wrong values
    from a strided input into a strided output of some strides (float32 and int32 every 4th element: a
    neg_ of ``t[..., 0]`` of a (2, 4) tensor)."""
    if out is None or out.flags.c_contiguous:
        return _plain_negative(x, out)
    out[...] = np.negative(x)
    return out


def _binary(ufunc: np.ufunc, quiet: bool = False) -> Callable:
    """The kernel ``f(a, b, out=None)`` of a broadcasting ufunc; a or b may be a Python scalar. A new result
    is laid out as PyTorch's (`layout.laid_out`), but for the quiet kernels (the arithmetic: add, sub, mul,
    div, pow...), which keep numpy's: checking the operands' strides on every call cost ~8% on chains of
    small ops, and numpy differs only for operands of conflicting layouts."""

    if _MODERN and quiet and _extobj_contextvar is not None:  # _quietly, inlined: these are the hot kernels
        def kernel(a, b, out=None):
            try:
                return _in_quiet(ufunc, a, b, out=... if out is None else out)
            except RuntimeError as error:
                return _quiet_after(error, ufunc, a, b, out=... if out is None else out)
    else:
        if _MODERN:
            def kernel(a, b, out=None):
                result = ufunc(a, b, out=... if out is None else out)
                return result if out is not None else laid_out(result, a, b)
        else:
            def kernel(a, b, out=None):
                result = _array(ufunc(a, b, out=out))
                return result if out is not None else laid_out(result, a, b)

        if quiet:
            kernel = _quietly(kernel)

    kernel.__name__ = kernel.__qualname__ = ufunc.__name__
    return kernel


@_quietly
def matmul(a, b, out=None):
    """numpy's matmul, whose row-major result is PyTorch's (not an elementwise op's layout)."""
    return _array(np.matmul(a, b, out=ARRAY if out is None else out))


def _comparison(ufunc: np.ufunc) -> Callable:
    """The kernel of a comparison: quiet only with a Python float operand, which numpy casts to the buffer's
    dtype (one beyond its range becomes inf with numpy's overflow warning, where PyTorch's kernels are silent);
    two buffers never warn, and pay no quietening."""
    loud, quiet = _binary(ufunc), _binary(ufunc, quiet=True)

    def kernel(a, b, out=None):
        return quiet(a, b, out) if a.__class__ is float or b.__class__ is float else loud(a, b, out)

    kernel.__name__ = kernel.__qualname__ = ufunc.__name__
    return kernel


# Memory and transfer. The creation kernels take the device index (`index`): the CPU has only one.

def empty(shape, dtype, *, index=0):
    if 0 in shape:
        return _no_elements(tuple(shape), dtype.numpy)
    return np.empty(shape, dtype.numpy)


def _no_elements(shape: tuple, dtype: np.dtype) -> np.ndarray:
    """A size-0 array with PyTorch's strides, which its views keep (numpy's own has zero strides)."""
    byte_strides = tuple([stride * dtype.itemsize for stride in _backend_util.empty_strides(shape)])
    return np.ndarray(shape, dtype, np.empty(1, dtype), 0, byte_strides)


@_quietly
def full(shape, value, dtype, *, index=0):
    buffer = empty(shape, dtype)
    buffer.fill(_backend_util.half_source(value, buffer.dtype))
    return buffer


@_quietly
def arange(start, stop, step, dtype, *, index=0):
    return _backend_util.arange(np, start, stop, step, dtype)


@_quietly
def uniform(shape, low, high, dtype, gen, *, index=0):
    """PyTorch's CPU ``uniform_`` from the MT19937 engine `gen`."""
    return aten_sampling.uniform(gen, math.prod(shape), low, high, dtype.numpy).reshape(shape)


@_quietly
def normal(shape, mean, std, dtype, gen, *, index=0):
    """PyTorch's CPU ``normal_`` (of a contiguous tensor) from the MT19937 engine `gen`."""
    return aten_sampling.normal(gen, math.prod(shape), mean, std, dtype.numpy).reshape(shape)


def from_numpy(array, *, index=0):
    """A CPU buffer is the numpy array itself, so memory is shared (as with to_numpy)."""
    return array


def to_numpy(array):
    return array


@_quietly
def copy_(dst, src):
    np.copyto(dst, _backend_util.half_source(src, dst.dtype), casting="unsafe")
    return dst


@_quietly
def astype(x, dtype):
    """x converted to dtype, keeping its layout unless it overlaps (a broadcast input gives a row-major
    result, as PyTorch's elementwise outputs; numpy would order it by the zero strides)."""
    order = "C" if 0 in x.strides else "K"
    x = _backend_util.half_source(x, dtype.numpy)
    if x.dtype.kind == "f" and (dtype.numpy.kind != "f" or dtype.numpy.itemsize < x.dtype.itemsize):
        with np.errstate(over="ignore", invalid="ignore"):  # out of range: inf (or wrapped), as PyTorch
            return x.astype(dtype.numpy, order=order)
    return x.astype(dtype.numpy, order=order)


def sign(x, out=None):
    """PyTorch's sign: -1, 0 or 1, and 0 for NaN (numpy's sign gives NaN)."""
    result = _array(np.sign(x, out=ARRAY if out is None else out))
    if result.dtype.kind == "f":
        np.copyto(result, 0, where=result != result)
    return result


_power = _binary(np.power, quiet=True)


def pow(a, b, out=None):
    """a ** b; a bool array to a bool power stays bool (a or not b), as PyTorch's, where numpy gives int8."""
    if type(b) is bool and a.dtype.kind == "b":
        return _array(np.logical_or(a, not b, out=ARRAY if out is None else out))
    result = _power(a, b, out)
    if b.__class__ is _NDARRAY and b.dtype.kind == "f" and a.__class__ is _NDARRAY:
        _undo_square_root(result, a, b)
    return result


def _undo_square_root(result, a, b) -> None:
    """numpy computes a power by a broadcast exponent of 0.5 as a square root: -inf ** 0.5 is NaN and
    -0. ** 0.5 is -0. there, where C's pow (PyTorch's, for a tensor exponent) gives inf and +0."""
    wrong = (b == 0.5) & ((a == -np.inf) | (a == 0))
    if wrong.any():
        np.copyto(result, np.where(a == 0, 0.0, np.inf).astype(result.dtype), where=wrong)


# Selection, reductions, matmul.

# Unsigned integers as wide as each dtype, to select values by bit masks (see `where`).
_BITS = {np.dtype(t): u for t, u in ((np.float16, np.uint16), (np.float32, np.uint32), (np.float64, np.uint64),
                                     (np.int32, np.uint32), (np.int64, np.uint64), (np.int16, np.uint16),
                                     (np.int8, np.uint8), (np.uint8, np.uint8))}


def _is_zero(value) -> bool:
    return not isinstance(value, np.ndarray) and value == 0 and not math.copysign(1.0, value) < 0


def _select_or_zero(cond, x, keep: bool):
    """where(cond, x, 0) (keep=True) or where(cond, 0, x) without branches: numpy's where mispredicts on
    random masks (10x slower than a multiply); and-ing the bits with an all-ones/all-zeros mask is exact,
    NaN included. The mask's own buffer takes the result when it has x's shape and layout (one allocation)."""
    bits = _BITS[x.dtype]
    mask = cond.astype(bits)
    if keep:
        np.negative(mask, out=mask)  # 1 -> all ones
    else:
        np.subtract(mask, 1, out=mask)  # 1 -> 0, 0 -> all ones
    into = mask if mask.shape == x.shape and mask.strides == x.strides else ARRAY
    return _array(np.bitwise_and(x.view(bits), mask, out=into)).view(x.dtype)  # 0-d stays an array


_quiet_where = _quietly(np.where)


def where(cond, a, b, out=None):
    if isinstance(a, np.ndarray) and a.dtype in _BITS and _is_zero(b):
        result = _select_or_zero(cond, a, True)
    elif isinstance(b, np.ndarray) and b.dtype in _BITS and _is_zero(a):
        result = _select_or_zero(cond, b, False)
    else:
        result = _quiet_where(cond, a, b)  # a number out of the dtype's range becomes inf, as PyTorch
    if out is None:
        return laid_out(result, cond, a, b)
    np.copyto(out, result)  # through a temporary: out may be a or b
    return out


def _leading_first_sum(x, axes, keepdim):
    """The sum over `axes` (dim 0 among them, not all) of a contiguous x: its leading summed dims first, a
    vectorised add of whole rows, then the rest of the smaller partial sum; numpy's one pass over scattered
    dims runs its inner loop once per kept element (BatchNorm's (0, 2, 3) of (64, 64, 4, 4): ~9x faster)."""
    lead = 0
    while lead in axes:
        lead += 1
    partial = np.add.reduce(x, tuple(range(lead)), x.dtype)
    rest = tuple(axis - lead for axis in axes if axis >= lead)
    total = reduce_sum(partial, rest, False) if rest else partial
    return total.reshape([1 if d in axes else n for d, n in enumerate(x.shape)]) if keepdim else total


@_quietly
def reduce_sum(x, axes, keepdim, out=None):
    if out is None and 0 in axes and 1 < len(axes) < x.ndim and x.dtype in rowsum.FLOATS and x.flags.c_contiguous:
        return _leading_first_sum(x, axes, keepdim)
    if x.size >= rowsum.LARGE and out is None and x.dtype in rowsum.FLOATS and x.flags.c_contiguous and \
            axes == tuple(range(x.ndim - len(axes), x.ndim)):  # over the trailing dims
        total = rowsum.trailing_sum(x, x.ndim - len(axes))
        return total.reshape(total.shape + (1,) * len(axes)) if keepdim else total
    # dtype=x.dtype: numpy would widen int32 and bool sums to int64
    return _array(np.add.reduce(x, axes, x.dtype, keepdims=keepdim, out=ARRAY if out is None else out))


def reduce_max(x, axes, keepdim, out=None):
    return _array(np.maximum.reduce(x, axes, keepdims=keepdim, out=ARRAY if out is None else out))


def reduce_min(x, axes, keepdim, out=None):
    return _array(np.minimum.reduce(x, axes, keepdims=keepdim, out=ARRAY if out is None else out))


def argmax(x, axis, keepdim):
    return np.asarray(x.argmax(axis, None, keepdims=keepdim))  # a full reduction gives a numpy scalar


def argmin(x, axis, keepdim):
    return np.asarray(x.argmin(axis, None, keepdims=keepdim))


# Views: shape, strides and offset in elements.

def strides(x):
    itemsize, byte_strides = x.itemsize, x.strides
    ndim = len(byte_strides)
    if ndim == 2 and byte_strides[1]:  # matrices and vectors without a loop: autograd checks each weight's and
        return (byte_strides[0] // itemsize, byte_strides[1] // itemsize)  # bias's gradient's layout
    if ndim == 1 and byte_strides[0]:
        return (byte_strides[0] // itemsize,)
    if 0 in byte_strides and _backend_util.made_empty(x):
        return _backend_util.empty_strides(x.shape)
    return tuple([stride // itemsize for stride in byte_strides])


def is_contiguous(x):
    """numpy's C-contiguity: row-major, size-1 dims' strides aside (PyTorch's is_contiguous)."""
    return x.flags.c_contiguous


def storage_offset(x, base):
    """Where view x starts in base's memory, in elements of x (base may hold another dtype)."""
    return (x.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // x.itemsize


class _Memory:
    """x's memory from a given address, as numpy's array interface; holds x so the memory stays alive."""

    __slots__ = ("__array_interface__", "base")


def as_strided(x, shape, strides, offset):
    """A view of x's memory; `offset` counts from x's first element, so views of views compose."""
    itemsize = x.itemsize
    byte_strides = tuple([stride * itemsize for stride in strides])
    if x.flags.c_contiguous and x.size:
        # numpy checks that the view stays inside x's memory
        return np.ndarray(shape, x.dtype, x, offset * itemsize, byte_strides)
    # x is itself a strided view (or has no element, so a view of it may start past its 0 bytes, as PyTorch's
    # strides put it): start from its data pointer, which already includes its own offset
    memory = _Memory()
    memory.base = x
    address, readonly = x.__array_interface__["data"]
    memory.__array_interface__ = {"version": 3, "shape": tuple(shape), "typestr": x.dtype.str,
                                  "data": (address + offset * itemsize, readonly), "strides": byte_strides}
    return np.asarray(memory)


def view_dtype(x, dtype):
    """The 1-d C-contiguous x's bytes read as `dtype`: numpy's view, no copy."""
    return x.view(dtype.numpy)


def contiguous(x):
    return x if x.flags.c_contiguous else np.ascontiguousarray(x)


def reshape(x, shape):
    return x.reshape(shape)  # a view when the strides allow it, else a copy


def permute(x, dims):
    if x.size or not _backend_util.made_empty(x):  # (the size first: permute is on the hot path)
        return x.transpose(dims)
    old = strides(x)  # a size-0 array numpy made: its view takes PyTorch's strides, permuted
    return as_strided(x, tuple([x.shape[d] for d in dims]), tuple([old[d] for d in dims]), 0)


def slice_view(x, key):
    if not x.size and _backend_util.made_empty(x):  # (the size first: slicing is on the hot path)
        x = as_strided(x, x.shape, strides(x), 0)  # a size-0 array numpy made: its views take PyTorch's strides
    view = x[key]
    if type(view) is not np.ndarray:  # an int for every axis gives a scalar; a trailing ... a 0-d view
        view = x[(*key, ...)]
    return view


# Indexing.

def index(x, key):
    """x[key] as a new buffer; row-major, as PyTorch's, when x is (numpy puts the indexed dims first)."""
    result = x[key]
    if type(result) is not np.ndarray or np.may_share_memory(result, x):
        return np.array(result)  # basic indexing gives a view or a scalar; the contract wants a new buffer
    if x.flags.c_contiguous and not result.flags.c_contiguous:
        return np.ascontiguousarray(result)
    return result


@_quietly
def index_put_(x, key, value, accumulate):
    if accumulate:
        np.add.at(x, key, value)  # unlike x[key] += value, repeated indices add up
    else:
        x[key] = value
    return x


def cat(buffers, axis):
    return np.concatenate(buffers, axis)


# Fused kernels.

@_quietly
def sigmoid(x, out=None):
    """PyTorch's 1 / (1 + exp(-x)); where exp(-x) overflows (x < -88 in float32) it gives 0, the limit."""
    denominator = _array(np.negative(x, out=ARRAY))
    np.exp(denominator, out=denominator)
    denominator += 1
    return _array(np.divide(1, denominator, out=ARRAY if out is None else out))


# numpy's reduction along a row runs its inner loop once per row: many short rows are maximised faster from a
# transposed copy, one vectorised pass per column ((64, 10) logits: 3.9 -> 2.0 us; (512, 10): 24 -> 4 us).
_SHORT_ROW, _MANY_ROWS = 32, 16


def _maxima(x, axis):
    """The maxima of x along `axis`, kept as a dim (the same values in any order of comparisons)."""
    if axis == 1 and x.ndim == 2 and x.shape[1] <= _SHORT_ROW and x.shape[0] >= _MANY_ROWS:
        return np.maximum.reduce(np.ascontiguousarray(x.T), 0)[:, None]
    return np.maximum.reduce(x, axis, None, None, True)


@_quietly
def softmax(x, axis):
    exp = np.exp(x - _maxima(x, axis))
    exp /= np.add.reduce(exp, axis, None, None, True)
    return exp


@_quietly
def log_softmax(x, axis):
    shifted = x - _maxima(x, axis)
    shifted -= np.log(np.add.reduce(np.exp(shifted), axis, None, None, True))
    return shifted


@functools.lru_cache(maxsize=16)
def row_numbers(rows: int):
    """np.arange(rows), read-only: the row index of a (rows, C) gather, made once per row count (a training
    loop's few batch sizes) instead of once per cross_entropy call (0.3 us of a small batch's 7)."""
    numbers = np.arange(rows)
    numbers.flags.writeable = False
    return numbers


@_quietly
def cross_entropy(logits, target):
    """Per-row losses -log_softmax(logits)[i, target[i]] and the probabilities softmax(logits)."""
    shifted = logits - _maxima(logits, 1)
    picked = shifted[row_numbers(len(target)), target]
    exp = np.exp(shifted, out=shifted)  # in place: one (N, C) buffer for the shifted values, exp and probabilities
    total = np.add.reduce(exp, 1, None, None, True)
    # -(log-probability), as PyTorch's nll_loss negates it: -0., not 0., for a log-probability of 0
    losses = np.negative(np.subtract(picked, np.log(total[:, 0]), out=picked), out=picked)
    return losses, np.divide(exp, total, out=exp)


@_quietly
def binary_cross_entropy_with_logits(x, y):
    """(1 - y) x + max(-x, 0) + log(1 + exp(-|x|)): PyTorch's stable form (exp never overflows, and an
    infinite logit gives PyTorch's inf or NaN)."""
    losses = _array(np.maximum(np.negative(x), 0, out=ARRAY))
    losses += np.subtract(1, y) * x
    losses += np.log1p(np.exp(-np.abs(x)))
    return losses


@_quietly
def remainder(a, b, out=None):
    """PyTorch's remainder, the sign of the divisor's: numpy's (Python's), except that a zero result of
    floats takes the dividend's sign, as PyTorch's fmod-based one does (-4 % 2 is -0.0; numpy gives +0.0)."""
    result = _array(np.remainder(a, b, out=ARRAY if out is None else out))
    if result.dtype.kind == "f":
        np.copysign(result, a, out=result, where=result == 0)
    return result


@_quietly
def nextafter(a, b, out=None):
    """The next float after a toward b; b itself where they are equal (numpy's float16 one gives +0.0 for
    nextafter(0.0, -0.0), PyTorch's -0.0, as C's)."""
    equal = np.equal(a, b)
    result = _array(np.nextafter(a, b, out=ARRAY if out is None else out))
    np.copyto(result, b, where=equal)
    return result


KERNELS: dict[str, Any] = {
    "empty": empty,
    "full": full,
    "arange": arange,
    "uniform": uniform,
    "normal": normal,
    "from_numpy": from_numpy,
    "to_numpy": to_numpy,
    "copy_": copy_,
    "astype": astype,
    "neg": _negative,
    "exp": _unary(np.exp, quiet=True),
    "log": _unary(np.log, quiet=True),
    "sin": _unary(np.sin, quiet=True),
    "cos": _unary(np.cos, quiet=True),
    "tanh": _unary(np.tanh),
    "sqrt": _unary(np.sqrt, quiet=True),
    "abs": _unary(np.absolute),
    "exp2": _unary(np.exp2, quiet=True),
    "expm1": _unary(np.expm1, quiet=True),
    "log2": _unary(np.log2, quiet=True),
    "log10": _unary(np.log10, quiet=True),
    "log1p": _unary(np.log1p, quiet=True),
    "tan": _unary(np.tan, quiet=True),
    "asin": _unary(np.arcsin, quiet=True),
    "acos": _unary(np.arccos, quiet=True),
    "atan": _unary(np.arctan),
    "sinh": _unary(np.sinh, quiet=True),
    "cosh": _unary(np.cosh, quiet=True),
    "asinh": _unary(np.arcsinh),
    "acosh": _unary(np.arccosh, quiet=True),
    "atanh": _unary(np.arctanh, quiet=True),
    "floor": _unary(np.floor),
    "ceil": _unary(np.ceil),
    "trunc": _unary(np.trunc),
    "round": _unary(np.rint),
    "erf": erf.erf,
    "erfc": erf.erfc,
    "lgamma": special.lgamma,
    "digamma": special.digamma,
    "erfinv": special.erfinv,
    "i0": special.i0,
    "igamma": igamma.igamma,
    "igammac": igamma.igammac,
    "sign": sign,
    "add": _binary(np.add, quiet=True),
    "sub": _binary(np.subtract, quiet=True),
    "mul": _binary(np.multiply, quiet=True),
    "div": _binary(np.divide, quiet=True),
    "pow": pow,
    "eq": _comparison(np.equal),
    "ne": _comparison(np.not_equal),
    "lt": _comparison(np.less),
    "le": _comparison(np.less_equal),
    "gt": _comparison(np.greater),
    "ge": _comparison(np.greater_equal),
    "floor_divide": _binary(np.floor_divide, quiet=True),
    "remainder": remainder,
    "fmod": _binary(np.fmod, quiet=True),
    "atan2": _binary(np.arctan2, quiet=True),
    "copysign": _binary(np.copysign, quiet=True),
    "logaddexp": _binary(np.logaddexp, quiet=True),
    "logaddexp2": _binary(np.logaddexp2, quiet=True),
    "hypot": _binary(np.hypot, quiet=True),
    "nextafter": nextafter,
    "bitwise_and": _binary(np.bitwise_and),
    "bitwise_or": _binary(np.bitwise_or),
    "bitwise_xor": _binary(np.bitwise_xor),
    "bitwise_left_shift": _binary(np.left_shift),
    "bitwise_right_shift": _binary(np.right_shift),
    "bitwise_not": _unary(np.invert),
    "where": where,
    "sum": reduce_sum,
    "max": reduce_max,
    "argmax": argmax,
    "matmul": matmul,
    "strides": strides,
    "is_contiguous": is_contiguous,
    "as_strided": as_strided,
    "contiguous": contiguous,
    "index": index,
    "index_put_": index_put_,
    **sorting.KERNELS,
    "index_reduce_": scatter.index_reduce_,
    # optional
    "storage_offset": storage_offset,
    "view_dtype": view_dtype,
    "reshape": reshape,
    "permute": permute,
    "slice": slice_view,
    "sigmoid": sigmoid,
    "min": reduce_min,
    "argmin": argmin,
    "cat": cat,
    "softmax": softmax,
    "log_softmax": log_softmax,
    "cross_entropy": cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
}

from . import dlpack, fused  # noqa: E402  (they build on this module's helpers)

KERNELS.update(fused.KERNELS)
KERNELS.update(dlpack.KERNELS)
KERNELS.update(ties.KERNELS)
KERNELS.update(factorizations.KERNELS)
KERNELS.update(decompositions.KERNELS)
KERNELS.update(svd.KERNELS)
