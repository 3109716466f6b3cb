"""The families ember.distributions adds to its first 25 (MultivariateNormal, LowRankMultivariateNormal,
Multinomial, MixtureSameFamily, Weibull, Pareto, NegativeBinomial, VonMises, FisherSnedecor, InverseGamma,
Kumaraswamy, ContinuousBernoulli, LogisticNormal, GeneralizedPareto, Wishart, LKJCholesky), the new transforms,
constraints and `biject_to`/`transform_to` against torch.distributions: scores, moments and KL divergences with
their gradients, expand, validation errors; samples (from ember's own generator, not PyTorch's draws) checked
for shape, dtype, support, moments and gradients through rsample."""

from __future__ import annotations

import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from test_oracle_distributions import QUANTITIES, _close, _numpy, _same_gradients  # noqa: E402

import ember  # noqa: E402

pytestmark = pytest.mark.oracle

RNG = np.random.default_rng(7)
LOC3 = RNG.standard_normal((2, 3))
A = RNG.standard_normal((2, 3, 3))
COV = A @ np.swapaxes(A, -1, -2) + 0.5 * np.eye(3)
TRIL = np.linalg.cholesky(COV)
PREC = np.linalg.inv(COV)
VEC3 = RNG.standard_normal((4, 2, 3))
LOGITS3 = RNG.standard_normal((2, 3))
COUNTS3 = np.array([[[2.0, 1.0, 2.0], [0.0, 5.0, 0.0]], [[1.0, 1.0, 3.0], [4.0, 0.0, 1.0]]])
POS = RNG.uniform(0.5, 2.0, (2, 3))
POS2 = RNG.uniform(0.5, 2.0, (2, 3))
X = RNG.uniform(0.3, 3.0, (2, 3))
NB_COUNTS = RNG.integers(0, 6, (2, 3)).astype(float)
MIX_LOGITS = RNG.standard_normal((2, 4))
MIX_LOC, MIX_SCALE = RNG.standard_normal((2, 4)), RNG.uniform(0.5, 2, (2, 4))
MIX_X = RNG.standard_normal((5, 2))
UNIT3 = RNG.uniform(0.05, 0.95, (2, 3))
UNIT3[0, 0] = 0.4995  # in the region around 1/2 that ContinuousBernoulli expands in Taylor series
SIMPLEX4 = RNG.uniform(0.1, 1, (2, 4))
SIMPLEX4 /= SIMPLEX4.sum(-1, keepdims=True)
F32 = np.float32
CORR_TRIL = torch.distributions.transforms.CorrCholeskyTransform()(torch.tensor(RNG.standard_normal((4, 2, 3)))).numpy()


def _d(lib):
    return lib.distributions


def _mvn_cov(L, p):
    return _d(L).MultivariateNormal(p["loc"], covariance_matrix=p["cov"])


