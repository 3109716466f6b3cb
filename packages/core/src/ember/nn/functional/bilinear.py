"""`bilinear`: y = x1ᵀ A x2 + b for each output feature, recorded as PyTorch records it (its `_trilinear`
node, `TrilinearBackward0`, under a view to the batch shape and the bias's add); the gradients are einsums
of differentiable ember ops, so double backward works."""

from __future__ import annotations

import ember
from ember import _dtype
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach, needs_input_grad


class TrilinearBackward0(Node):
    """out[b, o] = sum over i, j of x1[b, i] w[o, i, j] x2[b, j]: each factor's gradient contracts the
    upstream gradient with the two others."""

    def backward(self, grad: Tensor) -> tuple:
        input1, weight, input2 = self.saved_tensors
        return (
            ember.einsum("bo,oij,bj->bi", grad, weight, input2) if needs_input_grad(self, 0) else None,
            ember.einsum("bo,bi,bj->oij", grad, input1, input2) if needs_input_grad(self, 1) else None,
            ember.einsum("bo,oij,bi->bj", grad, weight, input1) if needs_input_grad(self, 2) else None,
        )


def _check_bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's checks: one dtype, matching batch dims, feature sizes matching the weight's and bias's."""
    tensors = {"input1": input1, "input2": input2, "weight": weight}
    if bias is not None:
        tensors["bias"] = bias
    if len({t._dtype for t in tensors.values()}) > 1:
        names = ", ".join(f"{name}: {_dtype.C_NAMES[t._dtype.name]}" for name, t in tensors.items())
        raise RuntimeError(f"All tensors must have the same dtype, got {names}")
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    for dim, (size1, size2) in enumerate(zip(input1.shape[:-1], input2.shape[:-1])):
        if size1 != size2:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match at dim {dim}: got {size1} and {size2}"
            )
    for name, size, expected in (("input1", input1.shape[-1], weight.shape[1]),
                                 ("input2", input2.shape[-1], weight.shape[2])):
        if size != expected:
            raise RuntimeError(
                f"bilinear(): {name} size does not match weight size: got {size} but expected {expected}"
            )
    if bias is not None and bias.shape[0] != weight.shape[0]:
        raise RuntimeError(
            f"bilinear(): bias size does not match weight size: got {bias.shape[0]} but expected {weight.shape[0]}"
        )


@profiled("aten::bilinear")
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y[..., o] = sum over i, j of input1[..., i] weight[o, i, j] input2[..., j] (+ bias[o]), for inputs
    (*, in1) and (*, in2) with the same batch dims, weight (out, in1, in2) and bias (out,)."""
    _check_bilinear(input1, input2, weight, bias)
    x1 = input1.reshape(-1, input1.shape[-1])
    x2 = input2.reshape(-1, input2.shape[-1])
    with grad_mode.no_grad():
        product = ember.einsum("bi,oij,bj->bo", x1, weight, x2)
    product = attach(Tensor._make(product._data, product._dtype, product._device), TrilinearBackward0,
                     (x1, weight, x2), (x1, weight, x2))
    output = product.reshape(*input1.shape[:-1], weight.shape[0])
    return output if bias is None else output + bias
