"""`nn.Parameter`: a Tensor that a Module registers as one of its learnable parameters."""

from __future__ import annotations

from typing import cast

import ember
from ember._tensor import Tensor


class Parameter(Tensor):
    """A Tensor that, assigned as a Module attribute, is added to the module's parameters.

    It shares memory and the version counter with ``data``, and requires grad by default, even under
    ``no_grad``.
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = ember.empty(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): data must be a Tensor, but got {type(data).__name__}")
        if requires_grad and not data._dtype.is_floating_point:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        param = cast(Parameter, cls._make(data._data, data._dtype, data._device, requires_grad))
        param._version = data._version_counter
        return param

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: object) -> tuple:
        return (type(self), (self.detach(), self.requires_grad))
