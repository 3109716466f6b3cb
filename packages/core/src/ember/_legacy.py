"""PyTorch's legacy typed constructors, ``FloatTensor(2, 3)`` or ``LongTensor([1, 2])``, which are also
classes to test a tensor's dtype with: ``isinstance(t, ember.FloatTensor)``."""
from __future__ import annotations

from . import _dtype
from ._tensor import Tensor


class _TypedTensorMeta(type):
    """The class of the typed constructors: calling one builds a CPU Tensor of its dtype (they are not
    Tensor subclasses, as in PyTorch); isinstance checks a CPU tensor's dtype."""

    _dtype: _dtype.dtype

    def __call__(cls, *args, device=None):
        from ._ops.creation import legacy_new

        return legacy_new(Tensor, args, device, cls._dtype)

    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor) and instance._dtype is cls._dtype and instance._device.type == "cpu"


def _typed(name: str):
    dt = _dtype.BY_NAME[name]
    return _TypedTensorMeta(_dtype.LEGACY_NAMES[name], (), {"_dtype": dt, "__module__": "ember", "__doc__":
                            f"``{_dtype.LEGACY_NAMES[name]}(*sizes)`` or ``(data)``: a CPU tensor of {dt!r}."})


FloatTensor = _typed("float32")
DoubleTensor = _typed("float64")
HalfTensor = _typed("float16")
LongTensor = _typed("int64")
IntTensor = _typed("int32")
BoolTensor = _typed("bool")
ByteTensor = _typed("uint8")
CharTensor = _typed("int8")
ShortTensor = _typed("int16")
