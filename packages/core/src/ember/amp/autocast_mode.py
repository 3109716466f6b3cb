"""``ember.amp.autocast``: regions where listed ops run in a lower precision dtype (PyTorch's torch.amp), their
thread-local state functions, and `custom_fwd`/`custom_bwd` for autograd.Function under autocast.

ember has no bfloat16, PyTorch's default CPU autocast dtype: ``get_autocast_dtype('cpu')`` is None in its
place, and an autocast region for a dtype the device type does not support (bfloat16 among them) warns and
runs disabled, as PyTorch does for any unsupported dtype. Pass ``dtype=ember.float16`` on the CPU.
"""
from __future__ import annotations

import functools
import warnings
from typing import Any, Literal

from .. import _autocast, _dtype
from .._device import device as _device
from .._tensor import Tensor

# The dtypes each device type's autocast takes (PyTorch's: bfloat16 and float16, less what ember lacks).
SUPPORTED_DTYPES = {"cpu": (_dtype.float16,), "cuda": (_dtype.float16,), "opencl": (_dtype.float16,)}


def _device_type(device_type, caller: str) -> str:
    """`device_type`, checked as PyTorch parses it: a device type name ember knows, one autocast supports."""
    if not isinstance(device_type, str):
        raise TypeError(f"{caller}(): argument 'device_type' (position 1) must be str, not "
                        f"{type(device_type).__name__}")
    _device(device_type)  # PyTorch's error for a name that is no device type
    if device_type not in _autocast.DEVICE_TYPES:
        raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
    return device_type


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast supports `device_type` ('cpu', 'cuda', 'opencl'), installed or not."""
    _device(device_type)
    return device_type in _autocast.DEVICE_TYPES


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for `device_type` in this thread (without one: for cuda, as PyTorch's)."""
    if device_type is None:
        return _autocast.state.enabled["cuda"]
    return _autocast.state.enabled[_device_type(device_type, "is_autocast_enabled")]


def set_autocast_enabled(device_type: str, enabled: bool) -> None:
    """Turn autocast on or off for `device_type` in this thread."""
    device_type = _device_type(device_type, "set_autocast_enabled")
    if not isinstance(enabled, bool):
        raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position 2) must be bool, not "
                        f"{type(enabled).__name__}")
    _autocast.set_enabled(device_type, enabled)


def get_autocast_dtype(device_type: str):
    """The dtype `device_type`'s autocast casts to in this thread (None for PyTorch's CPU bfloat16)."""
    return _autocast.state.dtypes[_device_type(device_type, "get_autocast_dtype")]


def set_autocast_dtype(device_type: str, dtype) -> None:
    """Set the dtype `device_type`'s autocast casts to in this thread."""
    device_type = _device_type(device_type, "set_autocast_dtype")
    if not isinstance(dtype, _dtype.dtype):
        raise TypeError(f"set_autocast_dtype(): argument 'dtype' (position 2) must be torch.dtype, not "
                        f"{type(dtype).__name__}")
    _autocast.state.dtypes[device_type] = dtype


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"torch.{old}() is deprecated. Please use torch.{new} instead.", DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled() -> bool:
    """Deprecated: ``is_autocast_enabled('cpu')``."""
    _deprecated("is_autocast_cpu_enabled", "is_autocast_enabled('cpu')")
    return _autocast.state.enabled["cpu"]


def get_autocast_cpu_dtype():
    """Deprecated: ``get_autocast_dtype('cpu')``."""
    _deprecated("get_autocast_cpu_dtype", "get_autocast_dtype('cpu')")
    return _autocast.state.dtypes["cpu"]


def get_autocast_gpu_dtype():
    """Deprecated: ``get_autocast_dtype('cuda')``."""
    _deprecated("get_autocast_gpu_dtype", "get_autocast_dtype('cuda')")
    return _autocast.state.dtypes["cuda"]


def is_autocast_cache_enabled() -> bool:
    """Whether autocast regions cache their casts of leaf weights in this thread."""
    return _autocast.state.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    _autocast.state.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """Drop this thread's cached weight casts (the outermost region's exit does)."""
    _autocast.clear_cache()


def autocast_increment_nesting() -> int:
    _autocast.state.nesting += 1
    return _autocast.state.nesting


def autocast_decrement_nesting() -> int:
    _autocast.state.nesting -= 1
    return _autocast.state.nesting


def _unsupported(device_type: str, dtype) -> str | None:
    """PyTorch's warning when `device_type`'s autocast cannot run in `dtype`, else None."""
    if device_type == "cuda":
        from .. import cuda
        return None if cuda.is_available() else "CUDA is not available or torch_xla is imported. Disabling autocast."
    if dtype in SUPPORTED_DTYPES[device_type]:
        return None
    name = device_type.upper()
    supported = ", ".join(str(d) for d in SUPPORTED_DTYPES[device_type])
    return (f"In {name} autocast, but the target dtype is not supported. Disabling autocast.\n"
            f"{name} Autocast only supports dtypes of {supported} currently.")


