"""The engine runs a one-output node made ready by its last edge straight away (engine._run's `handed`):
nodes still run in the order of the ready stack, which is PyTorch's for these graphs (the node made last
runs first; PyTorch orders by creation, ember by edges), and their gradients are unchanged."""
import numpy as np

import ember

order: list = []


def _recorder(name, outputs=1):
    """A custom Function that doubles its input (into `outputs` outputs) and records when its backward runs."""

    class Recorded(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2 if outputs == 1 else tuple(x * 2 for _ in range(outputs))

        @staticmethod
        def backward(ctx, *grads):
            order.append(name)
            return sum(g for g in grads if g is not None) * 2

    return Recorded


class _Combine(ember.autograd.Function):
    """u + 2 v + 3 w."""

    @staticmethod
    def forward(ctx, u, v, w):
        return u + 2 * v + 3 * w

    @staticmethod
    def backward(ctx, grad):
        return grad, grad * 2, grad * 3


def _run(middle_outputs):
    order.clear()
    x = ember.tensor([1.0, -2.0], dtype=ember.float64, requires_grad=True)
    first, second, third = _recorder("A")(), _recorder("B", middle_outputs)(), _recorder("C")()
    u = first.apply(x)  # made in the order of _Combine's inputs: PyTorch runs them last made first
    v = second.apply(x)
    v = v if middle_outputs == 1 else v[0]
    _Combine.apply(u, v, third.apply(x)).sum().backward()
    return x.grad, list(order)


def test_three_handed_nodes_run_last_made_first():
    grad, ran = _run(1)
    assert ran == ["C", "B", "A"]
    np.testing.assert_allclose(grad.numpy(), [2 + 4 + 6, 2 + 4 + 6])


def test_a_stacked_node_between_handed_ones_keeps_the_stack_order():
    grad, ran = _run(2)  # B has two outputs: it waits on the stack, between A and C
    assert ran == ["C", "B", "A"]
    np.testing.assert_allclose(grad.numpy(), [12.0, 12.0])


def test_a_long_chain_of_handed_nodes():
    x = ember.tensor([0.3, -0.2], dtype=ember.float64, requires_grad=True)
    y = x
    for _ in range(200):
        y = (y * 0.5).tanh()
    y.sum().backward()
    expected = np.array([0.3, -0.2])
    slope = np.ones(2)
    for _ in range(200):
        expected = np.tanh(expected * 0.5)
        slope *= 0.5 * (1 - expected ** 2)
    np.testing.assert_allclose(x.grad.numpy(), slope)
