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

    # Tensor.__repr__'s keyword-only ``tensor_contents`` is passed on; mypy drops the names of a dunder
    # method's parameters, and so misreads both the override and the keyword call.
    def __repr__(self, *, tensor_contents: object = None) -> str:  # type: ignore[override]
        tensor_text = super().__repr__(tensor_contents=tensor_contents)  # type: ignore[call-arg]
        return "Parameter containing:\n" + tensor_text

    def __reduce_ex__(self, protocol: object) -> tuple:
        return (type(self), (self.detach(), self.requires_grad))
