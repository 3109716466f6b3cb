"""`ctc_loss`: the connectionist temporal classification loss, the negative log-likelihood of each target
over all its alignments, by the log-space alpha recursion over time, each step one set of ember ops over
the whole batch and every position of the blank-interleaved targets; the gradient is autograd's through
the recursion. PyTorch's node hands log_probs exp(log_probs) - (the alignments' posterior), the gradient
of the loss through a log_softmax rather than of the loss itself: a term of value 0 adds that exp(log_probs)
here, so the gradients are PyTorch's whatever log_probs came from. The per-sample losses are one node,
PyTorch's CtcLossBackward0 (`_composite`)."""

from __future__ import annotations

from functools import partial
from typing import Any

import ember
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.nn import _reduction
from ember.nn.functional._composite import composite

_NEG_INF = float("-inf")


def _logsumexp(terms: Tensor) -> Tensor:
    """logsumexp over dim 0, -inf (with zero gradients, not NaN) where every term is -inf."""
    peak = terms.amax(0).detach()
    empty = peak == _NEG_INF
    peak = ember.where(empty, ember.zeros_like(peak), peak)
    total = (terms - peak).exp().sum(0)
    safe = ember.where(empty, ember.ones_like(total), total)
    return ember.where(empty, ember.full_like(total, _NEG_INF), safe.log() + peak)


def _lengths(name: str, lengths, batch: int) -> list[int]:
    """Per-sample lengths from a tensor, list or tuple, checked as PyTorch checks them."""
    if isinstance(lengths, Tensor):
        if lengths.is_floating_point() or lengths.is_complex():
            raise RuntimeError(f"{name} must be integral")
        values = lengths.reshape(-1).tolist()
    else:
        values = [int(length) for length in lengths]
    if len(values) != batch:
        raise RuntimeError(f"{name} must be of size batch_size")
    return values


def _padded_targets(targets: Tensor, target_lengths: list[int]) -> Tensor:
    """(N, S) targets, S the longest target (at least 1), from padded 2-D or concatenated 1-D targets."""
    longest = max(target_lengths, default=0)
    if targets.dim() == 1:
        total = sum(target_lengths)
        if targets.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got size "
                               f"{targets.shape[0]} for argument #2 'targets' (while checking arguments for "
                               "ctc_loss_allocate_outputs)")
        if total == 0:
            return ember.zeros(len(target_lengths), 1, dtype=ember.int64, device=targets.device)
        starts = [sum(target_lengths[:n]) for n in range(len(target_lengths))]
        # past its length a target reads any label (here its last, or the last of all): none is looked at
        positions = [[min(start + min(s, max(length - 1, 0)), total - 1) for s in range(max(longest, 1))]
                     for start, length in zip(starts, target_lengths)]
        index = ember.tensor(positions, dtype=ember.int64, device=targets.device)
        return targets.long()[index]
    if targets.shape[1] < longest:
        raise RuntimeError(f"Expected tensor to have size at least {longest} at dimension 1, but got size "
                           f"{targets.shape[1]} for argument #2 'targets' (while checking arguments for "
                           "ctc_loss_allocate_outputs)")
    if targets.shape[1] == 0:
        return ember.zeros(targets.shape[0], 1, dtype=ember.int64, device=targets.device)
    return targets.long()


def _check_values(name: str, values: list[int], most: int | None) -> None:
    for value in values:
        if value < 0:
            raise RuntimeError(f"Expected {name} to have value at least 0, but got value {value} (while checking "
                               "arguments for ctc_loss_allocate_outputs)")
        if most is not None and value > most:
            raise RuntimeError(f"Expected {name} to have value at most {most}, but got value {value} (while "
                               "checking arguments for ctc_loss_allocate_outputs)")


