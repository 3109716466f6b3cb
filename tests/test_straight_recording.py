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
