"""Replays seed 002, "Auto Gradient" (y = 3a^3 + 2b^4 and a mean squared error), on ember.

Expected values are the seed's printed outputs and the closed-form derivatives dy/da = 9a^2 = 81,
dy/db = 8b^3 = 64 at a = 3, b = 2.
"""
from __future__ import annotations

import re

import pytest

import ember as torch


def leaves():
    a = torch.tensor([3.], requires_grad=True)
    b = torch.tensor([2.], requires_grad=True)
    return a, b


def test_constants_have_no_grad_fn(capsys, shown):
    a = torch.tensor([3.])
    b = torch.tensor([2.])
    y = 3*a**3 + 2*b**4

    print(y.data, y.grad_fn)
    assert capsys.readouterr().out == shown("tensor([113.]) None\n")


def test_requires_grad_records_add_backward(capsys, node_pattern, shown):
    a, b = leaves()
    y = 3*a**3 + 2*b**4

    print(y.data, y.grad_fn)
    pattern = re.escape(shown("tensor([113.]) ")) + node_pattern("AddBackward0") + "\n"
    assert re.fullmatch(pattern, capsys.readouterr().out)


def test_polynomial_graph_has_pytorch_next_functions(assert_node):
    a, b = leaves()
    y = 3*a**3 + 2*b**4
    (left, left_index), (right, right_index) = y.grad_fn.next_functions
    assert (left_index, right_index) == (0, 0)
    assert_node(left, "MulBackward0")
    assert_node(right, "MulBackward0")
    (power, power_index), constant = left.next_functions
    assert_node(power, "PowBackward0")
    assert power_index == 0 and constant == (None, 0)
    (accumulate, index), = power.next_functions
    assert_node(accumulate, "AccumulateGrad")
    assert accumulate.variable is a and index == 0


def test_backward_stores_the_partial_derivatives(capsys, shown):
    a, b = leaves()
    y = 3*a**3 + 2*b**4
    y.backward()

    print(a.data, a.grad, a.grad_fn)
    print(b.data, b.grad, b.grad_fn)
    assert capsys.readouterr().out == shown("tensor([3.]) tensor([81.]) None\ntensor([2.]) tensor([64.]) None\n")


def test_no_grad_block_leaves_the_result_untracked(capsys, shown):
    a, b = leaves()

    with torch.no_grad():
        y = 3*a**3 + 2*b**4

    print(y.requires_grad)
    print(y.data, y.grad, y.grad_fn)
    assert capsys.readouterr().out == shown("False\ntensor([113.]) None None\n")


def test_detach_leaves_the_result_untracked_like_no_grad(capsys, shown):
    a, b = leaves()
    y = 3*a**3 + 2*b**4
    y = y.detach()

    print(y.requires_grad)
    print(y.data, y.grad, y.grad_fn)
    assert capsys.readouterr().out == shown("False\ntensor([113.]) None None\n")


def test_backward_without_grad_fn_raises():
    a, b = leaves()
    with torch.no_grad():
        y = 3*a**3 + 2*b**4
    message = r"element 0 of tensors does not require grad and does not have a grad_fn"
    with pytest.raises(RuntimeError, match=message):
        y.backward()
    assert a.grad is None and b.grad is None


def mean_squared_error(y, y_pred):
    return torch.mean((y-y_pred)**2)


def test_mean_squared_error_gradients_print_as_in_the_seed(capsys, node_pattern, shown):
    y = torch.tensor([1., 2., 3.], requires_grad=True)
    pred = torch.tensor([2., 2., 3.], requires_grad=True)

    error = mean_squared_error(y, pred)

    error.backward()
    print(y.data, y.grad, y.grad_fn)
    print(pred.data, pred.grad, pred.grad_fn)
    print(error.data, error.grad_fn)
    first, second, third = capsys.readouterr().out.splitlines()
    assert first == shown("tensor([1., 2., 3.]) tensor([-0.6667,  0.0000,  0.0000]) None")
    assert second == shown("tensor([2., 2., 3.]) tensor([0.6667, -0.0000, -0.0000]) None")
    assert re.fullmatch(re.escape(shown("tensor(0.3333) ")) + node_pattern("MeanBackward0"), third)


def test_mean_squared_error_graph_is_mean_of_pow_of_sub(assert_node):
    y = torch.tensor([1., 2., 3.], requires_grad=True)
    pred = torch.tensor([2., 2., 3.], requires_grad=True)
    error = mean_squared_error(y, pred)
    assert_node(error.grad_fn, "MeanBackward0")
    (power, _), = error.grad_fn.next_functions
    assert_node(power, "PowBackward0")
    (difference, _), = power.next_functions
    assert_node(difference, "SubBackward0")
    (left, _), (right, _) = difference.next_functions
    assert left.variable is y and right.variable is pred
