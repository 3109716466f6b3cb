"""`update_bn`: recompute the running statistics of a model's batch-norm layers with one pass over data
(averaged weights need statistics of their own)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ember
from ember.nn.modules.batchnorm import _BatchNorm
from ember.nn.modules.module import Module


@ember.no_grad()
def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Reset every batch-norm layer's running statistics and recompute them as the cumulative average over
    the batches of `loader` (the first element of a list or tuple batch), in training mode; the layers'
    momenta and the model's mode are restored afterwards."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for batch in loader:
        if isinstance(batch, (list, tuple)):
            batch = batch[0]
        if device is not None:
            batch = batch.to(device)
        model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)
