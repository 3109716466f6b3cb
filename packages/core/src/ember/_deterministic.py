"""PyTorch's deterministic-algorithms switch: process-wide state (as PyTorch's global context) that kernels
with a faster, order-dependent path read (the cuda and opencl `index_put_(accumulate=True)`: atomic adds of
floats), that makes the empty factories fill their memory (`ember.utils.deterministic`), and that a cuBLAS
matmul checks the workspace setting against (`check_cublas_workspace`)."""
from __future__ import annotations

import builtins
import os
import warnings

import numpy as np


class _State:
    """``enabled`` and ``warn_only`` as last set (PyTorch keeps warn_only while the mode is off), and
    ``fill_uninitialized_memory``."""

    __slots__ = ("enabled", "warn_only", "fill_uninitialized_memory")

    def __init__(self) -> None:
        self.enabled = self.warn_only = False
        self.fill_uninitialized_memory = True


state = _State()


def use_deterministic_algorithms(mode: builtins.bool, *, warn_only: builtins.bool = False) -> None:
    """Make the ops that have a deterministic implementation use it and fill the memory of empty tensors; a
    cuBLAS matmul without a deterministic workspace setting then raises (warns with `warn_only`), as PyTorch's.
    Every other ember op has a deterministic implementation."""
    for name, value, where in (("mode", mode, " (position 1)"), ("warn_only", warn_only, "")):
        if value.__class__ is not builtins.bool:
            raise TypeError(f"_set_deterministic_algorithms(): argument '{name}'{where} must be bool, not "
                            f"{type(value).__name__}")
    state.enabled, state.warn_only = mode, warn_only


def are_deterministic_algorithms_enabled() -> builtins.bool:
    """Whether `use_deterministic_algorithms(True)` is in force."""
    return state.enabled


def is_deterministic_algorithms_warn_only_enabled() -> builtins.bool:
    """The `warn_only` last given to `use_deterministic_algorithms`."""
    return state.warn_only


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode: builtins.int | str) -> None:
    """`use_deterministic_algorithms` by level: "default"/0 off, "warn"/1 with warn_only, "error"/2 on."""
    if not isinstance(debug_mode, (builtins.int, str)):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> builtins.int:
    """0 when the deterministic mode is off, 1 when it only warns, 2 when it is on."""
    return 0 if not state.enabled else 1 if state.warn_only else 2


def fill_value(dt):
    """What deterministic mode fills an empty tensor of dtype `dt` with (PyTorch's: NaN, the largest integer,
    True), or None when the memory is left as it is."""
    if not (state.enabled and state.fill_uninitialized_memory):
        return None
    if dt.is_floating_point:
        return float("nan")
    return True if dt.numpy.kind == "b" else int(np.iinfo(dt.numpy).max)


_CUBLAS_WORKSPACES = (":16:8", ":4096:8")
_CUBLAS_ALERT = ("Deterministic behavior was enabled with `ember.use_deterministic_algorithms(True)`, but this "
                 "operation is not deterministic because it uses CuBLAS and you have CUDA >= 10.2. To enable "
                 "deterministic behavior in this case, you must set an environment variable before running your "
                 "application: CUBLAS_WORKSPACE_CONFIG=:4096:8 or CUBLAS_WORKSPACE_CONFIG=:16:8. For more "
                 "information, go to https://docs.nvidia.com/cuda/cublas/index.html#results-reproducibility")


def check_cublas_workspace() -> None:
    """PyTorch's alert for a cuBLAS call in deterministic mode (called by a backend whose matmul is cuBLAS):
    unless CUBLAS_WORKSPACE_CONFIG is one of the settings NVIDIA documents as reproducible, a RuntimeError, or
    with warn_only a UserWarning."""
    if not state.enabled or os.environ.get("CUBLAS_WORKSPACE_CONFIG") in _CUBLAS_WORKSPACES:
        return
    if state.warn_only:
        warnings.warn(_CUBLAS_ALERT, UserWarning, stacklevel=2)
    else:
        raise RuntimeError(_CUBLAS_ALERT)
