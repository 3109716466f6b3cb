"""Factories: tensors from data, numpy, constants, ranges and random numbers; per-device generators."""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .. import _dtype
from .._device import resolve
from .._size import Size
from .._tensor import Tensor
from .dispatch import profiled

DEFAULT_SEED = 67280421310721  # PyTorch's default CPU seed: unseeded runs are reproducible, as there


def _check_dtype(dtype, op: str):
    if dtype is not None and not isinstance(dtype, _dtype.dtype):
        raise TypeError(f"{op}(): argument 'dtype' must be ember.dtype, not {type(dtype).__name__}")
    return dtype


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


def parse_size(size, op: str) -> tuple:
    """A shape from ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(Size)``, checked to be ints >= 0."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    for i, s in enumerate(size):
        if isinstance(s, Tensor) and s.numel() == 1 and not s._dtype.is_floating_point:
            continue
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise TypeError(f"{op}(): argument 'size' (position 1) must be tuple of ints, but found element "
                            f"of type {type(s).__name__} at pos {i}")
    shape = tuple(int(s) for s in size)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"{op}(): Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


# ----- from data -----------------------------------------------------------------------------------
def _infer_array(data, dtype, op: str):
    """A fresh numpy array of `data` in the dtype PyTorch infers (floats → default float dtype)."""
    if isinstance(data, Tensor):
        array = data.detach()._host()
        inferred = data._dtype
    elif isinstance(data, np.ndarray):
        array = data
        inferred = _dtype.from_numpy(data.dtype)
    elif isinstance(data, (str, bytes)) or data is None:
        raise TypeError(f"{op}(): new(): invalid data type '{type(data).__name__}'")
    else:
        try:
            array = np.array(data)
        except ValueError as error:
            raise ValueError(f"{op}(): ragged nested sequence: {error}") from None
        if array.dtype == object or array.dtype.kind in "USV":
            raise TypeError(f"{op}(): new(): invalid data type '{array.dtype}'")
        kind = array.dtype.kind
        if kind == "f":
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
    return np.array(array, dtype=target.numpy, copy=True, order="C"), target


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A new tensor holding a copy of `data` (nested sequences, numbers, numpy arrays, tensors)."""
    _check_dtype(dtype, "tensor")
    array, dt = _infer_array(data, dtype, "tensor")
    d = place(device, dt, "tensor")
    return _finish(d.kernels.from_numpy(array), dt, d, requires_grad, "tensor")


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """`data` as a tensor, sharing memory when it already is one (or a CPU numpy array) of that dtype."""
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
    dt = _dtype.from_numpy(array.dtype)
    d = resolve("cpu")
    return Tensor._make(d.kernels.from_numpy(array), dt, d)


def scalar_tensor(value, device=None, dtype=None) -> Tensor:
    """A 0-d tensor holding a Python number."""
    dt = dtype or _dtype.scalar_dtype(value)
    d = place(device, dt, "scalar_tensor")
    return Tensor._make(d.kernels.full((), value, dt), dt, d)


def legacy_new(cls, args, device) -> Tensor:
    """``Tensor(5, 3)``: uninitialised float32; ``Tensor(data)``: float32 copy of data."""
    dt = _dtype.get_default_dtype()
    if len(args) == 1 and not isinstance(args[0], (numbers.Integral, Size)):
        array, _ = _infer_array(args[0], dt, "Tensor")
        d = place(device, dt, "Tensor")
        result = Tensor._make(d.kernels.from_numpy(array), dt, d)
    else:
        shape = parse_size(args, "Tensor")
        d = place(device, dt, "Tensor")
        result = Tensor._make(d.kernels.empty(shape, dt), dt, d)
    if cls is not Tensor:
        result.__class__ = cls
    return result


def _rebuild(array, dtype_name, device_str, requires_grad) -> Tensor:
    """Unpickle a tensor (see `Tensor.__reduce_ex__`)."""
    t = tensor(array, dtype=_dtype.BY_NAME[dtype_name], device=device_str)
    return t.requires_grad_(requires_grad) if requires_grad else t


# ----- constants ------------------------------------------------------------------------------------
def _constant(op: str, value_of):
    def factory(*size, dtype=None, device=None, requires_grad=False):
        _check_dtype(dtype, op)
        dt = dtype or _dtype.get_default_dtype()
        shape = parse_size(size, op)
        d = place(device, dt, op)
        data = d.kernels.empty(shape, dt) if value_of is None else d.kernels.full(shape, value_of, dt)
        return _finish(data, dt, d, requires_grad, op)
    factory.__name__ = factory.__qualname__ = op
    factory.__doc__ = f"A new tensor of the given size filled like torch.{op}."
    return profiled("aten::" + op)(factory)


