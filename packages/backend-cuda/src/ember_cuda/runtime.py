"""cupy, imported once and defensively: without it (or without a GPU) the plugin still loads and says why."""
from __future__ import annotations

import functools
from types import ModuleType

from . import forking

INSTALL_HINT = "cupy is not installed: pip install ember-cuda[cuda12] or [cuda13]"


@functools.cache
def cupy_or_reason() -> tuple[ModuleType | None, str | None]:
    """(cupy, None) when cupy imports and sees a GPU, else (cupy or None, why CUDA cannot be used)."""
    try:
        import cupy
    except ImportError:
        return None, INSTALL_HINT
    except Exception as error:  # a broken install: a missing CUDA library, a wrong wheel
        return None, f"cupy cannot be imported: {type(error).__name__}: {error}"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # no driver, a driver older than the runtime, no device
        return cupy, f"no usable CUDA device: {error}"
    if count == 0:
        return cupy, "no usable CUDA device: the CUDA runtime found 0 devices"
    forking.initialised()  # counting the devices initialised the driver, which a forked child cannot use
    return cupy, None


def unavailable_reason() -> str | None:
    """Why the cuda device type cannot be used on this machine, or None when it can."""
    return cupy_or_reason()[1]


def cupy() -> ModuleType:
    """cupy, on a machine where it works (callers check `unavailable_reason` first)."""
    module, why = cupy_or_reason()
    if module is None or why is not None:
        raise RuntimeError(why)
    return module
