"""F.normalize, F.cosine_similarity, F.pairwise_distance and nn.CosineSimilarity / nn.PairwiseDistance against
PyTorch: values, gradients, grad_fn names, dtypes, broadcasting, zero vectors, errors; gradcheck on float64."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle

NORMALIZE = {
    "default": lambda lib, x: lib.nn.functional.normalize(x),
    "p1_dim0": lambda lib, x: lib.nn.functional.normalize(x, p=1, dim=0),
    "p3_last": lambda lib, x: lib.nn.functional.normalize(x, 3.0, -1),
    "inf": lambda lib, x: lib.nn.functional.normalize(x, float("inf"), 1),
    "big_eps": lambda lib, x: lib.nn.functional.normalize(x, eps=10.0),
}


@pytest.mark.parametrize("name", list(NORMALIZE))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normalize_matches_torch(oracle, name, dtype):
    x = oracle.array(oracle.rng(1), (3, 4, 2), dtype)
    e, t = oracle.check(NORMALIZE[name], x)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "DivBackward0"


def test_normalize_keeps_a_zero_vector_zero_with_torchs_gradient(oracle):
    x = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])
    oracle.check(lambda lib, a: lib.nn.functional.normalize(a), x)


def test_normalize_out_matches_torch(oracle):
    x = oracle.array(oracle.rng(2), (2, 3))
    expected = torch.empty(2, 3)
    torch.nn.functional.normalize(torch.tensor(x), dim=0, out=expected)
    got = ember.empty(2, 3)
    result = ember.nn.functional.normalize(ember.tensor(x), dim=0, out=got)
    assert result is got
    oracle.assert_same(got, expected)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.normalize(lib.tensor([1, 2])),
    lambda lib: lib.nn.functional.normalize(lib.ones(2, 3), dim=2),
])
def test_normalize_errors_match_torch(oracle, call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type) as got:
        call(ember)
    assert str(got.value) == str(expected.value)


COSINE = {
    "default": ((4, 3), (4, 3), lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b)),
    "dim0": ((4, 3), (4, 3), lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, 0)),
    "broadcast": ((5, 1, 3), (2, 3), lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim=-1)),
    "vector": ((3,), (2, 3), lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, -1, eps=1e-3)),
    "module": ((2, 3, 4), (2, 3, 4), lambda lib, a, b: lib.nn.CosineSimilarity(dim=2, eps=0.5)(a, b)),
}


@pytest.mark.parametrize("name", list(COSINE))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cosine_similarity_matches_torch(oracle, name, dtype):
    shape1, shape2, fn = COSINE[name]
    rng = oracle.rng(3)
    e, t = oracle.check(fn, oracle.array(rng, shape1, dtype, "any"), oracle.array(rng, shape2, dtype, "any"))
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "SumBackward1"


def test_cosine_similarity_of_a_zero_vector_matches_torch(oracle):
    """The norm is clamped at eps for the value but its gradient is the unclamped norm's (PyTorch's clone
    and in-place clamp under no_grad)."""
    zeros, ones = np.zeros((2, 3)), np.ones((2, 3))
    oracle.check(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b), zeros, ones)


@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("int64", "float32"), ("float64", "int32")])
def test_cosine_similarity_dtypes_match_torch(oracle, dtypes):
    rng = oracle.rng(4)
    a, b = (oracle.array(rng, (2, 3), d, "small_int" if d.startswith("int") else "real") for d in dtypes)
    oracle.check_forward(lambda lib, x, y: lib.nn.functional.cosine_similarity(x, y), a, b)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.cosine_similarity(lib.tensor([1, 2]), lib.tensor([1, 2]), dim=0),
    lambda lib: lib.nn.functional.cosine_similarity(lib.ones(2, 3), lib.ones(3, 3)),
    lambda lib: lib.nn.functional.cosine_similarity(lib.ones(2, 3), lib.ones(2, 3), dim=2),
])
def test_cosine_similarity_errors_match_torch(oracle, call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type) as got:
        call(ember)
    assert str(got.value) == str(expected.value)


PAIRWISE = {
    "default": ((4, 3), (4, 3), lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b)),
    "p1_keepdim": ((4, 3), (4, 3), lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, 1.0, keepdim=True)),
    "p3_eps": ((2, 3, 4), (4,), lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, p=3, eps=0.1)),
    "inf": ((4, 3), (1, 3), lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, float("inf"))),
    "negative_p": ((4, 3), (4, 3), lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, -1.0)),
    "scalars": ((), (), lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b)),
    "module": ((3, 5), (3, 5), lambda lib, a, b: lib.nn.PairwiseDistance(1.5, 1e-3, True)(a, b)),
}


@pytest.mark.parametrize("name", list(PAIRWISE))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pairwise_distance_matches_torch(oracle, name, dtype):
    shape1, shape2, fn = PAIRWISE[name]
    rng = oracle.rng(5)
    e, t = oracle.check(fn, oracle.array(rng, shape1, dtype, "any"), oracle.array(rng, shape2, dtype, "any"))
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "NormBackward1"


def test_pairwise_distance_of_integers_is_float_as_torch(oracle):
    oracle.check_forward(lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b),
                         np.array([[1, 2], [3, 4]]), np.array([[1, 3], [0, 4]]))


def test_pairwise_distance_refuses_shapes_that_do_not_broadcast(oracle):
    oracle.check_raises(lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b),
                        np.ones((2, 3)), np.ones((3, 3)))


def test_module_reprs_and_attributes_match_torch():
    for args in [(), (0, 1e-3)]:
        assert repr(ember.nn.CosineSimilarity(*args)) == repr(torch.nn.CosineSimilarity(*args))
    module, expected = ember.nn.PairwiseDistance(3.0, 0.5, True), torch.nn.PairwiseDistance(3.0, 0.5, True)
    assert repr(module) == repr(expected)
    assert (module.norm, module.eps, module.keepdim) == (expected.norm, expected.eps, expected.keepdim)
    cosine = ember.nn.CosineSimilarity()
    assert (cosine.dim, cosine.eps) == (1, 1e-8)


def test_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(6)
    a = ember.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = ember.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    F = ember.nn.functional
    for fn in (lambda x, y: F.normalize(x, p=3.0) * y,
               lambda x, y: F.cosine_similarity(x, y),
               lambda x, y: F.pairwise_distance(x, y, p=1.5)):
        assert ember.autograd.gradcheck(fn, (a, b))
        assert ember.autograd.gradgradcheck(fn, (a, b))
