"""Cross entropy on OpenCL (the fused ``cross_entropy_checked`` path of a queued device) against PyTorch on
the CPU: losses, gradients and grad_fn for every reduction with ignored targets, and the error of a bad
target (raised by ember at the next synchronisation). Skipped without torch, ember-opencl or a device."""
from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
pytest.importorskip("ember_opencl")
from ember_opencl import device  # noqa: E402

if not device.discover().devices:
    pytest.skip("no working OpenCL device", allow_module_level=True)

pytestmark = pytest.mark.oracle

LOGITS = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)
WEIGHTS = np.random.default_rng(1).uniform(0.5, 1.5, 6).astype(np.float32)


def _run(lib, target, place, **options):
    x = place(lib.tensor(LOGITS)).requires_grad_()
    loss = lib.nn.functional.cross_entropy(x, place(lib.tensor(target)), **options)
    (loss * place(lib.tensor(WEIGHTS[: loss.numel()].reshape(tuple(loss.shape))))).sum().backward()
    return loss.detach().cpu().numpy(), x.grad.cpu().numpy(), type(loss.grad_fn).__name__


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("target, options", [
    ([0, 1, 2, 3, 0, 1], {}), ([0, -100, 2, 3, -100, 1], {}), ([0, 1, 2, 3, 0, 1], {"ignore_index": 1}),
    ([-100] * 6, {}),
], ids=["plain", "ignored", "ignore_index 1", "all ignored"])
def test_cross_entropy_on_opencl_matches_torch(reduction, target, options):
    got = _run(ember, target, lambda t: t.to("opencl"), reduction=reduction, **options)
    expected = _run(torch, target, lambda t: t, reduction=reduction, **options)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-5, atol=1e-6)
    assert got[2] == expected[2] == "NllLossBackward0"


@pytest.mark.parametrize("target, ignore_index", [([0, 5, 1, -3, 0, 0], -100), ([-3, 5, 0, 0, 0, 0], -100),
                                                  ([-100, -100, 7, 0, 0, 0], -100), ([2, 2, 4, 0, -1, 1], 2)])
def test_a_bad_target_raises_torchs_error(target, ignore_index):
    with pytest.raises(Exception) as expected:
        torch.nn.functional.cross_entropy(torch.tensor(LOGITS), torch.tensor(target), ignore_index=ignore_index)
    loss = ember.nn.functional.cross_entropy(ember.tensor(LOGITS, device="opencl"),
                                             ember.tensor(target, device="opencl"), ignore_index=ignore_index)
    with pytest.raises(type(expected.value)) as got:
        loss.item()
    assert str(got.value) == str(expected.value)
