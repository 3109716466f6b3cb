"""Factories: tensors from data, numpy, constants, ranges and random numbers; per-device generators."""
from __future__ import annotations

import functools
import math
import numbers
import warnings
from typing import Any

import numpy as np

from .. import _aten_sampling as aten
from .. import _deterministic, _dtype, _generator, _memory_format
from .._backend_util import half_source
from .._device import resolve
from .._memory_format import contiguous_format, preserve_format
from .._mt19937 import MT19937Engine
from .._size import Size
from .._tensor import Tensor
from . import views
from .dispatch import DIMENSIONED, checked_scalar, filled_scalar, profiled, type_name

# ember.manual_seed, seed and initial_seed, with the factories that use them
manual_seed, seed, initial_seed = _generator.manual_seed, _generator.seed, _generator.initial_seed

def place(device, dtype: _dtype.dtype, op: str):
    """The resolved device for a new tensor, checking it supports `dtype` (never a silent cast)."""
    d = resolve(device)
    supported = d.device_type.dtypes
    if dtype.name not in supported:
        raise RuntimeError(f"{op}(): device '{d}' does not support dtype {dtype!r} (it supports "
                           f"{', '.join(sorted(supported))})")
    return d


def _finish(data, dtype, d, requires_grad: bool, op: str) -> Tensor:
    if requires_grad and not dtype.is_floating_point:
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    return Tensor._make(data, dtype, d, bool(requires_grad))


_INT64_MAX = 2**63 - 1


def parse_size(size, op: str, itemsize: int = 1) -> tuple:
    """A shape from ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(Size)``, checked to be ints >= 0
    whose storage of `itemsize`-byte elements has a size that fits in int64."""
    if not size:
        raise TypeError(f"{op}() missing 1 required positional arguments: \"size\"")
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    for i, s in enumerate(size):
        if isinstance(s, Tensor) and s.numel() == 1 and not s._dtype.is_floating_point:
            continue
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise TypeError(f"{op}(): argument 'size' (position 1) must be tuple of ints, but found element "
                            f"of type {type(s).__name__} at pos {i}")
    shape = tuple(int(s) for s in size)
    if (shape and min(shape) < 0) or math.prod(shape) * itemsize > _INT64_MAX:
        check_shape(shape, op, itemsize)
    return shape


def check_shape(shape: tuple, op: str, itemsize: int) -> None:
    """PyTorch's errors for a shape with a size beyond int64, a negative size, or too many bytes."""
    for i, s in enumerate(shape):
        if not -_INT64_MAX - 1 <= s <= _INT64_MAX:
            raise TypeError(f"{op}(): argument 'size' failed to unpack the object at pos {i + 1} with error "
                            f"\"Overflow when unpacking long long\"")
    for s in shape:
        if s < 0:
            raise RuntimeError(f"{op}(): Trying to create tensor with negative dimension {s}: {list(shape)}")
    if math.prod(shape) * itemsize > _INT64_MAX:
        raise RuntimeError(f"{op}(): Storage size calculation overflowed with sizes={list(shape)}")


