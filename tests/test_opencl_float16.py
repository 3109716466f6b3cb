"""float16 on OpenCL devices without cl_khr_fp16 (issue 8): buffers of half read and written through
vload_half/vstore_half_rte, computed in float (elementwise kernels natively, the other kernel families
through float32 copies, ember_opencl/half.py). Expected values are PyTorch 2.13's (CPU), hard-coded.
Skipped without ember-opencl or a working OpenCL device."""
from __future__ import annotations

import numpy as np
import opencl_device  # noqa: F401  (skips this module without a working OpenCL device)
import pytest
from ember_opencl import device, elementwise
from ember_opencl.kernels import KERNELS

import ember


def _opencl(values, dtype=ember.float16):
    return ember.tensor(values, dtype=dtype, device="opencl")


def test_every_device_offers_float16():
    assert "float16" in device.device_type().dtypes
    assert all("float16" in d.dtypes for d in device.discover().devices)


def test_the_generated_code_needs_no_fp16_extension():
    """Half buffers are read with vload_half and written with vstore_half_rte, and no kernel enables
    cl_khr_fp16: so they build on PoCL, which lacks it."""
    x = _opencl([1.0, 2.0])
    (x * 3).cpu()
    sources = [source for source, _ in x._data.device.programs]
    assert any("__global const half *a_" in s and "vload_half(a_i, a_)" in s for s in sources)
    assert any("__global half *out" in s and "vstore_half_rte(" in s for s in sources)
    assert not any("cl_khr_fp16" in source for source in sources)


def test_arithmetic_rounds_each_op_to_float16_as_pytorch():
    h = _opencl([1.5, 65504.0, -2.25, 0.1])
    assert (h * 3 + 1).cpu().tolist() == [5.5, float("inf"), -5.75, 1.2998046875]
    assert np.isnan((h * float("nan")).cpu().numpy()).all()


def test_conversions_to_float16_go_through_float_as_pytorch():
    """A float64 is rounded to float, then to half (PyTorch's conversion), an integer past 65504 is inf."""
    value = 1 + 2**-11 + 2**-40  # directly to half: 1.0009765625; through float it ties to even: 1.0
    if "float64" in device.get(0).dtypes:
        assert _opencl([value], ember.float64).to(ember.float16).item() == 1.0
    assert _opencl([70000, -3, 2049], ember.int64).to(ember.float16).cpu().tolist() == [float("inf"), -3.0, 2048.0]
    assert ember.arange(0, 1, 0.3, dtype=ember.float16, device="opencl").cpu().tolist() == \
        [0.0, 0.300048828125, 0.60009765625, 0.89990234375]


def test_reductions_scans_and_matmul_accumulate_in_float():
    assert ember.full((4096,), 0.1, dtype=ember.float16, device="opencl").sum().item() == 409.5
    assert ember.full((3000,), 0.1, dtype=ember.float16, device="opencl").cumsum(0)[-1].item() == 300.0
    a = _opencl([[1.0, 2.0], [3.0, 4.0]]) * 0.1
    assert (a @ a).cpu().tolist() == [[0.07000732421875, 0.0999755859375], [0.1500244140625, 0.219970703125]]
    assert ember.softmax(_opencl([[0.1, 0.2, 0.3]]), 1).cpu().tolist() == [[0.300537109375, 0.332275390625,
                                                                              0.3671875]]


def test_sort_keeps_float16_values_and_int64_indices():
    values, indices = ember.sort(_opencl([0.3, float("nan"), -1.0, 0.2]))
    assert values.dtype is ember.float16 and indices.dtype is ember.int64
    assert values.cpu().tolist()[:3] == [-1.0, 0.199951171875, 0.300048828125] and np.isnan(values[3].item())
    assert indices.cpu().tolist() == [2, 3, 0, 1]


def test_in_place_kernels_write_back_into_the_float16_buffer():
    """index_put_ with accumulate updates the tensor (and a view of it) in place."""
    base = ember.zeros(2, 5, dtype=ember.float16, device="opencl")
    row = base[1]
    row.index_put_((ember.tensor([0, 0, 2], device="opencl"),), _opencl([0.1, 0.2, 0.3]), accumulate=True)
    assert base.cpu().tolist() == [[0.0] * 5, [0.2998046875, 0.0, 0.300048828125, 0.0, 0.0]]


def test_a_kernel_s_out_gets_the_float32_result_rounded_once():
    x = ember.full((4096,), 0.1, dtype=ember.float16, device="opencl")
    out = ember.empty((), dtype=ember.float16, device="opencl")
    assert KERNELS["sum"](x._data, (0,), False, out=out._data) is out._data
    assert out.item() == 409.5


def test_sgd_with_momentum_keeps_float16_parameters_and_buffers():
    """Three SGD-momentum steps of float16 parameters (the fused sgd_step through float32): PyTorch's
    values within float16's rounding, the momentum buffer float16."""
    p = _opencl([1.0, -2.0, 0.5]).requires_grad_()
    weights = _opencl([0.3, 0.7, 1.1])
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9)
    for _ in range(3):
        opt.zero_grad()
        (p * p * weights).sum().backward()
        opt.step()
    buffer = opt.state[p]["momentum_buffer"]
    assert p.dtype is ember.float16 and buffer.dtype is ember.float16
    np.testing.assert_allclose(p.detach().cpu().numpy(), [0.6806640625, -0.611328125, -0.0059814453125],
                               rtol=5e-3, atol=2e-3)
    np.testing.assert_allclose(buffer.cpu().numpy(), [1.4912109375, -6.15625, 2.115234375], rtol=5e-3)


@pytest.mark.parametrize("low, high", [(0.0, 1.0), (-1.0, 1.0)])
def test_uniform_float16_stays_below_high(low, high):
    """11 random bits per float16 draw: rounding to half never reaches the excluded upper bound."""
    gen = ember.Generator("opencl").manual_seed(0)
    values = ember.empty(200_000, dtype=ember.float16, device="opencl").uniform_(low, high, generator=gen)
    host = values.cpu().numpy()
    assert host.min() >= low and host.max() < high
    assert abs(float(host.astype(np.float64).mean()) - (low + high) / 2) < 0.01


def test_a_python_scalar_meets_float16_as_pytorch():
    assert _opencl([3.0, 7.0, 1000.0, 3.5]).mul(1 / 3).cpu().tolist() == [1.0, 2.333984375, 333.25, 1.1669921875]
    assert elementwise.scalar_arg(0.1, np.dtype(np.float16)) == np.float32(np.float16(0.1))
