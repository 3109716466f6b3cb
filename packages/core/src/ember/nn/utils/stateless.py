"""``ember.nn.utils.stateless.functional_call``: the deprecated home of ``ember.func.functional_call``."""
from __future__ import annotations

import warnings
from typing import Any

from ...func.functional_call import call_reparametrized


def functional_call(module, parameters_and_buffers: dict, args: Any = None, kwargs: dict | None = None, *,
                    tie_weights: bool = True, strict: bool = False) -> Any:
    """``ember.func.functional_call`` with one dict, after PyTorch's deprecation warning."""
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be removed "
                  "in a future version of PyTorch. Please use `torch.func.functional_call` instead which is a "
                  "drop-in replacement.", FutureWarning, stacklevel=2)
    return call_reparametrized(module, parameters_and_buffers, args, kwargs, tie_weights, strict)
