"""Anomaly detection: remember each node's forward stack and fail on NaN gradients, naming the op."""
from __future__ import annotations

from .grad_mode import _DecoratorContextManager
from .node import _anomaly


def is_anomaly_enabled() -> bool:
    return _anomaly.enabled


class detect_anomaly(_DecoratorContextManager):
    """Within this context, a backward that produces NaN raises, naming the node and forward stack."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = _anomaly.enabled
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self.prev = _anomaly.enabled
        _anomaly.enabled = self.check_nan

    def __exit__(self, *exc) -> None:
        _anomaly.enabled = self.prev


class set_detect_anomaly(_DecoratorContextManager):
    """Turn anomaly detection on or off (at once; as a context manager, restored on exit)."""

    _bare_decorator_ok = False

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = _anomaly.enabled
        self.mode = mode and check_nan
        _anomaly.enabled = self.mode

    def __enter__(self) -> None:
        _anomaly.enabled = self.mode

    def __exit__(self, *exc) -> None:
        _anomaly.enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)
