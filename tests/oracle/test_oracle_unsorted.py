"""``topk(sorted=False)`` and ``unique(sorted=False)`` against PyTorch 2.13 on the CPU.

PyTorch's CPU topk takes the k largest with std::partial_sort when k * 64 <= the dim's size (its result is
then sorted, as ember's always is), else with std::nth_element, whose order is libstdc++'s partition: there
ember gives the same values and indices as a set. PyTorch's CPU unique sorts whatever `sorted` says."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def _topk(lib, x: np.ndarray, k: int, largest: bool):
    return lib.tensor(x).topk(k, dim=-1, largest=largest, sorted=False)


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("n, k", [(640, 10), (1000, 3), (64, 1), (2000, 31)])
def test_topk_unsorted_is_pytorchs_order_where_pytorch_sorts(n, k, largest):
    x = np.random.default_rng(n + k).standard_normal((3, n)).astype(np.float32)
    got, expected = _topk(ember, x, k, largest), _topk(torch, x, k, largest)
    np.testing.assert_array_equal(got.values.cpu().numpy(), expected.values.cpu().numpy())
    np.testing.assert_array_equal(got.indices.cpu().numpy(), expected.indices.cpu().numpy())


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("n, k", [(639, 10), (10, 3), (7, 7), (33, 32)])
def test_topk_unsorted_selects_pytorchs_elements(n, k, largest):
    x = np.random.default_rng(n + k).permutation(n).astype(np.float64).reshape(1, n)
    got, expected = _topk(ember, x, k, largest), _topk(torch, x, k, largest)
    indices, values = got.indices.cpu().numpy(), got.values.cpu().numpy()
    order, expected_order = np.argsort(indices), np.argsort(expected.indices.numpy())
    np.testing.assert_array_equal(indices[0, order[0]], expected.indices.numpy()[0, expected_order[0]])
    np.testing.assert_array_equal(values[0, order[0]], expected.values.numpy()[0, expected_order[0]])


UNIQUE_INPUTS = {
    "ints": np.array([3, 1, 2, 3, 1, 5]),
    "floats_zeros": np.array([3.0, 1.0, 2.0, 3.0, 1.0, 5.0, -0.0, 0.0]),
    # with dim=, PyTorch's std::sort of rows holding NaN leaves an order libstdc++ decides: compared without dim
    "floats_nan": np.array([3.0, 1.0, 2.0, 3.0, 1.0, 5.0, np.nan, np.nan, -0.0, 0.0]),
    "random": np.random.default_rng(0).integers(0, 100, 50),
    "bools": np.array([True, False, True]),
    "rows": np.random.default_rng(1).integers(0, 3, (6, 2)),
}


@pytest.mark.parametrize("name, dim", [(name, dim) for name in sorted(UNIQUE_INPUTS) for dim in (None, 0)
                                       if (name, dim) != ("floats_nan", 0)])
def test_unique_unsorted_is_pytorchs(name, dim):
    results = [lib.unique(lib.tensor(UNIQUE_INPUTS[name]), sorted=False, return_inverse=True, return_counts=True,
                          dim=dim) for lib in (ember, torch)]
    for got, expected in zip(*results):
        np.testing.assert_array_equal(got.cpu().numpy(), expected.cpu().numpy())
        assert str(got.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
