"""``record_function``: a labelled block in the profile, as a context manager or a function decorator."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from ember import _profiling

_F = TypeVar("_F", bound=Callable[..., Any])


class record_function:
    """Record the enclosed code (or every call of the decorated function) as one event named ``name``.

    The label shows up in the profiler's table and trace only while a profiler runs; otherwise it costs
    one flag check. Ops run inside it are its children, so its self time is what they do not cover.
    """

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"record_function(): argument 'name' must be str, not {type(name).__name__}")
        self.name = name
        self._event: _profiling.Event | None = None

    def __enter__(self) -> record_function:
        if _profiling.enabled:
            self._event = _profiling.record(self.name, user_annotation=True)
            self._event.__enter__()
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if self._event is not None:
            self._event.__exit__(exc_type, exc, traceback)
            self._event = None

    def __call__(self, func: _F) -> _F:
        name = self.name

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # A fresh label per call, so recursive and concurrent calls each get their own event.
            with record_function(name):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
