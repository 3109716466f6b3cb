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


def typename(obj) -> str:
    """PyTorch's name of `obj`'s type: a tensor's legacy type (``torch.FloatTensor`` here ``ember.FloatTensor``),
    otherwise the module-qualified name of the object (a class, a function) or of its class."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = type(obj).__module__ or ""
        qualname = type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def set_default_tensor_type(t) -> None:
    """Deprecated, as PyTorch's: make the floating dtype of a legacy type (``ember.DoubleTensor`` or its name
    ``"torch.DoubleTensor"``) the default dtype."""
    from ._warn_always import warn_once

    warn_once("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
              "torch.set_default_dtype() and torch.set_default_device() as alternatives.")
    if isinstance(t, str):
        name = t.rsplit(".", 1)[-1]
        legacy = {v: k for k, v in _dtype.LEGACY_NAMES.items()}
        if not t.startswith(("torch.", "ember.")) or name not in legacy:
            raise TypeError(f"invalid type: '{t}'")
        dt = _dtype.BY_NAME[legacy[name]]
    elif isinstance(t, _TypedTensorMeta):
        dt = t._dtype
    else:
        raise TypeError("invalid type object: only floating-point types are supported as the default type")
    if not dt.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtype.set_default_dtype(dt)
