"""torch.special's Bessel, Airy, Hurwitz zeta and orthogonal-polynomial functions against PyTorch: values on
grids with the edges of each algorithm (branch points, zero, infinities, NaN, negative and large degrees),
float32 and float64, integer promotion, the number forms, out=, the refused float16, zeta's gradient in q
and its refused gradient in x, and the results that never require grad. Values are read through cpu(),
so the file runs on any default device."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import same_message

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

UNARY = ("bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0", "modified_bessel_i1",
         "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
         "spherical_bessel_j0", "airy_ai")
POLYNOMIALS = ("chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
               "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
               "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
               "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p")
UNARY_EDGES = [0.0, -0.0, 1e-300, 1e-8, 1e-5, 0.49, 0.5, 2.0, 2.09, -2.09, 5.0, 8.0, 8.3203353, 103.8, 103.9, 1e3,
               -1e3, float("inf"), -float("inf"), float("nan")]
X_EDGES = [-1.5, -1.0, -0.3, 0.0, 0.25, 0.5, 0.9, 1.0, 2.0, float("inf"), -float("inf")]
DEGREES = [-3, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 30, 128, 129, 512, 513, 2.7, -0.5, float("inf"),
           float("nan")]


def _assert_close(got, expected, rtol, atol=0.0):
    got, expected = got.detach().cpu().numpy(), expected.detach().numpy()
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


def _pair(values, dtype):
    return ember.tensor(values, dtype=getattr(ember, dtype)), torch.tensor(values, dtype=getattr(torch, dtype))


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize(("dtype", "rtol", "atol"), [("float64", 1e-12, 0.0), ("float32", 1e-4, 1e-6)])
def test_unary_values_with_the_edges(name, dtype, rtol, atol):
    values = np.concatenate([UNARY_EDGES, np.linspace(-30, 30, 601), 10 ** np.linspace(-5, 2.5, 100)])
    a, b = _pair(values, dtype)
    _assert_close(getattr(ember.special, name)(a), getattr(torch.special, name)(b), rtol, atol)


def test_unary_integers_give_the_default_float_dtype():
    for name in UNARY:
        _assert_close(getattr(ember.special, name)(ember.tensor([1, 2, 7])),
                      getattr(torch.special, name)(torch.tensor([1, 2, 7])), 1e-6)


def _degree_grid():
    x, n = np.meshgrid(np.concatenate([X_EDGES, np.linspace(-1.2, 1.2, 25)]), np.array(DEGREES, dtype=float))
    x, n = x.ravel(), n.ravel()
    # PyTorch returns an uninitialized value for a NaN x of degree >= 2 (its recurrence never runs)
    return x, n


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomial_values_float64(name):
    x, n = _degree_grid()
    a, b = _pair(x, "float64")
    na, nb = _pair(n, "float64")
    _assert_close(getattr(ember.special, name)(a, na), getattr(torch.special, name)(b, nb), 1e-9, 1e-12)


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomial_values_float32(name):
    """PyTorch's float32 recurrences are fused multiply-adds in its vectorised build: up to a few 1e-5
    relative apart, more where the high degrees cancel."""
    x, n = _degree_grid()
    keep = np.abs(n) <= 12
    a, b = _pair(x[keep], "float32")
    na, nb = _pair(n[keep], "float32")
    _assert_close(getattr(ember.special, name)(a, na), getattr(torch.special, name)(b, nb), 1e-3, 1e-4)


@pytest.mark.parametrize(("name", "call"), [
    ("number degree", lambda lib, x, n: lib.special.chebyshev_polynomial_u(x, 9)),
    ("float degree truncated", lambda lib, x, n: lib.special.legendre_polynomial_p(x, 3.9)),
    ("number x", lambda lib, x, n: lib.special.hermite_polynomial_h(0.5, n)),
    ("integers", lambda lib, x, n: lib.special.laguerre_polynomial_l(n, n)),
    ("float32 x, float64 n", lambda lib, x, n: lib.special.chebyshev_polynomial_t(x.float(), n.double())),
    ("broadcast", lambda lib, x, n: lib.special.shifted_chebyshev_polynomial_w(x.reshape(3, 1), n)),
    ("out=", lambda lib, x, n: lib.special.hermite_polynomial_he(x, n, out=lib.empty(3, dtype=lib.float64))),
])
def test_polynomial_forms_and_promotion(name, call):
    x, n = np.array([0.3, -0.7, 1.5]), np.array([2, 5, 11])
    got = call(ember, ember.tensor(x), ember.tensor(n))
    expected = call(torch, torch.tensor(x), torch.tensor(n))
    assert got.shape == tuple(expected.shape)
    _assert_close(got, expected, 1e-6)


def test_zeta_values_on_a_grid_with_the_edges():
    edges = [-20.5, -3.0, -2.5, -1.5, -1.0, -0.3, 0.0, 1e-10, 0.3, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 7.0, 10.0, 30.0,
             100.0, float("inf"), float("nan")]
    x, q = (v.ravel() for v in np.meshgrid(edges, edges))
    rng = np.random.default_rng(0)
    x, q = np.concatenate([x, rng.uniform(1, 20, 500)]), np.concatenate([q, rng.uniform(-10, 50, 500)])
    for dtype, rtol, atol in (("float64", 1e-12, 0.0), ("float32", 1e-6, 1e-38)):  # float32 subnormals
        (a, b), (c, d) = _pair(x, dtype), _pair(q, dtype)
        _assert_close(ember.special.zeta(a, c), torch.special.zeta(b, d), rtol, atol)


@pytest.mark.parametrize(("name", "call"), [
    ("number x", lambda lib, x, q: lib.special.zeta(3.0, q)),
    ("number q", lambda lib, x, q: lib.special.zeta(x, 2)),
    ("integers", lambda lib, x, q: lib.special.zeta(x.long(), q.long())),
    ("float32 and float64", lambda lib, x, q: lib.special.zeta(x.float(), q)),
    ("out=", lambda lib, x, q: lib.special.zeta(x, q, out=lib.empty(3, dtype=lib.float64))),
])
def test_zeta_forms_and_promotion(name, call):
    x, q = np.array([2.0, 3.0, 4.5]), np.array([1.0, 2.5, 0.5])
    _assert_close(call(ember, ember.tensor(x), ember.tensor(q)), call(torch, torch.tensor(x), torch.tensor(q)), 1e-6)


def test_zeta_gradient_in_q_and_grad_fn_names():
    x, q = np.array([2.0, 3.0, 4.5]), np.array([1.0, 2.5, 0.5])
    grads = []
    for lib in (ember, torch):
        a, b = lib.tensor(x), lib.tensor(q, requires_grad=True)
        result = lib.special.zeta(a, b)
        assert type(result.grad_fn).__name__ == "SpecialZetaBackward0"
        (grad,) = lib.autograd.grad(result.sum(), b)
        grads.append(grad)
        assert type(lib.special.zeta(b, 2.0).grad_fn).__name__ == "SpecialZetaBackward2"
        assert type(lib.special.zeta(3.0, b).grad_fn).__name__ == "SpecialZetaBackward1"
    _assert_close(*grads, 1e-12)
    assert ember.autograd.gradcheck(lambda q: ember.special.zeta(ember.tensor(x), q),
                                    (ember.tensor(q, requires_grad=True),))


def test_zeta_refuses_the_gradient_in_x():
    errors = []
    for lib in (ember, torch):
        a = lib.tensor([2.0, 3.0], requires_grad=True)
        with pytest.raises(NotImplementedError) as info:
            lib.special.zeta(a, lib.tensor([1.0, 2.0])).sum().backward()
        errors.append(info.value)
    assert same_message(*errors)


@pytest.mark.parametrize("name", UNARY + POLYNOMIALS)
def test_results_never_require_grad(name):
    x = ember.tensor([0.5, 2.0], requires_grad=True)
    result = getattr(ember.special, name)(x) if name in UNARY else getattr(ember.special, name)(x, 3)
    expected = getattr(torch.special, name)(torch.tensor([0.5, 2.0], requires_grad=True), *(
        () if name in UNARY else (3,)))
    assert result.grad_fn is None and not result.requires_grad
    assert expected.grad_fn is None and not expected.requires_grad


@pytest.mark.parametrize(("name", "args"), [
    ("zeta", 2), ("chebyshev_polynomial_t", 2), ("legendre_polynomial_p", 2), ("bessel_j0", 1),
    ("modified_bessel_k1", 1)])
def test_float16_is_refused(name, args):
    errors = []
    for lib in (ember, torch):
        x = lib.tensor([0.5, 2.0], dtype=lib.float16)
        with pytest.raises(NotImplementedError) as info:
            getattr(lib.special, name)(*([x] * args))
        errors.append(str(info.value))
    assert errors[0].split(" not implemented")[1] == errors[1].split(" not implemented")[1]


def test_two_numbers_are_refused():
    for lib in (ember, torch):
        with pytest.raises(TypeError):
            lib.special.chebyshev_polynomial_t(0.5, 3)
