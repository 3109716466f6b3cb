"""igamma/igammac against PyTorch on more elements than the CPU kernel iterates at a time (its series run on
chunks that elements enter as others converge), over every regime at once, and on elements whose power
series stops at its iteration cap next to elements that converge at once. Values are read through cpu(),
so the file runs on any default device."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

OPS = ("igamma", "igammac")


def _mixed(size):
    """a and x over many decades, half of the pairs close (the asymptotic and Lanczos regimes), shuffled."""
    rng = np.random.default_rng(3)
    a = 10 ** rng.uniform(-3, 5, size)
    x = np.where(rng.random(size) < 0.5, a * (1 + rng.normal(0, 0.2, size)), 10 ** rng.uniform(-3, 5, size))
    return a, np.abs(x)


def _compare(op, a, x, rtol, atol=0.0):
    got = getattr(ember, op)(ember.tensor(a), ember.tensor(x)).cpu().numpy()
    expected = getattr(torch, op)(torch.tensor(a), torch.tensor(x)).numpy()
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


@pytest.mark.parametrize("op", OPS)
def test_float64_over_many_chunks(op):
    """With a up to 1e5 the prefactor x^a e^-x / Gamma(a) is the exp of terms up to 1e6: their last digits
    (numpy's log, math.lgamma's formula against C's lgamma) differ from PyTorch's by ~1e-11 of the result."""
    _compare(op, *_mixed(150_000), rtol=5e-11)


@pytest.mark.parametrize("op", OPS)
def test_float32_over_many_chunks(op):
    """float32 at the grid test's tolerance (PyTorch's float version rounds more than ember's kernels)."""
    a, x = (v.astype(np.float32) for v in _mixed(150_000))
    _compare(op, a, x, rtol=2e-4, atol=1e-6)


@pytest.mark.parametrize("op", OPS)
def test_the_series_iteration_cap_among_converging_elements(op):
    """a in (1e6, 2e6) and x 0.5% to 0.8% below it: the power series stops after its 2000 terms, short of
    the sum (by 3e-8 of it at least), as PyTorch's; between them, elements that converge in a few terms.
    The tolerance is the prefactor's, as above."""
    rng = np.random.default_rng(4)
    capped_a = rng.uniform(1e6, 2e6, 50)
    capped_x = capped_a * (1 - rng.uniform(0.005, 0.008, 50))
    quick_a, quick_x = rng.uniform(1, 5, 50_000), rng.uniform(0.01, 0.5, 50_000)
    a = np.concatenate([capped_a, quick_a, capped_a])
    x = np.concatenate([capped_x, quick_x, capped_x])
    _compare(op, a, x, rtol=1e-11)
