"""Grad modes: whether ops record the graph. Thread-local, each usable as a context manager and decorator."""
from __future__ import annotations

import functools
import inspect
import threading


class _GradState(threading.local):
    enabled = True
    inference = False


state = _GradState()


def is_grad_enabled() -> bool:
    """True when ops on tensors that require grad record a graph in this thread."""
    return state.enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _DecoratorContextManager:
    """A context manager that is also a decorator, with or without parentheses: ``@no_grad``."""

    def __new__(cls, func=None, *args, **kwargs):
        if callable(func) and not args and not kwargs and cls._bare_decorator_ok:
            return cls()(func)
        return super().__new__(cls)

    _bare_decorator_ok = True

    def clone(self):
        return self.__class__()

    def __call__(self, func):
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return decorated


    def _wrap_generator(self, func):
        """The mode holds while the generator runs, not while its caller consumes what it yields."""
        @functools.wraps(func)
        def generator(*args, **kwargs):
            gen = func(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as error:
                        with self.clone():
                            response = gen.throw(error)
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value
        return generator


class no_grad(_DecoratorContextManager):
    """Disable graph recording: ``with no_grad():``, ``@no_grad()`` or ``@no_grad``."""

    def __init__(self, func=None) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = state.enabled
        state.enabled = False

    def __exit__(self, *exc) -> None:
        state.enabled = self.prev


class enable_grad(_DecoratorContextManager):
    """Enable graph recording inside a `no_grad` region."""

    def __init__(self, func=None) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = state.enabled
        state.enabled = True

    def __exit__(self, *exc) -> None:
        state.enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode to `mode`; takes effect at once, and as a context manager restores it on exit."""

    _bare_decorator_ok = False

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'mode' must be bool, not {type(mode).__name__}")
        self.prev = state.enabled
        self.mode = mode
        state.enabled = mode

    def __enter__(self) -> None:
        state.enabled = self.mode

    def __exit__(self, *exc) -> None:
        state.enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like `no_grad`, for inference-only code; the tensors made inside are inference tensors
    (``Tensor.is_inference()``). ``inference_mode(False)`` turns it off again, grad mode on, as PyTorch's."""

    def __init__(self, mode: bool = True) -> None:
        if callable(mode):
            mode = True
        self.mode = mode
        self.prev = (False, False)

    def __enter__(self) -> None:
        self.prev = (state.enabled, state.inference)
        state.enabled, state.inference = not self.mode, self.mode
        if self.mode:
            from .._tensor import count_inference_block

            count_inference_block(1, state)

    def __exit__(self, *exc) -> None:
        state.enabled, state.inference = self.prev
        if self.mode:
            from .._tensor import count_inference_block

            count_inference_block(-1, state)

    def clone(self):
        return self.__class__(self.mode)
