"""The CPU's relu kernel against a shared zero array (ember_cpu.zeros): PyTorch's bits (-0. and NaN kept,
taken from torch 2.13), every layout and size, and the shared zeros never written."""

import numpy as np
import pytest

import ember
from ember_cpu import ties, zeros

# torch.relu(torch.tensor([-0., nan, -nan, -1., 2., 0.])).view(torch.int32)
RELU_BITS = [-2147483648, 2143289344, -4194304, 0, 1073741824, 0]
SPECIALS = np.array([-0.0, np.nan, -np.nan, -1.0, 2.0, 0.0], np.float32)


@pytest.mark.parametrize("size", [6, zeros.LIMIT + 2])  # through the zero array, and past its limit
def test_relu_keeps_pytorchs_bits(size):
    x = np.resize(SPECIALS, size)
    result = ties.relu(x)
    assert result.view(np.int32)[:6].tolist() == RELU_BITS
    assert np.array_equal(result.view(np.int32), np.resize(np.array(RELU_BITS, np.int32), size))


@pytest.mark.parametrize("dtype", [ember.float16, ember.float32, ember.float64])
def test_relu_of_each_float_dtype_and_layout(dtype):
    values = ember.tensor([[-0.0, float("nan")], [-1.5, 3.0], [0.25, -7.0]], dtype=dtype)
    expected = [[0.0, float("nan")], [0.0, 3.0], [0.25, 0.0]]
    got = ember.relu(values)
    assert got.dtype is dtype and np.array_equal(got.numpy(), np.array(expected), equal_nan=True)
    assert np.signbit(got.numpy()[0, 0])  # -0. stays -0.
    transposed = ember.relu(values.t())  # a non-contiguous input keeps its layout, as PyTorch's (1, 2)
    assert transposed.stride() == (1, 2)
    assert np.array_equal(transposed.numpy(), np.array(expected).T, equal_nan=True)


def test_relu_in_place_and_of_integers():
    x = ember.tensor([[-1.0, 2.0], [3.0, -4.0]])
    x.relu_()
    assert x.tolist() == [[0.0, 2.0], [3.0, 0.0]]
    assert ember.relu(ember.tensor([-3, 4])).tolist() == [0, 4]


def test_shared_zeros_are_read_only_and_stay_zero():
    x = np.full((3, 5), 2.0, np.float64)
    zero = zeros.zeros_like(x)
    assert zero.shape == (3, 5) and zero.dtype == np.float64 and not zero.flags.writeable
    ties.relu(x, out=x)
    assert not zeros.zeros_like(np.empty(10_000, np.float64)).any()
    assert zeros.zeros_like(np.empty(zeros.LIMIT + 1, np.float32)) is None
