"""The OpenCL backend through ember's public API: device discovery, zero-copy views, device-side results,
a training run that matches the CPU's, and PyTorch's device-mismatch error. Skipped without ember-opencl
or without a working OpenCL device (the conformance kit, run with --ember-device=opencl, checks every
kernel)."""
from __future__ import annotations

import numpy as np
import opencl_device  # noqa: F401,E402  (skips this module without a working OpenCL device)
import pytest
from ember_opencl import buffer, device  # noqa: E402

import ember


def test_discovery_lists_devices_gpus_first_and_the_info_report_shows_them():
    from ember.__main__ import format_report
    from ember.plugins import plugin_report

    found = device.discover().devices
    kinds = [bool(d.device.type & device.cl.device_type.GPU) for d in found]
    assert kinds == sorted(kinds, reverse=True)
    report = format_report(plugin_report())
    assert f"opencl:0 {found[0].describe()}" in report


def test_a_broken_platform_is_skipped_with_its_reason(monkeypatch):
    class Broken:
        name = "Broken Platform"

        def get_devices(self):
            raise RuntimeError("unknown target CPU 'generic'")

    assert device._probe(Broken()) == "RuntimeError: unknown target CPU 'generic'"


def test_views_share_the_base_buffer_and_read_through_strides():
    x = ember.arange(24, dtype=ember.float32).reshape(2, 3, 4).to("opencl")
    view = x.permute(2, 0, 1)[1:, :, ::2]
    assert view._data.base is x._data.base
    np.testing.assert_array_equal(view.cpu().numpy(), np.arange(24, dtype=np.float32).reshape(2, 3, 4)
                                  .transpose(2, 0, 1)[1:, :, ::2])


def test_results_stay_on_the_device_until_read():
    a = ember.tensor([[1.0, 2.0], [3.0, 4.0]], device="opencl")
    b = (a @ a.t() + a).sum(dim=1)
    assert b.device == ember.device("opencl", 0)
    assert isinstance(b._data, buffer.CLArray)
    np.testing.assert_allclose(b.cpu().numpy(), [5 + 11 + 1 + 2, 11 + 25 + 3 + 4])


def test_mixing_cpu_and_opencl_raises_pytorchs_device_error():
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        ember.ones(3, device="opencl") + ember.ones(3)


@pytest.mark.parametrize("op", ["embedding", "embedding_bag", "embedding_renorm_"])
def test_embedding_of_indices_on_another_device_is_pytorchs_device_error(op):
    """An opencl table looked up with CPU indices (a tokenised batch not moved) names both devices, before
    any row is read or renormalised."""
    weight = ember.ones(4, 3, device="opencl")
    indices = ember.tensor([1, 2], device="cpu")
    calls = {"embedding": lambda: ember.nn.Embedding.from_pretrained(weight, max_norm=0.5)(indices),
             "embedding_bag": lambda: ember.nn.functional.embedding_bag(indices, weight,
                                                                         ember.tensor([0], device="cpu"),
                                                                         max_norm=0.5),
             "embedding_renorm_": lambda: ember.embedding_renorm_(weight, indices, 0.5, 2.0)}
    with pytest.raises(RuntimeError, match=rf"found at least two devices, opencl:0 and cpu! \(in {op}\)"):
        calls[op]()
    assert ember.equal(weight.cpu(), ember.ones(4, 3, device="cpu"))


def _training_losses(device_name: str) -> list[float]:
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(8, 16), ember.nn.ReLU(), ember.nn.Linear(16, 3))
    model.to(device_name)
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(0)
    inputs = ember.tensor(rng.standard_normal((32, 8)).astype(np.float32)).to(device_name)
    targets = ember.tensor(rng.integers(0, 3, 32)).to(device_name)
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        loss = ember.nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_a_training_run_matches_the_cpu_within_float32_tolerance():
    np.testing.assert_allclose(_training_losses("opencl"), _training_losses("cpu"), rtol=1e-5, atol=1e-6)
