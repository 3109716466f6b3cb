"""PyTorch's public type queries: promote_types, result_type, can_cast, iinfo and finfo."""
from __future__ import annotations

import numbers

import numpy as np

from . import _dtype
from ._tensor import Tensor


def _check(value, op: str, param: str, position: int) -> _dtype.dtype:
    if not isinstance(value, _dtype.dtype):
        raise TypeError(f"{op}(): argument '{param}' (position {position}) must be ember.dtype, not "
                        f"{type(value).__name__}")
    return value


def promote_types(type1, type2) -> _dtype.dtype:
    """The dtype two tensors of these dtypes compute in (``promote_types(uint8, int8)`` is int16)."""
    a, b = _check(type1, "promote_types", "type1", 1), _check(type2, "promote_types", "type2", 2)
    return _dtype.promote(a, _dtype.DIMENSIONED, b, _dtype.DIMENSIONED)


def _operand(value) -> tuple:
    """(dtype, promotion rank) of a tensor or a Python number."""
    if isinstance(value, Tensor):
        return value._dtype, _dtype.DIMENSIONED if value._data.shape else _dtype.ZERO_DIM
    return _dtype.scalar_dtype(value), _dtype.SCALAR


def result_type(tensor, other) -> _dtype.dtype:
    """The dtype a binary op on these operands (tensors or Python numbers) gives, by PyTorch's promotion."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in (tensor, other)):
        raise TypeError(f"result_type() received an invalid combination of arguments - got "
                        f"({type(tensor).__name__}, {type(other).__name__}), but expected tensors or numbers")
    return _dtype.promote(*_operand(tensor), *_operand(other))


def can_cast(from_, to) -> bool:
    """Whether PyTorch's casting rules allow `from_` into `to`: never to a lower category (float to an
    integer, an integer to bool); narrowing within one is allowed."""
    return _dtype.can_cast(_check(from_, "can_cast", "from_", 1), _check(to, "can_cast", "to", 2))


class iinfo:  # noqa: N801 - PyTorch's name
    """The limits of an integer dtype: ``bits``, ``min``, ``max`` and ``dtype`` (its name)."""

    __slots__ = ("bits", "min", "max", "dtype")

    def __init__(self, type) -> None:  # noqa: A002 - PyTorch's parameter name
        dt = _check(type, "iinfo", "type", 1)
        if dt.is_floating_point:
            raise TypeError(f"ember.iinfo() requires an integer input type. Use ember.finfo to handle '{dt!r}'")
        if dt is _dtype.bool_:
            raise TypeError("ember.bool is not supported by ember.iinfo")
        info = np.iinfo(dt.numpy)
        self.bits, self.min, self.max, self.dtype = info.bits, int(info.min), int(info.max), dt.name

    def __eq__(self, other) -> bool:
        return isinstance(other, iinfo) and self.dtype == other.dtype

    __hash__ = None  # type: ignore[assignment]  # unhashable, as PyTorch's

    def __repr__(self) -> str:
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"  # PyTorch's %g


class finfo:  # noqa: N801 - PyTorch's name
    """The limits of a floating dtype (the default dtype's when none is given): ``bits``, ``eps`` (the gap
    from 1 to the next value), ``max``, ``min``, ``tiny`` and ``smallest_normal`` (the smallest positive normal
    number), ``resolution`` (10 ** -decimal digits of precision) and ``dtype`` (its name)."""

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type=None) -> None:  # noqa: A002 - PyTorch's parameter name
        dt = _dtype.get_default_dtype() if type is None else _check(type, "finfo", "type", 1)
        if not dt.is_floating_point:
            raise TypeError("ember.finfo() requires a floating point input type. Use ember.iinfo to handle "
                            "'ember.finfo'")
        info = np.finfo(dt.numpy)
        self.bits, self.dtype = info.bits, dt.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)

    def __eq__(self, other) -> bool:
        return isinstance(other, finfo) and self.dtype == other.dtype

    __hash__ = None  # type: ignore[assignment]  # unhashable, as PyTorch's

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")
