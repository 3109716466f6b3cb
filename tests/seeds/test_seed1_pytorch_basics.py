"""Replays seed 001, "Pytorch Basic(1)" (tensors, numpy bridge, CUDA, Variable flags), on ember.

Random inputs of the tutorial are replaced by fixed ones where the checks depend on values; the
pretrained torchvision resnet18 (not available offline) is replaced by a small `nn.Sequential` with an
`fc` head, keeping the freeze / replace-fc / optimise-the-classifier logic.
"""
from __future__ import annotations

import importlib.util
from collections import OrderedDict

import numpy as np
import pytest

import ember as torch
from ember import nn, optim
from ember.autograd import Variable

X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [3.0, 0.0, -2.5], [-0.125, 4.0, 1.0], [2.25, -3.5, 0.5]]
Y = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9], [0.15, 0.25, 0.35], [0.45, 0.55, 0.65]]
X_PLUS_Y = """\
tensor([[ 0.6000, -0.8000,  2.3000],
        [ 1.9000,  0.7500, -0.1500],
        [ 3.7000,  0.8000, -1.6000],
        [ 0.0250,  4.2500,  1.3500],
        [ 2.7000, -2.9500,  1.1500]])
"""


def fixed_operands():
    return torch.tensor(X), torch.tensor(Y)


def test_tensor_constructor_allocates_float32_of_the_given_size():
    x = torch.Tensor(5, 3)
    assert isinstance(x, torch.Tensor)
    assert x.shape == (5, 3) and x.dtype == torch.float32
    assert not x.requires_grad


def test_size_prints_as_a_size_tuple(capsys):
    y = torch.rand(5, 3)
    print(y.size())
    assert capsys.readouterr().out == "ember.Size([5, 3])\n"
    assert y.size() == (5, 3) and isinstance(y.size(), tuple)
    assert ((y.cpu().numpy() >= 0) & (y.cpu().numpy() < 1)).all()


def test_operator_and_function_addition_print_the_same_sum(capsys, shown):
    x, y = fixed_operands()
    print(x + y)
    print(torch.add(x, y))
    assert capsys.readouterr().out == shown(X_PLUS_Y) * 2


def test_add_with_out_writes_into_the_given_tensor(capsys, shown):
    x, y = fixed_operands()
    result = torch.Tensor(5, 3)
    returned = torch.add(x, y, out=result)
    print(result)
    assert returned is result
    assert capsys.readouterr().out == shown(X_PLUS_Y)


def test_add_underscore_updates_the_tensor_in_place(capsys, shown):
    x, y = fixed_operands()
    returned = y.add_(x)
    print(y)
    assert returned is y
    assert capsys.readouterr().out == shown(X_PLUS_Y)
    np.testing.assert_array_equal(x.cpu().numpy(), np.array(X, np.float32))


def test_column_indexing_prints_the_second_column(capsys, shown):
    x, _ = fixed_operands()
    print(x[:, 1])
    assert capsys.readouterr().out == shown("tensor([-1.0000,  0.2500,  0.0000,  4.0000, -3.5000])\n")


def test_view_sizes_print_as_in_pytorch(capsys):
    x = torch.randn(4, 4)
    y = x.view(16)
    z = x.view(-1, 8)
    print(x.size(), y.size(), z.size())
    assert capsys.readouterr().out == "ember.Size([4, 4]) ember.Size([16]) ember.Size([2, 8])\n"


def test_views_share_storage_with_their_base():
    x = torch.randn(4, 4)
    y = x.view(16)
    z = x.view(-1, 8)
    z[1, 7] = 42.0
    assert y[15].item() == 42.0 and x[3, 3].item() == 42.0
    np.testing.assert_array_equal(y.cpu().numpy(), x.cpu().numpy().reshape(16))


@pytest.mark.host_memory
def test_numpy_of_a_tensor_shares_memory(capsys):
    a = torch.ones(5)
    b = a.numpy()
    print(a)
    print(b)
    a.add_(1)
    print(a)
    print(b)
    assert capsys.readouterr().out == (
        "tensor([1., 1., 1., 1., 1.])\n[1. 1. 1. 1. 1.]\n"
        "tensor([2., 2., 2., 2., 2.])\n[2. 2. 2. 2. 2.]\n"
    )


def test_from_numpy_shares_memory(capsys):
    a = np.ones(5)
    b = torch.from_numpy(a)
    np.add(a, 1, out=a)
    print(a)
    print(b)
    assert capsys.readouterr().out == "[2. 2. 2. 2. 2.]\ntensor([2., 2., 2., 2., 2.], dtype=ember.float64)\n"
    assert b.dtype == torch.float64


@pytest.mark.skipif(importlib.util.find_spec("ember_cuda") is not None, reason="a CUDA backend is installed")
def test_cuda_is_unavailable_without_a_cuda_backend():
    assert torch.cuda.is_available() is False


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available")
def test_cuda_method_raises_a_clear_error_without_cuda():
    x = torch.ones(5, 3)
    why = r"(unavailable|not available|not installed|not compiled|no backend)"
    with pytest.raises((RuntimeError, AssertionError), match=rf"(?i){why}.*cuda|cuda.*{why}"):
        x.cuda()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is unavailable")
