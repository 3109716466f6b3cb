"""tril_indices, triu_indices, argwhere, isin, searchsorted, bucketize, bincount and combinations against
PyTorch: values, dtypes, NaN handling, gradients (combinations), errors (class and message)."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle

NAN = float("nan")

CALLS = [
    lambda lib: lib.tril_indices(3, 4, 1),
    lambda lib: lib.tril_indices(4, 3),
    lambda lib: lib.tril_indices(3, 3, -5),
    lambda lib: lib.triu_indices(3, 4, -1, dtype=lib.int32),
    lambda lib: lib.triu_indices(5, 2, 1),
    lambda lib: lib.tril_indices(0, 3),
    lambda lib: lib.triu_indices(3, 3, device="cpu", dtype=lib.int32),
    lambda lib: lib.argwhere(lib.tensor([[1, 0], [0, 2]])),
    lambda lib: lib.argwhere(lib.tensor([[NAN, 0.0], [-0.0, 1.0]])),
    lambda lib: lib.argwhere(lib.tensor(3.0)),
    lambda lib: lib.argwhere(lib.tensor(0.0)),
    lambda lib: lib.tensor([True, False, True]).argwhere(),
    lambda lib: lib.isin(lib.tensor([1.0, NAN, 3.0, -0.0]), lib.tensor([NAN, 3.0, 0.0])),
    lambda lib: lib.isin(lib.tensor([[1, 2], [3, 4]]), lib.tensor([4, 2, 2]), invert=True),
    lambda lib: lib.isin(lib.tensor([1, 2, 3]), 2),
    lambda lib: lib.isin(2, lib.tensor([1, 2])),
    lambda lib: lib.isin(lib.tensor([1, 2, 3]), lib.tensor([2.5, 2.0])),
    lambda lib: lib.isin(lib.tensor([1, 2, 3]), lib.tensor([3, 1]), assume_unique=True),
    lambda lib: lib.isin(lib.tensor([1, 2]), lib.tensor([], dtype=lib.int64)),
    lambda lib: lib.searchsorted(lib.tensor([1.0, 2, 2, 3]), lib.tensor([[2.0, NAN, 0, 3.5, 2.5]])),
    lambda lib: lib.searchsorted(lib.tensor([1.0, 2, 2, 3]), lib.tensor([[2.0, NAN, 0, 3.5]]), right=True),
    lambda lib: lib.searchsorted(lib.tensor([1.0, 2, 2, 3]), lib.tensor([2.0, 3.0]), side="right"),
    lambda lib: lib.searchsorted(lib.tensor([1.0, 2, 3]), 2),
    lambda lib: lib.searchsorted(lib.tensor([1, 5, 9]), lib.tensor([4.5, 9.0]), out_int32=True),
    lambda lib: lib.searchsorted(lib.tensor([3.0, 1, 2, 2]), lib.tensor([2.0, 0, 5]), sorter=lib.tensor([1, 2, 3, 0])),
    lambda lib: lib.searchsorted(lib.tensor([[1.0, 2, 3], [4, 5, 6]]), lib.tensor([[2.0, 7], [4, 5]]), right=True),
    lambda lib: lib.searchsorted(lib.tensor([1.0, NAN]), lib.tensor([1.0, 2.0, NAN])),
    lambda lib: lib.searchsorted(lib.tensor([], dtype=lib.float32), lib.tensor([1.0])),
    lambda lib: lib.bucketize(lib.tensor([[1, 5], [3, 6]]), lib.tensor([1, 3, 5]), right=True),
    lambda lib: lib.bucketize(lib.tensor([[1, 5], [3, 6]]), lib.tensor([1, 3, 5])),
    lambda lib: lib.bucketize(3, lib.tensor([1, 3, 5]), out_int32=True),
    lambda lib: lib.bincount(lib.tensor([1, 1, 3])),
    lambda lib: lib.bincount(lib.tensor([1, 1, 3]), lib.tensor([0.5, 1, 2]), minlength=6),
    lambda lib: lib.bincount(lib.tensor([1, 1, 3]), lib.tensor([0.5, 1, 2], dtype=lib.float64)),
    lambda lib: lib.bincount(lib.tensor([1, 1, 3]), lib.tensor([0.5, 1, 2], dtype=lib.float16)),
    lambda lib: lib.bincount(lib.tensor([1, 1, 3], dtype=lib.uint8), lib.tensor([1, 2, 3])),
    lambda lib: lib.bincount(lib.tensor([], dtype=lib.int64)),
    lambda lib: lib.bincount(lib.tensor([], dtype=lib.int64), minlength=2),
    lambda lib: lib.tensor([0, 4, 4], dtype=lib.int32).bincount(minlength=2),
    lambda lib: lib.combinations(lib.tensor([1, 2, 3, 4])),
    lambda lib: lib.combinations(lib.tensor([1, 2, 3]), 3),
    lambda lib: lib.combinations(lib.tensor([1, 2, 3]), 0),
    lambda lib: lib.combinations(lib.tensor([1, 2, 3]), 4),
    lambda lib: lib.combinations(lib.tensor([1.0, 2.0, 3.0]), 2, True),
    lambda lib: lib.combinations(lib.tensor([1, 2, 3]), 1),
]


@pytest.mark.parametrize("call", CALLS)
def test_values_and_dtypes_match_torch(oracle, call):
    oracle.assert_same(call(ember), call(torch))


def test_searchsorted_matches_torch_on_random_data(oracle):
    rng = np.random.default_rng(0)
    for n in (1, 2, 7, 64, 65):
        sequence = np.sort(rng.integers(-5, 5, (3, n))).astype(np.float32)
        values = rng.integers(-6, 6, (3, 20)).astype(np.float32)
        for right in (False, True):
            oracle.assert_same(ember.searchsorted(ember.tensor(sequence), ember.tensor(values), right=right),
                               torch.searchsorted(torch.tensor(sequence), torch.tensor(values), right=right))
            oracle.assert_same(ember.bucketize(ember.tensor(values), ember.tensor(sequence[0]), right=right),
                               torch.bucketize(torch.tensor(values), torch.tensor(sequence[0]), right=right))


def test_isin_matches_torch_on_random_data(oracle):
    rng = np.random.default_rng(1)
    elements, tests = rng.integers(0, 30, (4, 25)), rng.integers(0, 30, 17)
    for invert in (False, True):
        oracle.assert_same(ember.isin(ember.tensor(elements), ember.tensor(tests), invert=invert),
                           torch.isin(torch.tensor(elements), torch.tensor(tests), invert=invert))


def test_searchsorted_out_matches_torch(oracle):
    expected, got = torch.empty(0, dtype=torch.int64), ember.empty(0, dtype=ember.int64)
    torch.searchsorted(torch.tensor([1.0, 2.0]), torch.tensor([1.5, 3.0]), out=expected)
    assert ember.searchsorted(ember.tensor([1.0, 2.0]), ember.tensor([1.5, 3.0]), out=got) is got
    oracle.assert_same(got, expected)


@pytest.mark.parametrize("r, with_replacement", [(2, False), (3, False), (2, True), (1, False)])
def test_combinations_gradient_matches_torch(oracle, r, with_replacement):
    e, t = oracle.check(lambda lib, x: lib.combinations(x, r, with_replacement), np.array([1.0, -2.0, 3.0, 0.5]))
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "StackBackward0"


def test_bincount_weights_have_no_gradient_as_in_torch():
    weights = ember.tensor([1.0, -2.0, 3.0], requires_grad=True)
    counts = ember.bincount(ember.tensor([2, 0, 2]), weights, minlength=4)
    assert counts.tolist() == [-2.0, 0.0, 4.0, 0.0]
    # PyTorch records a node whose backward raises "derivative for aten::bincount is not implemented".
    assert not counts.requires_grad


def test_combinations_gradcheck():
    x = ember.tensor([1.0, -2.0, 3.0], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: ember.combinations(t, 2, True), (x,))
    assert ember.autograd.gradgradcheck(lambda t: ember.combinations(t, 2) ** 2, (x,))


ERRORS = [
    lambda lib: lib.tril_indices(-1, 2),
    lambda lib: lib.triu_indices(2, -1),
    lambda lib: lib.tril_indices(3, 3, dtype=lib.float32),
    lambda lib: lib.triu_indices(3, 3, dtype=lib.bool),
    lambda lib: lib.triu_indices(3, 3, dtype=lib.int16),
    lambda lib: lib.tril_indices(3, 3, dtype=lib.uint8),
    lambda lib: lib.isin(lib.tensor([1, 2, 3]), lib.tensor([True])),
    lambda lib: lib.searchsorted(lib.tensor([[1.0, 2, 3]]), lib.tensor([2.0])),
    lambda lib: lib.searchsorted(lib.tensor([[1.0, 2, 3], [1, 2, 3]]), lib.tensor([[2.0], [3], [4]])),
    lambda lib: lib.searchsorted(lib.tensor(1.0), lib.tensor([2.0])),
    lambda lib: lib.searchsorted(lib.tensor([1.0, 2, 3]), lib.tensor([2.0]), side="left", right=True),
    lambda lib: lib.searchsorted(lib.tensor([1.0, 2, 3]), lib.tensor([2.0]), side="foo"),
    lambda lib: lib.bucketize(lib.tensor([1]), lib.tensor([[1, 3, 5]])),
    lambda lib: lib.bincount(lib.tensor([-1])),
    lambda lib: lib.bincount(lib.tensor([1.0])),
    lambda lib: lib.bincount(lib.tensor([[1]])),
    lambda lib: lib.bincount(lib.tensor([True])),
    lambda lib: lib.bincount(lib.tensor([1]), minlength=-1),
    lambda lib: lib.bincount(lib.tensor([1, 2]), lib.tensor([1.0])),
    lambda lib: lib.combinations(lib.tensor([[1]])),
    lambda lib: lib.combinations(lib.tensor([1, 2]), -1),
]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_match_torch(call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type) as got:
        call(ember)
    assert str(got.value) == str(expected.value)


def test_isin_of_two_numbers_is_a_type_error():
    with pytest.raises(TypeError, match="isin"):
        ember.isin(2, 3)
