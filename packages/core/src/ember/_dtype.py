"""Tensor element types and PyTorch's type-promotion rules."""
from __future__ import annotations

import numpy as np


class dtype:
    """An element type: a name, its numpy equivalent, and its promotion category."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed", "itemsize", "_category")
    name: str
    numpy: np.dtype
    is_floating_point: bool
    is_signed: bool
    itemsize: int
    is_complex = False  # ember has no complex dtypes

    def __init__(self, name: str, numpy_dtype: type, category: int) -> None:
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = category == FLOAT
        self.is_signed = self.numpy.kind in "if"
        self.itemsize = self.numpy.itemsize
        self._category = category

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __reduce__(self) -> str:
        return self.name


BOOL, INT, FLOAT = 0, 1, 2

bool_ = dtype("bool", np.bool_, BOOL)
uint8 = dtype("uint8", np.uint8, INT)
int8 = dtype("int8", np.int8, INT)
int16 = dtype("int16", np.int16, INT)
int32 = dtype("int32", np.int32, INT)
int64 = dtype("int64", np.int64, INT)
float16 = dtype("float16", np.float16, FLOAT)
float32 = dtype("float32", np.float32, FLOAT)
float64 = dtype("float64", np.float64, FLOAT)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
BY_NAME = {d.name: d for d in ALL}
# The bool and integer dtypes, by name: the ones float-only ops refuse.
EXACT_NAMES = tuple(d.name for d in ALL if not d.is_floating_point)
_BY_NUMPY = {d.numpy: d for d in ALL}
# The legacy tensor type names PyTorch prints in autograd errors ("[torch.FloatTensor [3]]").
LEGACY_NAMES = {"bool": "BoolTensor", "uint8": "ByteTensor", "int8": "CharTensor", "int16": "ShortTensor",
                "int32": "IntTensor", "int64": "LongTensor", "float16": "HalfTensor", "float32": "FloatTensor",
                "float64": "DoubleTensor"}
# PyTorch's scalar-type names ("Float", "Byte"), as its error messages use them, and the C++ type names its
# TensorOptions and matmul errors print ("float", "unsigned char").
TYPE_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
              "float16": "Half", "float32": "Float", "float64": "Double"}
C_NAMES = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int", "int32": "int",
           "int64": "long int", "float16": "c10::Half", "float32": "float", "float64": "double"}

_default_float = [float32]

# The Python types PyTorch takes as dtypes: ``dtype=int`` is int64, ``dtype=float`` float64 (complex has
# no ember dtype: it gets a clear error rather than "must be ember.dtype").
PYTHON_TYPES = {bool: bool_, int: int64, float: float64, complex: None}


def names_dtype(value) -> bool:
    """Whether `value` is a dtype or a Python type standing for one (so `to(float)` casts)."""
    return isinstance(value, dtype) or (isinstance(value, type) and value in PYTHON_TYPES)


def parse(value, op: str):
    """The dtype a ``dtype=`` argument names: an ember dtype, None, or bool/int/float as in PyTorch."""
    if value is None or isinstance(value, dtype):
        return value
    if not names_dtype(value):
        raise TypeError(f"{op}(): argument 'dtype' must be ember.dtype, not {type(value).__name__}")
    if PYTHON_TYPES[value] is None:
        raise TypeError(f"{op}(): ember has no {value.__name__} dtype (it has {', '.join(d.name for d in ALL)})")
    return PYTHON_TYPES[value]


def get_default_dtype() -> dtype:
    """The dtype of floating tensors made from Python floats (float32 unless changed)."""
    return _default_float[0]


def set_default_dtype(d: dtype) -> None:
    """Change the default floating dtype, as torch.set_default_dtype does."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d!r}")
    _default_float[0] = d
    _PROMOTIONS.clear()


def from_numpy(np_dtype: np.dtype) -> dtype:
    """The ember dtype of a numpy dtype; a TypeError names the ones ember supports."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        supported = ", ".join(d.name for d in ALL)
        raise TypeError(f"can't convert numpy array of type {np.dtype(np_dtype)}: ember supports "
                        f"only {supported}") from None


# Operand priorities in promotion: a tensor with dimensions outranks a 0-d tensor, which outranks a
# Python scalar; a lower-ranked operand only matters when its category (bool < int < float) is higher.
DIMENSIONED, ZERO_DIM, SCALAR = 2, 1, 0
_PROMOTIONS: dict = {}


def _numpy_promote(a: dtype, b: dtype) -> dtype:
    return _BY_NUMPY[np.promote_types(a.numpy, b.numpy)]


def scalar_dtype(value: object) -> dtype:
    """The dtype a Python scalar takes part in promotion with."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _default_float[0]
    raise TypeError(f"expected a Tensor or a Python number, got {type(value).__name__}")


def promote(a: dtype, a_rank: int, b: dtype, b_rank: int) -> dtype:
    """The result dtype of a binary op, following PyTorch's rules (cached per combination)."""
    key = (a, a_rank, b, b_rank)
    result = _PROMOTIONS.get(key)
    if result is None:
        result = _PROMOTIONS[key] = promote_many(((a, a_rank), (b, b_rank)))
    return result


def promote_many(operands) -> dtype:
    """The result dtype of an op over ``(dtype, rank)`` operands (two for `promote`, three for addcmul's tensors):
    the highest category wins, then the highest rank within it, then numpy's promotion of those dtypes."""
    category = max(d._category for d, _ in operands)
    rank = max(r for d, r in operands if d._category == category)
    winners = [d for d, r in operands if d._category == category and r == rank]
    result = winners[0]
    for other in winners[1:]:
        result = _numpy_promote(result, other)
    return _default_float[0] if rank == SCALAR and category == FLOAT else result


def can_cast(source: dtype, target: dtype) -> bool:
    """Whether an in-place result of `source` may be written into `target` (no category demotion)."""
    return source._category <= target._category
