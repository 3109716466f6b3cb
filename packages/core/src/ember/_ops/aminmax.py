"""aminmax: the smallest and largest elements in one call (over all elements or along one dim), as PyTorch's,
with one AminmaxBackward0 node for both results (each gradient shared evenly among its ties, as amin's/amax's)."""
from __future__ import annotations

from .. import return_types
from .._tensor import Tensor, _wrap_dim
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from .dispatch import profiled
from .reduction import amax, amin, ties_backward


class AminmaxBackward0(Node):
    """The min's and the max's gradients, each shared among its ties, added."""

    _names_saved = ("self", "min", "max")

    def backward(self, grad_min, grad_max):
        x, low, high = self.saved_tensors
        grads = [ties_backward(g, x, r, self.dims, self.keepdim) for g, r in ((grad_min, low), (grad_max, high))
                 if g is not None]
        return grads[0] if len(grads) == 1 else grads[0] + grads[1]


@profiled("aten::aminmax")
def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) of `input`, over all elements or along `dim` (an int), as ``return_types.aminmax``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"aminmax(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int)):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    shape = input.shape
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                               "identity.")
        dims: tuple = tuple(range(input.ndim))
    else:
        d = _wrap_dim(dim, input.ndim, "aminmax")
        if input.ndim and shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
        dims = (d,) if input.ndim else ()
    with grad_mode.no_grad():
        low, high = amin(input, dims, keepdim), amax(input, dims, keepdim)
        if dim is None and keepdim:
            low, high = low.reshape((1,) * input.ndim), high.reshape((1,) * input.ndim)
    if grad_mode.state.enabled and input.requires_grad and attach(low, AminmaxBackward0, (input,), (input, low, high),
                                                                  dims=dims, keepdim=keepdim) is low:
        node = low._grad_fn
        if node is not None:
            node._num_outputs = 2
            high._grad_fn, high._output_nr, high._requires_grad = node, 1, True
    return return_types.aminmax(low, high)
