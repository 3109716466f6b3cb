"""Replays seed 004, "자동 미분 (Autograd)" (logistic layer, no_grad, detach, Jacobian products), on ember.

The tutorial's random `w` and `b` are replaced by fixed values whose gradients print exactly as the
seed's output; the Jacobian-product example is deterministic and must print the seed's output as is.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import ember as torch

W = [[0.25, -0.5, 0.75], [-0.125, 0.5, 1.0], [0.5, -0.25, -0.5], [1.0, 0.125, 0.25], [-0.75, -1.0, 0.5]]
B = [-0.553, -0.224, -0.484]

SEED_GRADIENTS = """\
tensor([[0.1933, 0.0687, 0.2733],
        [0.1933, 0.0687, 0.2733],
        [0.1933, 0.0687, 0.2733],
        [0.1933, 0.0687, 0.2733],
        [0.1933, 0.0687, 0.2733]])
tensor([0.1933, 0.0687, 0.2733])
"""

SEED_JACOBIAN_CALLS = """\
First call
 tensor([[4., 2., 2., 2., 2.],
        [2., 4., 2., 2., 2.],
        [2., 2., 4., 2., 2.],
        [2., 2., 2., 4., 2.],
        [2., 2., 2., 2., 4.]])

Second call
 tensor([[8., 4., 4., 4., 4.],
        [4., 8., 4., 4., 4.],
        [4., 4., 8., 4., 4.],
        [4., 4., 4., 8., 4.],
        [4., 4., 4., 4., 8.]])

Call after zeroing gradients
 tensor([[4., 2., 2., 2., 2.],
        [2., 4., 2., 2., 2.],
        [2., 2., 4., 2., 2.],
        [2., 2., 2., 4., 2.],
        [2., 2., 2., 2., 4.]])
"""


def single_layer():
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.tensor(W, requires_grad=True)
    b = torch.tensor(B, requires_grad=True)
    z = torch.matmul(x, w)+b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    return x, w, b, z, loss


def test_gradient_functions_print_as_in_the_seed(capsys, node_pattern):
    *_, z, loss = single_layer()
    print('Gradient function for z =', z.grad_fn)
    print('Gradient function for loss =', loss.grad_fn)
    z_line, loss_line = capsys.readouterr().out.splitlines()
    assert re.fullmatch(rf"Gradient function for z = {node_pattern('AddBackward0')}", z_line)
    assert re.fullmatch(
        rf"Gradient function for loss = {node_pattern('BinaryCrossEntropyWithLogitsBackward0')}", loss_line)


def test_backward_prints_the_seed_gradients(capsys, shown):
    _, w, b, _, loss = single_layer()
    loss.backward()
    print(w.grad)
    print(b.grad)
    assert capsys.readouterr().out == shown(SEED_GRADIENTS)


def test_requires_grad_can_be_set_later_with_requires_grad_():
    x = torch.ones(5)
    assert x.requires_grad_(True) is x
    assert x.requires_grad and x.is_leaf


def test_second_backward_without_retain_graph_raises():
    _, w, _, _, loss = single_layer()
    loss.backward()
    first = w.grad.cpu().numpy().copy()
    with pytest.raises(RuntimeError, match=r"Trying to backward through the graph a second time"):
        loss.backward()
    np.testing.assert_array_equal(w.grad.cpu().numpy(), first)


def test_no_grad_block_stops_tracking(capsys):
    x, w, b, _, _ = single_layer()
    z = torch.matmul(x, w)+b
    print(z.requires_grad)

    with torch.no_grad():
        z = torch.matmul(x, w)+b
    print(z.requires_grad)
    assert capsys.readouterr().out == "True\nFalse\n"


def test_detach_stops_tracking(capsys):
    x, w, b, _, _ = single_layer()
    z = torch.matmul(x, w)+b
    z_det = z.detach()
    print(z_det.requires_grad)
    assert capsys.readouterr().out == "False\n"


def test_jacobian_products_accumulate_until_zeroed(capsys, shown):
    inp = torch.eye(5, requires_grad=True)
    out = (inp+1).pow(2)
    out.backward(torch.ones_like(inp), retain_graph=True)
    print("First call\n", inp.grad)
    out.backward(torch.ones_like(inp), retain_graph=True)
    print("\nSecond call\n", inp.grad)
    inp.grad.zero_()
    out.backward(torch.ones_like(inp), retain_graph=True)
    print("\nCall after zeroing gradients\n", inp.grad)
    assert capsys.readouterr().out == shown(SEED_JACOBIAN_CALLS)


def test_jacobian_graph_is_pow_of_add(assert_node):
    inp = torch.eye(5, requires_grad=True)
    out = (inp+1).pow(2)
    assert_node(out.grad_fn, "PowBackward0")
    (add, index), = out.grad_fn.next_functions
    assert_node(add, "AddBackward0")
    assert index == 0
    (accumulate, _), constant = add.next_functions
    assert accumulate.variable is inp and constant == (None, 0)


def test_zero_underscore_keeps_the_grad_tensor():
    inp = torch.eye(5, requires_grad=True)
    (inp+1).pow(2).backward(torch.ones_like(inp))
    grad = inp.grad
    assert grad.zero_() is grad
    assert inp.grad is grad
    np.testing.assert_array_equal(inp.grad.cpu().numpy(), np.zeros((5, 5), np.float32))


def test_scalar_backward_equals_backward_with_one():
    _, w_implicit, _, _, loss_implicit = single_layer()
    loss_implicit.backward()
    _, w_explicit, _, _, loss_explicit = single_layer()
    loss_explicit.backward(torch.tensor(1.0))
    np.testing.assert_array_equal(w_implicit.grad.cpu().numpy(), w_explicit.grad.cpu().numpy())
