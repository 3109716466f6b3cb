"""`embedding_bag`: the sums, means or maxima of bags of embedding rows, without the (bags, length, dim)
intermediate. Each index is given its bag from ``offsets`` on the device (a searchsorted of its position);
indices the bag does not count (``padding_idx``'s, and those past the last offset with
``include_last_offset``) go to one extra bag that is dropped, so no mask is read on the host. The node is
PyTorch's `EmbeddingBagBackward0`: the weight's gradient scatter-adds each bag's gradient into the rows it
summed (scaled as the forward scaled them), or into each max's row; ``per_sample_weights`` get the dot product
of their row with their bag's gradient. All differentiable, so double backward works."""

from __future__ import annotations

import warnings

import ember
from ember import _checks, _dtype
from ember._ops.dispatch import profiled
from ember._ops.scatter import scatter_add_along, take_along
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach, needs_input_grad
from ember.nn.functional.embedding import _checked_indices, renorm_rows_

_MODES = ("sum", "mean", "max")


class EmbeddingBagBackward0(Node):
    """weight's gradient: each bag's gradient added into the rows it took (times each index's scale: 0 for
    an index no bag counts, 1 / its bag's size for a mean, its per-sample weight), or, in max mode, into each
    maximum's row; per_sample_weights': its row dotted with its bag's gradient."""

    num_weights: int
    mode: str
    scale_grad_by_freq: bool

    def backward(self, grad: Tensor):
        weight, per_sample_weights, flat, bags, scale, max_rows = self.saved_tensors
        dim = grad.shape[-1]
        if self.mode == "max":  # max_rows: each maximum's row (num_weights for an empty bag's, then dropped)
            spread = scatter_add_along(grad, 0, max_rows, (self.num_weights + 1, dim))
            return spread[:self.num_weights], None
        # The bags' gradients, one per index (the extra bag's zero), times what the forward weighed it by.
        per_index = take_along(ember.cat([grad, grad.new_zeros(1, dim)]), 0, bags.unsqueeze(1).expand(-1, dim))
        grad_weight = grad_samples = None
        if needs_input_grad(self, 0):
            weights = scale if per_sample_weights is None else scale * per_sample_weights
            rows = per_index * weights.unsqueeze(1)
            if self.scale_grad_by_freq:
                counts = ember.bincount(flat, minlength=self.num_weights).to(grad.dtype)
                rows = rows / take_along(counts, 0, flat).unsqueeze(1)
            grad_weight = scatter_add_along(rows, 0, flat.unsqueeze(1).expand(-1, dim), (self.num_weights, dim))
        if per_sample_weights is not None and needs_input_grad(self, 1):
            picked = take_along(weight, 0, flat.unsqueeze(1).expand(-1, dim))
            grad_samples = (per_index * picked).sum(1) * (bags < grad.shape[0]).to(grad.dtype)
        return grad_weight, grad_samples


def _check_arguments(input: Tensor, weight: Tensor, offsets, mode: str, scale_grad_by_freq: bool, sparse: bool,
                     per_sample_weights) -> None:
    """PyTorch's Python-level checks, in its order."""
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2 and offsets is not None:
        raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed "
                         f"length sequences. However, found offsets of type {_type_text(offsets)}")
    if input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    elif input.dim() != 2:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if sparse:
        raise NotImplementedError("ember has no sparse tensors: embedding_bag with sparse=True (a sparse gradient) "
                                  "is not supported; use sparse=False (the default)")


def _type_text(value) -> str:
    """``str(type(value))`` as PyTorch's message shows it, ember's Tensor under its public name."""
    return "<class 'ember.Tensor'>" if type(value) is Tensor else str(type(value))


def _check_types(input: Tensor, offsets: Tensor, weight: Tensor, per_sample_weights) -> None:
    common = ember.promote_types(input._dtype, offsets._dtype)  # PyTorch promotes the two, then checks
    if common not in (_dtype.int64, _dtype.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got ember.{_dtype.LEGACY_NAMES[common.name]} instead (while checking arguments for embedding_bag)")
    if per_sample_weights is not None and per_sample_weights._dtype is not weight._dtype:
        raise RuntimeError(
            "Expected tensor for argument #1 'weight' to have the same type as tensor for argument #1 "
            f"'per_sample_weights'; but type ember.{_dtype.LEGACY_NAMES[weight._dtype.name]} does not equal "
            f"ember.{_dtype.LEGACY_NAMES[per_sample_weights._dtype.name]} (while checking arguments for "
            "embedding_bag)")


def _padding_idx(padding_idx: int | None, num_weights: int) -> int | None:
    if padding_idx is None:
        return None
    if not -num_weights <= padding_idx < num_weights:
        raise RuntimeError(f"padding_idx must be within the number of embeddings, -{num_weights} through "
                           f"{num_weights - 1}, but got {padding_idx}")
    return padding_idx + num_weights if padding_idx < 0 else padding_idx


def _check_offsets(offsets: Tensor, length: int) -> None:
    """offsets[0] is 0, they never decrease and none lies past the input's end (judged at once, or at a queued
    device's next sync)."""
    if not offsets.numel():
        return

    def first(smallest: int, largest: int) -> None:
        if smallest != 0:
            raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
                               f"from position 0. However, got {smallest}")

    def last(smallest: int, largest: int) -> None:
        if largest > length:
            raise RuntimeError(f"offsets[-1] can not be greater than input's length {length} but got offsets[-1] "
                               f"of {largest}")

    def rising(smallest: int, largest: int) -> None:
        if smallest < 0:  # PyTorch's CPU kernel: "Expected i < index_size to be true, but got false."
            raise RuntimeError(f"offsets has to be a non-decreasing sequence, but an offset is {-smallest} less "
                               "than the one before it")

    _checks.check_extremes(offsets._device, offsets[:1]._data, first)
    _checks.check_extremes(offsets._device, offsets._data, last)
    if offsets.numel() > 1:
        _checks.check_extremes(offsets._device, (offsets[1:] - offsets[:-1])._data, rising)


