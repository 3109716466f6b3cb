"""Autograd through the device: first and second derivatives of common ops on the device's tensors.

Gradients are checked against finite differences (``ember.autograd.gradcheck``) and second derivatives
with ``ember.autograd.gradgradcheck``, in float64, or in float32 with a step and tolerances float32 can
meet on a device without float64 (the summary says so); float32 gradients, which every device has, are
also checked against a float64 numerical vector-Jacobian product of the op's numpy twin on the host.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.testing.cases import random_array


def _log_softmax(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _index_rows(x):
    return x[ember.tensor([0, 2, 2, -1], device=x.device)]


# name: (op on ember tensors, its numpy twin, (shape, domain) of each input); domains keep the inputs away
# from kinks and poles, so that finite differences are accurate.
CASES = {
    "add": (lambda a, b: a + b, np.add, (((3, 4), "real"), ((4,), "real"))),
    "mul": (lambda a, b: a * b, np.multiply, (((3, 4), "real"), ((3, 1), "real"))),
    "div": (lambda a, b: a / b, np.divide, (((3, 4), "real"), ((4,), "nonzero"))),
    "pow": (lambda a, b: a ** b, np.power, (((3, 4), "positive"), ((3, 4), "real"))),
    "pow_scalar": (lambda a: a ** 3, lambda a: a ** 3, (((3, 4), "real"),)),
    "exp": (ember.exp, np.exp, (((3, 4), "real"),)),
    "log": (ember.log, np.log, (((3, 4), "positive"),)),
    "tanh": (ember.tanh, np.tanh, (((3, 4), "real"),)),
    "sigmoid": (ember.sigmoid, lambda x: 1 / (1 + np.exp(-x)), (((3, 4), "real"),)),
    "relu": (ember.relu, lambda x: np.maximum(x, 0), (((3, 4), "nonzero"),)),
    "matmul": (lambda a, b: a @ b, np.matmul, (((3, 4), "real"), ((4, 2), "real"))),
    "matmul_batched": (lambda a, b: a @ b, np.matmul, (((2, 3, 4), "real"), ((4,), "real"))),
    "sum": (lambda x: x.sum(), np.sum, (((3, 4), "real"),)),
    "sum_dims": (lambda x: x.sum(dim=(0, 2), keepdim=True),
                 lambda x: x.sum(axis=(0, 2), keepdims=True), (((2, 3, 4), "real"),)),
    "mean": (lambda x: x.mean(dim=1), lambda x: x.mean(axis=1), (((3, 4), "real"),)),
    "softmax": (lambda x: ember.softmax(x, dim=1), lambda x: np.exp(_log_softmax(x, 1)), (((3, 4), "real"),)),
    "log_softmax": (lambda x: ember.log_softmax(x, dim=0), lambda x: _log_softmax(x, 0), (((3, 4), "real"),)),
    "index": (_index_rows, lambda x: x[[0, 2, 2, -1]], (((4, 3), "real"),)),
    "mask": (lambda x: x[x > 0], lambda x: x[x > 0], (((4, 3), "nonzero"),)),
    "view_of_view": (lambda x: x[1:].permute(1, 0) * x[1:].permute(1, 0), lambda x: x[1:].T * x[1:].T,
                     (((3, 4), "real"),)),
}


def _inputs(ember_device, ember_rng, name, dtype):
    """Leaf tensors on the device under test for case ``name``, and their values on the host."""
    hosts = [random_array(ember_rng, shape, "float64", domain).astype(dtype.numpy).astype(np.float64)
             for shape, domain in CASES[name][2]]
    leaves = [ember.tensor(host, dtype=dtype, device=ember_device.device, requires_grad=True)
              for host in hosts]
    return leaves, hosts


def _host(tensor):
    """A tensor's values as a float64 numpy array, through ``tolist`` (works on every device)."""
    return np.asarray(tensor.detach().tolist(), dtype=np.float64)


def _numerical_vjp(function, hosts, position, weights, eps=1e-6):
    """d sum(weights * function(*hosts)) / d hosts[position] by central differences in float64."""
    gradient = np.zeros_like(hosts[position])
    for index in np.ndindex(gradient.shape):
        values = []
        for step in (eps, -eps):
            moved = [h.copy() for h in hosts]
            moved[position][index] += step
            values.append(np.sum(weights * function(*moved)))
        gradient[index] = (values[0] - values[1]) / (2 * eps)
    return gradient


def _on_device_under_test(tensor, ember_device):
    return tensor.device.type == ember_device.device.type and (tensor.device.index or 0) == ember_device.index


# Central differences in float32 with step 1e-2 are off by about eps32 * |f| / step (1e-4) from rounding
# and step**2 * |f'''| / 6 (1e-4) from truncation, on the kit's inputs: 1e-2 is an honest bound, 1e-5 is not.
FLOAT32_GRADCHECK = {"eps": 1e-2, "atol": 1e-2, "rtol": 1e-2}


def _gradcheck_setup(ember_device):
    """The dtype and gradcheck options: float64 and gradcheck's own, or float32's on a device without it."""
    if ember_device.lacks_float64:
        return ember_device.dtype("float32"), FLOAT32_GRADCHECK
    return ember_device.dtype("float64"), {}


def _check(check, function, leaves, options):
    with warnings.catch_warnings():
        # gradcheck's advice to use float64, which the device does not have
        warnings.filterwarnings("ignore", message=".*not a double precision", category=UserWarning)
        assert check(function, tuple(leaves), **options)


@pytest.mark.parametrize("name", tuple(CASES))
def test_gradcheck(ember_device, ember_rng, name):
    dtype, options = _gradcheck_setup(ember_device)
    leaves, _ = _inputs(ember_device, ember_rng, name, dtype)
    _check(gradcheck, CASES[name][0], leaves, options)


@pytest.mark.parametrize("name", tuple(CASES))
def test_gradgradcheck(ember_device, ember_rng, name):
    dtype, options = _gradcheck_setup(ember_device)
    leaves, _ = _inputs(ember_device, ember_rng, name, dtype)
    _check(gradgradcheck, CASES[name][0], leaves, options)


@pytest.mark.parametrize("name", tuple(CASES))
def test_float32_backward_matches_numerical_vjp(ember_device, ember_rng, name):
    dtype = ember_device.dtype("float32")
    function, twin, _ = CASES[name]
    leaves, hosts = _inputs(ember_device, ember_rng, name, dtype)
    output = function(*leaves)
    weights = ember_rng.uniform(-1, 1, size=tuple(output.shape)).astype(np.float32)
    output.backward(ember.tensor(weights, device=ember_device.device))
    for position, leaf in enumerate(leaves):
        np.testing.assert_allclose(_host(leaf.grad), _numerical_vjp(twin, hosts, position, weights),
                                   rtol=1e-4, atol=1e-5, err_msg=f"{name}: gradient of input {position}")


@pytest.mark.parametrize("name", tuple(CASES))
def test_results_and_gradients_stay_on_the_device(ember_device, ember_rng, name):
    leaves, _ = _inputs(ember_device, ember_rng, name, ember_device.dtype("float32"))
    output = CASES[name][0](*leaves)
    assert _on_device_under_test(output, ember_device), f"{name} produced a tensor on {output.device}"
    output.sum().backward()
    for position, leaf in enumerate(leaves):
        assert _on_device_under_test(leaf.grad, ember_device), \
            f"{name}: gradient of input {position} is on {leaf.grad.device}"
        assert leaf.grad.shape == leaf.shape and leaf.grad.dtype == leaf.dtype
