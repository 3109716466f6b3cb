"""The regularized incomplete gamma functions against PyTorch: igamma/igammac (functions, methods, in-place,
out=, special.gammainc/gammaincc) on a grid with the domain's edges (a = 0, x = 0, inf, NaN, negative, large
a), broadcasting and promotion, the gradient in x, the refused gradient in a, PyTorch's errors, and the
Gamma and Chi2 cdfs built on them. Values are read through cpu(), so the file runs on any default device."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import same_message

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

EDGES = [0.0, 1e-300, 1e-10, 0.01, 0.3, 0.5, 0.9, 1.0, 1.1, 1.5, 2.0, 5.0, 19.0, 21.0, 30.0, 100.0, 199.0, 201.0,
         250.0, 1000.0, 1e4, 1e6, 1e20, float("inf"), float("nan"), -1.0, -0.0]
OPS = ("igamma", "igammac")


def _grid(values):
    a, x = np.meshgrid(np.array(values), np.array(values))
    rng = np.random.default_rng(0)
    return (np.concatenate([a.ravel(), rng.uniform(0, 300, 2000), 10 ** rng.uniform(-3, 3, 1000)]),
            np.concatenate([x.ravel(), rng.uniform(0, 300, 2000), 10 ** rng.uniform(-3, 3, 1000)]))


def _assert_close(got, expected, rtol, atol=0.0):
    got, expected = got.detach().cpu().numpy(), expected.detach().numpy()
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


@pytest.mark.parametrize("op", OPS)
def test_float64_values_on_a_grid_with_the_edges(op):
    a, x = _grid(EDGES)
    _assert_close(getattr(ember, op)(ember.tensor(a), ember.tensor(x)),
                  getattr(torch, op)(torch.tensor(a), torch.tensor(x)), rtol=1e-12)


@pytest.mark.parametrize("op", OPS)
def test_float32_values_on_a_grid_with_the_edges(op):
    """PyTorch's float version rounds more than ember's kernels (computed in float64 on the CPU): a few
    1e-5 relative in the tails, and 1 - Q loses the digits of a lower value below 1e-6."""
    a, x = (v.astype(np.float32) for v in _grid(EDGES))
    _assert_close(getattr(ember, op)(ember.tensor(a), ember.tensor(x)),
                  getattr(torch, op)(torch.tensor(a), torch.tensor(x)), rtol=2e-4, atol=1e-6)


def test_float16_values():
    a, x = np.array([0.5, 1.0, 2.5, 10.0, 30.0]), np.array([0.25, 1.0, 3.0, 8.0, 31.0])
    for op in OPS:
        _assert_close(getattr(ember, op)(ember.tensor(a, dtype=ember.float16), ember.tensor(x, dtype=ember.float16)),
                      getattr(torch, op)(torch.tensor(a, dtype=torch.float16), torch.tensor(x, dtype=torch.float16)),
                      rtol=1e-3)


@pytest.mark.parametrize(("name", "call"), [
    ("method", lambda lib, a, x: a.igamma(x)),
    ("Tensor.igammac", lambda lib, a, x: a.igammac(x)),
    ("in-place", lambda lib, a, x: a.clone().igamma_(x)),
    ("igammac_", lambda lib, a, x: a.clone().igammac_(x)),
    ("special.gammainc", lambda lib, a, x: lib.special.gammainc(a, x)),
    ("special.gammaincc", lambda lib, a, x: lib.special.gammaincc(a, x)),
    ("out=", lambda lib, a, x: lib.igamma(a, x, out=lib.empty(3, dtype=lib.float64))),
    ("broadcast", lambda lib, a, x: lib.igammac(a.reshape(3, 1), x)),
    ("float32 and float64", lambda lib, a, x: lib.igamma(a.float(), x)),
    ("bool and float", lambda lib, a, x: lib.igamma(a > 1, x.float())),
    ("0-d", lambda lib, a, x: lib.igamma(a[0], x)),
])
def test_forms_broadcasting_and_promotion(name, call):
    a, x = np.array([0.5, 2.0, 7.0]), np.array([1.0, 1.5, 9.0])
    got = call(ember, ember.tensor(a), ember.tensor(x))
    expected = call(torch, torch.tensor(a), torch.tensor(x))
    assert got.shape == tuple(expected.shape)
    _assert_close(got, expected, rtol=1e-6)


@pytest.mark.parametrize("op", OPS)
def test_gradient_in_x_and_grad_fn(op):
    a, x = np.array([0.3, 1.0, 2.5, 40.0]), np.array([0.2, 1.5, 2.0, 41.0])
    results = []
    for lib in (ember, torch):
        x_leaf = lib.tensor(x, requires_grad=True)
        result = getattr(lib, op)(lib.tensor(a), x_leaf)
        result.backward(lib.tensor([1.0, -2.0, 0.5, 3.0], dtype=lib.float64))
        results.append((type(result.grad_fn).__name__, x_leaf.grad))
    assert results[0][0] == results[1][0] == f"{op.capitalize()}Backward0"
    _assert_close(results[0][1], results[1][1], rtol=1e-12)


def test_double_backward_in_x():
    a = ember.tensor([0.7, 3.0], dtype=ember.float64)
    x = ember.tensor([0.4, 2.5], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: ember.igamma(a, x), (x,))
    assert ember.autograd.gradgradcheck(lambda x: ember.igammac(a, x), (x,))


@pytest.mark.parametrize("op", OPS)
def test_gradient_in_the_input_is_refused_as_pytorchs(op):
    errors = []
    for lib in (ember, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        result = getattr(lib, op)(a, lib.tensor([0.5, 3.0]))
        with pytest.raises(NotImplementedError) as caught:
            result.sum().backward()
        errors.append(str(caught.value))
    assert errors[0] == errors[1]


@pytest.mark.parametrize(("call", "error"), [
    (lambda lib: lib.igamma(lib.tensor([1, 2]), lib.tensor([1, 2])), NotImplementedError),
    (lambda lib: lib.igammac(lib.tensor([True]), lib.tensor([False])), NotImplementedError),
    (lambda lib: lib.igamma(lib.tensor([1.0]), 2.0), TypeError),
    (lambda lib: lib.igamma(2.0, lib.tensor([1.0])), TypeError),
    (lambda lib: lib.igamma(lib.ones(2), lib.ones(3)), RuntimeError),
    (lambda lib: lib.ones(1).igamma_(lib.ones(3)), RuntimeError),
    (lambda lib: lib.igamma(lib.ones(2), lib.ones(2), out=lib.empty(2, dtype=lib.long)), RuntimeError),
])
def test_errors_as_pytorchs(call, error):
    raised = []
    for lib in (ember, torch):
        with pytest.raises(error) as caught:
            call(lib)
        raised.append(caught.value)
    assert same_message(*raised), raised


@pytest.mark.parametrize("family", ("Gamma", "Chi2"))
def test_cdf_values_and_gradients(family):
    parameters = ([0.5, 2.0, 30.0], [1.0, 0.5, 2.0]) if family == "Gamma" else ([1.0, 3.0, 60.0],)
    value = np.array([0.3, 4.0, 14.0])
    results = []
    for lib in (ember, torch):
        leaf = lib.tensor(value, requires_grad=True)
        rate = [lib.tensor(p, dtype=lib.float64, requires_grad=i == 1) for i, p in enumerate(parameters)]
        cdf = getattr(lib.distributions, family)(*rate).cdf(leaf)
        cdf.sum().backward()
        results.append((cdf, leaf.grad, rate[-1].grad if family == "Gamma" else None))
    for got, expected in zip(results[0], results[1]):
        if expected is not None:
            _assert_close(got, expected, rtol=1e-12)


@pytest.mark.parametrize("dtype", ("float32", "float64"))
def test_standard_gamma_gradient_is_pytorchs_on_the_same_samples(dtype):
    """Gamma draws are differentiated implicitly, as PyTorch's StandardGammaBackward0: the gradient in α of
    the draws x is g * _standard_gamma_grad(α, x), over its three regimes (x < 0.8, α > 8, between)."""
    from ember.distributions.standard_gamma import standard_gamma

    ember.manual_seed(0)
    alpha_values = np.repeat([0.2, 0.9, 1.5, 4.0, 7.5, 9.0, 60.0], 20).astype(dtype)
    alpha = ember.tensor(alpha_values, requires_grad=True)
    draws = standard_gamma(alpha)
    assert type(draws.grad_fn).__name__ == "StandardGammaBackward0"
    upstream = np.linspace(-1, 1, alpha_values.size).astype(dtype)
    draws.backward(ember.tensor(upstream))
    x = torch.tensor(draws.detach().cpu().numpy())
    expected = torch.tensor(upstream) * torch._standard_gamma_grad(torch.tensor(alpha_values), x)
    _assert_close(alpha.grad, expected, rtol=1e-4 if dtype == "float32" else 1e-10, atol=1e-6)


def test_gamma_rsample_gradients_match_pytorchs_formula():
    ember.manual_seed(1)
    concentration = ember.tensor([0.5, 3.0, 12.0], dtype=ember.float64, requires_grad=True)
    rate = ember.tensor([2.0, 0.5, 1.0], dtype=ember.float64, requires_grad=True)
    sample = ember.distributions.Gamma(concentration, rate).rsample((4,))
    sample.sum().backward()
    value, beta = torch.tensor(sample.detach().cpu().numpy()), torch.tensor([2.0, 0.5, 1.0], dtype=torch.float64)
    alpha = torch.tensor([0.5, 3.0, 12.0], dtype=torch.float64).expand(4, 3)
    _assert_close(concentration.grad, (torch._standard_gamma_grad(alpha, value * beta) / beta).sum(0), rtol=1e-10)
    _assert_close(rate.grad, (-value / beta).sum(0), rtol=1e-10)


@pytest.mark.parametrize("dtype", ("float32", "float64"))
def test_dirichlet_grad_is_pytorchs(dtype):
    """torch._dirichlet_grad over its regimes: x near 0 and 1, α and total - α both large, the rational
    correction between."""
    from ember.distributions.dirichlet_grad import dirichlet_grad

    rng = np.random.default_rng(2)
    alpha = np.concatenate([rng.uniform(0.1, 20, 400), [0.5, 7.0, 30.0]]).astype(dtype)
    total = alpha + np.concatenate([rng.uniform(0.1, 20, 400), [0.5, 8.0, 30.0]]).astype(dtype)
    x = np.concatenate([rng.uniform(0.001, 0.999, 400), [0.02, 0.46, 0.5]]).astype(dtype)
    _assert_close(dirichlet_grad(*(ember.tensor(v) for v in (x, alpha, total))),
                  torch._dirichlet_grad(*(torch.tensor(v) for v in (x, alpha, total))),
                  rtol=1e-3 if dtype == "float32" else 1e-10, atol=1e-6)


def test_dirichlet_and_beta_rsample_gradients_are_pytorchs_on_the_same_samples():
    ember.manual_seed(3)
    concentration = np.array([[0.5, 2.0, 9.0], [7.0, 8.0, 0.3]])
    weights = np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]])
    leaf = ember.tensor(concentration, requires_grad=True)
    sample = ember.distributions.Dirichlet(leaf).rsample()
    assert type(sample.grad_fn).__name__ == "_DirichletBackward"
    (sample * ember.tensor(weights)).sum().backward()
    x, alpha = torch.tensor(sample.detach().cpu().numpy()), torch.tensor(concentration)
    total = alpha.sum(-1, True).expand_as(alpha)
    upstream = torch.tensor(weights)
    expected = torch._dirichlet_grad(x, alpha, total) * (upstream - (x * upstream).sum(-1, True))
    _assert_close(leaf.grad, expected, rtol=1e-10)

    a, b = ember.tensor([1.5, 0.4], requires_grad=True), ember.tensor([2.0, 9.0])
    beta_sample = ember.distributions.Beta(a, b).rsample()
    names = (type(beta_sample.grad_fn).__name__, type(beta_sample.grad_fn.next_functions[0][0]).__name__)
    assert names == ("SelectBackward0", "_DirichletBackward")
    beta_sample.sum().backward()
    x = torch.tensor(beta_sample.detach().cpu().numpy())
    pair = torch.stack([x, 1 - x], -1)
    alphas = torch.tensor([[1.5, 2.0], [0.4, 9.0]])
    grad = torch._dirichlet_grad(pair, alphas, alphas.sum(-1, True).expand_as(alphas))
    upstream = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    _assert_close(a.grad, (grad * (upstream - (pair * upstream).sum(-1, True)))[:, 0], rtol=2e-3, atol=1e-6)
