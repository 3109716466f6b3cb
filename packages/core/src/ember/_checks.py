"""Checks of tensor values inside ops (targets and indices in range, probabilities in [0, 1], no integer
division by 0).

On a device without a queue (the CPU) a check reads the values on the host and raises at once, as today.
On a device with a queue (``DeviceType.has_queue``) reading values would synchronise the device inside
the op, so the check computes what it needs on the device and is kept pending for that device; the next
synchronisation (`raise_pending`: ``.item()``, ``.numpy()``, ``.tolist()``, printing, moving to another
device, ``ember.cuda.synchronize``) reads those small buffers and raises PyTorch's error there, as CUDA
raises a device-side assert at the next synchronisation.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

# device -> [(buffers, judge)]: judge(*host arrays of the buffers) raises when the check failed.
pending: dict = {}

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_INT64, _UINT64 = np.dtype(np.int64), np.dtype(np.uint64)


def queued(device) -> bool:
    """Whether `device` runs kernels on a queue (then ops never read values on the host)."""
    return device.device_type.has_queue


# A loop that never synchronises would keep its checks (and their buffers) forever: past this many on one
# device, the oldest are judged (a host read every MAX_PENDING checks, not one per op).
MAX_PENDING = 256


def defer(device, buffers: tuple, judge: Callable) -> None:
    """Keep a check of `device` pending: ``judge(*host copies of buffers)`` runs at its next synchronisation."""
    checks = pending.setdefault(device, [])
    if len(checks) >= MAX_PENDING:
        raise_pending(device)
        checks = pending.setdefault(device, [])
    checks.append((buffers, judge))


def raise_pending(device=None) -> None:
    """Run the pending checks of `device` (of every device when None), raising the first failure; each
    check runs once."""
    for placed in list(pending) if device is None else (device,):
        for buffers, judge in pending.pop(placed, ()):
            judge(*(placed.kernels.to_numpy(buffer) for buffer in buffers))


def _flat(kernels, data):
    """A non-empty buffer, a 0-d one viewed as one element (the reductions take at least one axis)."""
    return data if data.shape else kernels.as_strided(data, (1,), (1,), 0)


def _largest(kernels, data):
    data = _flat(kernels, data)
    return kernels.max(data, tuple(range(len(data.shape))), False)


def _smallest(kernels, data):
    data = _flat(kernels, data)
    if kernels.min is not None:
        return kernels.min(data, tuple(range(len(data.shape))), False)
    return kernels.neg(kernels.max(kernels.neg(data), tuple(range(len(data.shape))), False))


def check_extremes(device, data, judge: Callable) -> None:
    """``judge(smallest, largest)`` (Python numbers, NaN when an element is NaN) on a non-empty buffer."""
    kernels = device.kernels
    if queued(device):
        extremes = (_smallest(kernels, data), _largest(kernels, data))
        defer(device, extremes, lambda smallest, largest: judge(smallest.item(), largest.item()))
    else:
        host = kernels.to_numpy(data)
        judge(host.min().item(), host.max().item())


def check_targets(device, target, ignore_index: int, num_classes: int) -> bool | None:
    """PyTorch's IndexError for a class index outside [0, num_classes) among the targets that are not
    ``ignore_index`` (with no classes, for any such target). Returns whether some target is ignored, or
    None on a queued device (where the check is pending and nothing is known on the host)."""
    kernels = device.kernels
    if device.device_type.has_queue:  # `queued`, inline: every training step's cross entropy checks its targets
        if 0 in target.shape:  # nothing to reduce (a device's max of nothing raises): nothing ignored
            return False
        judge = _target_judge(num_classes)
        kept = kernels.ne(target, ignore_index)
        largest = _largest(kernels, kernels.where(kept, target, _INT64_MIN))
        smallest = _smallest(kernels, kernels.where(kept, target, _INT64_MAX))
        defer(device, (smallest, largest), lambda low, high: judge(low.item(), high.item()))
        return None
    host = kernels.to_numpy(target)
    if host.size and host.dtype is _INT64 and not 0 <= ignore_index < num_classes:  # (`is`: numpy's int64)
        unsigned = host.view(_UINT64)
        if unsigned.flat[unsigned.argmax()] < num_classes:  # the max through argmax: no reduction set up
            return False  # read as unsigned, the targets in [0, num_classes) are all below it, and only they are
    if host.size:
        low, high = host.min().item(), host.max().item()
        if not low <= ignore_index <= high:  # none ignored (the common case): no mask, no copy
            if low < 0 or high >= num_classes:
                _target_judge(num_classes)(low, high)
            return False
    kept = host[host != ignore_index]
    if kept.size:
        _target_judge(num_classes)(kept.min().item(), kept.max().item())
    return kept.size != host.size


class _FlaggedTargets:
    """The judge of a fused kernel's target flags (``cross_entropy_checked``) over `rows` rows: each flag is
    0 or a target out of range; PyTorch's IndexError names the first such target."""

    def __init__(self, rows: int) -> None:
        self.rows = rows

    def __call__(self, flags) -> None:
        bad = flags[flags != 0]
        if bad.size:
            raise IndexError(f"Target {bad[0]} is out of bounds.")


