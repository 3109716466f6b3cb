"""nan_to_num, nansum, nanmean, std_mean, var_mean, signbit, sgn, heaviside, gcd, lcm, logcumsumexp, cross
(and linalg.cross) and cdist against PyTorch: values, dtypes, gradients, warnings, errors; gradcheck on
float64. cdist: PyTorch's p=2 path goes through a matrix product that rounds differently from ember's exact
difference-and-norm, so its values are compared within float tolerance (out of scope to match bitwise)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle

NAN, INF = float("nan"), float("inf")
SPECIAL = np.array([[1.5, NAN, INF, -INF], [-0.0, 2.0, NAN, -3.0]])

GRADIENT_CASES = {
    "nan_to_num": (SPECIAL, lambda lib, x: lib.nan_to_num(x)),
    "nan_to_num_values": (SPECIAL, lambda lib, x: x.nan_to_num(1.0, 2.0, neginf=-3.0)),
    "nansum": (SPECIAL[:, [0, 1, 3]], lambda lib, x: lib.nansum(x)),
    "nansum_dim": (SPECIAL[:, [0, 1, 3]], lambda lib, x: x.nansum(1, keepdim=True)),
    "nanmean": (SPECIAL[:, [0, 1, 3]], lambda lib, x: lib.nanmean(x, 0)),
    "nansum_dtype": (SPECIAL[:, [0, 1, 3]], lambda lib, x: lib.nansum(x, (-1, 0), dtype=lib.float64)),
    "nanmean_all_nan": (np.array([[1.0, NAN], [NAN, NAN]]), lambda lib, x: x.nanmean(dim=1, keepdim=True)),
    "var_mean": (np.array([[1.0, 2, 4], [3, 5, -1]]), lambda lib, x: lib.var_mean(x, 1)),
    "var_mean_correction": (np.array([[1.0, 2, 4], [3, 5, -1]]),
                            lambda lib, x: lib.var_mean(x, dim=0, correction=0, keepdim=True)),
    "var_mean_unbiased": (np.array([[1.0, 2, 4], [3, 5, -1]]), lambda lib, x: lib.var_mean(x, False)),
    "std_mean": (np.array([[1.0, 2, 4], [3, 5, -1]]), lambda lib, x: lib.std_mean(x)),
    "std_mean_dims": (np.array([[1.0, 2, 4], [3, 5, -1]]), lambda lib, x: lib.std_mean(x, (0, 1), correction=2)),
    "logcumsumexp": (np.array([[-1000.0, 0, -1000, 3, 4], [1, 2, 3, 4, 5]]), lambda lib, x: lib.logcumsumexp(x, 1)),
    "logcumsumexp_dim0": (np.arange(12.0).reshape(3, 4) / 3, lambda lib, x: x.logcumsumexp(0)),
    "logcumsumexp_0d": (np.array(2.0), lambda lib, x: lib.logcumsumexp(x, -1)),
    "cross": (np.arange(18.0).reshape(2, 3, 3) % 5 - 2, lambda lib, x: lib.cross(x, x.flip(0), dim=1)),
    "linalg_cross": (np.arange(18.0).reshape(2, 3, 3) % 5 - 2, lambda lib, x: lib.linalg.cross(x[:1], x)),
    "cdist": (np.arange(24.0).reshape(2, 4, 3) % 7 - 3, lambda lib, x: lib.cdist(x[:, :3], x[:, 1:])),
    "cdist_p1": (np.arange(24.0).reshape(2, 4, 3) % 7 - 3, lambda lib, x: lib.cdist(x[:, :3], x[:1], p=1)),
    "cdist_p3": (np.arange(24.0).reshape(2, 4, 3) % 7 - 3, lambda lib, x: lib.cdist(x[0], x[1, 1:], 3.0)),
    "cdist_inf": (np.random.default_rng(0).standard_normal((2, 4, 3)), lambda lib, x: lib.cdist(x[0], x[1], INF)),
}


@pytest.mark.parametrize("name", list(GRADIENT_CASES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values_and_gradients_match_torch(oracle, name, dtype):
    array, fn = GRADIENT_CASES[name]
    oracle.check(fn, array.astype(dtype))


FORWARD_CASES = [
    lambda lib: lib.nan_to_num(lib.tensor(SPECIAL, dtype=lib.float16)),
    lambda lib: lib.nan_to_num(lib.tensor([1, 2])),
    lambda lib: lib.nan_to_num(lib.tensor([True, False])),
    lambda lib: lib.nansum(lib.tensor([1, 2])),
    lambda lib: lib.nansum(lib.tensor(SPECIAL)),
    lambda lib: lib.nansum(lib.tensor([1.0, 2.0]), dtype=lib.float64),
    lambda lib: lib.nansum(lib.tensor([1, 2], dtype=lib.int32), dtype=lib.float64),
    lambda lib: lib.nanmean(lib.tensor([1.0, NAN]), dtype=lib.float64),
    lambda lib: lib.signbit(lib.tensor([-0.0, 0.0, -1.0, NAN, -NAN, INF, -INF])),
    lambda lib: lib.signbit(lib.tensor([-1, 2, 0])),
    lambda lib: lib.signbit(lib.tensor([True])),
    lambda lib: lib.signbit(lib.tensor([3], dtype=lib.uint8)),
    lambda lib: lib.tensor([-0.5, 2.0], dtype=lib.float16).signbit(),
    lambda lib: lib.sgn(lib.tensor([-2, 0, 3])),
    lambda lib: lib.sgn(lib.tensor([True, False])),
    lambda lib: lib.tensor([NAN, -0.0]).sgn(),
    lambda lib: lib.heaviside(lib.tensor([-1.0, 0, 2, NAN]), lib.tensor([0.5])),
    lambda lib: lib.heaviside(lib.tensor([-1, 0, 2]), lib.tensor([7])),
    lambda lib: lib.tensor([[0.0, 1.0]]).heaviside(lib.tensor([[3.0], [4.0]])),
    lambda lib: lib.gcd(lib.tensor([12, -18, 0, 0, 7, 1071]), lib.tensor([-8, 12, 5, 0, 0, 462])),
    lambda lib: lib.lcm(lib.tensor([12, -18, 0, 0, 7, 21]), lib.tensor([-8, 12, 5, 0, 0, 6])),
    lambda lib: lib.gcd(lib.tensor([4], dtype=lib.int32), lib.tensor([[6], [9]])),
    lambda lib: lib.gcd(lib.tensor([-128], dtype=lib.int8), lib.tensor([0], dtype=lib.int8)),
    lambda lib: lib.tensor([10, 15], dtype=lib.int16).lcm(lib.tensor([4, 6], dtype=lib.int16)),
    lambda lib: lib.logcumsumexp(lib.tensor([1.0, -INF, INF, 2.0]), 0),
    lambda lib: lib.logcumsumexp(lib.tensor([-INF, -INF]), 0),
    lambda lib: lib.logcumsumexp(lib.tensor([[1.0, NAN, 2.0]]), -1),
    lambda lib: lib.cross(lib.tensor([[1, 2, 3]]), lib.tensor([[4, 5, 6]]), 1),
    lambda lib: lib.cdist(lib.ones(1, 2, 3), lib.ones(3, 2, 3)),
    lambda lib: lib.cdist(lib.tensor([[0.0, 1, 2], [3, 3, 3]]), lib.tensor([[0.0, 1, 5]]), p=0),
]


@pytest.mark.parametrize("call", FORWARD_CASES)
def test_forward_values_and_dtypes_match_torch(oracle, call):
    oracle.assert_same(call(ember), call(torch))


def test_random_values_match_torch(oracle):
    rng = np.random.default_rng(2)
    a, b = rng.integers(-1000, 1000, 200), rng.integers(-1000, 1000, 200)
    for op in ("gcd", "lcm"):
        oracle.assert_same(getattr(ember, op)(ember.tensor(a), ember.tensor(b)),
                           getattr(torch, op)(torch.tensor(a), torch.tensor(b)))
    x = rng.standard_normal((3, 40)) * 30
    oracle.assert_same(ember.logcumsumexp(ember.tensor(x), 1), torch.logcumsumexp(torch.tensor(x), 1))
    y, z = rng.standard_normal((5, 30, 8)), rng.standard_normal((5, 20, 8))
    oracle.assert_same(ember.cdist(ember.tensor(y), ember.tensor(z)), torch.cdist(torch.tensor(y), torch.tensor(z)),
                       rtol=1e-6)


def test_in_place_forms_match_torch(oracle):
    for name, args in (("nan_to_num_", ()), ("sgn_", ()), ("heaviside_", ("values",))):
        mine, theirs = ember.tensor(SPECIAL[:, :2].copy()), torch.tensor(SPECIAL[:, :2].copy())
        extra = [(ember.tensor([0.5], dtype=ember.float64), torch.tensor([0.5], dtype=torch.float64)) for _ in args]
        assert getattr(mine, name)(*[e for e, _ in extra]) is mine
        getattr(theirs, name)(*[t for _, t in extra])
        oracle.assert_same(mine, theirs)
    for name in ("gcd_", "lcm_"):
        mine, theirs = ember.tensor([12, 9]), torch.tensor([12, 9])
        getattr(mine, name)(ember.tensor([8, 6]))
        getattr(theirs, name)(torch.tensor([8, 6]))
        oracle.assert_same(mine, theirs)


def test_heaviside_and_bincount_free_ops_record_no_gradient():
    # PyTorch records a node whose backward raises "the derivative for 'heaviside' is not implemented".
    x = ember.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    assert not ember.heaviside(x, ember.tensor([0.5])).requires_grad


def test_cross_without_dim_warns_and_takes_the_first_size_3_dim(oracle):
    a, b = np.arange(9.0).reshape(3, 3), np.ones((3, 3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = ember.cross(ember.tensor(a), ember.tensor(b))
    assert len(caught) == 1 and "Using torch.cross without specifying the dim arg is deprecated" in str(
        caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        oracle.assert_same(got, torch.cross(torch.tensor(a), torch.tensor(b)))


def test_var_mean_returns_a_tuple_as_torch():
    assert type(ember.var_mean(ember.ones(2))) is type(torch.var_mean(torch.ones(2))) is tuple


ERRORS = [
    lambda lib: lib.nanmean(lib.tensor([1, 2])),
    lambda lib: lib.nanmean(lib.tensor([1.0, 2]), dtype=lib.int64),
    lambda lib: lib.var_mean(lib.tensor([1, 2])),
    lambda lib: lib.std_mean(lib.tensor([1, 2])),
    lambda lib: lib.heaviside(lib.tensor([-1.0, 0, 2]), lib.tensor([7])),
    lambda lib: lib.gcd(lib.tensor([1.0]), lib.tensor([2.0])),
    lambda lib: lib.gcd(lib.tensor([True]), lib.tensor([True])),
    lambda lib: lib.lcm(lib.tensor([1]), lib.tensor([2.0])),
    lambda lib: lib.logcumsumexp(lib.tensor([1, 2]), 0),
    lambda lib: lib.logcumsumexp(lib.tensor(2.0), 1),
    lambda lib: lib.gcd(3, lib.tensor([1])),
    lambda lib: lib.lcm(lib.tensor([1]), 3),
    lambda lib: lib.logcumsumexp(lib.tensor([1.0, 2]), dim=1),
    lambda lib: lib.linalg.cross(lib.ones(2), lib.ones(2)),
    lambda lib: lib.cross(lib.ones(3, 2), lib.ones(3, 2), dim=1),
    lambda lib: lib.cross(lib.ones(3), lib.ones(2, 3), dim=-1),
    lambda lib: lib.linalg.cross(lib.ones(3, dtype=lib.int32), lib.ones(3)),
    lambda lib: lib.cdist(lib.ones(2, 3), lib.ones(2, 4)),
    lambda lib: lib.cdist(lib.ones(3), lib.ones(3)),
    lambda lib: lib.cdist(lib.ones(2, 3), lib.ones(2, 3), p=-1),
    lambda lib: lib.cdist(lib.ones(2, 3, dtype=lib.int64), lib.ones(2, 3)),
    lambda lib: lib.cdist(lib.ones(2, 3), lib.ones(2, 3, dtype=lib.float64)),
    lambda lib: lib.cdist(lib.ones(2, 2, 3), lib.ones(3, 2, 3)),
    lambda lib: lib.cdist(lib.ones(4, 2, 2, 3), lib.ones(3, 2, 3)),
]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_match_torch(call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type) as got:
        call(ember)
    assert str(got.value) == str(expected.value)


def test_cross_without_a_size_3_dim_is_refused_as_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="no dimension of size 3 in input"):
            ember.cross(ember.ones(2, 2), ember.ones(2, 2))


@pytest.mark.parametrize("fn", [
    lambda x, y: ember.nan_to_num(x / y),
    lambda x, y: ember.nansum(x * y, 1),
    lambda x, y: ember.nanmean(x - y, 0),
    lambda x, y: ember.var_mean(x * y, 1)[0] + ember.var_mean(x * y, 1)[1],
    lambda x, y: ember.std_mean(x + y, 0, correction=0)[0],
    lambda x, y: ember.logcumsumexp(x * y, 1),
    lambda x, y: ember.cross(x, y, dim=1),
    lambda x, y: ember.cdist(x, y),
    lambda x, y: ember.cdist(x, y, p=1.5),
])
def test_gradcheck_and_gradgradcheck(fn):
    rng = np.random.default_rng(8)
    x, y = (ember.tensor(rng.standard_normal((3, 3)) + 0.1, requires_grad=True) for _ in range(2))
    assert ember.autograd.gradcheck(fn, (x, y))
    assert ember.autograd.gradgradcheck(fn, (x, y))
