"""The CPU backend's igamma/igammac kernels (ember_cpu.igamma): an element's value does not depend on the
others computed with it (the series run on chunks that elements enter and leave as they converge), and
lgamma over arrays (math.lgamma's formula in numpy) is math.lgamma's to a few ulps."""
import numpy as np
import pytest

from ember import _special_series
from ember_cpu import igamma, special


def _mixed(size):
    rng = np.random.default_rng(5)
    a = 10 ** rng.uniform(-3, 5, size)
    x = np.where(rng.random(size) < 0.5, a * (1 + rng.normal(0, 0.2, size)), 10 ** rng.uniform(-3, 5, size))
    return a, np.abs(x)


@pytest.mark.parametrize("op", ["igamma", "igammac"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_each_value_is_the_one_computed_alone(op, dtype):
    a, x = (v.astype(dtype) for v in _mixed(3 * igamma._CHUNK))
    together = getattr(igamma, op)(a, x)
    for i in np.random.default_rng(6).choice(a.size, 150, replace=False):
        alone = getattr(igamma, op)(a[i:i + 1], x[i:i + 1])
        np.testing.assert_array_equal(together[i:i + 1], alone)


def test_lgamma_of_positive_arrays_is_math_lgammas():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(0, 20, 20_000), 10 ** rng.uniform(-30, 300, 20_000),
                        [1e-300, 1e-21, 1e-20, 1.0, 2.0, 3.0, 4.999999, 5.0, 171.5, 1e306, np.inf]])
    with np.errstate(over="ignore"):
        got = special.lgamma_positive(x)
    expected = np.array([_special_series.lgamma(v) for v in x])
    np.testing.assert_array_equal(got[np.isinf(expected)], expected[np.isinf(expected)])
    assert got[x == 1.0] == 0.0 and got[x == 2.0] == 0.0
    got, expected = got[np.isfinite(expected)], expected[np.isfinite(expected)]
    assert np.all(np.abs(got - expected) <= 8 * np.spacing(np.maximum(np.abs(expected), 1)))
