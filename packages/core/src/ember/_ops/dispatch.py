"""The shared per-op path: operand checks, type promotion, kernel errors, profiling."""
from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from .. import _autocast, _dtype, _forward_ad, _profiling
from .._backend_util import half_source
from .._tensor import Tensor
from ..autograd import grad_mode
from . import autocasting, forward_mode, overlap
from .resize import resize_out

DIMENSIONED, ZERO_DIM, SCALAR = _dtype.DIMENSIONED, _dtype.ZERO_DIM, _dtype.SCALAR


def profiled(name: str):
    """Record calls of the decorated op as `name` while a profiler runs (one flag check otherwise).
    An allocation that fails becomes PyTorch's RuntimeError naming the op (a try costs nothing).
    An op that autocast casts (`autocasting.policy`) checks one more flag: whether any autocast region is on."""
    def decorate(fn):
        tensor_params = _tensor_params(fn)
        kinds = autocasting.policy(name[len("aten::"):])

        @functools.wraps(fn)
        def op(*args, **kwargs):
            try:
                if _profiling.enabled or (kinds and _autocast.regions) or _forward_ad.active:
                    return _observed(name, kinds, fn, args, kwargs)
                return fn(*args, **kwargs)
            except MemoryError as error:
                raise allocation_error(name, error) from None
            except AttributeError:  # a non-tensor where the op reads a tensor's attributes
                for position, param in tensor_params:
                    if position < len(args) and not isinstance(args[position], Tensor):
                        raise TypeError(f"{fn.__name__}(): argument '{param}' (position {position + 1}) must be "
                                        f"Tensor, not {type(args[position]).__name__}") from None
                raise
        return op
    return decorate


def _observed(name: str, kinds: dict, fn, args: tuple, kwargs: dict):
    """An op's call while a profiler, an autocast region or a dual level is on: recorded, cast by autocast's
    policy, and given tangents when an operand is dual (`forward_mode`, which calls back here with the level
    off)."""
    if _forward_ad.active and forward_mode.has_dual(args, kwargs):
        return forward_mode.call(name, lambda *a, **k: _observed(name, kinds, fn, a, k), args, kwargs)
    if _profiling.enabled:
        with _profiling.record(name, args):
            return autocasting.call(name[len("aten::"):], kinds, fn, args, kwargs) if kinds and _autocast.regions \
                else fn(*args, **kwargs)
    if kinds and _autocast.regions:
        return autocasting.call(name[len("aten::"):], kinds, fn, args, kwargs)
    return fn(*args, **kwargs)


# The parameter names ops give their tensor operands.
_TENSOR_PARAMS = ("input", "self", "a", "other", "mat2", "vec", "vec2", "tensor", "b")


def _tensor_params(fn) -> list:
    """(position, name) of the op's parameters that take tensors, for its TypeError."""
    code = fn.__code__
    return [(i, n) for i, n in enumerate(code.co_varnames[:code.co_argcount]) if n in _TENSOR_PARAMS]


def allocation_error(op: str, error: MemoryError) -> RuntimeError:
    """PyTorch's error for memory that cannot be allocated, with the shape and dtype when the backend's
    error carries them."""
    shape, dtype = getattr(error, "shape", None), getattr(error, "dtype", None)
    wanted = f" for a tensor of shape {list(shape)} and dtype {dtype}" if shape is not None else ""
    return RuntimeError(f"{op}: can't allocate memory{wanted}: {error}")


def scalar(value, op: str):
    """A Python number usable as a kernel operand, or TypeError naming the op; an int that no 64-bit
    integer holds is PyTorch's OverflowError."""
    if isinstance(value, (bool, int, float)):
        if value.__class__ is int and not -2**63 <= value < 2**64:
            raise OverflowError("can't convert negative int to unsigned" if value < 0 else
                                "int too big to convert")
        return value
    if isinstance(value, numbers.Number) and hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{op}(): expected a Tensor or a Python number as operand, got {type(value).__name__}")


# The C++ type names PyTorch's "value cannot be converted" errors use.
_CPP_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "uint8": "uint8_t", "int8": "int8_t",
              "int16": "int16_t", "int32": "int", "int64": "int64_t"}
# The names PyTorch's dtype-mismatch errors give a tensor's dtype (its TypeMeta's: the C++ type's name).
_META_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "uint8": "unsigned char",
               "int8": "signed char", "int16": "short int", "int32": "int", "int64": "long int", "bool": "bool"}


def meta_name(d) -> str:
    """A dtype as PyTorch's 'expected ... to have dtype float but got double' errors name it."""
    return _META_NAMES[d.name]


def value_range(dt) -> tuple:
    """The lowest and highest value of a (non-bool) dtype, as Python numbers."""
    info = np.finfo(dt.numpy) if dt.is_floating_point else np.iinfo(dt.numpy)
    return float(info.min) if dt.is_floating_point else int(info.min), \
        float(info.max) if dt.is_floating_point else int(info.max)


