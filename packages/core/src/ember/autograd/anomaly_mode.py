"""Anomaly detection: remember each node's forward stack and fail on NaN gradients, naming the op."""
from __future__ import annotations

from .grad_mode import _DecoratorContextManager
from .node import _anomaly


def is_anomaly_enabled() -> bool:
    return _anomaly.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _anomaly.check_nan


class _AnomalyMode(_DecoratorContextManager):
    """Sets anomaly mode (and its NaN check) while active, restoring the previous state on exit."""

    def __init__(self, mode: bool, check_nan: bool) -> None:
        self.prev = (_anomaly.enabled, _anomaly.check_nan)
        self.mode, self.check_nan = bool(mode), bool(mode and check_nan)

    def __enter__(self) -> None:
        self.prev = (_anomaly.enabled, _anomaly.check_nan)
        _anomaly.enabled, _anomaly.check_nan = self.mode, self.check_nan

    def __exit__(self, *exc) -> None:
        _anomaly.enabled, _anomaly.check_nan = self.prev


class detect_anomaly(_AnomalyMode):
    """Within this context, nodes remember their forward stack, and a backward that produces NaN raises
    (unless `check_nan` is False), naming the node and that stack."""

    def __init__(self, check_nan: bool = True) -> None:
        super().__init__(True, check_nan)

    def clone(self):
        return self.__class__(self.check_nan)


class set_detect_anomaly(_AnomalyMode):
    """Turn anomaly detection on or off (at once; as a context manager, restored on exit)."""

    _bare_decorator_ok = False

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        super().__init__(mode, check_nan)
        _anomaly.enabled, _anomaly.check_nan = self.mode, self.check_nan

    def __enter__(self) -> None:
        pass  # already set by the constructor, which kept the state to restore

    def clone(self):
        return self.__class__(self.mode, self.check_nan)
