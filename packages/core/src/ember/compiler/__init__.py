"""``ember.compile`` and ``ember.compiler``: ember has no graph compiler, so compiling gives what PyTorch's
``backend="eager"`` gives, the callable itself run eagerly (a module keeps its class and state), with
PyTorch's signature, decorator forms and refusals; ``is_compiling()`` is always False."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["compile", "disable", "is_compiling", "is_dynamo_compiling", "reset"]

_MODES = (None, "default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


def compile(model: Callable | None = None, *, fullgraph: bool = False, dynamic: bool | None = None,  # noqa: A001
            backend: str | Callable = "inductor", mode: str | None = None, options: dict | None = None,
            disable: bool = False) -> Any:
    """`model` (a function or an ``nn.Module``) to be run eagerly, or, without `model`, a decorator that
    gives it so. Arguments are checked as PyTorch checks them; none changes what is run. A module is given
    back itself (PyTorch wraps it in an ``OptimizedModule`` sharing its parameters), and code run through it
    sees ``is_compiling()`` False (PyTorch's eager backend still traces, and sees True)."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the same time.")
    if mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(m for m in _MODES if m)}")
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                                 options=options, disable=disable)
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    return model if _is_module(model) else _eager(model)


def _is_module(model) -> bool:
    from ..nn import Module

    return isinstance(model, Module)


def _eager(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def compiled(*args, **kwargs):
        return fn(*args, **kwargs)
    return compiled


def disable(fn: Callable | None = None, recursive: bool = True, *, reason: str | None = None) -> Any:
    """Mark `fn` to run without compiling, which is how ember runs everything: `fn` itself, or a decorator
    giving it without `fn`."""
    if fn is None:
        return lambda f: f
    return fn


def is_compiling() -> bool:
    """Whether the code runs under a compiler's tracing: never in ember."""
    return False


is_dynamo_compiling = is_compiling


def reset() -> None:
    """Clear compiled code caches: ember keeps none."""
