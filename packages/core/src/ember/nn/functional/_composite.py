"""One autograd node, named as PyTorch's, over a forward composed of ember ops: the forward runs without
recording its steps, and the node's backward runs it again with recording on and differentiates that
(create_graph: over the original inputs, so second derivatives follow). The price is a second forward in
the backward; the gain is PyTorch's single grad_fn (GridSampler2DBackward0, CtcLossBackward0, ...) instead of
the last step's."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from ember._tensor import Tensor
from ember.autograd import engine, grad_mode
from ember.autograd.node import Node, attach, needs_input_grad


class _Composite(Node):
    """Backward of `compute(*inputs)`: autograd's gradient of that composition, recomputed."""

    compute: Callable[..., Tensor]

    def backward(self, grad: Tensor) -> tuple:
        inputs = self.saved_tensors
        wanted = [i for i in range(len(inputs)) if needs_input_grad(self, i)]
        create_graph = grad_mode.is_grad_enabled()
        leaves = list(inputs) if create_graph else [
            x.detach().requires_grad_(i in wanted) for i, x in enumerate(inputs)]
        with grad_mode.enable_grad():
            output = self.compute(*leaves)
            grads = engine.grad(output, [leaves[i] for i in wanted], grad, create_graph=create_graph,
                                allow_unused=True)
        result: list = [None] * len(inputs)
        for i, g in zip(wanted, grads):
            result[i] = g
        return tuple(result)


@cache
def _node_class(name: str) -> type:
    return type(name, (_Composite,), {"__doc__": f"PyTorch's {name}, over a composition of ember ops."})


def composite(name: str, compute: Callable[..., Tensor], *inputs: Tensor) -> Tensor:
    """`compute(*inputs)`, recorded (when a gradient is needed) as one node of class `name`."""
    with grad_mode.no_grad():
        result = compute(*inputs)
    return attach_composite(result, name, compute, *inputs)


def attach_composite(result: Tensor, name: str, compute: Callable[..., Tensor], *inputs: Tensor) -> Tensor:
    """`result`, computed without recording as `compute(*inputs)` computes it, recorded as one node of class
    `name`."""
    return attach(result, _node_class(name), inputs, inputs, compute=compute)
