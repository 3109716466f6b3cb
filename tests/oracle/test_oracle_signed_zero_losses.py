"""Signs of zeros and the rounding of losses against PyTorch: binary_cross_entropy computed with its
kernel's formula ((t - 1) max(log1p(-x), -100) - t max(log x, -100): a certain prediction's loss is +0,
not -0, so ``loss ** -1`` is inf), and a 0-d tensor's sum and mean, which start from +0 (-0 sums to +0)."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

PROBABILITIES = (0.0, 1.0, 0.5, 0.25, 0.75, 1e-8, 0.999, 0.1, 0.3, 1e-30)
TARGETS = (0.0, 1.0, 0.5, 0.25, 0.9)
RTOL = {"float16": 1e-3, "float32": 1e-6, "float64": 1e-14}


def _bce(lib, x, t, dtype, reduction, weighted):
    xi = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
    weight = lib.full(xi.shape, 0.5, dtype=getattr(lib, dtype)) if weighted else None
    loss = lib.nn.functional.binary_cross_entropy(xi, lib.tensor(t, dtype=getattr(lib, dtype)), weight=weight,
                                                  reduction=reduction)
    return loss.detach().double().cpu().numpy(), type(loss.grad_fn).__name__


@pytest.mark.parametrize("weighted", (False, True))
@pytest.mark.parametrize("reduction", ("none", "sum", "mean"))
@pytest.mark.parametrize("dtype", ("float16", "float32", "float64"))
def test_binary_cross_entropy_is_pytorchs_formula(dtype, reduction, weighted):
    rng = np.random.default_rng(len(dtype) + len(reduction))
    for _ in range(40):
        n = int(rng.integers(1, 6))
        x, t = rng.choice(PROBABILITIES, size=n), rng.choice(TARGETS, size=n)
        (got, got_fn), (expected, expected_fn) = (_bce(lib, x, t, dtype, reduction, weighted) for lib in (ember, torch))
        assert got_fn == expected_fn
        np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))
        if dtype == "float32" or reduction != "none":  # numpy's float32 log and log1p, and sums, may differ
            np.testing.assert_allclose(got, expected, rtol=RTOL[dtype])  # from PyTorch's in the last bit
        else:
            np.testing.assert_array_equal(got, expected)


def test_the_fuzzers_reproducer():
    def power(lib):
        x2 = lib.tensor(-1e30, requires_grad=True)
        t5 = lib.nn.functional.binary_cross_entropy(x2.sigmoid(), lib.tensor(0.0))
        return (t5 ** -1).item()
    assert power(ember) == power(torch) == np.inf


@pytest.mark.parametrize("dtype", ("float16", "float32", "float64"))
@pytest.mark.parametrize("op", ("sum", "mean"))
def test_a_0d_sum_starts_from_plus_zero(op, dtype):
    def reduced(lib, keepdim):
        x = lib.tensor(-0.0, dtype=getattr(lib, dtype))
        return getattr(x, op)() if keepdim is None else getattr(x, op)(0, keepdim=keepdim)
    for keepdim in (None, False, True):
        got, expected = reduced(ember, keepdim), reduced(torch, keepdim)
        assert np.signbit(got.item()) == np.signbit(expected.item()), keepdim