zeros = _constant("zeros", 0)
ones = _constant("ones", 1)
empty = _constant("empty", None)


@profiled("aten::full")
def full(size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of `size` filled with `fill_value` (dtype inferred from it, as in PyTorch)."""
    _check_dtype(dtype, "full")
    dt = dtype or _dtype.scalar_dtype(fill_value)
    shape = parse_size((size,) if isinstance(size, numbers.Integral) else tuple(size), "full")
    d = place(device, dt, "full")
    return _finish(d.kernels.full(shape, fill_value, dt), dt, d, requires_grad, "full")


def _like(op: str, make):
    def factory(input, *, dtype=None, device=None, requires_grad=False):
        _check_dtype(dtype, op)
        dt = dtype or input._dtype
        d = place(device if device is not None else input._device, dt, op)
        return _finish(make(d, input._data.shape, dt), dt, d, requires_grad, op)
    factory.__name__ = factory.__qualname__ = op
    factory.__doc__ = f"Like torch.{op}: a new tensor with `input`'s shape, dtype and device."
    return factory


zeros_like = _like("zeros_like", lambda d, shape, dt: d.kernels.full(shape, 0, dt))
ones_like = _like("ones_like", lambda d, shape, dt: d.kernels.full(shape, 1, dt))
empty_like = _like("empty_like", lambda d, shape, dt: d.kernels.empty(shape, dt))
rand_like = _like("rand_like", lambda d, shape, dt: d.kernels.uniform(shape, 0.0, 1.0, dt, default_generator(d)))
randn_like = _like("randn_like", lambda d, shape, dt: d.kernels.normal(shape, 0.0, 1.0, dt, default_generator(d)))


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor with `input`'s shape, dtype and device, filled with `fill_value`."""
    dt = dtype or input._dtype
    d = place(device if device is not None else input._device, dt, "full_like")
    return _finish(d.kernels.full(input._data.shape, fill_value, dt), dt, d, requires_grad, "full_like")


# ----- random numbers ---------------------------------------------------------------------------------
_seed = [DEFAULT_SEED]
_generators: dict = {}


def default_generator(d) -> object:
    """The device's default generator (the backend's RNG state), made on first use from the seed."""
    gen = _generators.get(d)
    if gen is None:
        gen = _generators[d] = d.device_type.new_generator(_seed[0], d.index or 0)
    return gen


def manual_seed(seed: int):
    """Seed the default generators of every device; random factories are then reproducible."""
    if not isinstance(seed, numbers.Integral):
        raise TypeError(f"manual_seed expected an int, got {type(seed).__name__}")
    _seed[0] = int(seed) & 0xFFFF_FFFF_FFFF_FFFF
    _generators.clear()
    _host_generator.clear()
    return _seed[0]


_host_generator: list = []


def host_generator() -> np.random.Generator:
    """Core's own seeded generator, for draws made on the host (permutations)."""
    if not _host_generator:
        _host_generator.append(np.random.Generator(np.random.PCG64(_seed[0])))
    return _host_generator[0]


@profiled("aten::randperm")
def randperm(n, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A random permutation of 0..n-1. Drawn on the host from the seeded generator and moved to the
    device like `tensor(data)`: the kernel contract has no sort to draw it on the device."""
    if not isinstance(n, numbers.Integral) or n < 0:
        raise RuntimeError(f"randperm(): n must be a non-negative int, got {n!r}")
    dt = _check_dtype(dtype, "randperm") or _dtype.int64
    d = place(device, dt, "randperm")
    permutation = host_generator().permutation(int(n)).astype(dt.numpy)
    return _finish(d.kernels.from_numpy(permutation), dt, d, requires_grad, "randperm")


def initial_seed() -> int:
    """The seed the default generators were last seeded with."""
    return _seed[0]


def seed() -> int:
    """Seed the default generators non-deterministically; return that seed."""
    import secrets
    return manual_seed(secrets.randbits(63))


def _random(op: str, draw):
    def factory(*size, dtype=None, device=None, requires_grad=False):
        _check_dtype(dtype, op)
        dt = dtype or _dtype.get_default_dtype()
        if not dt.is_floating_point:
            raise RuntimeError(f"\"{op}\" not implemented for '{dt.name}': use randint for integers")
        shape = parse_size(size, op)
        d = place(device, dt, op)
        return _finish(draw(d, shape, dt), dt, d, requires_grad, op)
    factory.__name__ = factory.__qualname__ = op
    return profiled("aten::" + op)(factory)


rand = _random("rand", lambda d, shape, dt: d.kernels.uniform(shape, 0.0, 1.0, dt, default_generator(d)))
randn = _random("randn", lambda d, shape, dt: d.kernels.normal(shape, 0.0, 1.0, dt, default_generator(d)))
rand.__doc__ = "Uniform samples on [0, 1) of the given size, from the device's default generator."
randn.__doc__ = "Standard normal samples of the given size, from the device's default generator."


@profiled("aten::randint")
def randint(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Integers uniform on [low, high): ``randint(high, size)`` or ``randint(low, high, size)``."""
    if size is None:
        *bounds, size = args
    else:
        bounds = list(args)
    low, high = (0, bounds[0]) if len(bounds) == 1 else bounds
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dt = dtype or _dtype.int64
    shape = parse_size(tuple(size), "randint")
    d = place(device, dt, "randint")
    wide = _dtype.float64 if "float64" in d.device_type.dtypes else _dtype.float32
    k = d.kernels
    draws = k.uniform(shape, 0.0, float(high - low), wide, default_generator(d))
    # Non-negative draws truncate to their floor; the min() guards the open upper end against rounding.
    ints = k.astype(k.minimum(draws, float(high - low - 1)), _dtype.int64)
    data = k.add(ints, int(low))
    if dt is not _dtype.int64:
        data = k.astype(data, dt)
    return _finish(data, dt, d, requires_grad, "randint")


# ----- ranges -----------------------------------------------------------------------------------------
@profiled("aten::arange")
def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values from `start` to `end` (exclusive) by `step`; int64 unless any bound is a float."""
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = values
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and larger bound inconsistent with step sign (start={start}, "
                           f"end={end}, step={step})")
    _check_dtype(dtype, "arange")
    dt = dtype or (_dtype.get_default_dtype() if any(isinstance(v, float) for v in values) else _dtype.int64)
    d = place(device, dt, "arange")
    count = max(0, math.ceil((end - start) / step))
    k = d.kernels
    if dt.is_floating_point:
        # start + i * step in float64 (when the device has it), then cast: PyTorch's arithmetic.
        wide = _dtype.float64 if "float64" in d.device_type.dtypes else dt
        data = k.add(k.mul(k.arange(0, count, 1, wide), step), start)
        data = data if wide is dt else k.astype(data, dt)
    else:
        data = k.arange(start, start + count * step, step, dt)
    return _finish(data, dt, d, requires_grad, "arange")


@profiled("aten::linspace")
def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """`steps` evenly spaced values from `start` to `end`, computed as PyTorch does in the target dtype
    (from the start for the first half, from the end for the second), so values match bit for bit."""
    _check_dtype(dtype, "linspace")
    if not isinstance(steps, numbers.Integral) or steps < 0:
        raise RuntimeError(f"linspace(): number of steps must be non-negative, got {steps}")
    steps = int(steps)
    dt = dtype or _dtype.get_default_dtype()
    d = place(device, dt, "linspace")
    k = d.kernels
    if steps == 0:
        return _finish(k.empty((0,), dt), dt, d, requires_grad, "linspace")
    if steps == 1:
        return _finish(k.full((1,), start, dt), dt, d, requires_grad, "linspace")
    typed: Any = dt.numpy.type  # numpy scalars of the dtype: float32 arithmetic for float32, as PyTorch
    lo: Any = typed(start)
    hi: Any = typed(end)
    step = float((hi - lo) / typed(steps - 1))
    index = k.arange(0, steps, 1, dt)
    from_start = k.add(k.mul(index, step), float(lo))
    from_end = k.sub(float(hi), k.mul(k.sub(float(steps - 1), index), step))
    data = k.where(k.lt(index, float(steps // 2)), from_start, from_end)
    return _finish(data, dt, d, requires_grad, "linspace")


@profiled("aten::eye")
def eye(n, m=None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """An n x m matrix with ones on the diagonal."""
    m = n if m is None else m
    _check_dtype(dtype, "eye")
    dt = dtype or _dtype.get_default_dtype()
    d = place(device, dt, "eye")
    k = d.kernels
    data = k.full((n, m), 0, dt)
    diagonal = k.arange(0, min(n, m), 1, _dtype.int64)
    k.index_put_(data, (diagonal, diagonal), 1, False)
    return _finish(data, dt, d, requires_grad, "eye")
