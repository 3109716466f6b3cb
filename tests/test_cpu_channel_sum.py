"""The CPU backend's sums over dim 0 and later dims (BatchNorm's per-channel (0, 2, 3)): the leading dims
summed first, then the rest. Same shapes, dtype and values as add.reduce, non-finite values propagated."""
import numpy as np
import pytest

from ember_cpu import kernels

CASES = [((64, 64, 4, 4), (0, 2, 3)), ((64, 32, 8, 8), (0, 2, 3)), ((3, 4, 5, 6), (0, 1, 3)),
         ((2, 3, 4), (0, 2)), ((5, 0, 3), (0, 2)), ((0, 4, 3), (0, 2)), ((4, 3, 2, 5), (0, 1, 2))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize(("shape", "axes"), CASES)
def test_leading_first_sums_match_add_reduce(shape, axes, keepdim, dtype):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    result = kernels.reduce_sum(x, axes, keepdim)
    expected = np.add.reduce(x.astype(np.float64), axes, keepdims=keepdim)
    assert type(result) is np.ndarray and result.dtype == x.dtype and result.shape == expected.shape
    np.testing.assert_allclose(result, expected, rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-4)


@pytest.mark.filterwarnings("error")  # inf - inf: NaN, without numpy's warning
def test_non_finite_values_propagate_per_channel():
    x = np.ones((4, 3, 2, 2), np.float32)
    x[2, 0, 1, 1], x[1, 1, 0, 0], x[3, 1, 1, 0] = np.nan, np.inf, -np.inf
    x[0, 2, 0, 1] = np.inf
    result = kernels.reduce_sum(x, (0, 2, 3), False)
    assert np.isnan(result[0]) and np.isnan(result[1]) and result[2] == np.inf


def test_integer_and_strided_inputs_keep_add_reduce():
    x = np.arange(120).reshape(2, 3, 4, 5)
    assert kernels.reduce_sum(x, (0, 2, 3), False).dtype == x.dtype
    np.testing.assert_array_equal(kernels.reduce_sum(x, (0, 2, 3), False), np.add.reduce(x, (0, 2, 3)))
    view = x.astype(np.float32)[:, :, ::2]
    np.testing.assert_allclose(kernels.reduce_sum(view, (0, 2, 3), True), np.add.reduce(view, (0, 2, 3),
                                                                                        keepdims=True))


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("axes", [(0, 1), (1,), (0,)])
def test_other_sums_stay_quiet(axes):
    x = np.array([[-np.inf, np.inf], [np.inf, 1.0]], np.float32)
    assert np.isnan(kernels.reduce_sum(x, axes, False)).any()
