"""The engine's handoff of a single-output node's only gradient (engine._run): a node reached by several
edges, some carrying no gradient, still receives the sum of those that do, and hooks still see it."""
import numpy as np

import ember


class _SecondOnly(ember.autograd.Function):
    """f(a, b) = a + b whose backward sends a gradient to `b` only (None to `a`)."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return None, grad * 3


def test_a_none_edge_then_a_gradient_reaches_the_node():
    x = ember.tensor([0.5, -1.0, 2.0], dtype=ember.float64, requires_grad=True)
    y = x.exp()
    _SecondOnly.apply(y, y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.exp([0.5, -1.0, 2.0]))


def test_gradients_of_two_edges_are_summed_and_seen_by_a_hook():
    x = ember.tensor([0.5, -1.0], dtype=ember.float64, requires_grad=True)
    y = x.tanh()
    seen = []
    y.register_hook(lambda g: seen.append(g.numpy().copy()))
    (y * 2 + y.exp()).sum().backward()
    t = np.tanh([0.5, -1.0])
    np.testing.assert_allclose(seen[0], 2 + np.exp(t))
    np.testing.assert_allclose(x.grad.numpy(), (2 + np.exp(t)) * (1 - t * t))


def test_a_chain_of_single_output_nodes():
    x = ember.tensor([0.25, 0.75], dtype=ember.float64, requires_grad=True)
    y = x
    for _ in range(5):
        y = (y * 0.5).sin()
    y.sum().backward()
    value, grad = np.array([0.25, 0.75]), np.ones(2)
    for _ in range(5):
        grad = grad * 0.5 * np.cos(value * 0.5)
        value = np.sin(value * 0.5)
    # the chain rule applied from the input side gives the same product
    np.testing.assert_allclose(x.grad.numpy(), grad)
