"""Issue 10's layers on a device with a queue (test_queued_device's fake backend): a training step through
Embedding, BatchNorm1d, GroupNorm, Upsample, the Huber loss and clip_grad_norm_ reads nothing on the host
(index checks stay pending on the device), and the running statistics are updated there."""
from __future__ import annotations

import pytest
from test_queued_device import backend, kernels_used  # noqa: F401  (the fixtures)

import ember
from ember import _checks, nn
from ember.nn import functional as F


def test_a_step_through_the_new_layers_reads_nothing_on_the_host(backend, kernels_used):  # noqa: F811
    device = "queued:0"
    embed, norm = nn.Embedding(10, 8, padding_idx=0).to(device), nn.BatchNorm1d(8).to(device)
    grouped, head = nn.GroupNorm(2, 4).to(device), nn.Linear(16, 1).to(device)
    upsample = nn.Upsample(scale_factor=2, mode="linear")
    parameters = [*embed.parameters(), *norm.parameters(), *grouped.parameters(), *head.parameters()]
    optimizer = ember.optim.SGD(parameters, lr=0.1)
    indices = ember.randint(0, 10, (16,), device=device)
    target = ember.randn(16, 1, device=device)
    losses = []
    for _ in range(2):
        backend.host_reads = 0
        optimizer.zero_grad()
        hidden = grouped(norm(embed(indices)).view(16, 4, 2))
        loss = F.huber_loss(head(upsample(hidden).flatten(1)), target, delta=0.5)
        loss.backward()
        nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
        assert backend.host_reads == 0
        losses.append(loss)
    assert norm.num_batches_tracked.device == ember.device(device)
    assert losses[1].item() < losses[0].item()
    assert not _checks.pending


def test_a_bad_embedding_index_raises_pytorchs_error_at_the_next_synchronisation(backend):  # noqa: F811
    weight = ember.randn(5, 3, device="queued:0")
    out = F.embedding(ember.tensor([1, 7], device="queued:0"), weight)  # pending: the lookup is clamped
    assert out.shape == (2, 3)
    with pytest.raises(IndexError, match="index out of range in self"):
        out.sum().item()
    assert not _checks.pending