def wrap_int(value: int, dt) -> int:
    """An int taken modulo the range of integer dtype `dt` (two's complement), as PyTorch converts Python
    ints into a narrower integer tensor's type: ``uint8 + 300`` adds 44."""
    low, high = value_range(dt)
    return value if low <= value <= high else (value - low) % (high - low + 1) + low


def checked_scalar(value, dt, op: str, type_name: str | None = None):
    """`value` converted as PyTorch converts a number to `dt`, else its RuntimeError: floats may be inf or
    NaN; into an integer dtype, a float must be finite and in range (a fraction truncates), an int in range
    (an unsigned dtype also takes down to -max, wrapped: fill_(-1) on uint8 gives 255)."""
    if dt is _dtype.bool_ or isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if dt.is_floating_point and (isinstance(value, float) and not math.isfinite(value)):
        return value
    low, high = value_range(dt)
    if isinstance(value, int) and not dt.is_signed:
        low = -high
    if not (low <= value <= high if isinstance(value, int) or dt.is_floating_point else
            math.isfinite(value) and low <= value <= high):
        raise RuntimeError(f"{op}(): value cannot be converted to type {type_name or _CPP_NAMES[dt.name]} "
                           f"without overflow: {value!r}")
    if dt is _dtype.float16:  # PyTorch converts a number to c10::Half through float
        return half_source(value, dt.numpy)
    return value if value >= 0 or dt.is_signed else wrap_int(int(value), dt)


def filled_scalar(value, dt, numel: int, op: str):
    """`value` as PyTorch's fill writes it into `numel` elements of `dt` (fill_, full, full_like, new_full,
    scalar_tensor): checked as `checked_scalar`, but one float16 element, which PyTorch's CPU fill writes
    unchecked (its one-element scalar_fill): a number beyond float16's range is inf there, refused for two."""
    if numel == 1 and dt is _dtype.float16 and value.__class__ in (int, float):
        return half_source(float(value), dt.numpy)
    return checked_scalar(value, dt, op)


def element(value, dt):
    """A Python number as an element of `dt`, as PyTorch converts an op's scalar argument (pad's value,
    addmm's beta): truncated toward zero for integer dtypes, or PyTorch's RuntimeError when it overflows."""
    try:
        checked_scalar(value, dt, "")
    except RuntimeError:
        raise RuntimeError(f"value cannot be converted to type {_CPP_NAMES[dt.name]} without overflow") from None
    if dt.is_floating_point:
        return float(value)
    return bool(value) if dt is _dtype.bool_ else int(value)


def operands(a: Tensor, b, op: str, float_result: bool = False):
    """Kernel operands of a binary op and the dtype it computes in (PyTorch promotion).

    Returns ``(a_buffer, b_buffer_or_scalar, dtype)``; a tensor whose dtype differs from the
    computation dtype is converted first, so kernels always see one dtype.
    """
    if isinstance(b, Tensor):
        if b._device is not a._device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two "
                               f"devices, {a._device} and {b._device}! (in {op})")
        da, db = a._dtype, b._dtype
        if da is db:
            dt = da
        else:
            dt = _dtype.promote(da, DIMENSIONED if a._data.shape else ZERO_DIM,
                                db, DIMENSIONED if b._data.shape else ZERO_DIM)
        if float_result and not dt.is_floating_point:
            dt = _dtype.get_default_dtype()
        x = a._data if da is dt else a._device.kernels.astype(a._data, dt)
        y = b._data if db is dt else b._device.kernels.astype(b._data, dt)
        return x, y, dt
    b = scalar(b, op)
    da = a._dtype
    dt = _dtype.promote(da, DIMENSIONED, _dtype.scalar_dtype(b), SCALAR)
    if float_result and not dt.is_floating_point:
        dt = _dtype.get_default_dtype()
    elif b.__class__ is int and dt.itemsize < 8 and not dt.is_floating_point:
        b = wrap_int(b, dt)  # PyTorch converts the number to the tensor's type: uint8 + 300 adds 44
    x = a._data if da is dt else a._device.kernels.astype(a._data, dt)
    if dt.is_floating_point and isinstance(b, bool):
        b = float(b)
    elif dt is _dtype.float16:  # PyTorch's half kernels take the number as a float
        b = half_source(b, dt.numpy)
    return x, b, dt


def broadcast_shapes(a: tuple, b: tuple) -> tuple | None:
    """numpy/PyTorch broadcasting of two shapes, or None when they do not broadcast."""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            return None
    return tuple(out)


def broadcast_error(op: str | None, shapes) -> RuntimeError | None:
    """PyTorch's error for operand `shapes` (in its operand order) that do not broadcast together, else None
    (see `broadcast_all`)."""
    return _broadcast_walk(op, shapes)[1]


def broadcast_all(op: str | None, shapes) -> tuple:
    """The shape operands of `shapes` broadcast to, or PyTorch's error for them raised."""
    shape, error = _broadcast_walk(op, shapes)
    if error is not None:
        raise error
    return shape


