"""The margin, likelihood and triplet losses on one small float64 input: the sums and input gradients
PyTorch 2.13 gives (hard-coded, so these run without torch; tests/oracle/test_oracle_margin_losses.py
compares with PyTorch itself)."""

from __future__ import annotations

import numpy as np
import pytest

import ember

X = [[0.5, -1.25, 2.0], [-0.75, 1.5, 0.25]]
F = ember.nn.functional
SIGNS = [[1.0, -1, 1], [-1, 1, -1]]

CASES = {
    "soft_margin": lambda x: F.soft_margin_loss(x, ember.tensor(SIGNS, dtype=ember.float64), reduction="sum"),
    "hinge_embedding": lambda x: F.hinge_embedding_loss(x, ember.tensor(SIGNS, dtype=ember.float64), margin=1.5,
                                                        reduction="sum"),
    "poisson_nll": lambda x: F.poisson_nll_loss(x, ember.tensor([[0.0, 2, 3], [1, 4, 0]], dtype=ember.float64),
                                                full=True, reduction="sum"),
    "gaussian_nll": lambda x: F.gaussian_nll_loss(x, ember.zeros(2, 3, dtype=ember.float64),
                                                  ember.tensor([0.5, 2.0], dtype=ember.float64), reduction="sum"),
    "multi_margin": lambda x: F.multi_margin_loss(x, ember.tensor([2, 0]), p=2, reduction="sum"),
    "multilabel_margin": lambda x: F.multilabel_margin_loss(x, ember.tensor([[2, -1, 0], [0, 1, -1]]),
                                                            reduction="sum"),
    "multilabel_soft_margin": lambda x: F.multilabel_soft_margin_loss(
        x, ember.tensor([[1.0, 0, 1], [0, 1, 0]], dtype=ember.float64), reduction="sum"),
    "triplet_margin": lambda x: F.triplet_margin_loss(x[0], x[1], x[0] * 0.5, margin=3.0, reduction="sum"),
}

# name -> (PyTorch's loss, PyTorch's gradient of the input)
EXPECTED = {
    "soft_margin": (2.267157780544948, [[-0.37754066879814546, 0.22270013882530884, -0.11920292202211755],
                                        [0.32082130082460697, -0.18242552380635632, 0.5621765008857981]]),
    "hinge_embedding": (10.25, [[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0]]),
    "poisson_nll": (12.385514392649563, [[1.6487212707001282, -1.7134952031398099, 4.38905609893065],
                                         [-0.5276334472589853, 0.4816890703380645, 1.2840254166877414]]),
    "gaussian_nll": (6.53125, [[1.0, -2.5, 4.0], [-0.375, 0.75, 0.125]]),
    "multi_margin": (4.854166666666667, [[0.0, 0.0, 0.0], [-3.5, 2.1666666666666665, 1.3333333333333333]]),
    "multilabel_margin": (0.6666666666666666, [[0.0, 0.0, 0.0], [-0.3333333333333333, 0.0, 0.3333333333333333]]),
    "multilabel_soft_margin": (0.7557192601816494,
                               [[-0.1258468895993818, 0.07423337960843628, -0.03973430734070585],
                                [0.10694043360820232, -0.0608085079354521, 0.18739216696193273]]),
    "triplet_margin": (5.285603218953051, [[0.2543621764674575, -0.5284886614371176, 0.08649977371874529],
                                           [-0.35805771612084836, 0.7877260588388465, -0.5012806879908103]]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_loss_and_gradient_are_pytorchs(name):
    x = ember.tensor(X, dtype=ember.float64, requires_grad=True)
    loss = CASES[name](x)
    loss.backward()
    value, grad = EXPECTED[name]
    assert loss.item() == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(x.grad.cpu().numpy(), grad, rtol=1e-12, atol=1e-15)


def test_bilinear_is_a_sum_of_products():
    """y[o] = x1ᵀ W[o] x2 + b[o], checked against numpy's einsum."""
    rng = np.random.default_rng(0)
    x1, x2, w, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((5, 3, 4)), \
        rng.standard_normal(5)
    out = F.bilinear(ember.tensor(x1), ember.tensor(x2), ember.tensor(w), ember.tensor(b))
    np.testing.assert_allclose(out.cpu().numpy(), np.einsum("bi,oij,bj->bo", x1, w, x2) + b, rtol=1e-12)


def test_lazy_linear_becomes_linear_on_its_first_call():
    module = ember.nn.LazyLinear(4)
    assert isinstance(module.weight, ember.nn.UninitializedParameter)
    optimizer = ember.optim.SGD(module.parameters(), lr=0.5)
    module(ember.ones(2, 3)).sum().backward()
    before = module.weight.detach().clone()
    optimizer.step()
    assert type(module) is ember.nn.Linear and module.in_features == 3
    assert tuple(module.weight.shape) == (4, 3)
    np.testing.assert_allclose((before - module.weight.detach()).cpu().numpy(), np.full((4, 3), 1.0))
