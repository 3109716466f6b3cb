"""Rules of the kernel contract that every numpy-like backend computes the same way (numpy, cupy): kept
here once so that backends do not copy each other."""
from __future__ import annotations

import math

import numpy as np

# The dtype each floating dtype's running sums and products accumulate in (PyTorch's CPU acc_type):
# float16 in float32 and float32 in float64, so each element is rounded once.
SCAN_ACCUMULATE: dict[np.dtype, type] = {np.dtype(np.float16): np.float32, np.dtype(np.float32): np.float64}


def scan(xp, running, x, axis: int, out=None):
    """`x`'s running sum or product along `axis` (`running`: ``xp.cumsum`` or ``xp.cumprod`` of array library
    `xp`, numpy or cupy), of x's dtype, as PyTorch's CPU kernels compute it: accumulated in SCAN_ACCUMULATE's
    wider dtype and rounded once per element, small ints in their own; a running sum starts from +0, so -0
    becomes +0 (as 0 + -0 does; no other value changes). Written into `out` when given."""
    wide = SCAN_ACCUMULATE.get(x.dtype)
    if wide is None:
        result = running(x, axis=axis, dtype=x.dtype, out=out)  # small ints would widen to int64
    else:
        result = x.astype(wide)  # then accumulated in place: far faster than a casting accumulate
        running(result, axis=axis, out=result)
    if running is xp.cumsum and result.dtype.kind == "f":
        xp.add(result, 0.0, out=result)
    if wide is None:
        return result
    if out is None:
        return result.astype(x.dtype)
    xp.copyto(out, result, casting="unsafe")
    return out


_HALF, _FLOAT, _DOUBLE = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)


def half_source(values, dtype: np.dtype):
    """`values` (a numpy or cupy array, or a Python number) ready to be cast to numpy `dtype` as PyTorch
    casts: into float16 a float64 goes through float32 first (c10::Half is built from a float), so it may
    round twice: 1 + 2**-11 + 2**-40 becomes 1.0, where numpy's single rounding gives 1.0009765625."""
    if dtype != _HALF:
        return values
    if isinstance(values, float):
        with np.errstate(over="ignore"):  # beyond float32 is inf, as beyond float16
            return float(np.float32(values))
    source = getattr(values, "dtype", None)  # None for a number (and np.dtype(None) is float64)
    return values.astype(_FLOAT) if source is not None and source == _DOUBLE else values


def arange(xp, start: float, stop: float, step: float, dtype):
    """``arange(start, stop, step)`` of ember `dtype` in array library `xp` (numpy, cupy) on the current
    device: a floating one is ``start + step * i`` computed in float64 and rounded once to its dtype, as
    PyTorch computes it (a float32 arange would add up a step already rounded to float32). An integer one is
    counted in int64 and wrapped into its dtype (cupy refuses a bound such as -4 outside uint8)."""
    if not dtype.is_floating_point:
        values = xp.arange(start, stop, step, dtype=xp.int64)
        return values if dtype.numpy == values.dtype else values.astype(dtype.numpy)
    values = xp.arange(max(0, math.ceil((stop - start) / step)), dtype=xp.float64)
    values *= step
    values += start
    return half_source(values, dtype.numpy).astype(dtype.numpy, copy=False)


def draw_dtype(dtype) -> type:
    """The dtype random draws of ember `dtype` are made in: numpy's and cupy's generators draw float32
    or float64, and float16 is drawn as float32 and rounded."""
    return np.float64 if dtype.numpy == np.float64 else np.float32


def elementwise_strides(shape: tuple[int, ...], operand_strides: list[tuple[int, ...]],
                        operand_shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    """Element strides of an elementwise result of `shape`, laid out as PyTorch's TensorIterator lays it out
    (a transposed input gives a transposed result), for backends whose arrays have no numpy order='K':
    core's own rule (``_ops.layout``), with the operands' missing leading dims broadcast."""
    from ._ops.layout import _iterator_output_strides

    ndim = len(shape)
    operands = [((1,) * (ndim - len(op_shape)) + tuple(op_shape), (0,) * (ndim - len(strides)) + tuple(strides))
                for op_shape, strides in zip(operand_shapes, operand_strides)]
    return _iterator_output_strides(tuple(shape), operands)


def relaid_strides(result, arrays: list) -> tuple[int, ...] | None:
    """The byte strides PyTorch gives `result`, a new elementwise result over `arrays` (the operands that
    are numpy-like arrays), where they are not the result's own; None when they are. Row-major operands of
    one shape, or whose size-1 dims all broadcast, give a row-major result (`row_major`); otherwise the
    strides of core's rule (`elementwise_strides`), which numpy's order='K' misses for conflicting
    layouts and cupy's row-major results miss for any permuted operand."""
    if result.ndim < 2 or not result.size or row_major(arrays, result):
        return None
    element_strides = [tuple([stride // x.itemsize for stride in x.strides]) for x in arrays]
    wanted = elementwise_strides(result.shape, element_strides, [x.shape for x in arrays])
    itemsize = result.itemsize
    byte_strides = tuple([stride * itemsize for stride in wanted])
    return None if byte_strides == result.strides else byte_strides


def row_major(arrays: list, result) -> bool:
    """Whether a row-major `result` is PyTorch's too: the `arrays` among the operands are row-major and of
    one shape, or of shapes whose size-1 dims all broadcast (their strides are then exact: PyTorch reads the
    strides of a size-1 dim only where the result has size 1 too)."""
    if not all(x.flags.c_contiguous for x in arrays):
        return False
    shapes = {x.shape for x in arrays}
    return len(shapes) < 2 or 1 not in result.shape or not any(1 in shape for shape in shapes)


def made_empty(x) -> bool:
    """Whether x is a size-0 array with zero strides that its library made (a new array, a ufunc's result, or a
    view of one), whose strides numpy and cupy drop, rather than a view broadcast on purpose (expand): its
    strides are then PyTorch's row-major ones (`empty_strides`)."""
    return not x.size and not any(x.strides) and (x.base is None or not getattr(x.base, "size", 1))


def empty_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """PyTorch's element strides of a new tensor with no element (row-major, a size-0 dim counted as 1), for
    backends whose arrays lose them (numpy 2.4 and cupy give a new size-0 array zero strides)."""
    from ._ops.layout import contiguous_strides

    return contiguous_strides(shape)