# ----- from data -----------------------------------------------------------------------------------
# The C++ type names PyTorch's "value cannot be converted to type ... without overflow" errors use.
def _first_leaf(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


_PLAIN_NUMBERS = frozenset((bool, int, float))


def _has_numpy_leaf(data) -> bool:
    """Whether nested sequence `data` holds a numpy scalar or array (each level's types taken at C speed)."""
    kinds = set(map(type, data))
    if kinds <= _PLAIN_NUMBERS:
        return False
    if any(issubclass(kind, (np.generic, np.ndarray)) for kind in kinds):
        return True
    return any(_has_numpy_leaf(item) for item in data if isinstance(item, (list, tuple)))


def _typed_leaves(data, dtypes: set):
    """`data` with each tensor replaced by its one value (PyTorch's rule for tensors inside sequences);
    `dtypes` collects the dtype each element takes part in inference with: a tensor's, a numpy scalar's or
    array's own, a Python number's (int64, the default float, bool), promoted together as PyTorch does, and
    `np.bool_` when a numpy bool is among them (PyTorch cannot store one in an integer tensor)."""
    if isinstance(data, (np.generic, np.ndarray)):
        dtypes.add(_dtype.from_numpy(data.dtype))
        if isinstance(data, np.bool_):
            dtypes.add(np.bool_)
        return data
    if isinstance(data, Tensor):
        if data._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars (a tensor of shape "
                             f"{list(data._data.shape)} inside the data given to tensor())")
        dtypes.add(data._dtype)
        return data.item()
    if isinstance(data, (list, tuple)):
        return [_typed_leaves(item, dtypes) for item in data]
    if isinstance(data, numbers.Number):
        dtypes.add(_dtype.scalar_dtype(data) if isinstance(data, (bool, int, float)) else _dtype.float64)
    return data


def _shape_error(data, op: str) -> Exception:
    """PyTorch's error for nested sequences numpy could not make an array of: the first sequence whose
    length differs from the first one's at its depth, or a number where a sequence is due (or back)."""
    sizes = []
    probe = data
    while isinstance(probe, (list, tuple)):
        sizes.append(len(probe))
        probe = probe[0] if probe else None

    def walk(item, dim):
        if dim == len(sizes):
            if isinstance(item, (list, tuple)):
                return TypeError(f"{op}(): '{type(item).__name__}' object cannot be interpreted as a number "
                                 f"(a sequence at dim {dim}, where the first element has a number)")
            return None
        if not isinstance(item, (list, tuple)):
            return TypeError(f"{op}(): not a sequence: {type(item).__name__} at dim {dim}, where the first "
                             f"element has a sequence of length {sizes[dim]}")
        if len(item) != sizes[dim]:
            return ValueError(f"{op}(): expected sequence of length {sizes[dim]} at dim {dim} (got {len(item)})")
        for element in item:
            found = walk(element, dim + 1)
            if found is not None:
                return found
        return None
    return walk(data, 0) or ValueError(f"{op}(): can't make a tensor of this nested sequence")


def _invalid_element(array, op: str) -> Exception:
    """PyTorch's error for data numpy could only hold as objects: an int beyond int64, or a non-number."""
    for item in array.reshape(-1):
        if isinstance(item, int) and not isinstance(item, bool) and not -_INT64_MAX - 1 <= item <= _INT64_MAX:
            return ValueError(f"{op}(): Overflow when unpacking long long: {item} does not fit in int64")
        if isinstance(item, (str, bytes)):
            return TypeError(f"{op}(): new(): invalid data type '{type(item).__name__}'")
        if not isinstance(item, numbers.Number):
            return RuntimeError(f"{op}(): Could not infer dtype of {type(item).__name__}")
    return TypeError(f"{op}(): can't infer an ember dtype for this data")


def _infer_array(data, dtype, op: str):
    """A fresh numpy array of `data` in the dtype PyTorch infers (floats → default float dtype)."""
    from_sequence = False
    if isinstance(data, Tensor):
        array = data.detach()._host()
        inferred = data._dtype
    elif isinstance(data, (np.ndarray, np.generic)):  # a numpy scalar keeps its dtype, as in PyTorch
        array = np.asarray(data)
        inferred = _dtype.from_numpy(data.dtype)
    elif isinstance(data, (str, bytes)):
        raise TypeError(f"{op}(): new(): invalid data type '{type(data).__name__}'")
    else:
        from_sequence = True
        leaf_dtypes: set = set()
        if isinstance(data, (list, tuple)) and (isinstance(_first_leaf(data), Tensor) or _has_numpy_leaf(data)):
            data = _typed_leaves(data, leaf_dtypes)
        try:
            array = np.array(data)
        except (ValueError, TypeError):
            raise _shape_error(data, op) from None
        kind = array.dtype.kind
        if kind in "USV":
            if isinstance(_first_leaf(data), str):
                raise ValueError(f"{op}(): too many dimensions 'str'")
            raise TypeError(f"{op}(): new(): invalid data type 'str'")
        if kind == "O" or (kind == "u" and array.dtype.itemsize == 8):
            raise _invalid_element(array.astype(object), op)
        if leaf_dtypes:
            inferred = functools.reduce(lambda a, b: _dtype.promote(a, DIMENSIONED, b, DIMENSIONED),
                                        leaf_dtypes - {np.bool_})
        elif kind == "f":
            inferred = _dtype.get_default_dtype()
        elif kind in "iu":
            inferred = _dtype.int64
        elif kind == "b":
            inferred = _dtype.bool_
        elif array.size == 0:
            inferred = _dtype.get_default_dtype()
        else:
            raise TypeError(f"{op}(): can't infer an ember dtype for data of numpy kind {array.dtype}")
    target = dtype or inferred
    if from_sequence and np.bool_ in leaf_dtypes and target._category == _dtype.INT:
        raise TypeError("'numpy.bool' object cannot be interpreted as an integer")  # PyTorch's, as it reads one
    if from_sequence and not target.is_floating_point and target is not _dtype.bool_ and array.size and \
            array.dtype.kind in "fiu":
        _check_fits(array, target, op)
    with np.errstate(over="ignore", invalid="ignore"):  # float64 data beyond float16 becomes inf, as in PyTorch
        return np.array(half_source(array, target.numpy), dtype=target.numpy, copy=True, order="C"), target


def _check_fits(array, dt, op: str) -> None:
    """Numbers given as sequences must fit an integer dtype (PyTorch refuses them; arrays wrap)."""
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        checked_scalar(float(array[~np.isfinite(array)][0]), dt, op, dt.name)
    checked_scalar(array.max().item(), dt, op, dt.name)
    checked_scalar(array.min().item(), dt, op, dt.name)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A new tensor holding a copy of `data` (nested sequences, numbers, numpy arrays, tensors)."""
    dtype = _dtype.parse(dtype, "tensor")
    array, dt = _infer_array(data, dtype, "tensor")
    d = place(device, dt, "tensor")
    return _finish(d.kernels.from_numpy(array), dt, d, requires_grad, "tensor")


def as_tensor(data, *, dtype=None, device=None) -> Tensor:
    """`data` as a tensor, sharing memory when it already is one (or a CPU numpy array) of that dtype."""
    dtype = _dtype.parse(dtype, "as_tensor")
    if isinstance(data, Tensor) and (dtype is None or data._dtype is dtype) and \
            (device is None or resolve(device) is data._device):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype.numpy) and \
            (device is None or resolve(device).type == "cpu"):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array) -> Tensor:
    """A CPU tensor sharing memory with the numpy array `array`."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    if any(stride < 0 for stride in array.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative "
                         "strides are not currently supported. (You can probably work around this by making a "
                         f"copy of your array  with array.copy().) (from_numpy, strides {list(array.strides)})")
    if not array.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. Conversion "
                         f"between byte orders is currently not supported. (from_numpy, dtype {array.dtype.str})")
    dt = _dtype.from_numpy(array.dtype)
    if not array.flags.writeable:
        warnings.warn("The given NumPy array is not writable, and PyTorch does not support non-writable tensors. "
                      "This means writing to this tensor will result in undefined behavior. You may want to "
                      "copy the array to protect its data or make it writable before converting it to a "
                      "tensor.", UserWarning, stacklevel=2)
    d = resolve("cpu")
    return Tensor._make(d.kernels.from_numpy(array), dt, d)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False) -> Tensor:
    """A 1-d CPU tensor over the bytes of `buffer` (any object with the buffer protocol) from byte `offset`:
    `count` elements of `dtype` (-1: all that follow), sharing memory with it, after PyTorch's checks."""
    dt = _dtype.parse(dtype, "frombuffer")
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    length, size = view.nbytes, dt.itemsize
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if offset < 0 or offset >= length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
                         f"({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % size:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                             f"multiple of element size ({size})")
        count = (length - offset) // size
    elif offset + count * size > length:
        raise ValueError(f"requested buffer length ({count} * {size} bytes) after offset ({offset} bytes) must "
                         f"not be greater than actual buffer length ({length} bytes)")
    if view.readonly:
        warnings.warn("The given buffer is not writable, and PyTorch does not support non-writable tensors. This "
                      "means you can write to the underlying (supposedly non-writable) buffer using the tensor. "
                      "You may want to copy the buffer to protect its data or make it writable before converting "
                      "it to a tensor.", UserWarning, stacklevel=2)
    array = np.frombuffer(view.cast("B"), dtype=dt.numpy, count=count, offset=offset)
    d = resolve("cpu")
    return Tensor._make(d.kernels.from_numpy(array), dt, d).requires_grad_(requires_grad)


