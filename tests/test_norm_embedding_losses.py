"""Issue 10's layers, losses and nn.utils without PyTorch: values and errors taken from PyTorch 2.13 (the
oracle tests in tests/oracle/ compare with torch itself), so that every CI environment checks them."""

from __future__ import annotations

import pytest

import ember
from ember import nn
from ember.nn import functional as F

X = [[1.0, 2.0, 0.5], [3.0, -1.0, 0.0], [0.0, 4.0, 2.0], [2.0, 2.0, -3.0]]


def _close(got, expected, rel=1e-5):
    assert got == pytest.approx(expected, rel=rel, abs=1e-6)


def _flat(tensor) -> list:
    return tensor.detach().flatten().tolist()


def test_batch_norm_cumulative_average_and_eval():
    """momentum=None: the running statistics average the batches' (variance unbiased); eval uses them."""
    module = nn.BatchNorm1d(3, momentum=None)
    x = ember.tensor(X)
    module(x)
    out = module(x * 2 + 1)
    _close(_flat(out)[:3], [-0.44721314311027527, 0.14002791047096252, 0.3442140817642212])
    _close(module.running_mean.tolist(), [2.75, 3.125, 0.3125])
    _close(module.running_var.tolist(), [4.166666507720947, 10.625, 10.989583969116211])
    assert module.num_batches_tracked.item() == 2 and module.num_batches_tracked.dtype is ember.int64
    module.eval()
    _close(_flat(module(x))[:3], [-0.8573204278945923, -0.3451341390609741, 0.05656013637781143])
    assert type(out.grad_fn).__name__ == "NativeBatchNormBackward0"
    assert list(module.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert repr(module) == ("BatchNorm1d(3, eps=1e-05, momentum=None, affine=True, bias=True, "
                            "track_running_stats=True)")


def test_batch_norm_errors():
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training, got input size "
                                         r"ember.Size\(\[1, 3\]\)"):
        nn.BatchNorm1d(3)(ember.randn(1, 3))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        nn.BatchNorm2d(3)(ember.randn(2, 3, 4))
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 4"):
        F.batch_norm(ember.randn(2, 3), ember.zeros(4), ember.ones(4))


def test_group_norm_values_and_errors():
    x = (ember.arange(12.0).reshape(1, 4, 3)) ** 1.5
    _close(_flat(F.group_norm(x, 2))[:3], [-1.197790265083313, -0.9429857730865479, -0.47709423303604126])
    with pytest.raises(ValueError, match=r"num_channels \(4\) must be divisible by num_groups \(3\)"):
        nn.GroupNorm(3, 4)


def test_embedding_padding_max_norm_and_scaled_gradient():
    weight = ember.tensor([[3.0, 4.0], [1.0, 0.0], [0.0, 0.5]], requires_grad=True)
    out = F.embedding(ember.tensor([0, 1, 0, 2]), weight, padding_idx=1, max_norm=2.0, scale_grad_by_freq=True)
    out.sum().backward()
    _close(_flat(out), [1.2, 1.6, 1.0, 0.0, 1.2, 1.6, 0.0, 0.5])
    _close(_flat(weight), [1.2, 1.6, 1.0, 0.0, 0.0, 0.5])  # row 0 renormalised in place
    assert weight.grad.tolist() == [[1.0, 1.0], [0.0, 0.0], [1.0, 1.0]]
    assert type(out.grad_fn).__name__ == "EmbeddingBackward0"
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 3, padding_idx=5)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types: Long, Int"):
        F.embedding(ember.tensor([0.0]), weight)


def test_robust_and_ranking_losses():
    a, zeros = ember.tensor([0.5, -2.0, 3.0]), ember.zeros(3)
    _close(F.huber_loss(a, zeros, reduction="none", delta=1.5).tolist(), [0.125, 1.875, 3.375])
    _close(F.smooth_l1_loss(a, zeros, reduction="none", beta=0.5).tolist(), [0.25, 1.75, 2.75])
    log_p = ember.tensor([[-1.0, -0.5], [-2.0, -0.2]])
    target = ember.tensor([[0.3, 0.7], [0.2, 0.8]])
    _close(F.kl_div(log_p, ember.tensor([[0.3, 0.7], [0.0, 1.0]]), reduction="batchmean").item(),
           0.11956783384084702)
    _close(F.kl_div(log_p, target.log(), reduction="sum", log_target=True).item(), 0.09873326122760773)
    cosine = F.cosine_embedding_loss(ember.tensor([[1.0, 0.0], [1.0, 1.0]]), ember.tensor([[0.0, 1.0], [1.0, 0.0]]),
                                     ember.tensor([1, -1]), margin=0.5, reduction="none")
    _close(cosine.tolist(), [1.0, 0.20710676908493042])
    ranking = F.margin_ranking_loss(ember.tensor([1.0, 2.0]), ember.tensor([2.0, 0.5]), ember.tensor([1.0, -1.0]),
                                    margin=0.1, reduction="none")
    _close(ranking.tolist(), [1.1, 1.6])
    with pytest.raises(RuntimeError, match="huber_loss does not support non-positive values for delta."):
        F.huber_loss(a, zeros, delta=0)


def test_clip_grad_norm_and_value():
    p, q = nn.Parameter(ember.zeros(2)), nn.Parameter(ember.zeros(1))
    p.grad, q.grad = ember.tensor([3.0, 4.0]), ember.tensor([12.0])
    assert nn.utils.clip_grad_norm_([p, q], 6.5).item() == 13.0
    _close(p.grad.tolist() + q.grad.tolist(), [1.4999998807907104, 1.9999998807907104, 5.999999523162842])
    nn.utils.clip_grad_value_([p, q], 1.6)
    _close(p.grad.tolist() + q.grad.tolist(), [1.4999998807907104, 1.6, 1.6])
    vector = nn.utils.parameters_to_vector([p, q])
    nn.utils.vector_to_parameters(vector * 0 + 2, [p, q])
    assert p.tolist() == [2.0, 2.0] and q.tolist() == [2.0]


def test_interpolate_bilinear_and_nearest():
    image = ember.tensor([[[[1.0, 2.0], [3.0, 5.0]]]])
    _close(_flat(F.interpolate(image, size=(3, 3), mode="bilinear")), [1, 1.5, 2, 2, 2.75, 3.5, 3, 4, 5])
    upsample = nn.Upsample(size=(3, 3), mode="bilinear", align_corners=True)
    _close(_flat(upsample(image)), [1, 1.5, 2, 2, 2.75, 3.5, 3, 4, 5])
    assert _flat(F.interpolate(image, scale_factor=1.5)) == [1, 1, 2, 1, 1, 2, 3, 3, 5]
    assert nn.Unflatten(1, (2, 2))(ember.zeros(3, 4)).shape == (3, 2, 2)
