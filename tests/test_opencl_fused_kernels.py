"""The OpenCL backend's fused training kernels where the kit does not reach: optimizers over more parameters
than one launch takes and over non-dense buffers, a training step's launch count, and training runs with
tanh/sigmoid/softmax/MSE layers matching the CPU. Skipped without ember-opencl or a working OpenCL device."""
from __future__ import annotations

import numpy as np
import opencl_device  # noqa: F401,E402  (skips this module without a working OpenCL device)
import pytest
from ember_opencl import fused  # noqa: E402

import ember


def _deep_model(device_name: str) -> ember.nn.Module:
    """Enough layers that the parameters exceed one multi-tensor launch (fused._GROUP)."""
    ember.manual_seed(0)
    layers: list[ember.nn.Module] = []
    for _ in range(6):
        layers += [ember.nn.Linear(6, 6), ember.nn.Tanh()]
    model = ember.nn.Sequential(*layers, ember.nn.Linear(6, 4), ember.nn.Sigmoid())
    assert len(list(model.parameters())) > fused._GROUP
    return model.to(device_name)


OPTIMIZERS = {
    "sgd": lambda params: ember.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True),
    "sgd-maximize": lambda params: ember.optim.SGD(params, lr=0.05, maximize=True),
    "adam": lambda params: ember.optim.Adam(params, lr=0.01, amsgrad=True, weight_decay=0.01),
    "adamw": lambda params: ember.optim.AdamW(params, lr=0.01),
}


def _losses(device_name: str, optimizer_name: str, loss_name: str) -> list[float]:
    model = _deep_model(device_name)
    optimizer = OPTIMIZERS[optimizer_name](model.parameters())
    rng = np.random.default_rng(1)
    inputs = ember.tensor(rng.standard_normal((10, 6)).astype(np.float32)).to(device_name)
    targets = ember.tensor(rng.uniform(0, 1, (10, 4)).astype(np.float32)).to(device_name)
    classes = ember.tensor(rng.integers(0, 4, 10)).to(device_name)
    losses = []
    for _ in range(4):
        optimizer.zero_grad()
        output = model(inputs)
        if loss_name == "mse":
            loss = ember.nn.functional.mse_loss(output, targets)
        else:
            loss = -(ember.log_softmax(output * 3, dim=1) * ember.softmax(targets, dim=1)).sum() + \
                ember.nn.functional.cross_entropy(output, classes, reduction="sum")
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("loss_name", ("mse", "softmax"))
@pytest.mark.parametrize("optimizer_name", tuple(OPTIMIZERS))
def test_training_over_more_parameters_than_one_launch_matches_the_cpu(optimizer_name, loss_name):
    np.testing.assert_allclose(_losses("opencl", optimizer_name, loss_name), _losses("cpu", optimizer_name, loss_name),
                               rtol=1e-5, atol=1e-6)


def test_sgd_steps_parameters_and_gradients_that_are_not_dense():
    """A parameter that is a transposed view and a gradient that is a broadcast are stepped in place."""
    host = np.arange(12, dtype=np.float32).reshape(3, 4)
    base = ember.tensor(host, device="opencl")
    kernels = base._device.kernels
    param = kernels.permute(base._data, (1, 0))  # (4, 3), not row-major
    grad = kernels.as_strided(ember.tensor(2.0, device="opencl")._data, (4, 3), (0, 0), 0)
    bufs = fused.sgd_step([param], [grad], [None], 0.5, 0.9, 0.0, 0.0, False, False)
    np.testing.assert_array_equal(base.cpu().numpy(), host - 1.0)
    bufs = fused.sgd_step([param], [grad], bufs, 0.5, 0.9, 0.0, 0.0, False, False)
    np.testing.assert_allclose(base.cpu().numpy(), host - 1.0 - 0.5 * np.float32(2.0 * 0.9 + 2.0))
    np.testing.assert_allclose(kernels.to_numpy(bufs[0]), np.full((4, 3), 3.8, np.float32))


def test_an_mlp_step_queues_one_optimizer_launch():
    """The MLP step's optimizer and loss run as the fused kernels, one call each."""
    model = ember.nn.Sequential(ember.nn.Linear(20, 8), ember.nn.ReLU(), ember.nn.Linear(8, 3)).to("opencl")
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    inputs = ember.ones(5, 20, device="opencl")
    targets = ember.tensor([0, 1, 2, 1, 0], device="opencl")

    def step():
        optimizer.zero_grad()
        loss = ember.nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss

    step()
    with ember.profiler.profile() as prof:
        loss = step()
    assert np.isfinite(loss.item())  # synchronises: the step's pending target check is judged, not left behind
    calls = {call.name: call.calls for call in prof.kernel_calls()}
    assert calls["sgd_step"] == 1 and calls["cross_entropy_checked"] == 1 and calls["cross_entropy_backward"] == 1
    assert calls["threshold_backward"] == 1
    assert "add" not in calls, calls  # no composed optimizer or loss arithmetic