def scalar_tensor(value, device=None, dtype=None) -> Tensor:
    """A 0-d tensor holding a Python number, of the default float dtype unless `dtype` says otherwise."""
    if not isinstance(value, numbers.Real):
        raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not {type(value).__name__}")
    dt = _dtype.parse(dtype, "scalar_tensor") or _dtype.get_default_dtype()
    d = place(device, dt, "scalar_tensor")
    return Tensor._make(d.kernels.full((), filled_scalar(value, dt, 1, "scalar_tensor"), dt), dt, d)


def legacy_new(cls, args, device, dt=None) -> Tensor:
    """``Tensor(5, 3)``: uninitialised float32; ``Tensor(data)``: float32 copy of data. With `dt`, the typed
    constructors' (``LongTensor([1, 2])``): a tensor of that dtype is taken as is (an alias), another refused."""
    typed, dt = dt is not None, dt or _dtype.get_default_dtype()
    if len(args) == 1 and not isinstance(args[0], (numbers.Integral, Size)):
        data = args[0]
        if isinstance(data, numbers.Number):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        if typed and isinstance(data, Tensor):
            if data._dtype is not dt:
                raise TypeError(f"expected TensorOptions(dtype={_dtype.C_NAMES[dt.name]}, device=cpu) (got "
                                f"TensorOptions(dtype={_dtype.C_NAMES[data._dtype.name]}, "
                                f"device={data._device.type}))")
            return data.detach()
        array, _ = _infer_array(data, dt, "Tensor")
        d = place(device, dt, "Tensor")
        result = Tensor._make(d.kernels.from_numpy(array), dt, d)
    else:
        shape = parse_size(args, "Tensor", dt.itemsize) if args else (0,)
        d = place(device, dt, "Tensor")
        result = Tensor._make(uninitialized(d, shape, dt), dt, d)
    if cls is not Tensor:
        result.__class__ = cls
    return result


