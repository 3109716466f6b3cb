"""Lazy modules: parameters whose shapes are inferred from the first input (`LazyModuleMixin`,
`LazyLinear`). The first call materialises them in place (so an optimizer built before it sees them) and
turns the module into its eager class (`LazyLinear` becomes `Linear`), as PyTorch's do; loading a state
dict materialises them from the checkpoint's shapes."""

from __future__ import annotations

from typing import Any

import ember
from ember._tensor import Tensor
from ember.nn.modules.linear import Linear
from ember.nn.parameter import UninitializedParameter


def _infer_parameters(module: Any, args: tuple, kwargs: dict) -> None:
    """The forward pre-hook of a lazy module: materialise its parameters from this call's arguments, then
    drop the lazy hooks and become `cls_to_become`."""
    module.initialize_parameters(*args, **kwargs)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
    module._initialize_hook.remove()
    module._load_hook.remove()
    del module._initialize_hook
    del module._load_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


def _lazy_load_hook(module: Any, state_dict: dict, prefix: str, *args: Any) -> None:
    """The load_state_dict pre-hook of a lazy module: materialise each uninitialised parameter that the
    state dict holds a value for, to that value's shape (the load then copies the value in)."""
    for name, param in module._parameters.items():
        key = prefix + name
        if isinstance(param, UninitializedParameter) and key in state_dict and \
                not isinstance(state_dict[key], UninitializedParameter):
            with ember.no_grad():
                param.materialize(tuple(state_dict[key].size()))


class LazyModuleMixin:
    """Mixed in before a Module class: its `UninitializedParameter`s are materialised by
    `initialize_parameters(*inputs)` on the first call (or from a loaded state dict's shapes)."""

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        module: Any = self
        self._load_hook = module.register_load_state_dict_pre_hook(_lazy_load_hook)
        self._initialize_hook = module.register_forward_pre_hook(_infer_parameters, with_kwargs=True)

    def has_uninitialized_params(self) -> bool:
        """Whether some parameter of this module (not its children) still waits for its shape."""
        parameters: dict = self._parameters  # type: ignore[attr-defined]
        return any(isinstance(p, UninitializedParameter) for p in parameters.values())

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Materialise the parameters from the first call's arguments (each lazy module says how)."""
        raise NotImplementedError(f"initialize_parameters is not implemented for {type(self).__name__}")


class LazyLinear(LazyModuleMixin, Linear):
    """`Linear` whose ``in_features`` is the last dim of the first input it sees; its weight and bias are
    then drawn as Linear's are."""

    cls_to_become = Linear
    weight: UninitializedParameter

    def __init__(self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        """in_features from the input's last dim; then the weight (out, in) and bias (out) drawn (unless a
        state dict gave them)."""
        if self.has_uninitialized_params():
            with ember.no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
        if self.in_features == 0:  # loaded from a state dict: the input must fit the loaded weight
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(
                    f"The in_features inferred from input: {input.shape[-1]} is not equal to in_features from "
                    f"self.weight: {self.weight.shape[-1]}"
                )
            self.in_features = input.shape[-1]
