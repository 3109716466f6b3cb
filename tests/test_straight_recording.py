"""The ops' straight paths record their node through `node.unary_recorder` / `node.binary_recorder`
(specialised, no loop) and hand anything unusual (a leaf, a view, a Parameter, anomaly mode) to the
general `record`: the graph, the saved values and PyTorch's errors are the same either way. Expected
values are PyTorch 2.13's, written in."""
import numpy as np
import pytest

import ember


def _history():
    x = ember.tensor([0.5, -1.0, 2.0], requires_grad=True)
    return x, x * 1.0


def test_a_pair_with_history_and_a_tensor_without_grad():
    x, y = _history()
    w = ember.tensor([2.0, 3.0, 4.0])
    z = y * w
    assert type(z.grad_fn).__name__ == "MulBackward0"
    assert z.grad_fn.next_functions == ((y.grad_fn, 0), (None, 0))
    assert z.grad_fn._saved_self is None  # w needs no gradient: y is not kept
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 3.0, 4.0])


def test_a_parameter_second_operand_gets_its_gradient():
    x, y = _history()
    p = ember.nn.Parameter(ember.tensor([2.0, 3.0, 4.0]))
    (y * p).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), [0.5, -1.0, 2.0])
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 3.0, 4.0])


def test_both_operands_with_history_and_a_leaf_operand():
    x, y = _history()
    t = x.exp()
    ((y - t) + x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 - np.exp([0.5, -1.0, 2.0]), rtol=1e-6)


def test_a_view_operand_takes_the_general_path():
    x, y = _history()
    v = y[1:]
    z = v.exp() + v
    assert type(z.grad_fn.next_functions[0][0]).__name__ == "ExpBackward0"
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, np.exp(-1.0) + 1, np.exp(2.0) + 1], rtol=1e-6)


def test_a_saved_result_is_pytorchs_and_an_in_place_change_is_caught():
    x, y = _history()
    z = y.exp()
    assert type(z.grad_fn).__name__ == "ExpBackward0"
    np.testing.assert_array_equal(z.grad_fn._saved_result.detach().numpy(), z.detach().numpy())
    z.add_(1)
    with pytest.raises(RuntimeError, match=r"\[ember.FloatTensor \[3\]\], which is output 0 of Exp, is "
                                           r"at version 1; expected version 0 instead"):
        z.sum().backward()


def test_a_saved_input_changed_in_place_is_caught():
    x, y = _history()
    z = y.sin()
    y.mul_(2)
    with pytest.raises(RuntimeError, match=r"which is output 0 of Mul, is at version 1; expected "
                                           r"version 0 instead"):
        z.sum().backward()


def test_anomaly_mode_keeps_the_forward_trace():
    x, y = _history()
    with ember.autograd.set_detect_anomaly(True):
        z = (y * ember.tensor([1.0, 2.0, 3.0])).exp()
    assert z.grad_fn._trace and z.grad_fn.next_functions[0][0]._trace


def test_gradients_of_saved_products_on_buffers_and_with_a_graph():
    x = ember.tensor([0.5, -1.0], dtype=ember.float64, requires_grad=True)
    x.exp().sum().backward()  # ExpBackward0 multiplies the buffers: no graph is recorded
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, -1.0]), rtol=1e-15)
    g, = ember.autograd.grad(x.exp().sum(), x, create_graph=True)
    assert type(g.grad_fn).__name__ == "MulBackward0"  # PyTorch's graph of the gradient
    gg, = ember.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), np.exp([0.5, -1.0]), rtol=1e-15)
    y = x * 1.0
    w = ember.tensor([2.0, 3.0], dtype=ember.float64, requires_grad=True)
    gy, gw = ember.autograd.grad((y * w).sum(), (y, w), create_graph=True)
    assert type(gy.grad_fn).__name__ == type(gw.grad_fn).__name__ == "MulBackward0"
    np.testing.assert_array_equal(gy.detach().numpy(), [2.0, 3.0])
    np.testing.assert_array_equal(gw.detach().numpy(), [0.5, -1.0])
    z = y * 3  # a number saved: its product through ember's mul
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, -1.0]) + 3)


def test_the_profiler_sees_the_backward_mul():
    from ember.autograd import profiler

    x = ember.tensor([0.5, -1.0], requires_grad=True)
    y = x.exp().sum()
    with profiler.profile() as prof:
        y.backward()
    assert "aten::mul" in [event.name for event in prof.function_events]  # as PyTorch's profiler


@pytest.mark.parametrize(("dtype", "tanh_grad", "exp_grad"), [
    ("float16", [0.78662109375, 0.83935546875, 0.0292205810546875], [1.6484375, 0.367919921875, 20.078125]),
    ("float32", [0.7864477038383484, 0.8399485945701599, 0.029597945511341095],
     [1.6487212181091309, 0.3678794503211975, 20.08553695678711]),
])
def test_fused_gradients_on_saved_buffers_are_pytorchs(dtype, tanh_grad, exp_grad):
    """tanh's (tanh_backward) and exp's (mul) on buffers in float32; float16 through the formulas (tanh's
    computed in float32 and rounded once, as PyTorch's kernel)."""
    dt = getattr(ember, dtype)
    x = ember.tensor([0.5, -1.0, 3.0], dtype=dt, requires_grad=True)
    (x.tanh() * ember.tensor([1.0, 2.0, 3.0], dtype=dt)).sum().backward()
    assert x.grad.tolist() == pytest.approx(tanh_grad, rel=1e-5)  # (PyTorch's kernel rounds 1 - y² its way)
    x.grad = None
    x.exp().sum().backward()
    assert x.grad.tolist() == pytest.approx(exp_grad, rel=1e-6)
