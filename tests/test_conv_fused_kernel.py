"""The optional `conv2d` kernel, as core uses it: a device that has one runs F.conv2d's forward in one call
of it (bias included), gradients still come from core's composition, and the results are the
composition's. The CPU backend has none; a numpy kernel stands in for a device's own."""
from __future__ import annotations

import contextlib

import numpy as np
import pytest
from test_kit_mutations import _KernelOverride, run_kit

import ember
from ember._device import resolve
from ember.nn import functional as F
from ember.plugins.registry import KernelTable
from ember.testing.test_optional_kernels import _cross_correlation

calls: list[tuple] = []


def numpy_conv2d(x, weight, bias, stride, padding, dilation, groups):
    """A device's fused conv2d, written from its definition in numpy."""
    calls.append((x.shape, weight.shape, stride, padding, dilation, groups))
    result = _cross_correlation(x.astype(np.float64), weight.astype(np.float64),
                                None if bias is None else bias.astype(np.float64), stride=stride, padding=padding,
                                dilation=dilation, groups=groups)
    return result.astype(x.dtype)


@contextlib.contextmanager
def cpu_with_conv2d():
    """Within: the CPU's kernel table has `numpy_conv2d` as its `conv2d`."""
    device = resolve(ember.device("cpu"))
    table = device.kernels
    providers = {name: plugin for name, plugin in table.coverage().items() if plugin is not None}
    kernels = {name: getattr(table, name) for name in providers}
    device.kernels = KernelTable(table.device, {**kernels, "conv2d": numpy_conv2d}, {**providers, "conv2d": "test"})
    calls.clear()
    try:
        yield
    finally:
        device.kernels = table


def run(function, *arrays):
    leaves = [ember.tensor(a, requires_grad=True) for a in arrays]
    output = function(*leaves)
    output.backward(ember.ones(*output.shape, dtype=output.dtype))
    return [output.detach().numpy()] + [leaf.grad.numpy() for leaf in leaves]


CASES = [
    (lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2),
     [(2, 4, 6, 7), (6, 2, 3, 2), (6,)], ((2, 4, 6, 7), (6, 2, 3, 2), (2, 1), ((1, 1), (1, 1)), (1, 2), 2)),
    (lambda x, w: F.conv2d(x, w, padding="same"), [(1, 2, 4, 4), (3, 2, 2, 2)],
     ((1, 2, 4, 4), (3, 2, 2, 2), (1, 1), ((0, 1), (0, 1)), (1, 1), 1)),
    (lambda x, w, b: F.conv1d(x, w, b, stride=2), [(2, 3, 9), (4, 3, 3), (4,)],
     ((2, 3, 1, 9), (4, 3, 1, 3), (1, 2), ((0, 0), (0, 0)), (1, 1), 1)),
]


@pytest.mark.parametrize("function, shapes, call", CASES)
def test_forward_is_one_kernel_call_and_agrees_with_the_composition(function, shapes, call):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape) for shape in shapes]
    composed = run(function, *arrays)
    with cpu_with_conv2d():
        fused = run(function, *arrays)
    assert calls == [call]
    for got, expected in zip(fused, composed):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_transposed_convolutions_do_not_use_it():
    with cpu_with_conv2d():
        F.conv_transpose2d(ember.ones(1, 2, 3, 3), ember.ones(2, 2, 2, 2))
    assert calls == []


def numpy_conv2d_without_bias(x, weight, bias, stride, padding, dilation, groups):
    """A device bug: the bias is dropped."""
    return numpy_conv2d(x, weight, None, stride, padding, dilation, groups)


@pytest.mark.parametrize("kernel, fails", [(numpy_conv2d, False), (numpy_conv2d_without_bias, True)])
def test_the_kit_checks_a_devices_conv2d(kernel, fails):
    code, output = run_kit(["--pyargs", "ember.testing.test_optional_kernels", "--ember-device=cpu", "-k", "conv2d"],
                           (_KernelOverride("cpu", {"conv2d": kernel}), "conv2d-under-test"))
    assert code == (pytest.ExitCode.TESTS_FAILED if fails else pytest.ExitCode.OK), output
    assert "skipped" not in output or fails, output
