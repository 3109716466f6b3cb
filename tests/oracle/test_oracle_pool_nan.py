"""Max pooling over windows holding several NaNs: PyTorch's index is the window's LAST NaN (its loop lets
each later NaN replace the maximum so far), and among equal maxima without NaN its first; the gradient
follows the index."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def _input(shape, seed: int) -> np.ndarray:
    """Small integers (so maxima tie, zeros most often) with about a third of the elements NaN."""
    rng = np.random.default_rng(seed)
    values = rng.integers(-1, 2, size=shape).astype(np.float32)
    values[rng.random(shape) < 0.35] = np.nan
    return values


CASES = {
    "max_pool1d": ((2, 3, 11), lambda F, x: F.max_pool1d(x, 3, stride=1, return_indices=True)),
    "max_pool1d_padded": ((2, 3, 11), lambda F, x: F.max_pool1d(x, 4, stride=2, padding=2, return_indices=True)),
    "max_pool1d_ceil": ((2, 3, 10), lambda F, x: F.max_pool1d(x, 3, stride=2, ceil_mode=True, return_indices=True)),
    "max_pool2d": ((2, 2, 6, 7), lambda F, x: F.max_pool2d(x, 2, return_indices=True)),
    "max_pool2d_overlapping": ((2, 2, 6, 7), lambda F, x: F.max_pool2d(x, 3, stride=1, padding=1,
                                                                        return_indices=True)),
    "max_pool2d_dilated": ((1, 2, 7, 7), lambda F, x: F.max_pool2d(x, 2, dilation=2, return_indices=True)),
    "max_pool2d_unbatched": ((3, 5, 5), lambda F, x: F.max_pool2d(x, (2, 3), stride=(1, 2), return_indices=True)),
    "adaptive_max_pool1d": ((2, 3, 11), lambda F, x: F.adaptive_max_pool1d(x, 4, return_indices=True)),
    "adaptive_max_pool2d": ((2, 2, 7, 5), lambda F, x: F.adaptive_max_pool2d(x, (3, 2), return_indices=True)),
}


def _run(lib, case: str, seed: int):
    shape, call = CASES[case]
    x = lib.tensor(_input(shape, seed), requires_grad=True)
    values, indices = call(lib.nn.functional, x)
    values.backward(lib.ones_like(values))
    return values.detach().cpu().numpy(), indices.cpu().numpy(), x.grad.cpu().numpy()


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("case", sorted(CASES))
def test_indices_values_and_gradient_match_pytorch(case, seed):
    got, expected = _run(ember, case, seed), _run(torch, case, seed)
    np.testing.assert_array_equal(got[0], expected[0])  # NaN where PyTorch has NaN
    np.testing.assert_array_equal(got[1], expected[1])
    np.testing.assert_array_equal(got[2], expected[2])


def test_last_of_several_nans_and_first_of_equal_maxima():
    nan = float("nan")
    x = ember.tensor([[[1.0, nan, 3.0, nan, 5.0, 5.0, 2.0, 5.0]]])
    values, indices = ember.nn.functional.max_pool1d(x, 4, return_indices=True)
    assert indices.tolist() == [[[3, 4]]]  # PyTorch 2.13: tensor([[[3, 4]]])
    assert np.isnan(values[0, 0, 0].item()) and values[0, 0, 1].item() == 5.0