def _rebuild(array, dtype_name, device_str, requires_grad) -> Tensor:
    """Unpickle a tensor (see `Tensor.__reduce_ex__`)."""
    t = tensor(array, dtype=_dtype.BY_NAME[dtype_name], device=device_str)
    return t.requires_grad_(requires_grad) if requires_grad else t


# ----- constants ------------------------------------------------------------------------------------
def uninitialized(d, shape, dt):
    """A buffer for an empty tensor: left as allocated, or filled as PyTorch's deterministic mode fills it."""
    value = _deterministic.fill_value(dt)
    return d.kernels.empty(shape, dt) if value is None else d.kernels.full(shape, value, dt)


def _constant(op: str, value_of):
    def factory(*size, dtype=None, device=None, requires_grad=False):
        dtype = _dtype.parse(dtype, op)
        dt = dtype or _dtype.get_default_dtype()
        shape = parse_size(size, op, dt.itemsize)
        d = place(device, dt, op)
        return _finish(d.kernels.full(shape, value_of, dt), dt, d, requires_grad, op)
    factory.__name__ = factory.__qualname__ = op
    factory.__doc__ = f"A new tensor of the given size filled like torch.{op}."
    return profiled("aten::" + op)(factory)


zeros = _constant("zeros", 0)
ones = _constant("ones", 1)


@profiled("aten::empty")
def empty(*size, dtype=None, device=None, requires_grad=False, memory_format=contiguous_format) -> Tensor:
    """A new uninitialized tensor of the given size, laid out row-major or in `memory_format`."""
    dtype = _dtype.parse(dtype, "empty")
    dt = dtype or _dtype.get_default_dtype()
    shape = parse_size(size, "empty", dt.itemsize)
    fmt = _memory_format.parse(memory_format, "empty", contiguous_format)
    if fmt is preserve_format:
        raise RuntimeError("unsupported memory format Preserve")
    strides = None if fmt is contiguous_format else _memory_format.channels_last_strides(shape, fmt)
    d = place(device, dt, "empty")
    return _finish(views.allocate(d, shape, strides, lambda dims: uninitialized(d, dims, dt)), dt, d, requires_grad,
                   "empty")


@profiled("aten::empty_strided")
def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """An uninitialised tensor with the given strides, over just enough memory for them."""
    dt = _dtype.parse(dtype, "empty_strided") or _dtype.get_default_dtype()
    for position, (name, value) in enumerate((("size", size), ("stride", stride)), 1):
        if not isinstance(value, (tuple, list, Size)):
            raise TypeError(f"empty_strided(): argument '{name}' (position {position}) must be tuple of ints, "
                            f"not {type(value).__name__}")
    shape = parse_size((tuple(size),), "empty_strided", dt.itemsize)
    if any(isinstance(s, numbers.Integral) and s < 0 for s in stride):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)} and strides="
                           f"{[int(s) for s in stride]}")
    strides = parse_size((tuple(stride),), "empty_strided") if stride else ()
    if len(strides) != len(shape):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality of strides "
                           f"({len(strides)})")
    d = place(device, dt, "empty_strided")
    elements = 0 if 0 in shape else 1 + sum((n - 1) * s for n, s in zip(shape, strides))
    storage = uninitialized(d, (elements,), dt)
    result = _finish(views.strided(d, storage, shape, strides), dt, d, requires_grad, "empty_strided")
    if elements > math.prod(shape):  # strides that leave gaps: as_strided reaches the whole storage
        result._storage = storage
    return result