class autocast:
    """A region (``with``) or a function (decorator) where `device_type`'s listed ops run in `dtype` (default
    ``get_autocast_dtype(device_type)``: float16 for cuda and opencl, PyTorch's bfloat16 for the CPU, which
    ember lacks, so the CPU needs ``dtype=ember.float16``). Regions nest, ``enabled=False`` turns autocast off
    inside one, and the state is thread-local. `cache_enabled` (default ``is_autocast_cache_enabled()``)
    casts each float32 leaf weight once per outermost region."""

    def __init__(self, device_type: str, dtype=None, enabled: bool = True, cache_enabled: bool | None = None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = _device_type(device_type, "autocast")
        self.fast_dtype = _autocast.state.dtypes[device_type] if dtype is None else dtype
        self._cache_enabled = _autocast.state.cache_enabled if cache_enabled is None else cache_enabled
        if enabled:
            problem = _unsupported(device_type, self.fast_dtype)
            if problem is not None:
                warnings.warn(problem, stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        state = _autocast.state
        self.prev_cache_enabled = state.cache_enabled
        self.prev = state.enabled[self.device]
        self.prev_fastdtype = state.dtypes[self.device]
        _autocast.set_enabled(self.device, self._enabled)
        state.dtypes[self.device] = self.fast_dtype
        state.nesting += 1
        state.cache_enabled = self._cache_enabled
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> Literal[False]:
        state = _autocast.state
        state.nesting -= 1
        if state.nesting == 0:  # the outermost region drops its weight casts
            _autocast.clear_cache()
        _autocast.set_enabled(self.device, self.prev)
        state.dtypes[self.device] = self.prev_fastdtype
        state.cache_enabled = self.prev_cache_enabled
        return False

    def _clone(self) -> autocast:
        clone = object.__new__(autocast)
        clone.device, clone.fast_dtype = self.device, self.fast_dtype
        clone._enabled, clone._cache_enabled = self._enabled, self._cache_enabled
        return clone

    def __call__(self, func):
        if not callable(func):
            raise TypeError(f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                            f"Did you mean to use autocast as a context manager? For example:\n"
                            f"    with torch.autocast(device_type=...):\n"
                            f"        output = model(input)")

        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self._clone():  # a region per call, so recursive and concurrent calls keep their own state
                return func(*args, **kwargs)
        return decorate_autocast


def _cast(value, device_type: str, dtype):
    """`value` with its floating tensors on `device_type` (float64 aside) cast to `dtype`, through lists,
    tuples and dicts (custom_fwd's `cast_inputs`)."""
    if isinstance(value, Tensor):
        eligible = value.is_floating_point() and value.device.type == device_type and value.dtype is not _dtype.float64
        return value.to(dtype) if eligible else value
    if isinstance(value, dict):
        return {key: _cast(item, device_type, dtype) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(item, device_type, dtype) for item in value)
    return value


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    """Decorate an autograd.Function's ``forward``: with `cast_inputs`, inside an autocast region it runs with
    autocast off on its inputs cast to `cast_inputs`; without, it runs under the region as it is. Its
    backward (`custom_bwd`) then runs under the same autocast state."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        ctx = args[0]
        ctx._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            ctx._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        ctx._fwd_used_autocast = False
        if not is_autocast_enabled(device_type):
            return fwd(*args, **kwargs)
        with autocast(device_type=device_type, enabled=False):
            return fwd(*_cast(args, device_type, cast_inputs), **_cast(kwargs, device_type, cast_inputs))
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type: str):
    """Decorate an autograd.Function's ``backward`` to run under the autocast state its `custom_fwd`
    forward ran in."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        ctx = args[0]
        with autocast(device_type=device_type, enabled=ctx._fwd_used_autocast, dtype=ctx._dtype):
            return bwd(*args, **kwargs)
    return decorate_bwd




def device_autocast(device_type: str, default_dtype) -> type:
    """``ember.<device_type>.amp.autocast``: `autocast` for `device_type` with PyTorch's signature there and its
    deprecation FutureWarning."""
    class DeviceAutocast(autocast):
        __doc__ = f"Deprecated: ``ember.amp.autocast('{device_type}', ...)`` (PyTorch's FutureWarning)."

        def __init__(self, enabled: bool = True, dtype=default_dtype, cache_enabled: bool = True) -> None:
            warnings.warn(f"`torch.{device_type}.amp.autocast(args...)` is deprecated. Please use "
                          f"`torch.amp.autocast('{device_type}', args...)` instead.", FutureWarning, stacklevel=2)
            super().__init__(device_type, enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)
    DeviceAutocast.__name__ = DeviceAutocast.__qualname__ = "autocast"
    DeviceAutocast.__module__ = f"ember.{device_type}.amp"
    return DeviceAutocast
