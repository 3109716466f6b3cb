"""Cross entropy on a device with a queue (OpenCL): the fused ``cross_entropy_checked`` kernel checks the
targets itself, core defers one check on its flags, and a bad target raises PyTorch's IndexError at the next
synchronisation with no host read inside the op. The kit row that judges the kernel fails one that lets bad
targets through. Skipped without ember-opencl or a working OpenCL device."""
from __future__ import annotations

import numpy as np
import opencl_device  # noqa: F401,E402  (skips this module without a working OpenCL device)
import pytest

import ember
from ember import _checks
from ember.testing import test_optional_kernels as kit
from ember.testing.harness import DeviceUnderTest

F = ember.nn.functional


pytestmark = pytest.mark.usefixtures("no_pending_checks")


LOGITS = np.linspace(-2, 2, 24, dtype=np.float32).reshape(6, 4)


# targets, ignore_index and PyTorch's message (torch 2.13 on the CPU names the first bad row's target)
BAD_TARGETS = [([0, 5, 1, -3, 0, 0], -100, "Target 5 is out of bounds."),
               ([-3, 5, 0, 0, 0, 0], -100, "Target -3 is out of bounds."),
               ([-100, -100, 7, 0, 0, 0], -100, "Target 7 is out of bounds."),
               ([2, 2, 4, 0, -1, 1], 2, "Target 4 is out of bounds.")]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("targets, ignore_index, message", BAD_TARGETS)
def test_a_bad_target_raises_at_the_next_synchronisation(targets, ignore_index, message, reduction):
    logits = ember.tensor(LOGITS, device="opencl", requires_grad=True)
    target = ember.tensor(targets, device="opencl")
    with ember.profiler.profile() as prof:
        loss = F.cross_entropy(logits, target, ignore_index=ignore_index, reduction=reduction)
        loss.sum().backward()
    calls = {call.name for call in prof.kernel_calls()}
    assert "to_numpy" not in calls and "cross_entropy_checked" in calls, calls
    with pytest.raises(IndexError, match=f"^{message}$"):
        print(loss)
    assert not _checks.pending, "a check raises once"
    loss.sum().item()  # judged: later reads do not raise again


def test_steps_between_synchronisations_share_one_pending_check():
    """A loop that never synchronises adds each step's flags to the pending ones (no buffer, no check
    more); the synchronisation names the first flagged row's target (rows flagged earlier kept)."""
    logits = ember.tensor(LOGITS, device="opencl")
    good, bad, worse = (ember.tensor(t, device="opencl") for t in ([0, 1, 2, 3, 0, 1], [0, 1, 9, 3, 0, -4],
                                                                   [8, 1, 5, 3, 0, 1]))
    losses = [F.cross_entropy(logits, target) for target in (good, good, bad, good, worse, good)]
    assert len(_checks.pending[ember.device("opencl:0")]) == 1
    with pytest.raises(IndexError, match="^Target 8 is out of bounds.$"):  # row 0 of `worse` comes first
        losses[-1].item()
    assert np.isfinite(F.cross_entropy(logits, good).item())


def test_every_target_ignored_gives_nan_and_zero_gradients():
    """PyTorch: the mean over no target is nan, and the ignored rows' gradients stay 0 (not nan)."""
    logits = ember.tensor(LOGITS, device="opencl", requires_grad=True)
    loss = F.cross_entropy(logits, ember.full((6,), -100, dtype=ember.int64, device="opencl"))
    loss.backward()
    assert np.isnan(loss.item())
    np.testing.assert_array_equal(logits.grad.cpu().numpy(), np.zeros((6, 4), np.float32))


class _Table:
    """A kernel table with one kernel replaced."""

    def __init__(self, table, name, kernel):
        self._table, self._name, self._kernel = table, name, kernel

    def __getattr__(self, name):
        return getattr(self._table, name)

    def get(self, name):
        return self._kernel if name == self._name else self._table.get(name)


def test_the_kit_fails_a_kernel_that_lets_bad_targets_through():
    opencl = DeviceUnderTest.resolve("opencl:0")
    real = opencl.kernels.cross_entropy_checked

    def unchecked(logits, target, ignore_index, flags):
        rows, probs, flags = real(logits, target, ignore_index, flags)
        return rows, probs, opencl.kernels.full(flags.shape, 0, ember.int64, index=0)

    kit.test_cross_entropy_checked_flags_bad_targets(opencl, np.random.default_rng(0), "float32", "contiguous")
    broken = DeviceUnderTest(opencl.name, opencl.index, _Table(opencl.kernels, "cross_entropy_checked", unchecked),
                             opencl.device_type)
    with pytest.raises(AssertionError, match="flags"):
        kit.test_cross_entropy_checked_flags_bad_targets(broken, np.random.default_rng(0), "float32", "contiguous")
