"""cross_entropy's shortcuts for a training step: the mean/sum of the fused losses from the kernel calls
the ops make (same bits as the ops), and the host target check without a mask when ignore_index lies
outside the targets' range. Expected values and errors taken from PyTorch 2.13."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F

LOGITS = [[1.0, 2.0, 3.0], [0.5, 0.0, -1.0], [2.0, 2.0, 2.0]]


# float32 and float64 only: in float16, PyTorch's nll_loss sum is not the sum of its reduction="none" rows (it
# accumulates in float32 and rounds once), so the identity below holds only for some logits (see
# docs/internals.md, float16 losses).
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
@pytest.mark.parametrize("requires_grad", [False, True])
def test_mean_and_sum_match_the_ops_bit_for_bit(dtype, requires_grad):
    logits = ember.randn(64, 10, generator=ember.Generator().manual_seed(0)).to(dtype)
    logits.requires_grad_(requires_grad)
    target = ember.tensor(np.arange(64) % 10)
    rows = F.cross_entropy(logits, target, reduction="none").detach()
    assert F.cross_entropy(logits, target, reduction="sum").item() == rows.sum().item()
    assert F.cross_entropy(logits, target).item() == (rows.sum() / 64).item()


def test_the_mean_backward_scales_by_the_rows():
    logits = ember.tensor(LOGITS, requires_grad=True)
    F.cross_entropy(logits, ember.tensor([0, 1, 2])).backward()
    probabilities = ember.softmax(logits.detach(), 1).numpy()
    expected = (probabilities - np.eye(3, dtype=np.float32)) / 3
    assert np.allclose(logits.grad.numpy(), expected, atol=1e-7)


def test_ignore_index_inside_and_outside_the_targets_range():
    logits = ember.tensor(LOGITS)
    # PyTorch: 1.753109097480774 (the row of target 1 ignored) and 1.8701162338256836 (1 lies between the
    # targets 0 and 2 but none is 1)
    assert F.cross_entropy(logits, ember.tensor([0, 1, 2]), ignore_index=1).item() == pytest.approx(1.7531091, 1e-6)
    assert F.cross_entropy(logits, ember.tensor([0, 2, 2]), ignore_index=1).item() == pytest.approx(1.8701162, 1e-6)
    assert F.cross_entropy(logits, ember.tensor([0, 2, -100])).item() == pytest.approx(
        F.cross_entropy(logits[:2], ember.tensor([0, 2])).item())


@pytest.mark.parametrize("target, bad", [([0, 4, 1], 4), ([-1, 0, 1], -1)])
def test_a_target_out_of_range_raises_pytorchs_index_error(target, bad):
    logits = ember.tensor(LOGITS, requires_grad=True)
    with pytest.raises(IndexError, match=f"Target {bad} is out of bounds."):
        F.cross_entropy(logits, ember.tensor(target))
