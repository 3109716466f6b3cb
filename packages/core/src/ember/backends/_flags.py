"""A namespace of boolean switches that refuses unknown names and non-bool values, as PyTorch's
``torch.backends.cuda.matmul`` (a cuBLASModule) and ``torch.backends.cudnn`` do."""
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
        if name not in self._names:
            raise AttributeError(f"Unknown attribute {name}")
        if not isinstance(value, bool):
            raise RuntimeError(f"{self._setter_name} expects a bool, but got {type(value).__name__}")
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:  # only reached for names never set
        raise AttributeError(f"Unknown attribute {name}")
