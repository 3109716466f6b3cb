"""The sequence-model layers without PyTorch: values PyTorch 2.13 computes (taken from it, hard-coded),
gradcheck of layer_norm, the recurrences and attention, the dropout family's masks, scaling, gradients and
channel masks, recurrent dropout and init statistics (their comparisons with PyTorch: tests/oracle/)."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.nn.functional import recurrent


def test_layer_norm_passes_gradcheck_and_gradgradcheck():
    ember.manual_seed(0)
    x = ember.randn(2, 3, 4, dtype=ember.float64, requires_grad=True)
    w = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    b = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)

    def run(x, w, b):
        return ember.nn.functional.layer_norm(x, (3, 4), w, b)

    assert ember.autograd.gradcheck(run, (x, w, b))
    assert ember.autograd.gradgradcheck(run, (x, w, b))


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_mask_statistics_and_scaling(p):
    ember.manual_seed(0)
    x = ember.ones(400, 500, requires_grad=True)
    y = ember.nn.functional.dropout(x, p)
    values = y.detach().numpy()
    kept = values != 0
    assert abs(1 - kept.mean() - p) < 0.01  # 200 000 draws: a standard error of 0.0011
    np.testing.assert_allclose(values[kept], np.float32(1) / np.float32(1 - p), rtol=1e-6)
    assert y.grad_fn.name() == "MulBackward0"
    upstream = ember.randn(400, 500)
    y.backward(upstream)
    np.testing.assert_allclose(x.grad.numpy(), upstream.numpy() * values, rtol=1e-6)


def test_dropout_masks_differ_between_calls_and_follow_the_seed():
    x = ember.ones(1000)
    ember.manual_seed(5)
    first, second = ember.nn.functional.dropout(x), ember.nn.functional.dropout(x)
    assert not np.array_equal(first.numpy(), second.numpy())
    ember.manual_seed(5)
    assert np.array_equal(ember.nn.functional.dropout(x).numpy(), first.numpy())


@pytest.mark.parametrize("function,shape,channel_dims", [
    ("dropout1d", (50, 40, 6), 2), ("dropout1d", (40, 6), 1), ("dropout2d", (50, 40, 3, 2), 2),
    ("dropout3d", (50, 40, 2, 2, 2), 2), ("dropout3d", (40, 2, 2, 2), 1)], ids=str)
def test_channel_dropout_zeroes_whole_channels(function, shape, channel_dims):
    ember.manual_seed(1)
    x = ember.ones(shape, requires_grad=True)
    y = getattr(ember.nn.functional, function)(x, 0.4)
    assert tuple(y.shape) == shape
    channels = y.detach().numpy().reshape(int(np.prod(shape[:channel_dims])), -1)
    assert all(len(set(row)) == 1 for row in channels)  # a channel is all kept or all dropped
    kept = channels[:, 0] != 0
    assert 0.45 < kept.mean() < 0.75
    np.testing.assert_allclose(channels[kept, 0], np.float32(1) / np.float32(0.6), rtol=1e-6)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_keeps_mean_and_variance(p):
    ember.manual_seed(2)
    x = ember.randn(200_000)
    y = ember.nn.functional.alpha_dropout(x, p, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    alpha = 1.7580993408473766
    a = 1 / np.sqrt((alpha * alpha * p + 1) * (1 - p))
    dropped = np.isclose(y, -alpha * a + alpha * a * p, rtol=1e-5)  # a dropped element's value
    assert abs(dropped.mean() - p) < 0.01
    assert ember.nn.functional.alpha_dropout(x, p) is x  # training defaults to False



@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_dropout_between_layers_changes_training_outputs(name):
    """In training the layers' outputs are dropped (then different from eval), the last layer's never."""
    ember.manual_seed(0)
    module = getattr(ember.nn, name)(3, 4, num_layers=2, dropout=0.9)
    x = ember.randn(5, 2, 3)
    trained = module(x)[0]
    module.eval()
    evaluated = module(x)[0]
    assert not np.allclose(trained.detach().numpy(), evaluated.detach().numpy())
    single = getattr(ember.nn, name)(3, 4, num_layers=2, dropout=0.0)
    assert np.array_equal(single(x)[0].detach().numpy(), single.eval()(x)[0].detach().numpy())


@pytest.mark.parametrize("mode", ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"])
def test_cells_pass_gradcheck(mode):
    """The recurrences, with the weights as inputs (gradcheck perturbs its inputs)."""
    ember.manual_seed(3)
    gates = {"LSTM": 4, "GRU": 3}.get(mode, 1)

    def randn(*shape):
        return ember.randn(*shape, dtype=ember.float64, requires_grad=True)

    inputs = (randn(2, 3), randn(2, 2), randn(2, 2), randn(2 * gates, 3), randn(2 * gates, 2),
              randn(2 * gates), randn(2 * gates))

    def run(x, h, c, *weights):
        state = (h, c) if mode == "LSTM" else (h,)
        return recurrent.cell(mode, x, state, (*weights, None))[0]

    assert ember.autograd.gradcheck(run, inputs)


def test_layers_pass_gradcheck():
    """Two bidirectional LSTM layers with a projection, the weights as inputs."""
    ember.manual_seed(4)
    lstm = ember.nn.LSTM(2, 3, num_layers=2, bidirectional=True, proj_size=2, dtype=ember.float64)
    weights = [w.detach().requires_grad_() for w in lstm.parameters()]
    x = ember.randn(3, 2, 2, dtype=ember.float64, requires_grad=True)
    zeros = ember.zeros(2, 2, dtype=ember.float64), ember.zeros(2, 3, dtype=ember.float64)

    def run(x, *flat):
        per_layer = [(*flat[i:i + 4], flat[i + 4]) for i in range(0, len(flat), 5)]
        return recurrent.recurrent("LSTM", x, [zeros] * 4, per_layer, 2, 0.0, False, True)[0]

    assert ember.autograd.gradcheck(run, (x, *weights))


@pytest.mark.parametrize("name", ["LSTM", "GRUCell"])
def test_init_is_uniform_within_one_over_sqrt_hidden(name):
    module = getattr(ember.nn, name)(64, 100)
    for _, p in module.named_parameters():
        values = p.detach().numpy()
        assert np.abs(values).max() <= 0.1
        assert abs(values.std() - 0.1 / np.sqrt(3)) < 0.005


def test_sdpa_passes_gradcheck():
    ember.manual_seed(0)
    q, k, v = (ember.randn(2, 3, 4, dtype=ember.float64, requires_grad=True) for _ in range(3))
    mask = ember.randn(3, 3, dtype=ember.float64)

    def masked(q, k, v):
        return ember.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)

    def causal(q, k, v):
        return ember.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)

    assert ember.autograd.gradcheck(masked, (q, k, v))
    assert ember.autograd.gradcheck(causal, (q, k, v))


def test_sdpa_dropout_drops_weights():
    ember.manual_seed(0)
    q, k = ember.randn(1, 4, 8), ember.randn(1, 64, 8)
    v = ember.ones(1, 64, 1)
    full = ember.nn.functional.scaled_dot_product_attention(q, k, v)
    dropped = ember.nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    np.testing.assert_allclose(full.numpy(), 1.0, rtol=1e-5)  # weights sum to 1
    assert not np.allclose(dropped.numpy(), 1.0)


# PyTorch 2.13's outputs of a (2, 1, 2) float64 input [[1, -2]], [[0.5, 0.25]] through RNN/LSTM/GRU(2, 3)
# whose parameter number i is linspace(-0.5, 0.5) * (1 + 0.1 * i), in PyTorch's parameter order.
EXPECTED_OUTPUTS = {
    "LSTM": [0.0009030741852624581, 0.030575601778170324, 0.06761782666336079, 0.01765373071855816,
             0.0828237886554716, 0.17414211814000283],
    "GRU": [0.041324290866767255, 0.08969487638945611, 0.1335354025904483, 0.31036108575753973,
            0.38654280833755206, 0.4066308268011552],
    "RNN": [-0.8177540779702877, -0.29131261245159085, 0.5005202111902353, -0.8153252438068278,
            0.15500313967117726, 0.8967236213327783],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_OUTPUTS))
def test_recurrent_outputs_are_pytorchs(name):
    module = getattr(ember.nn, name)(2, 3, dtype=ember.float64)
    with ember.no_grad():
        for i, p in enumerate(module.parameters()):
            p.copy_((ember.linspace(-0.5, 0.5, p.numel(), dtype=ember.float64) * (1 + 0.1 * i)).reshape(p.shape))
    output, _ = module(ember.tensor([[[1.0, -2.0]], [[0.5, 0.25]]], dtype=ember.float64))
    np.testing.assert_allclose(output.detach().numpy().ravel(), EXPECTED_OUTPUTS[name], rtol=1e-12)


def test_recurrent_parameter_names_and_shapes_are_pytorchs():
    lstm = ember.nn.LSTM(4, 5, num_layers=2, bidirectional=True, proj_size=2)
    names = [(n, tuple(p.shape)) for n, p in lstm.named_parameters()]
    assert names[:5] == [("weight_ih_l0", (20, 4)), ("weight_hh_l0", (20, 2)), ("bias_ih_l0", (20,)),
                         ("bias_hh_l0", (20,)), ("weight_hr_l0", (2, 5))]
    assert names[-5:] == [("weight_ih_l1_reverse", (20, 4)), ("weight_hh_l1_reverse", (20, 2)),
                          ("bias_ih_l1_reverse", (20,)), ("bias_hh_l1_reverse", (20,)),
                          ("weight_hr_l1_reverse", (2, 5))]
    output, (h, c) = lstm(ember.zeros(7, 3, 4))
    assert (tuple(output.shape), tuple(h.shape), tuple(c.shape)) == ((7, 3, 4), (4, 3, 2), (4, 3, 5))


def test_layer_norm_values_are_pytorchs():
    x = ember.linspace(-1, 1, 8, dtype=ember.float64).reshape(2, 4)
    expected = [-1.3415750509328601, -0.44719168364428685, 0.4471916836442865, 1.34157505093286] * 2
    np.testing.assert_allclose(ember.nn.functional.layer_norm(x, (4,)).numpy().ravel(), expected, rtol=1e-12)


def test_dropout_probability_errors_are_pytorchs():
    with pytest.raises(ValueError, match=r"^dropout probability has to be between 0 and 1, but got 1.5$"):
        ember.nn.functional.dropout(ember.ones(3), 1.5)
    with pytest.raises(ValueError, match=r"^dropout probability has to be between 0 and 1, but got -0.1$"):
        ember.nn.Dropout(-0.1)


@pytest.mark.parametrize("reverse", [False, True])
def test_lstm_layer_node_passes_gradcheck_and_gradgradcheck(reverse):
    """The one-node LSTM layer (its own backpropagation through time), weights and states as inputs."""
    from ember.nn.functional.lstm_layer import lstm_layer

    ember.manual_seed(6)

    def randn(*shape):
        return ember.randn(*shape, dtype=ember.float64, requires_grad=True)

    inputs = (randn(3, 2, 2), randn(2, 3), randn(2, 3), randn(12, 2), randn(12, 3), randn(12))

    def run(*args):
        output, (h, c) = lstm_layer(*args, reverse=reverse)
        return output, h, c

    assert ember.autograd.gradcheck(run, inputs)
    assert ember.autograd.gradgradcheck(run, inputs)


@pytest.mark.parametrize("direction", ["", "_reverse"])
def test_lstm_layer_node_matches_the_step_composition(direction):
    """The node's values and gradients are those of the per-step composition LSTMCell runs."""
    ember.manual_seed(7)
    lstm = ember.nn.LSTM(3, 4, bidirectional=True, dtype=ember.float64)
    cell = ember.nn.LSTMCell(3, 4, dtype=ember.float64)
    with ember.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(lstm, f"{name}_l0{direction}"))
    x = ember.randn(5, 2, 3, dtype=ember.float64)
    x_layer, x_cell = x.clone().requires_grad_(), x.clone().requires_grad_()
    half = slice(4, 8) if direction else slice(0, 4)
    layer_output = lstm(x_layer)[0][..., half]
    state, steps = None, {}
    for t in (reversed(range(5)) if direction else range(5)):
        state = cell(x_cell[t], state)
        steps[t] = state[0]
    cell_output = ember.stack([steps[t] for t in range(5)])
    np.testing.assert_allclose(layer_output.detach().numpy(), cell_output.detach().numpy(), rtol=1e-12)
    weights = ember.linspace(-1, 1, 40, dtype=ember.float64).reshape(5, 2, 4)
    (layer_output * weights).sum().backward()
    (cell_output * weights).sum().backward()
    np.testing.assert_allclose(x_layer.grad.numpy(), x_cell.grad.numpy(), rtol=1e-10)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        np.testing.assert_allclose(getattr(lstm, f"{name}_l0{direction}").grad.numpy(),
                                   getattr(cell, name).grad.numpy(), rtol=1e-10)