@profiled("aten::full")
def full(size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of `size` filled with `fill_value` (dtype inferred from it, as in PyTorch)."""
    dtype = _dtype.parse(dtype, "full")
    _check_fill(fill_value, "full")
    dt = dtype or _dtype.scalar_dtype(fill_value)
    if not isinstance(size, (tuple, list, Size)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    shape = parse_size((tuple(size),), "full", dt.itemsize)
    fill_value = filled_scalar(fill_value, dt, math.prod(shape), "full")
    d = place(device, dt, "full")
    return _finish(d.kernels.full(shape, fill_value, dt), dt, d, requires_grad, "full")


def _check_input(input, op: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")


def _check_fill(value, op: str) -> None:
    if not isinstance(value, (numbers.Number, Tensor)):
        raise TypeError(f"{op}(): argument 'fill_value' (position 2) must be Number, not {type(value).__name__}")


def _like(op: str, make, random: bool = False):
    """A ``*_like`` factory; `make(d, shape, dt)`, or for a `random` one `make(d, shape, dt, engine)` with
    the backend state of the ``generator=`` it takes."""
    def factory(input, *, generator=None, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False, memory_format=None):
        if generator is not None and not random:
            raise TypeError(f"{op}() got an unexpected keyword argument 'generator'")
        _check_input(input, op)
        dtype = _dtype.parse(dtype, op)
        dt = dtype or input._dtype
        d = place(device if device is not None else input._device, dt, op)
        fill = make
        if random:
            _check_random_dtype(dt, op)
            engine = _generator.chosen(generator, d, op).engine()

            def fill(d, shape, dt):
                return make(d, shape, dt, engine)
        return _finish(_preserving_layout(input, d, dt, fill, memory_format, op), dt, d, requires_grad, op)
    factory.__name__ = factory.__qualname__ = op
    factory.__doc__ = (f"Like torch.{op}: a new tensor with `input`'s shape, dtype and device (`layout` and "
                       "`pin_memory` accepted as PyTorch's: ember tensors are strided and pageable).")
    return profiled("aten::" + op)(factory)


def _check_random_dtype(dt, op: str) -> None:
    """rand/randn draw floats only, as in PyTorch (NotImplementedError for the other dtypes)."""
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"{op}\" not implemented for '{type_name(dt)}': random floats need a "
                                  "floating point dtype (use randint for integers)")


zeros_like = _like("zeros_like", lambda d, shape, dt: d.kernels.full(shape, 0, dt))
ones_like = _like("ones_like", lambda d, shape, dt: d.kernels.full(shape, 1, dt))
empty_like = _like("empty_like", uninitialized)
rand_like = _like("rand_like", lambda d, shape, dt, engine: d.kernels.uniform(shape, 0.0, 1.0, dt, engine),
                  random=True)
randn_like = _like("randn_like", lambda d, shape, dt, engine: d.kernels.normal(shape, 0.0, 1.0, dt, engine),
                   random=True)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False,
              memory_format=None) -> Tensor:
    """A tensor with `input`'s shape, dtype and device, filled with `fill_value`."""
    _check_input(input, "full_like")
    dtype = _dtype.parse(dtype, "full_like")
    _check_fill(fill_value, "full_like")
    dt = dtype or input._dtype
    fill_value = filled_scalar(fill_value, dt, input.numel(), "full_like")
    d = place(device if device is not None else input._device, dt, "full_like")

    def fill(d, shape, dt):
        return d.kernels.full(shape, fill_value, dt)
    data = _preserving_layout(input, d, dt, fill, memory_format, "full_like")
    return _finish(data, dt, d, requires_grad, "full_like")


def _preserving_layout(input: Tensor, d, dt, make, memory_format, op: str):
    """``make(d, shape, dt)`` laid out as `input` (PyTorch's preserve_format), or row-major."""
    return views.allocate(d, input._data.shape, views.like_strides(input, memory_format, op),
                          lambda shape: make(d, shape, dt))


# ----- random numbers ---------------------------------------------------------------------------------
@profiled("aten::randperm")
def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A random permutation of 0..n-1, drawn on the host: by ATen's ``randperm_cpu`` from an MT19937 state
    (the CPU's), else from the generator's host stream, and moved to the device like `tensor(data)`."""
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    check_shape((int(n),), "randperm", 8)
    dt = _dtype.parse(dtype, "randperm") or _dtype.int64
    if dt is _dtype.bool_:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    d = place(device, dt, "randperm")
    gen = _generator.chosen(generator, d, "randperm")
    engine = gen.engine()
    permutation = (aten.randperm(engine, int(n)) if isinstance(engine, MT19937Engine)
                   else gen.host().permutation(int(n))).astype(dt.numpy)
    return _finish(d.kernels.from_numpy(permutation), dt, d, requires_grad, "randperm")


def _random(op: str, kernel: str):
    def factory(*size, generator=None, dtype=None, device=None, requires_grad=False):
        dtype = _dtype.parse(dtype, op)
        dt = dtype or _dtype.get_default_dtype()
        _check_random_dtype(dt, op)
        shape = parse_size(size, op, dt.itemsize)
        d = place(device, dt, op)
        engine = _generator.chosen(generator, d, op).engine()
        return _finish(getattr(d.kernels, kernel)(shape, 0.0, 1.0, dt, engine), dt, d, requires_grad, op)
    factory.__name__ = factory.__qualname__ = op
    return profiled("aten::" + op)(factory)


rand = _random("rand", "uniform")
randn = _random("randn", "normal")
rand.__doc__ = "Uniform samples on [0, 1) of the given size, from the device's default generator."
randn.__doc__ = "Standard normal samples of the given size, from the device's default generator."


# randint's bounds by dtype: (C++ name, lowest, highest value, how far a float dtype draws exactly).
_INT_RANGES = {"bool": ("bool", 0, 1, None), "uint8": ("unsigned char", 0, 255, None),
               "int8": ("signed char", -128, 127, None), "int16": ("short int", -2**15, 2**15 - 1, None),
               "int32": ("int", -2**31, 2**31 - 1, None),
               "int64": ("long", -2**63, _INT64_MAX, None), "float16": ("c10::Half", -65504, 65504, 11),
               "float32": ("float", -2**128, 2**128, 24), "float64": ("double", -2**1024, 2**1024, 53)}


@profiled("aten::randint")
def randint(*args, size=None, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Integers uniform on [low, high): ``randint(high, size)`` or ``randint(low, high, size)``."""
    if size is None:
        *bounds, size = args if args else (None,)
    else:
        bounds = list(args)
    if len(bounds) not in (1, 2) or not all(isinstance(b, numbers.Integral) for b in bounds):
        raise TypeError(f"randint() received an invalid combination of arguments - got "
                        f"({', '.join(type(a).__name__ for a in args)}), but expected one of: (int high, tuple "
                        "of ints size, ...) or (int low, int high, tuple of ints size, ...)")
    if not isinstance(size, (tuple, list, Size)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    low, high = (0, bounds[0]) if len(bounds) == 1 else bounds
    low, high = int(low), int(high)
    dt = _dtype.parse(dtype, "randint") or _dtype.int64
    check_integer_range(low, high, dt, "randint(): ", "randint")
    shape = parse_size((tuple(size),), "randint", dt.itemsize)
    d = place(device, dt, "randint")
    engine = _generator.chosen(generator, d, "randint").engine()
    return _finish(draw_integers(d, shape, low, high, dt, engine), dt, d, requires_grad, "randint")


def check_integer_range(low: int, high: int, dt, prefix: str, op: str) -> None:
    """PyTorch's checks of integer draws on [low, high) into `dt` (randint's and random_'s): an empty
    range or a bound out of the dtype is a RuntimeError, a bound a float dtype cannot count to a warning."""
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    name, smallest, largest, digits = _INT_RANGES[dt.name]
    for what, value in (("from", low), ("to - 1", high - 1)):
        if not smallest <= value <= largest:
            raise RuntimeError(f"{prefix}{what} is out of bounds for {name}")
        if digits is not None and abs(value) > 2**digits:
            warnings.warn(f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                          f"limitations {name} can support discrete uniform distribution only within this "
                          f"range. (in {op})", UserWarning, stacklevel=4)


def draw_integers(d, shape, low: int, high: int, dt, engine):
    """Integers uniform on [low, high) in `dt`, from the backend generator state `engine` (by ATen's
    ``random_from_to`` from an MT19937 one)."""
    if isinstance(engine, MT19937Engine):
        values = aten.from_to(engine, math.prod(shape), low, high, dt.numpy)
        return d.kernels.from_numpy(values.reshape(tuple(shape)))
    wide = _dtype.float64 if "float64" in d.device_type.dtypes else _dtype.float32
    k = d.kernels
    draws = k.uniform(shape, 0.0, float(high - low), wide, engine)
    # Non-negative draws truncate to their floor; the min() guards the open upper end against rounding
    # (below the range's width even where high - low - 1 rounds up to it, as 2**63 - 1 does).
    top = float(high - low - 1)
    ints = k.astype(k.minimum(draws, top if top < high - low else math.nextafter(top, 0.0)), _dtype.int64)
    data = k.add(ints, int(low))
    return data if dt is _dtype.int64 else k.astype(data, dt)


def randint_like(input, low=None, high=None, *, generator=None, dtype=None, layout=None, device=None,
                 pin_memory=False, requires_grad=False, memory_format=None) -> Tensor:
    """Like randint, with `input`'s shape, dtype and device: ``randint_like(x, high)`` or
    ``randint_like(x, low, high)``."""
    if high is None:
        if low is None:
            raise TypeError("randint_like() missing 1 required positional argument: 'high'")
        low, high = 0, low
    elif low is None:
        low = 0
    _check_input(input, "randint_like")
    dt = _dtype.parse(dtype, "randint_like") or input._dtype
    d = place(device if device is not None else input._device, dt, "randint_like")

    def draw(shape):
        return randint(low, high, shape, generator=generator, dtype=dt, device=d)._data
    data = views.allocate(d, input._data.shape, views.like_strides(input, memory_format, "randint_like"), draw)
    return _finish(data, dt, d, requires_grad, "randint_like")


# ----- ranges -----------------------------------------------------------------------------------------
def _trunc_div(a: int, b: int) -> int:
    """a / b rounded toward zero, as C++ integer division."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


@profiled("aten::arange")
def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values from `start` to `end` (exclusive) by `step`; int64 unless any bound is a float.

    Integer dtypes follow PyTorch's arithmetic: bounds and step truncate toward zero first (int64 counts
    with the truncated values and refuses a step that truncates to 0; int32 counts with the given ones).
    """
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) and v.numel() == 1 else v for v in (start, end, step)]
    for name, v in zip(("start", "end", "step"), values):
        if not isinstance(v, numbers.Real):
            raise TypeError(f"arange(): argument '{name}' must be Number, not {type(v).__name__}")
    start, end, step = values
    if dtype is _dtype.bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool' (in arange)")
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    if not all(math.isfinite(v) for v in values):
        raise RuntimeError(f"arange(): unsupported range: {start} -> {end} (step {step})")
    dtype = _dtype.parse(dtype, "arange")
    dt = dtype or (_dtype.get_default_dtype() if any(isinstance(v, float) for v in values) else _dtype.int64)
    if dt is _dtype.int64:
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError(f"arange(): step must be nonzero (the step {values[2]} truncates to 0 in int64)")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange(): upper bound and lower bound inconsistent with step sign (start={start}, "
                           f"end={end}, step={step})")
    if dt is _dtype.int64:
        count = _trunc_div(end - start + step - (1 if step > 0 else -1), step)
    else:
        count = max(0, math.ceil((end - start) / step))
    check_shape((count,), "arange", dt.itemsize)
    d = place(device, dt, "arange")
    k = d.kernels
    if dt.is_floating_point:
        # start + i * step in float64 (when the device has it), then cast: PyTorch's arithmetic.
        wide = _dtype.float64 if "float64" in d.device_type.dtypes else dt
        data = k.add(k.mul(k.arange(0, count, 1, wide), step), start)
        data = data if wide is dt else k.astype(data, dt)
    else:
        # int32 too: start + i * step in int64 (the step may truncate to 0), then wrapped to the dtype
        data = k.add(k.mul(k.arange(0, count, 1, _dtype.int64), int(step)), int(start))
        data = data if dt is _dtype.int64 else k.astype(data, dt)
    return _finish(data, dt, d, requires_grad, "arange")


def _check_bounds(start, end, op: str) -> None:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, numbers.Real):
            raise TypeError(f"{op}(): argument '{name}' must be Number, not {type(value).__name__}")


