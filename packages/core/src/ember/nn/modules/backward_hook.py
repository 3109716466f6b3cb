"""Full backward hooks of a Module: identity nodes around its inputs and outputs catch their gradients.

As in PyTorch, the Tensor inputs (and outputs) pass through one ``BackwardHookFunctionBackward`` node
each side. The output node records the gradients of the outputs (after the backward pre-hooks); the
input node, once the inputs' gradients are known, calls ``hook(module, grad_input, grad_output)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, link


class BackwardHookFunctionBackward(Node):
    """Identity on several tensors; it exists so that hooks can see and replace their gradients."""

    def backward(self, *grads: Tensor | None) -> tuple:
        return grads


def _identity(tensors: list[Tensor]) -> tuple[list[Tensor], Node]:
    """Pass ``tensors`` through one BackwardHookFunctionBackward node; returns the new tensors and node."""
    node = BackwardHookFunctionBackward()
    node._num_outputs = len(tensors)
    link(node, tensors)
    outputs = []
    for nr, tensor in enumerate(tensors):
        if not tensor._requires_grad:
            outputs.append(tensor)
            continue
        out = Tensor._make(tensor._data, tensor._dtype, tensor._device, True)
        out._version = tensor._version_counter
        out._grad_fn = node
        out._output_nr = nr
        outputs.append(out)
    return outputs, node


class BackwardHook:
    """Wires one module call's full backward hooks and backward pre-hooks into the graph."""

    def __init__(self, module: Any, user_hooks: list[Callable], user_pre_hooks: list[Callable]) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs: tuple | None = None
        self.n_inputs = 0
        self.input_indices: list[int] | None = None
        self.n_outputs = 0

    def _wrap(
        self, args: tuple, on_node: Callable[[Node, list[int]], None]
    ) -> tuple[tuple, list[int] | None]:
        indices = [i for i, arg in enumerate(args) if isinstance(arg, Tensor)]
        tensors = [args[i] for i in indices]
        if not (grad_mode.state.enabled and any(t._requires_grad for t in tensors)):
            return args, None
        wrapped, node = _identity(tensors)
        on_node(node, indices)
        replaced = list(args)
        for i, tensor in zip(indices, wrapped):
            replaced[i] = tensor
        return tuple(replaced), indices

    @staticmethod
    def _pack(indices: list[int], values: tuple, size: int) -> tuple:
        packed: list = [None] * size
        for i, value in zip(indices, values):
            packed[i] = value
        return tuple(packed)

    def setup_input_hook(self, args: tuple) -> tuple:
        """Route the Tensor arguments through a node whose hook calls the user hooks."""

        def on_node(node: Node, indices: list[int]) -> None:
            def hook(grad_inputs: tuple, _grad_outputs: tuple) -> tuple | None:
                if self.grad_outputs is None:
                    return None
                result = self._pack(indices, grad_inputs, self.n_inputs)
                for user_hook in self.user_hooks:
                    out = user_hook(self.module, result, self.grad_outputs)
                    if out is None:
                        continue
                    if len(out) != len(result):
                        raise RuntimeError(
                            "Backward hook returned an invalid number of grad_input, "
                            f"got {len(out)}, but expected {len(result)}"
                        )
                    result = out
                self.grad_outputs = None
                return tuple(result[i] for i in indices)

            node.register_hook(hook)

        args, self.input_indices = self._wrap(args, on_node)
        self.n_inputs = len(args)
        return args

    def setup_output_hook(self, result: Any) -> Any:
        """Route the Tensor outputs through a node whose hook records (and pre-hooks edit) their gradients."""

        def on_node(node: Node, indices: list[int]) -> None:
            def hook(_grad_inputs: tuple, grad_outputs: tuple) -> tuple:
                self.grad_outputs = self._pack(indices, grad_outputs, self.n_outputs)
                for pre_hook in self.user_pre_hooks:
                    replaced = pre_hook(self.module, self.grad_outputs)
                    if replaced is None:
                        continue
                    if len(replaced) != len(self.grad_outputs):
                        raise RuntimeError(
                            "Backward pre hook returned an invalid number of grad_output, "
                            f"got {len(replaced)}, but expected {len(self.grad_outputs)}"
                        )
                    self.grad_outputs = tuple(replaced)
                grad_outputs_now = self.grad_outputs
                if self.input_indices is None:
                    warnings.warn(
                        "Full backward hook is firing when gradients are computed with respect to module "
                        "outputs since no inputs require gradients.",
                        stacklevel=2,
                    )
                    no_inputs = (None,) * self.n_inputs
                    for user_hook in self.user_hooks:
                        out = user_hook(self.module, no_inputs, self.grad_outputs)
                        if out is not None and not all(g is None for g in out):
                            raise RuntimeError(
                                "Backward hook for Modules where no input requires gradient should always "
                                "return None or None for all gradients."
                            )
                    self.grad_outputs = None
                return tuple(grad_outputs_now[i] for i in indices)

            node.register_hook(hook)

        single = not isinstance(result, tuple)
        outputs, _ = self._wrap((result,) if single else result, on_node)
        self.n_outputs = len(outputs)
        return outputs[0] if single else outputs