# name: (parameters, build(lib, parameters), value scored, quantities compared)
CASES = {
    "MVN_cov": ({"loc": LOC3, "cov": COV}, _mvn_cov, VEC3, "log_prob entropy mean variance stddev mode"),
    "MVN_tril": ({"loc": LOC3, "tril": TRIL}, lambda L, p: _d(L).MultivariateNormal(p["loc"], scale_tril=p["tril"]),
                 VEC3, "log_prob entropy variance"),
    "MVN_prec": ({"loc": LOC3, "prec": PREC},
                 lambda L, p: _d(L).MultivariateNormal(p["loc"], precision_matrix=p["prec"]), VEC3,
                 "log_prob entropy variance"),
    "MVN_shared_cov": ({"loc": LOC3, "cov": COV[0]}, _mvn_cov, VEC3, "log_prob entropy variance"),
    "Multinomial_logits": ({"logits": LOGITS3}, lambda L, p: _d(L).Multinomial(5, logits=p["logits"]), COUNTS3,
                           "log_prob entropy mean variance"),
    "Multinomial_probs": ({"probs": POS}, lambda L, p: _d(L).Multinomial(5, probs=p["probs"]), COUNTS3,
                          "log_prob entropy mean variance"),
    "Weibull": ({"scale": POS, "concentration": POS2 + 0.5},
                lambda L, p: _d(L).Weibull(p["scale"], p["concentration"]), X,
                "log_prob entropy cdf icdf mean variance mode"),
    "Pareto": ({"scale": POS / 4, "alpha": POS2 + 2},
               lambda L, p: _d(L).Pareto(p["scale"], p["alpha"]), X, "log_prob entropy cdf icdf mean variance mode"),
    "NegativeBinomial_probs": ({"total_count": 3 * POS, "probs": POS / 3},
                               lambda L, p: _d(L).NegativeBinomial(p["total_count"], probs=p["probs"]), NB_COUNTS,
                               "log_prob mean variance mode"),
    "NegativeBinomial_logits": ({"logits": LOC3},
                                lambda L, p: _d(L).NegativeBinomial(4.0, logits=p["logits"]), NB_COUNTS,
                                "log_prob mean variance mode"),
    "MixtureSameFamily": ({"logits": MIX_LOGITS, "loc": MIX_LOC, "scale": MIX_SCALE},
                          lambda L, p: _d(L).MixtureSameFamily(_d(L).Categorical(logits=p["logits"]),
                                                               _d(L).Normal(p["loc"], p["scale"])), MIX_X,
                          "log_prob cdf mean variance"),
    "MixtureSameFamily_mvn": ({"logits": MIX_LOGITS[0, :2], "loc": LOC3, "cov": COV},
                              lambda L, p: _d(L).MixtureSameFamily(_d(L).Categorical(logits=p["logits"]),
                                                                   _mvn_cov(L, p)), VEC3[:, 0],
                              "log_prob mean variance"),
    "LowRankMVN": ({"loc": LOC3, "factor": A[..., :2], "diag": POS},
                   lambda L, p: _d(L).LowRankMultivariateNormal(p["loc"], p["factor"], p["diag"]), VEC3,
                   "log_prob entropy mean variance mode"),
    "InverseGamma": ({"concentration": POS + 2, "rate": POS2}, lambda L, p: _d(L).InverseGamma(p["concentration"],
                                                                                                  p["rate"]),
                     X, "log_prob entropy mean variance mode"),
    "Kumaraswamy": ({"concentration1": POS + 1, "concentration0": POS2 + 1},
                    lambda L, p: _d(L).Kumaraswamy(p["concentration1"], p["concentration0"]), UNIT3,
                    "log_prob entropy cdf icdf mean variance mode"),
    "LogisticNormal": ({"loc": LOC3, "scale": POS}, lambda L, p: _d(L).LogisticNormal(p["loc"], p["scale"]),
                       SIMPLEX4, "log_prob"),
    "FisherSnedecor": ({"df1": POS + 3, "df2": POS2 + 5}, lambda L, p: _d(L).FisherSnedecor(p["df1"], p["df2"]), X,
                       "log_prob mean variance mode"),
    # float32: PyTorch's GeneralizedPareto.log_prob compares the concentration with a float32 zero and fails
    # on float64 parameters ("Double did not match Float"), where ember's works
    "GeneralizedPareto": ({"loc": F32(LOC3 - 3), "scale": F32(POS), "concentration": F32((POS2 - 1.25) / 4)},
                          lambda L, p: _d(L).GeneralizedPareto(p["loc"], p["scale"], p["concentration"]), F32(X),
                          "log_prob entropy cdf icdf mean variance mode"),
    "ContinuousBernoulli_probs": ({"probs": UNIT3}, lambda L, p: _d(L).ContinuousBernoulli(probs=p["probs"]),
                                  UNIT3[::-1].copy(),
                                  "log_prob entropy cdf icdf mean variance stddev"),
    "ContinuousBernoulli_logits": ({"logits": LOC3}, lambda L, p: _d(L).ContinuousBernoulli(logits=p["logits"]),
                                   UNIT3, "log_prob entropy cdf mean variance"),
    "VonMises": ({"loc": LOC3, "concentration": np.concatenate([POS[:1], POS[1:] + 3], 0)},
                 lambda L, p: _d(L).VonMises(p["loc"], p["concentration"]), LOC3[::-1].copy(),
                 "log_prob mean variance mode"),
    "Wishart_cov": ({"df": POS[:, 0] + 4, "cov": COV}, lambda L, p: _d(L).Wishart(p["df"], covariance_matrix=p["cov"]),
                    COV[::-1].copy(), "log_prob entropy mean variance mode"),
    "Wishart_tril": ({"tril": TRIL}, lambda L, p: _d(L).Wishart(5.0, scale_tril=p["tril"]), COV[::-1].copy(),
                     "log_prob entropy"),
    "Wishart_prec": ({"prec": PREC}, lambda L, p: _d(L).Wishart(3.5, precision_matrix=p["prec"]), COV[::-1].copy(),
                     "log_prob entropy"),
    "LKJCholesky": ({"concentration": POS[:, 0]}, lambda L, p: _d(L).LKJCholesky(3, p["concentration"]),
                    CORR_TRIL, "log_prob"),
}