def _broadcast_walk(op: str | None, shapes) -> tuple:
    """(common shape, None), or (None, PyTorch's error): as its TensorIterator, each shape is broadcast against
    those before it (tensor a) and the first mismatch from the right is named; `op` (when given) and the
    shapes end ember's message."""
    shape: tuple = ()
    for other in shapes:
        n = max(len(shape), len(other))
        a, b = (1,) * (n - len(shape)) + tuple(shape), (1,) * (n - len(other)) + tuple(other)
        for dim in range(n - 1, -1, -1):
            x, y = a[dim], b[dim]
            if x != y and x != 1 and y != 1:
                listed = ", ".join(str(list(s)) for s in shapes[:-1]) + f" and {list(shapes[-1])}"
                context = f" (in {op}, shapes {listed})" if op is not None else ""
                return None, RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                                          f"non-singleton dimension {dim}{context}")
        shape = tuple(y if x == 1 else x for x, y in zip(a, b))
    return shape, None


def binary_failure(op: str, a, b, error: Exception, out_shape=None) -> Exception:
    """PyTorch's error for a failed binary kernel: shapes that do not broadcast, or the kernel's own."""
    sa = tuple(a._data.shape) if isinstance(a, Tensor) else ()
    sb = tuple(b._data.shape) if isinstance(b, Tensor) else ()
    mismatch = broadcast_error(op, (sa, sb))
    if mismatch is not None:
        return mismatch
    full = broadcast_shapes(sa, sb)
    if out_shape is not None and full is not None and tuple(out_shape) != full:
        return RuntimeError(f"output with shape {list(out_shape)} doesn't match the broadcast shape "
                            f"{list(full)} (in {op})")
    return RuntimeError(f"{op}: kernel failed on shapes {list(sa)} and {list(sb)}: {error}")


def check_out(out, op: str, shape, dtype, reads=(), full_too: bool = False) -> None:
    """Validate an ``out=`` tensor before anything is written: its dtype, and that it shares no memory with
    itself or (in part, or at all when `full_too`) with the tensors among `reads`; then resize it to `shape`
    when it has another, as PyTorch (unless it is one of `reads`: an in-place op's error)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if grad_mode.state.enabled and out._requires_grad:
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    overlap.check_no_internal_overlap(out)
    overlap.check_no_partial_overlap(out, reads, full_too=full_too)
    if not _dtype.can_cast(dtype, out._dtype):
        raise RuntimeError(f"result type {type_name(dtype)} can't be cast to the desired output type "
                           f"{type_name(out._dtype)}")
    if tuple(out._data.shape) != tuple(shape):
        if any(out is t for t in reads):  # an in-place op, or out= one of the inputs: never resized
            raise RuntimeError(f"output with shape {list(out._data.shape)} doesn't match the broadcast shape "
                               f"{list(shape)}")
        resize_out(out, tuple(shape))


def copy_out(out, op: str, data, dtype, reads=()) -> Tensor:
    """An op's result buffer `data` (of `dtype`) written into ``out=`` after `check_out`'s checks."""
    check_out(out, op, tuple(data.shape), dtype, reads)
    out._device.kernels.copy_(out._data, data)
    bump(out)
    return out


def bump(t: Tensor) -> None:
    """Count an in-place change of `t` (shared with its views) for autograd's saved-tensor checks."""
    counter = t._version
    if counter is None:
        t._version = [1]
    else:
        counter[0] += 1


def type_name(d) -> str:
    """PyTorch's scalar-type name of a dtype, as its error messages use it ('Float', 'Long')."""
    return _dtype.TYPE_NAMES[d.name]


def broadcasts_to(shape: tuple, target: tuple) -> bool:
    """Whether a value of `shape` can be written into a region of `target` shape, as PyTorch's setitem
    and copy_ allow: leading size-1 dims are dropped, then each dim matches or is 1."""
    shape = tuple(shape)
    while len(shape) > len(target) and shape[0] == 1:
        shape = shape[1:]
    if len(shape) > len(target):
        return False
    return all(s == t or s == 1 for s, t in zip(shape[::-1], target[::-1]))


def expand_error(shape, target, dtype, op: str) -> RuntimeError:
    """PyTorch's error for a value of `shape` that does not expand to `target` (setitem, copy_)."""
    shape, target = list(shape), list(target)
    while len(shape) > len(target) and shape[0] == 1:
        shape = shape[1:]
    if len(shape) > len(target):
        return RuntimeError(f"expand(ember.{dtype.name}{{{shape}}}, size={target}): the number of sizes "
                            f"provided ({len(target)}) must be greater or equal to the number of dimensions "
                            f"in the tensor ({len(shape)}) (in {op})")
    lead = len(target) - len(shape)
    dim = next(i for i in range(len(target) - 1, lead - 1, -1)
               if shape[i - lead] != target[i] and shape[i - lead] != 1)
    return RuntimeError(f"The expanded size of the tensor ({target[dim]}) must match the existing size "
                        f"({shape[dim - lead]}) at non-singleton dimension {dim}.  Target sizes: {target}.  "
                        f"Tensor sizes: {shape} (in {op})")
