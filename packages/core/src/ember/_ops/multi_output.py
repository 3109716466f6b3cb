"""One node for all the outputs of an op (a decomposition's factors): each output is the node's output of its
position, and the node saves the outputs it names by their buffers (no reference cycle through them)."""
from __future__ import annotations

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node, link


def record_outputs(node_cls: type, input: Tensor, outputs: tuple, saved: tuple, **attributes) -> None:
    """Make `outputs` (tensors of one op over `input`) the outputs 0, 1, ... of a new `node_cls` node with
    `attributes`, saving `saved` (some of the outputs), when grad mode is on and `input` requires grad."""
    if not (grad_mode.state.enabled and input.requires_grad):
        return
    node: Node = object.__new__(node_cls)
    for key, value in attributes.items():
        setattr(node, key, value)
    link(node, (input,), saved, outputs)
    node._num_outputs = len(outputs)
    for nr, output in enumerate(outputs):
        output._grad_fn, output._output_nr, output._requires_grad = node, nr, True
