"""Max pooling's NaN rule (a window's last NaN is its index, PyTorch's) on a device with a queue, where
core cannot look for NaNs on the host first: the same indices, and no host read."""
from __future__ import annotations

from test_queued_device import backend  # noqa: F401  (the fixture)

import ember
from ember.nn import functional as F

NAN = float("nan")


def test_max_pool_picks_the_last_nan_without_reading_the_host(backend):  # noqa: F811
    x = ember.tensor([[[1.0, NAN, 3.0, NAN, 5.0, 5.0, 2.0, 5.0]]], device="queued:0", requires_grad=True)
    backend.host_reads = 0
    values, indices = F.max_pool1d(x, 4, return_indices=True)
    values.sum().backward()
    assert backend.host_reads == 0
    assert indices.tolist() == [[[3, 4]]]  # PyTorch 2.13: tensor([[[3, 4]]])
    assert x.grad.tolist() == [[[0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0]]]
