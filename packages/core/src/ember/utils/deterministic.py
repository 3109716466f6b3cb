"""PyTorch's ``torch.utils.deterministic``: `fill_uninitialized_memory`, whether deterministic mode fills the
memory of empty tensors (NaN, the dtype's largest integer, True). A module attribute checked on assignment."""
from __future__ import annotations

import sys
import types

from .. import _deterministic


class _Deterministic(types.ModuleType):
    @property
    def fill_uninitialized_memory(self) -> bool:
        """Whether `ember.use_deterministic_algorithms(True)` fills uninitialised memory (default True)."""
        return _deterministic.state.fill_uninitialized_memory

    @fill_uninitialized_memory.setter
    def fill_uninitialized_memory(self, mode: bool) -> None:
        if mode.__class__ is not bool:
            raise RuntimeError(f"expected a bool, but got {type(mode).__name__}")
        _deterministic.state.fill_uninitialized_memory = mode


sys.modules[__name__].__class__ = _Deterministic
