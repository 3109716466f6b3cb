"""`nn.utils.skip_init`: a module built without its initialisation consuming the random generators."""

from __future__ import annotations

import inspect
from typing import Any

import ember
from ember.nn.modules.module import Module


def skip_init(module_cls: type, *args: Any, **kwargs: Any) -> Module:
    """``module_cls(*args, **kwargs)`` whose parameters' values are unspecified, leaving the generators as they
    were (PyTorch builds on the meta device, which ember has not: here the initialisation runs, its draws
    undone)."""
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    device = ember.device(kwargs.get("device", "cpu"))
    kwargs["device"] = device
    with ember.random.fork_rng(device_type=device.type):
        return module_cls(*args, **kwargs)
