"""logit (function, method, in-place, out=, eps) and binary_cross_entropy's PyTorch formula: log1p(-x), not
log(1 - x), so that small probabilities keep their loss (1e-8 gave 0 before), and the target's gradient
-logit(x). Values within two ulps of PyTorch's (its vectorized log is Sleef's), NaN and inf where PyTorch's."""
from __future__ import annotations

import numpy as np
import pytest
from outcomes import same_message

pytestmark = pytest.mark.oracle

X = np.array([0.0, 0.25, 1.0, 1.5, -0.5, 0.5, 1e-8, 0.999, 0.05, 0.3, 0.7, 1 - 1e-7])


def _close(got, expected, ulps=2):
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    same = (got == expected) | (np.isnan(got) & np.isnan(expected))
    with np.errstate(invalid="ignore"):  # inf and NaN elements are compared by `same`
        near = np.abs(got.astype(np.float64) - expected) <= ulps * np.spacing(np.abs(expected)).astype(np.float64)
    assert np.all(same | (near & np.isfinite(expected))), (got, expected)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("eps", [None, 0.1, 1e-6, -1.0])
def test_logit_values_and_gradients(oracle, dtype, eps):
    results = []
    for L in (oracle.ember, oracle.torch):
        x = L.tensor(X.astype(dtype), requires_grad=True)
        y = L.logit(x, eps)
        y.backward(L.ones(len(X), dtype=getattr(L, dtype)))
        results.append((y.detach().cpu().numpy(), x.grad.cpu().numpy(), y.grad_fn.name()))
    (value, grad, name), (expected_value, expected_grad, expected_name) = results
    assert name == expected_name == "LogitBackward0"
    _close(value, expected_value)
    _close(grad, expected_grad)


def test_logit_forms(oracle):
    results = []
    for L in (oracle.ember, oracle.torch):
        ints = L.logit(L.tensor([0, 1, 2]))
        method = L.tensor([0.3, 0.6]).logit(0.4)
        inplace = L.tensor([0.3, 0.6])
        inplace.logit_()
        out = L.empty(0)
        L.logit(L.tensor([0.2, 0.9]), out=out)
        results.append([t.cpu().numpy() for t in (ints, method, inplace, out)])
    for got, expected in zip(*results):
        _close(got, expected)


def test_logit_errors(oracle):
    errors = []
    for L in (oracle.ember, oracle.torch):
        try:
            L.logit([0.5])
        except TypeError as error:
            errors.append(error)
    assert len(errors) == 2


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_binary_cross_entropy_small_probabilities(oracle, dtype):
    x = np.array([1e-8, 1e-4, 0.3, 0.999999, 1 - 1e-7, 0.0, 1.0, 0.5, 0.7]).astype(dtype)
    t = np.array([0, 0, 1, 1, 0, 0, 1, 0.3, 0.9]).astype(dtype)
    results = []
    for L in (oracle.ember, oracle.torch):
        xi, ti = L.tensor(x, requires_grad=True), L.tensor(t, requires_grad=True)
        losses = L.nn.functional.binary_cross_entropy(xi, ti, reduction="none")
        (losses * L.arange(len(x), dtype=getattr(L, dtype))).sum().backward()
        results.append((losses.detach().cpu().numpy(), xi.grad.cpu().numpy(), ti.grad.cpu().numpy()))
    for got, expected in zip(*results):
        _close(got, expected)
    assert results[0][0][0] > 0  # the loss of 1e-8 against 0 is 1e-8, not 0


def test_binary_cross_entropy_range_error_is_unchanged(oracle):
    errors = []
    for L in (oracle.ember, oracle.torch):
        try:
            L.nn.functional.binary_cross_entropy(L.tensor([1.5]), L.tensor([1.0])).cpu()
        except RuntimeError as error:
            errors.append(error)
    assert len(errors) == 2 and same_message(*errors)