SCORED = [(case, quantity) for case, (_, _, _, quantities) in CASES.items() for quantity in quantities.split()]


def _run(lib, case, quantity):
    params, build, value, _ = CASES[case]
    leaves = {name: lib.tensor(array, requires_grad=True) for name, array in params.items()}
    dist = build(lib, leaves)
    value = lib.tensor(np.full((2, 3), 0.3, dtype=value.dtype) if quantity == "icdf" else value)
    result = QUANTITIES[quantity](dist, value)
    grads = None
    if result.requires_grad:
        weights = lib.tensor(np.linspace(0.5, 1.5, result.numel()).reshape(tuple(result.shape)), dtype=result.dtype)
        grads = lib.autograd.grad((result * weights).sum(), list(leaves.values()), allow_unused=True)
    return dist, result, grads


@pytest.mark.parametrize("case, quantity", SCORED, ids=[f"{c}-{q}" for c, q in SCORED])
def test_scores_and_their_gradients_match_torch(case, quantity):
    e_dist, e_result, e_grads = _run(ember, case, quantity)
    t_dist, t_result, t_grads = _run(torch, case, quantity)
    assert (tuple(e_dist.batch_shape), tuple(e_dist.event_shape)) == (tuple(t_dist.batch_shape),
                                                                      tuple(t_dist.event_shape))
    assert str(e_result.dtype).split(".")[-1] == str(t_result.dtype).split(".")[-1]
    assert tuple(e_result.shape) == tuple(t_result.shape)
    if e_result.dtype == ember.float32:
        _close(e_result, t_result, rtol=1e-5, atol=1e-6)
        for e_grad, t_grad in zip(e_grads or (), t_grads or ()):
            assert (e_grad is None) == (t_grad is None)
            if t_grad is not None:
                _close(e_grad, t_grad, rtol=1e-4, atol=1e-5)
        return
    _close(e_result, t_result, rtol=1e-9, atol=1e-10)
    _same_gradients(e_grads, t_grads)


@pytest.mark.parametrize("case", list(CASES))
def test_expand_matches_torch(case):
    runs = []
    for lib in (ember, torch):
        params, build, value, quantities = CASES[case]
        dist = build(lib, {k: lib.tensor(v) for k, v in params.items()})
        new = dist.expand((5,) + tuple(dist.batch_shape))
        assert type(new) is type(dist)
        one = value[(0,) * (value.ndim - len(dist.batch_shape) - len(dist.event_shape))]  # one value per batch
        runs.append((tuple(new.batch_shape), tuple(new.event_shape), new.log_prob(lib.tensor(one)),
                     new.mean if "mean" in quantities else new.log_prob(lib.tensor(one))))
    assert runs[0][:2] == runs[1][:2]
    _close(runs[0][2], runs[1][2], rtol=1e-6)
    _close(runs[0][3], runs[1][3], rtol=1e-6)


def test_mvn_derived_matrices_match_torch():
    runs = []
    for lib in (ember, torch):
        dist = lib.distributions.MultivariateNormal(lib.tensor(LOC3), scale_tril=lib.tensor(TRIL))
        runs.append([dist.covariance_matrix, dist.precision_matrix, dist.scale_tril])
        dist = lib.distributions.MultivariateNormal(lib.tensor(LOC3), precision_matrix=lib.tensor(PREC))
        runs[-1] += [dist.covariance_matrix, dist.scale_tril]
    for got, expected in zip(*runs):
        _close(got, expected, rtol=1e-9)