def test_cuda_tensors_add_as_on_cpu():
    x, y = fixed_operands()
    x = x.cuda()
    y = y.cuda()
    total = x + y
    assert total.device.type == "cuda"
    np.testing.assert_allclose(total.cpu().numpy(), np.add(X, Y, dtype=np.float32))


def test_variable_wraps_a_tensor_and_keeps_the_requires_grad_flag():
    x = Variable(torch.randn(5, 5))
    z = Variable(torch.randn(5, 5), requires_grad=True)
    assert isinstance(x, torch.Tensor) and isinstance(z, torch.Tensor)
    assert not x.requires_grad
    assert z.requires_grad and z.is_leaf


def test_output_requires_grad_only_when_an_input_does():
    x = Variable(torch.randn(5, 5))
    y = Variable(torch.randn(5, 5))
    z = Variable(torch.randn(5, 5), requires_grad=True)
    a = x + y
    assert a.requires_grad is False
    b = a + z
    assert b.requires_grad is True
    assert type(b.grad_fn).__name__ == "AddBackward0"
    assert b.grad_fn.next_functions[0] == (None, 0)


def pretrained_stand_in():
    """A small stand-in for resnet18: a feature extractor followed by a 512 -> 1000 `fc` head."""
    return nn.Sequential(OrderedDict([
        ("features", nn.Linear(8, 512)),
        ("relu", nn.ReLU()),
        ("fc", nn.Linear(512, 1000)),
    ]))


def frozen_model_with_new_head():
    model = pretrained_stand_in()
    for param in model.parameters():
        param.requires_grad = False
    # Replace the last fully-connected layer
    # Parameters of newly constructed modules have requires_grad=True by default
    model.fc = nn.Linear(512, 100)
    return model


def test_freezing_parameters_turns_off_requires_grad():
    model = pretrained_stand_in()
    for param in model.parameters():
        param.requires_grad = False
    assert [param.requires_grad for param in model.parameters()] == [False] * 4


def test_replaced_fc_is_trainable_and_keeps_its_place():
    model = frozen_model_with_new_head()
    flags = [(name, tuple(param.shape), param.requires_grad) for name, param in model.named_parameters()]
    assert flags == [
        ("features.weight", (512, 8), False), ("features.bias", (512,), False),
        ("fc.weight", (100, 512), True), ("fc.bias", (100,), True),
    ]
    assert model(torch.ones(2, 8)).shape == (2, 100)


def test_optimizing_the_classifier_leaves_frozen_layers_untouched():
    model = frozen_model_with_new_head()
    # Optimize only the classifier
    optimizer = optim.SGD(model.fc.parameters(), lr=1e-2, momentum=0.9)
    frozen = model.features.weight.detach().cpu().numpy().copy()
    head = model.fc.weight.detach().cpu().numpy().copy()
    model(torch.ones(2, 8)).pow(2).sum().backward()
    assert model.features.weight.grad is None and model.features.bias.grad is None
    grad = model.fc.weight.grad.cpu().numpy().copy()
    optimizer.step()
    np.testing.assert_array_equal(model.features.weight.detach().cpu().numpy(), frozen)
    np.testing.assert_allclose(model.fc.weight.detach().cpu().numpy(), head - 1e-2 * grad, rtol=1e-6, atol=1e-7)


def test_classifier_momentum_steps_equal_pytorch(real_torch):
    model = frozen_model_with_new_head()
    optimizer = optim.SGD(model.fc.parameters(), lr=1e-2, momentum=0.9)
    reference = real_torch.nn.Sequential(
        real_torch.nn.Linear(8, 512), real_torch.nn.ReLU(), real_torch.nn.Linear(512, 100))
    with real_torch.no_grad():
        for ours, theirs in zip(model.parameters(), reference.parameters(), strict=True):
            theirs.copy_(real_torch.from_numpy(ours.detach().cpu().numpy().copy()))
    for param in reference[0].parameters():
        param.requires_grad = False
    reference_optimizer = real_torch.optim.SGD(reference[2].parameters(), lr=1e-2, momentum=0.9)
    inputs = np.linspace(-1, 1, 16, dtype=np.float32).reshape(2, 8)
    for _ in range(3):
        optimizer.zero_grad()
        model(torch.tensor(inputs)).pow(2).mean().backward()
        optimizer.step()
        reference_optimizer.zero_grad()
        reference(real_torch.from_numpy(inputs)).pow(2).mean().backward()
        reference_optimizer.step()
    for ours, theirs in zip(model.parameters(), reference.parameters(), strict=True):
        np.testing.assert_allclose(ours.detach().cpu().numpy(), theirs.detach().cpu().numpy(), rtol=1e-5, atol=1e-6)