def _steps(steps, op: str) -> int:
    if not isinstance(steps, numbers.Integral) or isinstance(steps, bool):
        raise TypeError(f"{op}(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError(f"{op}(): number of steps must be non-negative, got {steps}")
    check_shape((int(steps),), op, 8)
    return int(steps)


@profiled("aten::linspace")
def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """`steps` evenly spaced values from `start` to `end`, computed as PyTorch does (from the start for
    the first half, from the end for the second) in the target dtype, or for integer dtypes in float64
    from the bounds converted to the dtype and then truncated, so values match bit for bit."""
    dtype = _dtype.parse(dtype, "linspace")
    _check_bounds(start, end, "linspace")
    steps = _steps(steps, "linspace")
    dt = dtype or _dtype.get_default_dtype()
    d = place(device, dt, "linspace")
    k = d.kernels
    if steps <= 1:  # PyTorch checks no bound for no step, and lets one float16 step round to inf
        value = 0 if not steps else half_source(float(start), dt.numpy) if dt is _dtype.float16 else \
            checked_scalar(start, dt, "linspace")
        return _finish(k.full((steps,), value, dt), dt, d, requires_grad, "linspace")
    lo, hi = _endpoints(start, end, dt, "linspace")
    if dt.is_floating_point:  # the step in the dtype's own arithmetic (float32 for float32), as PyTorch
        with np.errstate(all="ignore"):  # infinite bounds: a NaN step, silently
            step = float((hi - lo) / dt.numpy.type(steps - 1))
        data = _ramp(k, lo, hi, steps, step, dt)
    else:
        data = k.astype(_ramp(k, lo, hi, steps, (hi - lo) / (steps - 1), _dtype.float64), dt)
    return _finish(data, dt, d, requires_grad, "linspace")


@profiled("aten::logspace")
def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """`steps` values from ``base ** start`` to ``base ** end``, evenly spaced on a log scale. As in
    PyTorch, the bounds are converted to the dtype, the exponents and powers computed in float64."""
    dtype = _dtype.parse(dtype, "logspace")
    _check_bounds(start, end, "logspace")
    steps = _steps(steps, "logspace")
    dt = dtype or _dtype.get_default_dtype()
    d = place(device, dt, "logspace")
    k = d.kernels
    wide = _dtype.float64 if "float64" in d.device_type.dtypes else _dtype.float32
    if steps <= 1:
        exponents = k.full((steps,), float(checked_scalar(start, dt, "logspace")), wide)
    else:
        lo, hi = _endpoints(start, end, dt, "logspace")
        exponents = _ramp(k, lo, hi, steps, float(hi - lo) / (steps - 1), wide)
    data = k.pow(float(base), exponents)
    return _finish(data if wide is dt else k.astype(data, dt), dt, d, requires_grad, "logspace")


def _endpoints(start, end, dt, op: str):
    """linspace's and logspace's bounds converted to `dt` (numpy scalars of a float dtype, truncated ints)."""
    if dt is _dtype.bool_:
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for 'Bool' (in {op})")
    start, end = checked_scalar(start, dt, op), checked_scalar(end, dt, op)
    if dt.is_floating_point:
        typed: Any = dt.numpy.type
        return typed(start), typed(end)
    return int(start), int(end)


def _ramp(k, lo, hi, steps: int, step: float, dt):
    """PyTorch's evenly spaced values in `dt`: ``lo + i * step`` for the first half, ``hi - (steps - 1 -
    i) * step`` for the second, so both ends are exact."""
    index = k.arange(0, steps, 1, dt)
    from_start = k.add(k.mul(index, step), float(lo))
    from_end = k.sub(float(hi), k.mul(k.sub(float(steps - 1), index), step))
    return k.where(k.lt(index, float(steps // 2)), from_start, from_end)


@profiled("aten::eye")
def eye(n, m=None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """An n x m matrix with ones on the diagonal."""
    for name, value in (("n", n), ("m", m)):
        if value is not None and (not isinstance(value, numbers.Integral) or isinstance(value, bool)):
            raise TypeError(f"eye(): argument '{name}' must be int, not {type(value).__name__}")
        if value is not None and value < 0:
            raise RuntimeError(f"eye(): {name} must be greater or equal to 0, got {value}")
    m = n if m is None else m
    dtype = _dtype.parse(dtype, "eye")
    dt = dtype or _dtype.get_default_dtype()
    check_shape((int(n), int(m)), "eye", dt.itemsize)
    d = place(device, dt, "eye")
    k = d.kernels
    data = k.full((n, m), 0, dt)
    diagonal = k.arange(0, min(n, m), 1, _dtype.int64)
    k.index_put_(data, (diagonal, diagonal), 1, False)
    return _finish(data, dt, d, requires_grad, "eye")
