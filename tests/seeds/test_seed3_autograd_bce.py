"""Replays seed 003, "torch.autograd를 사용한 자동 미분" (one linear layer with a logistic loss), on ember.

The tutorial's random `w` and `b` are replaced by fixed values whose gradients are the seed's printed
ones; they are checked against the closed form, dloss/dz = sigmoid(z) / 3, and against real PyTorch.
"""
from __future__ import annotations

import re

import numpy as np

import ember as torch

W = [[0.25, -0.5, 0.75], [-0.125, 0.5, 1.0], [0.5, -0.25, -0.5], [1.0, 0.125, 0.25], [-0.75, -1.0, 0.5]]
B = [-0.553, -0.224, -0.484]


def single_layer():
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.tensor(W, requires_grad=True)
    b = torch.tensor(B, requires_grad=True)
    z = torch.matmul(x, w)+b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    return x, y, w, b, z, loss


def closed_form_gradients():
    """dloss/dw[i, j] = x[i] * sigmoid(z[j]) / 3 with x all ones, and dloss/db = sigmoid(z) / 3."""
    z = np.sum(W, axis=0) + np.array(B)
    dz = 1 / (1 + np.exp(-z)) / 3
    return np.tile(dz, (5, 1)), dz


def test_gradient_functions_print_as_in_the_seed(capsys, node_pattern):
    *_, z, loss = single_layer()
    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")
    z_line, loss_line = capsys.readouterr().out.splitlines()
    assert re.fullmatch(rf"Gradient function for z = {node_pattern('AddBackward0')}", z_line)
    assert re.fullmatch(
        rf"Gradient function for loss = {node_pattern('BinaryCrossEntropyWithLogitsBackward0')}", loss_line)


def test_loss_node_links_to_z_and_the_constant_target():
    *_, z, loss = single_layer()
    assert loss.grad_fn.next_functions == ((z.grad_fn, 0), (None, 0))


def test_vector_matrix_product_records_mm_then_squeeze(assert_node):
    _, _, w, b, z, _ = single_layer()
    (squeeze, squeeze_index), (bias, bias_index) = z.grad_fn.next_functions
    assert_node(squeeze, "SqueezeBackward4")
    assert_node(bias, "AccumulateGrad")
    assert bias.variable is b and squeeze_index == bias_index == 0
    (mm, mm_index), = squeeze.next_functions
    assert_node(mm, "MmBackward0")
    assert mm_index == 0
    constant, (weight, weight_index) = mm.next_functions
    assert constant == (None, 0) and weight.variable is w and weight_index == 0


def test_forward_values_match_the_closed_form():
    *_, z, loss = single_layer()
    expected_z = np.sum(W, axis=0) + np.array(B)
    np.testing.assert_allclose(z.detach().cpu().numpy(), expected_z, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(loss.item(), np.mean(np.log1p(np.exp(expected_z))), rtol=1e-6)
    assert loss.shape == ()


def test_backward_gives_the_closed_form_gradients():
    *_, w, b, _, loss = single_layer()
    loss.backward()
    expected_w, expected_b = closed_form_gradients()
    np.testing.assert_allclose(w.grad.cpu().numpy(), expected_w, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(b.grad.cpu().numpy(), expected_b, rtol=1e-6, atol=1e-7)


def test_backward_gradients_equal_pytorch(real_torch):
    *_, w, b, _, loss = single_layer()
    loss.backward()
    w_ref = real_torch.tensor(W, requires_grad=True)
    b_ref = real_torch.tensor(B, requires_grad=True)
    z_ref = real_torch.matmul(real_torch.ones(5), w_ref) + b_ref
    real_torch.nn.functional.binary_cross_entropy_with_logits(z_ref, real_torch.zeros(3)).backward()
    np.testing.assert_allclose(w.grad.cpu().numpy(), w_ref.grad.cpu().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(b.grad.cpu().numpy(), b_ref.grad.cpu().numpy(), rtol=1e-6, atol=1e-7)


def test_no_grad_block_stops_tracking(capsys):
    x, _, w, b, _, _ = single_layer()
    z = torch.matmul(x, w)+b
    print(z.requires_grad)

    with torch.no_grad():
        z = torch.matmul(x, w)+b
    print(z.requires_grad)
    assert capsys.readouterr().out == "True\nFalse\n"


def test_detach_stops_tracking(capsys):
    x, _, w, b, _, _ = single_layer()
    z = torch.matmul(x, w)+b
    z_det = z.detach()
    print(z_det.requires_grad)
    assert capsys.readouterr().out == "False\n"
    assert z_det.grad_fn is None and z.requires_grad