def _bags(flat: Tensor, offsets: Tensor, count: int, include_last_offset: bool, padding_idx: int | None) -> Tensor:
    """The bag of each index (int64): the last offset at or before its position; `count` (the extra bag) for an
    index no bag counts."""
    positions = ember.arange(flat.shape[0], device=flat.device)
    bags = ember.searchsorted(offsets.to(ember.int64), positions, right=True) - 1
    if include_last_offset:
        bags = bags.clamp_max(count)
    if padding_idx is not None:
        bags = ember.where(flat == padding_idx, count, bags)
    return bags


@profiled("aten::embedding_bag")
def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """(bags, D): the ``mode`` ('sum', 'mean', 'max') of the rows of ``weight`` each bag of ``input`` names. A
    1-D ``input`` is split into bags at ``offsets``; each row of a 2-D one is a bag. ``per_sample_weights``
    (sum only) weigh each row; ``padding_idx``'s rows are left out of their bag (an empty bag is zeros)."""
    if weight._dtype is _dtype.int64 and input._dtype.is_floating_point:
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, "
                      "input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
                      stacklevel=2)
        weight, input = input, weight
    _check_arguments(input, weight, offsets, mode, scale_grad_by_freq, sparse, per_sample_weights)
    if input.dim() == 2:
        offsets = ember.arange(0, input.numel(), input.shape[1], dtype=input.dtype, device=input.device)
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    assert offsets is not None
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}'). Please open a feature request on GitHub.")
    _check_types(input, offsets, weight, per_sample_weights)
    num_weights, dim = weight.shape
    padding_idx = _padding_idx(padding_idx, num_weights)
    _check_offsets(offsets, input.shape[0])
    flat = _checked_indices(input, weight, "embedding_bag", RuntimeError)  # PyTorch's CPU kernel: a RuntimeError
    if max_norm is not None:
        renorm_rows_(weight, flat, max_norm, norm_type)
    count = max(offsets.shape[0] - 1, 0) if include_last_offset else offsets.shape[0]
    bags = _bags(flat, offsets, count, include_last_offset, padding_idx)
    spots = bags.unsqueeze(1).expand(-1, dim)
    scale = max_rows = None
    with grad_mode.no_grad():
        rows = take_along(weight.detach(), 0, flat.unsqueeze(1).expand(-1, dim))
        if mode == "max":
            empty = ember.zeros(count + 1, dim, dtype=weight.dtype, device=weight.device)
            output = empty.scatter_reduce(0, spots, rows, "amax", include_self=False)
            # Each maximum's first position in the input, then its row (an empty bag's: num_weights).
            at_max = rows == take_along(output, 0, spots)
            positions = ember.where(at_max, ember.arange(flat.shape[0], device=flat.device).unsqueeze(1),
                                    flat.shape[0])
            first = ember.full((count + 1, dim), flat.shape[0], dtype=ember.int64, device=flat.device)
            first = first.scatter_reduce(0, spots, positions, "amin")
            max_rows = take_along(ember.cat([flat, flat.new_full((1,), num_weights)]), 0, first.flatten())
            max_rows = max_rows.reshape(count + 1, dim)[:count]
        else:
            kept = (bags < count).to(weight.dtype)
            if mode == "mean":
                sizes = scatter_add_along(kept, 0, bags, (count + 1,))
                scale = kept / take_along(sizes.clamp_min(1), 0, bags)
            else:
                scale = kept
            weights = scale if per_sample_weights is None else scale * per_sample_weights.detach()
            output = scatter_add_along(rows * weights.unsqueeze(1), 0, spots, (count + 1, dim))
        output = output[:count].contiguous()
    result = Tensor._make(output._data, output._dtype, output._device)
    return attach(result, EmbeddingBagBackward0, (weight, per_sample_weights),
                  (weight, per_sample_weights, flat, bags, scale, max_rows), num_weights=num_weights, mode=mode,
                  scale_grad_by_freq=scale_grad_by_freq)
