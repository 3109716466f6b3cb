"""A fused optimizer kernel updates one device and dtype per call (as PyTorch's fused and foreach steps group
their tensors): a param group mixing float32 and float64 parameters gets the single-tensor rule's values, on
every device that has the kernel."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.optim._update import kernel_groups


def _devices() -> list[str]:
    found = ["cpu"]
    try:
        from ember_opencl import device
    except ImportError:
        return found
    return found + ["opencl"] if device.discover().devices else found


def _params(device: str) -> list[ember.Tensor]:
    rng = np.random.default_rng(0)
    shapes_dtypes = [((3,), "float32"), ((2, 2), "float64"), ((4,), "float32"), ((5,), "float64")]
    return [ember.nn.Parameter(ember.tensor(rng.standard_normal(shape).astype(dtype), device=device))
            for shape, dtype in shapes_dtypes]


def _run(make, device: str, fused) -> list[np.ndarray]:
    params = _params(device)
    optimizer = make(params, fused)
    rng = np.random.default_rng(1)
    for _ in range(3):
        for param in params:
            param.grad = ember.tensor(rng.standard_normal(tuple(param.shape)).astype(str(param.dtype)[6:]),
                                      device=device)
        optimizer.step()
    return [param.detach().cpu().numpy() for param in params]


OPTIMIZERS = {
    "sgd": lambda params, fused: ember.optim.SGD(params, lr=0.1, momentum=0.9, fused=fused),
    "sgd_nesterov_decay": lambda params, fused: ember.optim.SGD(params, lr=0.1, momentum=0.5, nesterov=True,
                                                               weight_decay=0.01, fused=fused),
    "adam": lambda params, fused: ember.optim.Adam(params, lr=0.01, fused=fused),
    "adamw_amsgrad": lambda params, fused: ember.optim.AdamW(params, lr=0.01, amsgrad=True, fused=fused),
}


@pytest.mark.parametrize("device", _devices())
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_mixed_dtypes_in_one_group_update_as_the_single_tensor_rule(name, device):
    fused, composed = _run(OPTIMIZERS[name], device, None), _run(OPTIMIZERS[name], device, False)
    for got, expected in zip(fused, composed):
        assert got.dtype == expected.dtype
        if device == "cpu":  # the kernel rounds each step as the composed ops do
            np.testing.assert_array_equal(got, expected)
        else:  # a device kernel may fuse a multiply-add (as PyTorch's AVX2/AVX512 CPU kernels): an ulp apart at most
            np.testing.assert_allclose(got, expected, rtol=4 * np.finfo(got.dtype).eps, atol=0)


def test_groups_follow_first_appearance_of_each_device_and_dtype():
    params = _params("cpu")
    groups = kernel_groups(params, "sgd_step", None, "SGD")
    assert [positions for positions, _ in groups] == [[0, 2], [1, 3]]
    assert all(kernel is ember.device("cpu").kernels.sgd_step for _, kernel in groups)
    same = [params[0], params[2]]
    assert [positions for positions, _ in kernel_groups(same, "sgd_step", None, "SGD")] == [[0, 1]]


def test_one_kernel_call_per_dtype():
    params = _params("cpu")
    optimizer = ember.optim.SGD(params, lr=0.1, momentum=0.9)
    for param in params:
        param.grad = ember.ones_like(param)
    with ember.profiler.profile() as prof:
        optimizer.step()
    assert sum(call.calls for call in prof.kernel_calls() if call.name == "sgd_step") == 2
