"""Parameters as one flat vector and back, as optimisers that work on a single vector (LBFGS, CG) need."""

from __future__ import annotations

from collections.abc import Iterable

import ember
from ember._tensor import Tensor


def _check_same_device(parameter: Tensor, first: ember.device | None) -> ember.device:
    """The device of the first parameter; PyTorch's TypeError when a later one is elsewhere."""
    if first is not None and parameter.device != first:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return parameter.device


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and concatenated into one vector (differentiable, a copy)."""
    device = None
    pieces = []
    for parameter in parameters:
        device = _check_same_device(parameter, device)
        pieces.append(parameter.view(-1))
    return ember.cat(pieces)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Make each parameter's data the next slice of ``vec`` (viewed to its shape), in order."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected ember.Tensor, but got: {type(vec).__name__}")
    device = None
    pointer = 0
    for parameter in parameters:
        device = _check_same_device(parameter, device)
        count = parameter.numel()
        parameter.data = vec[pointer : pointer + count].view_as(parameter).data
        pointer += count