def _negative_log_likelihoods(log_probs: Tensor, targets: Tensor, input_lengths: list[int],
                              target_lengths: list[int], blank: int) -> Tensor:
    """(N,) -log p(target | log_probs) by the alpha recursion, started from the state before time 0 (all
    the mass on the leading blank), so that an empty input gives 0 or inf as it should."""
    steps, batch, _ = log_probs.shape
    device = log_probs.device
    positions = 2 * targets.shape[1] + 1
    extended = ember.full((batch, positions), blank, dtype=ember.int64, device=device)
    extended[:, 1::2] = targets
    emissions = log_probs.gather(2, extended.unsqueeze(0).expand(steps, -1, -1))  # (T, N, 2S + 1)
    # a label may be reached from two positions back, over a blank, unless it repeats the label there
    skips = ember.zeros((batch, positions), dtype=ember.bool, device=device)
    skips[:, 3::2] = extended[:, 3::2] != extended[:, 1:-2:2]
    impossible = ember.full((batch, positions), _NEG_INF, dtype=log_probs.dtype, device=device)
    alpha = impossible.clone()
    alpha[:, 0] = 0
    lengths = ember.tensor(input_lengths, device=device).unsqueeze(1)
    column = impossible[:, :1]
    for t in range(steps):
        stay = alpha
        advance = ember.cat([column, alpha[:, :-1]], 1)
        skip = ember.where(skips, ember.cat([column, column, alpha[:, :-2]], 1), impossible)
        reached = _logsumexp(ember.stack([stay, advance, skip])) + emissions[t]
        alpha = ember.where(lengths > t, reached, alpha)
    ends = ember.tensor([[2 * length, max(2 * length - 1, 0)] for length in target_lengths], device=device)
    final = alpha.gather(1, ends)
    no_label = ember.tensor([[False, length == 0] for length in target_lengths], device=device)
    return -_logsumexp(ember.where(no_label, impossible[:, :2], final).t())


def _posterior_offset(log_probs: Tensor, input_lengths: list[int]) -> Tensor:
    """(N,) zeros whose gradient is exp(log_probs) within each input's length: what PyTorch's gradient
    adds to the loss's own."""
    steps = log_probs.shape[0]
    times = ember.arange(steps, device=log_probs.device).unsqueeze(1)
    within = times < ember.tensor(input_lengths, device=log_probs.device).unsqueeze(0)  # (T, N)
    probabilities = log_probs.exp()
    return ((probabilities - probabilities.detach()).sum(2) * within).sum(0)


def _losses(log_probs: Tensor, targets: Tensor, input_lengths: list[int], target_lengths: list[int], blank: int,
            zero_infinity: bool) -> Tensor:
    """(N,) losses whose gradient is PyTorch's; 0 for an infinite one under `zero_infinity`."""
    losses = _negative_log_likelihoods(log_probs, targets, input_lengths, target_lengths, blank)
    losses = losses + _posterior_offset(log_probs, input_lengths)
    if zero_infinity:
        losses = ember.where(losses == float("inf"), ember.zeros_like(losses), losses)
    return losses


@profiled("aten::ctc_loss")
def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The CTC loss of ``log_probs`` (T, N, C) (or (T, C)) against ``targets`` (N, S) padded or 1-D
    concatenated, each sample's first ``input_lengths`` steps and ``target_lengths`` labels counting; 'mean'
    divides each loss by its target length before averaging over the batch."""
    _reduction.check(reduction)
    unbatched = log_probs.dim() != 3  # as PyTorch: any other rank is taken as unbatched (then refused)
    if unbatched:
        log_probs, targets = log_probs.unsqueeze(1), targets.unsqueeze(0)
        input_lengths = input_lengths.unsqueeze(0) if isinstance(input_lengths, Tensor) else [input_lengths]
        target_lengths = target_lengths.unsqueeze(0) if isinstance(target_lengths, Tensor) else [target_lengths]
    if log_probs.dim() != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {log_probs.dim()}-dimensional tensor for "
                           "argument #1 'log_probs' (while checking arguments for ctc_loss_allocate_outputs)")
    steps, batch, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    inputs = _lengths("input_lengths", input_lengths, batch)
    labels = _lengths("target_lengths", target_lengths, batch)
    padded = _padded_targets(targets, labels)
    _check_values("input_lengths", inputs, steps)
    _check_values("target_lengths", labels, None)
    losses = composite("CtcLossBackward0", partial(_losses, targets=padded, input_lengths=inputs,
                                                   target_lengths=labels, blank=blank, zero_infinity=zero_infinity),
                       log_probs)
    if reduction == "mean":
        divisors = ember.tensor([max(length, 1) for length in labels], dtype=losses.dtype, device=losses.device)
        return (losses / divisors).mean()
    if reduction == "sum":
        return losses.sum()
    return losses.squeeze(0) if unbatched else losses