def _error(lib, make):
    with pytest.raises(Exception) as error:
        make(lib)
    message = re.sub(r", device='[a-z]+:\d+'", "", str(error.value).split("\n")[0])  # the default device's suffix
    return type(error.value).__name__, message.replace("torch.", "").replace("ember.", "")


REFUSALS = {
    "mvn_two_matrices": lambda L: _d(L).MultivariateNormal(L.zeros(2), L.eye(2), scale_tril=L.eye(2)),
    "mvn_no_matrix": lambda L: _d(L).MultivariateNormal(L.zeros(2)),
    "mvn_scalar_loc": lambda L: _d(L).MultivariateNormal(L.tensor(0.0), L.eye(2)),
    "mvn_vector_cov": lambda L: _d(L).MultivariateNormal(L.zeros(2), L.ones(2)),
    "mvn_not_positive_definite": lambda L: _d(L).MultivariateNormal(L.zeros(2), L.tensor([[1.0, 2.0], [2.0, 1.0]])),
    "mvn_scale_tril_not_lower": lambda L: _d(L).MultivariateNormal(L.zeros(2), scale_tril=L.ones(2, 2)),
    "mvn_value_shape": lambda L: _d(L).MultivariateNormal(L.zeros(2), L.eye(2)).log_prob(L.zeros(3)),
    "multinomial_float_count": lambda L: _d(L).Multinomial(2.5, probs=L.ones(3) / 3),
    "multinomial_bad_probs": lambda L: _d(L).Multinomial(3, probs=L.tensor([0.5, -0.5, 1.0])),
    "multinomial_too_many": lambda L: _d(L).Multinomial(3, probs=L.ones(3) / 3).log_prob(L.tensor([2.0, 2.0, 0.0])),
    "weibull_scale": lambda L: _d(L).Weibull(L.tensor([-1.0]), 1.0),
    "pareto_below_scale": lambda L: _d(L).Pareto(2.0, 1.0).log_prob(L.tensor([1.0])),
    "negative_binomial_probs_one": lambda L: _d(L).NegativeBinomial(2.0, probs=L.tensor([1.0])),
    "negative_binomial_fraction": lambda L: _d(L).NegativeBinomial(2.0, probs=L.tensor([0.5])).log_prob(
        L.tensor([0.5])),
    "mixture_not_categorical": lambda L: _d(L).MixtureSameFamily(_d(L).Normal(0.0, 1.0),
                                                                 _d(L).Normal(L.zeros(2), 1.0)),
    "mixture_sizes": lambda L: _d(L).MixtureSameFamily(_d(L).Categorical(logits=L.zeros(3)),
                                                       _d(L).Normal(L.zeros(2), 1.0)),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusals_match_torch(case):
    assert _error(ember, REFUSALS[case]) == _error(torch, REFUSALS[case])


KL_PAIRS = {
    "MVN-MVN": lambda L, a, b, c, d: (_d(L).MultivariateNormal(a, covariance_matrix=c),
                                      _d(L).MultivariateNormal(b, scale_tril=d)),
    "Pareto-Pareto": lambda L, a, b, c, d: (_d(L).Pareto(c[..., 0] / 4, c[..., 1]), _d(L).Pareto(d[..., 0] / 2, 2.0)),
    "Pareto-Exponential": lambda L, a, b, c, d: (_d(L).Pareto(c[..., 0], c[..., 1]), _d(L).Exponential(d[..., 0])),
    "Pareto-Gamma": lambda L, a, b, c, d: (_d(L).Pareto(c[..., 0], c[..., 1]), _d(L).Gamma(d[..., 0], d[..., 1])),
    "Pareto-Normal": lambda L, a, b, c, d: (_d(L).Pareto(c[..., 0], c[..., 1] + 1.5), _d(L).Normal(a, 2.0)),
    "Uniform-Pareto": lambda L, a, b, c, d: (_d(L).Uniform(c[..., 0], c[..., 0] + 1), _d(L).Pareto(d[..., 0] / 2, 3.0)),
    "Normal-Pareto (infinite)": lambda L, a, b, c, d: (_d(L).Normal(a, 1.0), _d(L).Pareto(1.0, 2.0)),
    "Pareto-Uniform (infinite)": lambda L, a, b, c, d: (_d(L).Pareto(c[..., 0], 2.0), _d(L).Uniform(0.0, 3.0)),
    "LowRankMVN-LowRankMVN": lambda L, a, b, c, d: (
        _d(L).LowRankMultivariateNormal(a, c[..., :2], d[..., 0].abs() + 0.5),
        _d(L).LowRankMultivariateNormal(b, d[..., 1:], c[..., 1, :].abs())),
    "MVN-LowRankMVN": lambda L, a, b, c, d: (_d(L).MultivariateNormal(a, scale_tril=d),
                                             _d(L).LowRankMultivariateNormal(b, c[..., :1], d[..., 1].abs() + 0.5)),
    "LowRankMVN-MVN": lambda L, a, b, c, d: (_d(L).LowRankMultivariateNormal(a, c[..., :2], c[..., 0, :].abs()),
                                             _d(L).MultivariateNormal(b, scale_tril=d)),
    "ContinuousBernoulli-ContinuousBernoulli": lambda L, a, b, c, d: (_d(L).ContinuousBernoulli(logits=a),
                                                                      _d(L).ContinuousBernoulli(logits=b)),
    "Beta-ContinuousBernoulli": lambda L, a, b, c, d: (_d(L).Beta(c[..., 0], c[..., 1]),
                                                       _d(L).ContinuousBernoulli(logits=b)),
    "ContinuousBernoulli-Exponential": lambda L, a, b, c, d: (_d(L).ContinuousBernoulli(logits=a),
                                                              _d(L).Exponential(d[..., 0])),
    "ContinuousBernoulli-Normal": lambda L, a, b, c, d: (_d(L).ContinuousBernoulli(logits=a),
                                                         _d(L).Normal(b, d[..., 0])),
    "ContinuousBernoulli-Uniform": lambda L, a, b, c, d: (_d(L).ContinuousBernoulli(logits=a),
                                                          _d(L).Uniform(-d[..., 0], d[..., 1] + 1)),
    "Uniform-ContinuousBernoulli": lambda L, a, b, c, d: (_d(L).Uniform(c[..., 0] / 8, c[..., 0] / 8 + 0.5),
                                                          _d(L).ContinuousBernoulli(logits=b)),
    "Normal-ContinuousBernoulli (infinite)": lambda L, a, b, c, d: (_d(L).Normal(a, 1.0),
                                                                    _d(L).ContinuousBernoulli(logits=b)),
}


# (a, b, c, d) of each pair: locations, then positive parameters, stacked in pairs along the last dim
MATRICES = (LOC3, LOC3[::-1].copy(), COV, TRIL[::-1].copy())
KL_ARGUMENTS = {"MVN-MVN": MATRICES, "LowRankMVN-LowRankMVN": MATRICES, "MVN-LowRankMVN": MATRICES,
                "LowRankMVN-MVN": MATRICES}
POSITIVE_PAIRS = (LOC3, LOC3[::-1].copy(), np.stack([POS, POS2 + 1], -1), np.stack([POS2, POS], -1))


def _kl(lib, pair):
    leaves = [lib.tensor(x, requires_grad=True) for x in KL_ARGUMENTS.get(pair, POSITIVE_PAIRS)]
    p, q = KL_PAIRS[pair](lib, *leaves)
    result = lib.distributions.kl_divergence(p, q)
    finite = lib.isfinite(result)
    grads = lib.autograd.grad(result[finite].sum(), leaves, allow_unused=True) if bool(finite.any()) else None
    return result, grads


@pytest.mark.parametrize("pair", list(KL_PAIRS))
def test_kl_divergence_and_its_gradients_match_torch(pair):
    (e_result, e_grads), (t_result, t_grads) = _kl(ember, pair), _kl(torch, pair)
    assert tuple(e_result.shape) == tuple(t_result.shape)
    _close(e_result, t_result, rtol=1e-9, atol=1e-10)
    _same_gradients(e_grads, t_grads)


# ----- sampling --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", list(CASES))
def test_samples_have_the_shape_dtype_and_support_of_torch(case):
    ember.manual_seed(0)
    params, build, _, _ = CASES[case]
    dist = build(ember, {k: ember.tensor(v) for k, v in params.items()})
    t_dist = build(torch, {k: torch.tensor(v) for k, v in params.items()})
    sample, t_sample = dist.sample((5, 7)), t_dist.sample((5, 7))
    assert tuple(sample.shape) == tuple(t_sample.shape)
    assert str(sample.dtype).split(".")[-1] == str(t_sample.dtype).split(".")[-1]
    assert bool(dist.support.check(sample).all())
    assert dist.has_rsample == t_dist.has_rsample


# cases with finite moments, with a tolerance of 6 standard errors
MOMENTS = ["MVN_cov", "MVN_prec", "Multinomial_logits", "Weibull", "Pareto", "NegativeBinomial_probs",
           "MixtureSameFamily", "LowRankMVN", "Wishart_cov", "Kumaraswamy", "GeneralizedPareto",
           "ContinuousBernoulli_probs"]


@pytest.mark.parametrize("case", MOMENTS)
def test_sample_mean_and_variance_agree_with_the_distribution(case):
    ember.manual_seed(1)
    params, build, _, _ = CASES[case]
    dist = build(ember, {k: ember.tensor(v) for k, v in params.items()})
    n = 40000
    draws = _numpy(dist.sample((n,))).astype(np.float64)
    mean, variance = _numpy(dist.mean), _numpy(dist.variance)
    assert np.all(np.abs(draws.mean(0) - mean) <= 6 * np.sqrt(variance / n))
    fourth = ((draws - draws.mean(0)) ** 4).mean(0)
    assert np.all(np.abs(draws.var(0) - variance) <= 6 * np.sqrt((fourth - variance**2) / n) + 1e-12)


def test_mvn_sample_covariance_agrees_with_the_covariance_matrix():
    ember.manual_seed(2)
    dist = ember.distributions.MultivariateNormal(ember.tensor(LOC3[0]), ember.tensor(COV[0]))
    draws = _numpy(dist.sample((40000,)))
    assert np.abs(np.cov(draws.T) - COV[0]).max() < 0.05 * np.abs(COV[0]).max()


@pytest.mark.parametrize("case", ["MVN_cov", "MVN_tril", "MVN_prec", "Weibull", "Pareto", "LowRankMVN", "InverseGamma",
                                  "Kumaraswamy", "LogisticNormal", "FisherSnedecor", "GeneralizedPareto",
                                  "ContinuousBernoulli_logits", "Wishart_cov", "Wishart_prec"])
def test_rsample_lets_gradients_reach_the_parameters(case):
    ember.manual_seed(0)
    params, build, _, _ = CASES[case]
    leaves = {k: ember.tensor(v, requires_grad=True) for k, v in params.items()}
    draws = build(ember, leaves).rsample((4,))
    weights = ember.linspace(0.5, 1.5, draws.numel(), dtype=draws.dtype).reshape(tuple(draws.shape))
    grads = ember.autograd.grad((draws * weights).sum(), list(leaves.values()))
    assert all(bool(ember.isfinite(g).all()) and bool((g != 0).any()) for g in grads)


def test_mvn_rsample_is_loc_plus_scale_tril_times_a_standard_draw():
    ember.manual_seed(3)
    dist = ember.distributions.MultivariateNormal(ember.tensor(LOC3), scale_tril=ember.tensor(TRIL))
    draws = _numpy(dist.rsample((6,)))
    eps = np.linalg.solve(TRIL, (draws - LOC3)[..., None])[..., 0]
    ember.manual_seed(3)
    _close(ember.tensor(eps), ember.randn(6, 2, 3, dtype=ember.float64))


# ----- transforms ------------------------------------------------------------------------------------------

def _t(lib):
    return lib.distributions.transforms


MATRIX = RNG.standard_normal((2, 3, 3))
# name: (build(lib), input x)
TRANSFORMS = {
    "Power": (lambda L: _t(L).PowerTransform(L.tensor(POS2)), X),
    "Softplus": (lambda L: _t(L).SoftplusTransform(), LOC3),
    "Softmax": (lambda L: _t(L).SoftmaxTransform(), LOC3),
    "StickBreaking": (lambda L: _t(L).StickBreakingTransform(), LOC3),
    "LowerCholesky": (lambda L: _t(L).LowerCholeskyTransform(), MATRIX),
    "PositiveDefinite": (lambda L: _t(L).PositiveDefiniteTransform(), MATRIX),
    "CorrCholesky": (lambda L: _t(L).CorrCholeskyTransform(), LOC3),
    "Independent": (lambda L: _t(L).IndependentTransform(_t(L).SoftplusTransform(), 1), LOC3),
    "Reshape": (lambda L: _t(L).ReshapeTransform((3,), (3, 1)), LOC3),
    "CumulativeDistribution": (lambda L: _t(L).CumulativeDistributionTransform(_d(L).Normal(0.5, 2.0)), LOC3),
    "Cat": (lambda L: _t(L).CatTransform([_t(L).ExpTransform(), _t(L).SoftplusTransform()], dim=-1,
                                         lengths=[1, 2]), LOC3),
    "Stack": (lambda L: _t(L).StackTransform([_t(L).ExpTransform(), _t(L).SoftplusTransform(),
                                              _t(L).SigmoidTransform()], dim=1), LOC3),
}
NOT_BIJECTIVE = {"Softmax", "LowerCholesky", "PositiveDefinite"}


def _transform_run(lib, name):
    build, x = TRANSFORMS[name]
    x = lib.tensor(x, requires_grad=True)
    transform = build(lib)
    y = transform(x)
    outputs = [y, transform.inv(y)]
    if name not in NOT_BIJECTIVE:
        outputs.append(transform.log_abs_det_jacobian(x, y))
    total = sum((out * lib.linspace(0.5, 1.5, out.numel(), dtype=out.dtype).reshape(tuple(out.shape))).sum()
                for out in outputs)
    (grad,) = lib.autograd.grad(total, [x])
    return transform, outputs, grad


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_transforms_match_torch(name):
    (e_t, e_outputs, e_grad), (t_t, t_outputs, t_grad) = _transform_run(ember, name), _transform_run(torch, name)
    for got, expected in zip(e_outputs, t_outputs):
        assert tuple(got.shape) == tuple(expected.shape)
        _close(got, expected, rtol=1e-9, atol=1e-10)
    _close(e_grad, t_grad, rtol=1e-9, atol=1e-10)
    assert e_t.bijective == t_t.bijective
    assert (e_t.domain.event_dim, e_t.codomain.event_dim) == (t_t.domain.event_dim, t_t.codomain.event_dim)
    shape = tuple(TRANSFORMS[name][1].shape)
    assert tuple(e_t.forward_shape(shape)) == tuple(t_t.forward_shape(shape))
    out_shape = tuple(t_outputs[0].shape)
    assert tuple(e_t.inverse_shape(out_shape)) == tuple(t_t.inverse_shape(out_shape))
    assert bool(e_t.codomain.check(e_outputs[0]).all())


def _constraint(lib, name):
    c = lib.distributions.constraints
    return {"real": c.real, "positive": c.positive, "nonnegative": c.nonnegative, "greater_than": c.greater_than(1.5),
            "less_than": c.less_than(-1.0), "interval": c.interval(-2.0, 3.0), "unit_interval": c.unit_interval,
            "half_open_interval": c.half_open_interval(0.0, 1.0), "simplex": c.simplex,
            "real_vector": c.real_vector, "independent_positive": c.independent(c.positive, 1),
            "lower_cholesky": c.lower_cholesky, "positive_definite": c.positive_definite,
            "corr_cholesky": c.corr_cholesky, "cat": c.cat([c.positive, c.real], -1, [1, 2]),
            "stack": c.stack([c.positive, c.unit_interval, c.real], 1)}[name]


CONSTRAINT_INPUTS = {"lower_cholesky": MATRIX, "positive_definite": MATRIX}
CONSTRAINTS = ["real", "positive", "nonnegative", "greater_than", "less_than", "interval", "unit_interval",
               "half_open_interval", "simplex", "real_vector", "independent_positive", "lower_cholesky",
               "positive_definite", "corr_cholesky", "cat", "stack"]


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("name", CONSTRAINTS)
def test_biject_to_and_transform_to_match_torch(registry, name):
    results = []
    for lib in (ember, torch):
        try:
            transform = getattr(lib.distributions, registry)(_constraint(lib, name))
        except NotImplementedError as error:
            results.append(("NotImplementedError", str(error)))
            continue
        x = lib.tensor(CONSTRAINT_INPUTS.get(name, LOC3))
        y = transform(x)
        results.append((type(transform).__name__, [type(p).__name__ for p in getattr(transform, "parts", [])], y))
        if lib is ember:
            assert bool(_constraint(ember, name).check(y).all())
    if results[1][0] == "NotImplementedError":
        assert results[0] == results[1]
    else:
        assert results[0][:2] == results[1][:2]
        _close(results[0][2], results[1][2], rtol=1e-9, atol=1e-10)


def test_constraint_checks_match_torch():
    values = {"lower_cholesky": TRIL, "positive_definite": COV, "corr_cholesky": TRIL / np.linalg.norm(
        TRIL, axis=-1, keepdims=True), "lower_triangular": np.tril(MATRIX), "symmetric": COV,
        "positive_semidefinite": COV, "square": MATRIX}
    for name, value in values.items():
        for candidate in (value, MATRIX):
            got = getattr(ember.distributions.constraints, name).check(ember.tensor(candidate))
            expected = getattr(torch.distributions.constraints, name).check(torch.tensor(candidate))
            assert _numpy(got).tolist() == _numpy(expected).tolist(), name
    counts = np.array([[1.0, 2.0, 0.0], [3.0, 1.0, 0.0], [-1.0, 2.0, 1.0]])
    got = ember.distributions.constraints.multinomial(3).check(ember.tensor(counts))
    assert _numpy(got).tolist() == _numpy(torch.distributions.constraints.multinomial(3).check(
        torch.tensor(counts))).tolist()


def test_biject_to_refuses_an_unregistered_constraint_as_torch():
    messages = []
    for lib in (ember, torch):
        with pytest.raises(NotImplementedError) as error:
            lib.distributions.biject_to(lib.distributions.constraints.boolean)
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_submodules_are_exposed_as_torch():
    for name in ["multivariate_normal", "lowrank_multivariate_normal", "multinomial", "mixture_same_family",
                 "weibull", "pareto", "negative_binomial", "von_mises", "fishersnedecor", "inverse_gamma",
                 "kumaraswamy", "continuous_bernoulli", "logistic_normal", "generalized_pareto", "wishart",
                 "lkj_cholesky", "constraint_registry"]:
        assert hasattr(ember.distributions, name) and hasattr(torch.distributions, name)
    assert ember.distributions.multivariate_normal.MultivariateNormal is ember.distributions.MultivariateNormal


def test_von_mises_samples_lie_in_the_circle_and_follow_the_circular_mean():
    ember.manual_seed(6)
    loc = ember.tensor([0.5, -2.5, 3.0], dtype=ember.float64)
    dist = ember.distributions.VonMises(loc, ember.tensor([0.5, 2.0, 8.0], dtype=ember.float64))
    draws = _numpy(dist.sample((20000,)))
    assert draws.min() >= -np.pi and draws.max() < np.pi
    resultant = np.exp(1j * draws).mean(0)
    assert np.abs(np.angle(resultant) - _numpy(loc)).max() < 0.1
    assert np.abs(1 - np.abs(resultant) - _numpy(dist.variance)).max() < 0.02


@pytest.mark.parametrize("case", ["MVN_cov", "LowRankMVN", "Weibull", "Multinomial_logits", "Wishart_cov",
                                  "ContinuousBernoulli_logits", "MixtureSameFamily"])
def test_log_prob_gradients_pass_gradcheck_and_gradgradcheck(case):
    params, build, value, _ = CASES[case]
    leaves = tuple(ember.tensor(v, requires_grad=True) for v in params.values())
    names = list(params)
    value = ember.tensor(value)

    def log_prob(*tensors):
        given = dict(zip(names, tensors))
        if "cov" in given:  # keep the perturbed covariance symmetric
            given["cov"] = (given["cov"] + given["cov"].mT) / 2
        return build(ember, given).log_prob(value)

    assert ember.autograd.gradcheck(log_prob, leaves)
    assert ember.autograd.gradgradcheck(log_prob, leaves)
