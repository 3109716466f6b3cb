"""`embedding`: rows of a weight matrix picked by integer indices, with PyTorch's padding row, max-norm
renormalisation and gradient scaling by frequency. The node is `EmbeddingBackward0`, whose gradient adds the
upstream rows into the rows they came from (a scatter-add, differentiable, so double backward works).

The indices are checked once, through `ember._checks` (at once on the CPU, pending on a device with a queue,
where they are clamped meanwhile): the lookup and the gradient then select by index without checks of their
own, so a training step reads nothing on the host.
"""

from __future__ import annotations

import ember
from ember import _checks, _dtype
from ember._ops.dispatch import profiled
from ember._ops.index_ops import _dim_key
from ember._ops.linalg import same_device
from ember._ops.scatter import long_buffer, scatter_add_along, take_along
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach

_NO_SPARSE = ("ember has no sparse tensors: embedding with sparse=True (a sparse gradient) is not supported; "
              "use sparse=False (the default), whose dense gradient optimizers take")


class EmbeddingBackward0(Node):
    """weight's gradient: each upstream row added into the row its index picked, except the padding row's
    (which gets none); with ``scale_grad_by_freq`` each divided by how often its index occurs."""

    num_weights: int
    padding_idx: int | None
    scale_grad_by_freq: bool

    def backward(self, grad: Tensor) -> Tensor:
        (flat,) = self.saved_tensors  # the checked (or, pending the check, clamped) indices, flattened
        dim = grad.shape[-1]
        rows = grad.reshape(flat.numel(), dim)
        if self.padding_idx is not None:
            rows = ember.where((flat != self.padding_idx).unsqueeze(1), rows, 0.0)
        if self.scale_grad_by_freq:
            ones = ember.ones(flat.shape, dtype=grad.dtype, device=grad.device)
            counts = scatter_add_along(ones, 0, flat, (self.num_weights,))
            rows = rows / take_along(counts, 0, flat).unsqueeze(1)
        return scatter_add_along(rows, 0, flat.unsqueeze(1).expand(flat.numel(), dim), (self.num_weights, dim))


def normalized_padding_idx(padding_idx: int | None, num_embeddings: int) -> int | None:
    """padding_idx in [0, num_embeddings) (a negative one counts from the end), checked as PyTorch asserts."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


def _check_indices(input: Tensor) -> None:
    if input._dtype not in (_dtype.int64, _dtype.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got ember.{_dtype.LEGACY_NAMES[input._dtype.name]} instead (while checking arguments for "
            "embedding)"
        )


def _checked_indices(input: Tensor, weight: Tensor, op: str, error: type[Exception] = IndexError) -> Tensor:
    """The indices flattened as int64, on `weight`'s device (else PyTorch's error naming both devices) and
    checked against [0, rows of `weight`) with PyTorch's `error` (pending on a device with a queue, where they
    are clamped into range meanwhile, so no kernel reads out of bounds)."""
    same_device(op, weight, input)
    num_weights = weight.shape[0]
    flat = input.flatten()
    if flat._dtype is not _dtype.int64:
        flat = Tensor._make(long_buffer(flat), _dtype.int64, flat._device)
    if flat.numel():
        _checks.check_extremes(flat._device, flat._data, _range_judge(num_weights, error))
        if _checks.queued(flat._device):
            flat = flat.clamp(0, num_weights - 1)
    return flat


def _range_judge(num_weights: int, error: type[Exception]):
    def judge(smallest: int, largest: int) -> None:
        if smallest < 0 or largest >= num_weights:
            raise error("index out of range in self")
    return judge


def renorm_rows_(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> None:
    """Scale in place each row of ``weight`` that ``input`` picks and whose ``norm_type``-norm exceeds
    ``max_norm`` down to norm ``max_norm`` (PyTorch's embedding_renorm_: factor max_norm / (norm + 1e-7))."""
    with grad_mode.no_grad():
        rows = ember.unique(input)
        picked = weight[rows]
        norms = picked.norm(norm_type, dim=1, keepdim=True)
        scale = ember.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[rows] = picked * scale


@profiled("aten::embedding")
def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """``weight[input]``: an (*, D) tensor of the rows of the (num_embeddings, D) ``weight`` that the
    integer ``input`` (*) names. ``padding_idx``'s row gets no gradient; ``max_norm`` first renormalises
    the picked rows of ``weight`` in place; ``scale_grad_by_freq`` divides each row's gradient by its count."""
    if sparse:
        raise NotImplementedError(_NO_SPARSE)
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    num_weights, dim = weight.shape
    padding_idx = normalized_padding_idx(padding_idx, num_weights)
    _check_indices(input)
    flat = _checked_indices(input, weight, "embedding")
    if max_norm is not None:
        renorm_rows_(weight, flat, max_norm, norm_type)
    device = weight._device
    rows = device.kernels.index(weight._data, _dim_key(device, 0, flat._data))
    output = Tensor._make(rows, weight._dtype, device).reshape(*input.shape, dim)
    output = Tensor._make(output._data, output._dtype, output._device)
    return attach(output, EmbeddingBackward0, (weight,), (flat,), num_weights=num_weights,
                  padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)
