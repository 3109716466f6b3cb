"""PyTorch's warn-always flag: warnings PyTorch gives once per process (TORCH_WARN_ONCE) are given every time
while it is set, as ``torch.set_warn_always(True)``."""
from __future__ import annotations

import warnings

_state = {"always": False}
_given: set[str] = set()


def set_warn_always(b: bool) -> None:
    """Give once-per-process warnings every time (True) or once (False, the default)."""
    _state["always"] = bool(b)


def is_warn_always_enabled() -> bool:
    """Whether once-per-process warnings are given every time."""
    return _state["always"]


def warn_once(message: str, category: type[Warning] = UserWarning, stacklevel: int = 2) -> None:
    """Warn with `message` the first time it is given in this process, or every time under warn-always."""
    if _state["always"] or message not in _given:
        _given.add(message)
        warnings.warn(message, category, stacklevel=stacklevel + 1)
