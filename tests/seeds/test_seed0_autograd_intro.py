"""Replays seed 000, "[Introduction to PyTorch] Autograd", on ember and checks PyTorch's results.

Random inputs of the tutorial are replaced by fixed ones; expected numbers come from the seed's printed
output, from the closed-form derivative, or from real PyTorch run on the same inputs.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

import ember as torch

SIN_OF_LINSPACE = """\
tensor([ 0.0000e+00,  2.5882e-01,  5.0000e-01,  7.0711e-01,  8.6603e-01,
         9.6593e-01,  1.0000e+00,  9.6593e-01,  8.6603e-01,  7.0711e-01,
         5.0000e-01,  2.5882e-01, -8.7423e-08, -2.5882e-01, -5.0000e-01,
        -7.0711e-01, -8.6603e-01, -9.6593e-01, -1.0000e+00, -9.6593e-01,
        -8.6603e-01, -7.0711e-01, -5.0000e-01, -2.5882e-01,  1.7485e-07],
       grad_fn=<SinBackward0>)
"""

BATCH_SIZE = 16
DIM_IN = 1000
HIDDEN_SIZE = 100
DIM_OUT = 10

# The first ten weights of layer2's first row as the seed prints them.
SEED_WEIGHT_ROW = [0.0920, 0.0916, 0.0121, 0.0083, -0.0055, 0.0367, 0.0221, -0.0276, -0.0086, 0.0157]
SEED_WEIGHT_SLICE = """\
tensor([ 0.0920,  0.0916,  0.0121,  0.0083, -0.0055,  0.0367,  0.0221, -0.0276,
        -0.0086,  0.0157], grad_fn=<SliceBackward0>)"""


def sin_graph():
    a = torch.linspace(0., 2. * math.pi, steps=25, requires_grad=True)
    b = torch.sin(a)
    c = 2 * b
    d = c + 1
    return a, b, c, d


def test_sin_of_linspace_prints_the_seed_output(capsys, shown):
    a = torch.linspace(0., 2. * math.pi, steps=25, requires_grad=True)
    b = torch.sin(a)
    print(b)
    assert capsys.readouterr().out == shown(SIN_OF_LINSPACE)


def test_grad_fn_history_prints_as_in_the_seed(capsys, node_pattern):
    a, b, c, d = sin_graph()
    print('d:')
    print(d.grad_fn)
    print(d.grad_fn.next_functions)
    print(d.grad_fn.next_functions[0][0].next_functions)
    print(d.grad_fn.next_functions[0][0].next_functions[0][0].next_functions)
    print(d.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0].next_functions)
    print('\nc:')
    print(c.grad_fn)
    print('\nb:')
    print(b.grad_fn)
    print('\na:')
    print(a.grad_fn)
    lines = capsys.readouterr().out.splitlines()
    expected = [
        "d:",
        node_pattern("AddBackward0"),
        rf"\(\({node_pattern('MulBackward0')}, 0\), \(None, 0\)\)",
        rf"\(\({node_pattern('SinBackward0')}, 0\), \(None, 0\)\)",
        rf"\(\({node_pattern('AccumulateGrad')}, 0\),\)",
        r"\(\)",
        "", "c:", node_pattern("MulBackward0"),
        "", "b:", node_pattern("SinBackward0"),
        "", "a:", "None",
    ]
    assert len(lines) == len(expected)
    for line, pattern in zip(lines, expected, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)


def test_next_functions_link_to_the_producers_grad_fn(assert_node):
    a, b, c, d = sin_graph()
    assert d.grad_fn.next_functions[0][0] is c.grad_fn
    assert c.grad_fn.next_functions[0][0] is b.grad_fn
    accumulate = b.grad_fn.next_functions[0][0]
    assert_node(accumulate, "AccumulateGrad")
    assert accumulate.variable is a
    assert accumulate.next_functions == ()


def test_leaf_has_no_grad_fn_and_results_require_grad():
    a, b, c, d = sin_graph()
    assert a.grad_fn is None
    assert a.is_leaf and not d.is_leaf
    assert all(t.requires_grad for t in (a, b, c, d))


def test_backward_gives_two_cos_of_the_input():
    a, b, c, d = sin_graph()
    out = d.sum()
    out.backward()
    two_cos = 2 * np.cos(np.linspace(0., 2. * math.pi, 25))
    np.testing.assert_allclose(a.grad.cpu().numpy(), two_cos, rtol=1e-6, atol=1e-6)


@pytest.mark.host_memory
def test_detached_tensors_convert_for_plotting_with_numpy_asarray():
    a, b, c, d = sin_graph()
    d.sum().backward()
    xs, ys = np.asarray(a.detach()), np.asarray(a.grad.detach())
    assert xs.dtype == np.float32 and xs.shape == (25,)
    np.testing.assert_allclose(xs, np.linspace(0., 2. * math.pi, 25), rtol=1e-6)
    np.testing.assert_array_equal(ys, a.grad.cpu().numpy())


class TinyModel(torch.nn.Module):

    def __init__(self):
        super().__init__()

        self.layer1 = torch.nn.Linear(DIM_IN, HIDDEN_SIZE)
        self.relu = torch.nn.ReLU()
        self.layer2 = torch.nn.Linear(HIDDEN_SIZE, DIM_OUT)

    def forward(self, x):
        x = self.layer1(x)
        x = self.relu(x)
        x = self.layer2(x)
        return x


@pytest.fixture
def tiny():
    """A TinyModel with fixed weights (layer2's first row starts as in the seed) and fixed data."""
    rng = np.random.default_rng(0)
    model = TinyModel()
    with torch.no_grad():
        for param in model.parameters():
            scale = 1 / math.sqrt(param.shape[-1]) if param.dim() == 2 else 0.05
            param.copy_(torch.tensor(rng.uniform(-scale, scale, param.shape).astype(np.float32)))
        model.layer2.weight[0, :10] = torch.tensor(SEED_WEIGHT_ROW)
    some_input = torch.tensor(rng.standard_normal((BATCH_SIZE, DIM_IN)).astype(np.float32))
    ideal_output = torch.tensor(rng.standard_normal((BATCH_SIZE, DIM_OUT)).astype(np.float32))
    return model, some_input, ideal_output


def numpy_gradients(model, some_input, ideal_output):
    """Closed-form gradients of sum((ideal - layer2(relu(layer1(x))))**2) for each parameter."""
    w1, b1 = model.layer1.weight.detach().cpu().numpy(), model.layer1.bias.detach().cpu().numpy()
    w2, b2 = model.layer2.weight.detach().cpu().numpy(), model.layer2.bias.detach().cpu().numpy()
    x, target = some_input.cpu().numpy().astype(np.float64), ideal_output.cpu().numpy().astype(np.float64)
    pre = x @ w1.T + b1
    hidden = np.maximum(pre, 0)
    d_prediction = -2 * (target - (hidden @ w2.T + b2))
    d_pre = (d_prediction @ w2) * (pre > 0)
    return {
        "layer1.weight": d_pre.T @ x, "layer1.bias": d_pre.sum(0),
        "layer2.weight": d_prediction.T @ hidden, "layer2.bias": d_prediction.sum(0),
    }


def test_module_parameters_require_grad_without_asking():
    model = TinyModel()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"]
    assert all(param.requires_grad and param.is_leaf for param in model.parameters())


def test_weight_slice_prints_slice_backward_before_backward(tiny, assert_node, shown):
    model, _, _ = tiny
    weights = model.layer2.weight[0][0:10]
    assert repr(weights) == shown(SEED_WEIGHT_SLICE)
    assert_node(weights.grad_fn, "SliceBackward0")
    (select, index), = weights.grad_fn.next_functions
    assert_node(select, "SelectBackward0")
    assert index == 0
    assert_node(select.next_functions[0][0], "AccumulateGrad")


def test_grad_is_none_before_backward(tiny, capsys):
    model, _, _ = tiny
    print(model.layer2.weight.grad)
    assert capsys.readouterr().out == "None\n"
    assert all(param.grad is None for param in model.parameters())


def test_backward_fills_grads_and_leaves_weights_unchanged(tiny, shown):
    model, some_input, ideal_output = tiny
    prediction = model(some_input)
    loss = (ideal_output - prediction).pow(2).sum()
    loss.backward()
    assert repr(model.layer2.weight[0][0:10]) == shown(SEED_WEIGHT_SLICE)
    expected = numpy_gradients(model, some_input, ideal_output)
    for name, param in model.named_parameters():
        assert param.grad.shape == param.shape
        np.testing.assert_allclose(param.grad.cpu().numpy(), expected[name], rtol=1e-4, atol=1e-4, err_msg=name)


def test_backward_gradients_equal_pytorch_on_the_same_weights(tiny, real_torch):
    model, some_input, ideal_output = tiny
    nn = real_torch.nn
    reference = nn.Sequential(nn.Linear(DIM_IN, HIDDEN_SIZE), nn.ReLU(), nn.Linear(HIDDEN_SIZE, DIM_OUT))
    with real_torch.no_grad():
        for ours, theirs in zip(model.parameters(), reference.parameters(), strict=True):
            theirs.copy_(real_torch.from_numpy(ours.detach().cpu().numpy().copy()))
    (ideal_output - model(some_input)).pow(2).sum().backward()
    target = real_torch.from_numpy(ideal_output.cpu().numpy().copy())
    (target - reference(real_torch.from_numpy(some_input.cpu().numpy().copy()))).pow(2).sum().backward()
    for ours, theirs in zip(model.parameters(), reference.parameters(), strict=True):
        np.testing.assert_allclose(ours.grad.cpu().numpy(), theirs.grad.cpu().numpy(), rtol=1e-5, atol=1e-5)


def test_optimizer_step_moves_weights_by_minus_lr_times_grad(tiny):
    model, some_input, ideal_output = tiny
    optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
    (ideal_output - model(some_input)).pow(2).sum().backward()
    before = {name: param.detach().cpu().numpy().copy() for name, param in model.named_parameters()}
    grads = {name: param.grad.cpu().numpy().copy() for name, param in model.named_parameters()}
    optimizer.step()
    for name, param in model.named_parameters():
        expected = before[name] - 0.001 * grads[name]
        np.testing.assert_allclose(param.detach().cpu().numpy(), expected, rtol=1e-6, atol=1e-7)
        np.testing.assert_array_equal(param.grad.cpu().numpy(), grads[name])
    assert model.layer2.weight[0][0:10].grad_fn is not None


def test_grads_accumulate_until_zero_grad(tiny):
    model, some_input, ideal_output = tiny
    optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
    (ideal_output - model(some_input)).pow(2).sum().backward()
    first = model.layer2.weight.grad.cpu().numpy().copy()
    (ideal_output - model(some_input)).pow(2).sum().backward()
    np.testing.assert_allclose(model.layer2.weight.grad.cpu().numpy(), 2 * first, rtol=1e-6)
    optimizer.zero_grad()
    assert all(param.grad is None for param in model.parameters())


def test_setting_requires_grad_false_stops_recording(assert_node):
    a = torch.ones(2, 3, requires_grad=True)

    b1 = 2 * a

    a.requires_grad = False
    b2 = 2 * a
    assert_node(b1.grad_fn, "MulBackward0")
    assert b1.requires_grad
    assert not a.requires_grad
    assert b2.grad_fn is None and not b2.requires_grad


def test_no_grad_block_prints_results_without_grad_fn(capsys, shown):
    a = torch.ones(2, 3, requires_grad=True) * 2
    b = torch.ones(2, 3, requires_grad=True) * 3

    c1 = a + b
    print(c1)

    with torch.no_grad():
        c2 = a + b

    print(c2)

    c3 = a * b
    print(c3)
    assert capsys.readouterr().out == shown(
        "tensor([[5., 5., 5.],\n        [5., 5., 5.]], grad_fn=<AddBackward0>)\n"
        "tensor([[5., 5., 5.],\n        [5., 5., 5.]])\n"
        "tensor([[6., 6., 6.],\n        [6., 6., 6.]], grad_fn=<MulBackward0>)\n"
    )
    assert not c2.requires_grad and torch.is_grad_enabled()


def test_no_grad_decorator_turns_recording_off_inside_the_function(assert_node):
    def add_tensors1(x, y):
        return x + y

    @torch.no_grad()
    def add_tensors2(x, y):
        return x + y

    a = torch.ones(2, 3, requires_grad=True)
    b = torch.ones(2, 3, requires_grad=True)
    assert_node(add_tensors1(a, b).grad_fn, "AddBackward0")
    c = add_tensors2(a, b)
    assert c.grad_fn is None and not c.requires_grad
    np.testing.assert_array_equal(c.cpu().numpy(), np.full((2, 3), 2, np.float32))
    assert torch.is_grad_enabled()


def test_detach_shares_data_but_not_history():
    x = torch.rand(5, requires_grad=True)
    y = x.detach()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    np.testing.assert_array_equal(y.cpu().numpy(), x.detach().cpu().numpy())
    before = x.detach().cpu().numpy().copy()
    y.add_(1)
    np.testing.assert_allclose(x.detach().cpu().numpy(), before + 1)


def test_inplace_sin_on_leaf_requiring_grad_raises():
    a = torch.linspace(0., 2. * math.pi, steps=25, requires_grad=True)
    before = a.detach().cpu().numpy().copy()
    with pytest.raises(RuntimeError, match=re.escape(
            "a leaf Variable that requires grad is being used in an in-place operation.")):
        torch.sin_(a)
    np.testing.assert_array_equal(a.detach().cpu().numpy(), before)


def test_device_selection_stays_on_cpu_without_cuda():
    device = torch.device('cpu')
    run_on_gpu = False
    if torch.cuda.is_available():
        device = torch.device('cuda')
        run_on_gpu = True
    assert device.type == ("cuda" if run_on_gpu else "cpu")
    assert str(device) == device.type


def test_profiler_table_counts_a_thousand_div_and_mul_calls():
    # Powers of two keep z exactly ones: (z / x) * x == z.
    x = torch.tensor([[1., 2., 4.], [0.5, 0.25, 8.]], requires_grad=True)
    y = x.detach().clone().requires_grad_(True)
    z = torch.ones(2, 3, requires_grad=True)

    with torch.autograd.profiler.profile(use_cuda=False) as prf:
        for _ in range(1000):
            z = (z / x) * y

    table = prf.key_averages().table(sort_by='self_cpu_time_total')
    header = next(line for line in table.splitlines() if line.strip().startswith("Name"))
    assert re.split(r"\s{2,}", header.strip()) == [
        "Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls"]
    rows = [re.split(r"\s{2,}", line.strip()) for line in table.splitlines() if "aten::" in line]
    assert {row[0]: row[-1] for row in rows} == {"aten::div": "1000", "aten::mul": "1000"}
    assert re.search(r"^Self CPU time total: [0-9.]+(us|ms|s)$", table, re.MULTILINE)
    assert {event.key: event.count for event in prf.key_averages()} == {"aten::div": 1000, "aten::mul": 1000}
    np.testing.assert_array_equal(z.detach().cpu().numpy(), np.ones((2, 3), np.float32))