def pending_flags(device, rows: int):
    """The flags buffer of `device`'s last pending check when it judges target flags of `rows` rows (a
    kernel adds to it instead of making another: a loop that never synchronises keeps one), else None."""
    checks = pending.get(device)
    if checks:
        buffers, judge = checks[-1]
        if isinstance(judge, _FlaggedTargets) and judge.rows == rows:
            return buffers[0]
    return None


def defer_flagged_targets(device, flags, rows: int) -> None:
    """The one pending check of a fused kernel that checked its targets itself (unless `flags` is pending
    already, from `pending_flags`)."""
    if pending_flags(device, rows) is not flags:
        defer(device, (flags,), _FlaggedTargets(rows))


def _target_judge(num_classes: int) -> Callable:
    def judge(smallest: int, largest: int) -> None:
        if smallest > largest:  # no target is kept
            return
        if largest >= num_classes or smallest < 0:
            bad = largest if largest >= num_classes or not num_classes else smallest
            raise IndexError(f"Target {bad} is out of bounds.")

    return judge


def check_index_range(device, index, low: int, high: int, fail: Callable[[int], None]) -> None:
    """``fail(value)`` (raising the op's PyTorch error) for the first value of the non-empty index buffer
    `index` outside [low, high). On a queued device the values are marked on the device (in range: `low`,
    out of range: themselves, a copy the index's later writes do not reach) and judged at the next
    synchronisation; kernels clamp indices meanwhile."""
    kernels = device.kernels
    if not queued(device):
        check_host_index_range(kernels.to_numpy(index), low, high, fail)
        return
    outside = kernels.bitwise_or(kernels.lt(index, low), kernels.ge(index, high))
    marked = kernels.where(outside, index, low)
    first = kernels.argmax(outside, None, False)
    defer(device, (first, marked), lambda position, values: _judge_index(values.flat[position.item()].item(),
                                                                         low, high, fail))


def check_host_index_range(values, low: int, high: int, fail: Callable[[int], None]) -> None:
    """``fail(value)`` for the first value of the host array `values` outside [low, high), at once (indices
    that are on the host already, such as a list in a key, cost no device work)."""
    bad = _first_outside(values, low, high) if values.size else None
    if bad is not None:
        fail(bad)


def _first_outside(values, low: int, high: int) -> int | None:
    if low == 0:  # one pass: read as unsigned, a negative value lies above any bound
        if values.view(values.dtype.newbyteorder("=").str.replace("i", "u")).max() < high:
            return None
    elif low <= values.min() and values.max() < high:
        return None
    return int(values[(values < low) | (values >= high)].flat[0])


def _judge_index(value: int, low: int, high: int, fail: Callable[[int], None]) -> None:
    if not low <= value < high:  # the first marked value: `low` itself when every value is in range
        fail(value)


def check_no_zero(device, divisor) -> None:
    """PyTorch's RuntimeError for an integer division whose divisor buffer holds a zero."""
    kernels = device.kernels
    if 0 in divisor.shape:
        return
    if queued(device):
        defer(device, (_largest(kernels, kernels.eq(divisor, 0)),), _zero_division)
    elif kernels.to_numpy(kernels.eq(divisor, 0)).any():
        raise RuntimeError("ZeroDivisionError")


def _zero_division(any_zero) -> None:
    if any_zero.item():
        raise RuntimeError("ZeroDivisionError")
