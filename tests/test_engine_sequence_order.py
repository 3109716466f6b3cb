"""The engine runs nodes newest first (Node._seq, PyTorch's sequence-number order) instead of counting
dependencies: every node runs once, after all the gradients it can receive; a node that the running node
reaches twice (``y * y``) gets both. Orders and values are PyTorch 2.13's, written in."""
import math

import numpy as np
import pytest

import ember

order: list = []


def _recorder(name):
    """A custom Function that doubles its input and records when its backward runs."""

    class Recorded(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            order.append(name)
            return grad * 2

    return Recorded


A, B, C, D = (_recorder(name) for name in "abcd")


def _leaf():
    order.clear()
    return ember.tensor([1.0, 2.0], requires_grad=True)


def test_branches_run_newest_first_as_pytorch():
    x = _leaf()
    a = A.apply(x)
    b = B.apply(a)
    c = C.apply(a)
    d = D.apply(b)
    (d + c).sum().backward()
    assert order == ["d", "c", "b", "a"]  # PyTorch 2.13's order
    np.testing.assert_array_equal(x.grad.numpy(), [12.0, 12.0])


def test_a_root_reached_from_another_root_runs_once_with_both_gradients():
    x = _leaf()
    a = A.apply(x)
    b = B.apply(a)
    ember.autograd.backward([a.sum(), b.sum()])
    assert order == ["b", "a"]
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_two_edges_from_one_node_to_the_next_sum_into_one_run():
    x = _leaf()
    y = A.apply(x)
    (y * y).sum().backward()
    assert order == ["a"]
    np.testing.assert_array_equal(x.grad.numpy(), [8.0, 16.0])


def test_a_plain_node_reached_twice_by_one_node_gets_both_gradients():
    x = ember.tensor([0.5, -1.0, 2.0], dtype=ember.float64, requires_grad=True)
    y = x.exp()
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(2 * np.array([0.5, -1.0, 2.0])))


def test_double_backward_through_a_node_reached_twice():
    x = ember.tensor([0.5, -1.0, 2.0], dtype=ember.float64, requires_grad=True)
    g, = ember.autograd.grad(ember.nn.functional.gelu(x).sum(), x, create_graph=True)
    gg, = ember.autograd.grad((g * g).sum(), x)
    values = np.array([0.5, -1.0, 2.0])
    pdf = np.exp(-values * values / 2) / np.sqrt(2 * np.pi)
    first = np.array([0.5 * (1 + math.erf(v / np.sqrt(2))) for v in values]) + values * pdf
    np.testing.assert_allclose(gg.numpy(), 2 * first * (2 * pdf - values * values * pdf), rtol=1e-12)


def test_nodes_made_after_an_in_place_change_run_before_the_history_they_extend():
    x = _leaf()
    y = A.apply(x)
    z = y.clone()
    z.mul_(3)  # MulBackward0 over CloneBackward0, newer than both
    w = B.apply(z)
    (w + y).sum().backward()
    assert order == ["b", "a"]
    np.testing.assert_array_equal(x.grad.numpy(), [14.0, 14.0])


def test_grad_of_some_inputs_runs_only_what_reaches_them():
    x = _leaf()
    other = ember.tensor([3.0, 4.0], requires_grad=True)
    a = A.apply(x)
    loss = (B.apply(other) + a).sum()
    gx, = ember.autograd.grad(loss, x)
    assert order == ["a"]  # B's node reaches only `other`
    np.testing.assert_array_equal(gx.numpy(), [2.0, 2.0])
    loss.backward()  # nothing was saved, so nothing was freed: PyTorch runs it again too
    assert order == ["a", "b", "a"]
    np.testing.assert_array_equal(other.grad.numpy(), [2.0, 2.0])


def test_a_gradient_along_the_one_edge_of_a_binary_node_is_fitted_to_its_input():
    x = ember.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    y = x.exp()  # float32 (1, 3), with history: its gradient is handed on
    w = ember.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=ember.float64)
    z = (y - w) * w  # float64 (2, 3): y's gradient is summed over the rows and cast back to float32
    z.sum().backward()
    assert x.grad.dtype == ember.float32 and x.grad.shape == (1, 3)
    np.testing.assert_allclose(x.grad.numpy(), [[5 * math.exp(0.5), 7 * math.exp(-1.0), 9 * math.exp(2.0)]],
                               rtol=1e-6)


def test_anomaly_mode_still_checks_the_handed_gradients():
    x = ember.tensor([1.0, -1.0], requires_grad=True)
    y = x.exp()
    with ember.autograd.set_detect_anomaly(True):
        z = (y * 0.0).log() * 0.0  # log(0) * 0: NaN in LogBackward0's gradient
        with pytest.warns(UserWarning, match="Error detected in LogBackward0"), \
                pytest.raises(RuntimeError, match="Function 'LogBackward0' returned nan values in its 0th output."):
            z.sum().backward()
