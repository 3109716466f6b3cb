"""A namespace of boolean switches that refuses unknown names and non-bool values, as PyTorch's
``torch.backends.cuda.matmul`` (a cuBLASModule) and ``torch.backends.cudnn`` do. The setter's name in the
refusal may hold ``{name}``, the switch's ("set_{name}_cudnn" names "set_benchmark_cudnn")."""
from __future__ import annotations

from typing import Any


class Flags:
    """Boolean attributes named at construction; a backend kernel reads one as a plain attribute."""

    def __init__(self, setter_name: str, **defaults: bool) -> None:
        object.__setattr__(self, "_setter_name", setter_name)
        object.__setattr__(self, "_names", frozenset(defaults))
        for name, value in defaults.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        self._check(name, value)
        object.__setattr__(self, name, value)

    def update(self, **values: bool) -> dict[str, bool]:
        """Set several switches at once, all checked before any changes; returns their previous values."""
        for name, value in values.items():
            self._check(name, value)
        previous = {name: getattr(self, name) for name in values}
        for name, value in values.items():
            object.__setattr__(self, name, value)
        return previous

    def _check(self, name: str, value: Any) -> None:
        if name not in self._names:
            raise AttributeError(f"Unknown attribute {name}")
        if not isinstance(value, bool):
            setter = self._setter_name.format(name=name)
            raise RuntimeError(f"{setter} expects a bool, but got {type(value).__name__}")

    def __getattr__(self, name: str) -> Any:  # only reached for names never set
        raise AttributeError(f"Unknown attribute {name}")
