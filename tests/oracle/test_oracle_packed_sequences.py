"""ember.nn.utils.rnn against torch.nn.utils.rnn: padding, packing and unpacking (values, batch sizes,
permutations, grad_fn names, gradients, errors), and RNN/GRU/LSTM run over a PackedSequence (outputs, final
states and every gradient, sorted and unsorted batches, bidirectional and stacked layers)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from outcomes import assert_same_error  # noqa: E402

import ember  # noqa: E402

pytestmark = pytest.mark.oracle

RNG = np.random.default_rng(3)
LENGTHS = (4, 1, 3)  # unsorted on purpose
SEQUENCES = [RNG.standard_normal((n, 2)) for n in LENGTHS]


def _leaves(lib, arrays):
    return [lib.tensor(a, requires_grad=True) for a in arrays]


def _close(got, expected, **tolerance):
    tolerance = tolerance or {"rtol": 1e-10, "atol": 1e-12}
    np.testing.assert_allclose(got.detach().cpu().numpy(), expected.detach().numpy(), **tolerance)


def _backward_and_compare_grads(e_out, t_out, e_leaves, t_leaves, **tolerance):
    upstream = RNG.standard_normal(tuple(t_out.shape))
    e_out.backward(ember.tensor(upstream, device=e_out.device))
    t_out.backward(torch.tensor(upstream))
    for e, t in zip(e_leaves, t_leaves):
        _close(e.grad, t.grad, **tolerance)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_torch(batch_first, padding_side):
    results = []
    for lib in (ember, torch):
        leaves = _leaves(lib, SEQUENCES)
        out = lib.nn.utils.rnn.pad_sequence(leaves, batch_first=batch_first, padding_value=-1.5,
                                            padding_side=padding_side)
        results.append((out, leaves))
    (e, e_leaves), (t, t_leaves) = results
    _close(e, t)
    assert e.stride() == t.stride()
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__ == "CopySlices"
    _backward_and_compare_grads(e, t, e_leaves, t_leaves)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths_as_tensor", [False, True])
def test_pack_and_pad_round_trip_matches_torch(batch_first, lengths_as_tensor):
    results = []
    for lib in (ember, torch):
        leaves = _leaves(lib, SEQUENCES)
        padded = lib.nn.utils.rnn.pad_sequence(leaves, batch_first=batch_first)
        lengths = lib.tensor(LENGTHS) if lengths_as_tensor else list(LENGTHS)
        packed = lib.nn.utils.rnn.pack_padded_sequence(padded, lengths, batch_first=batch_first,
                                                       enforce_sorted=False)
        unpacked, out_lengths = lib.nn.utils.rnn.pad_packed_sequence(packed, batch_first=batch_first,
                                                                     padding_value=2.0, total_length=5)
        results.append((packed, unpacked, out_lengths, leaves))
    (ep, eu, el, e_leaves), (tp, tu, tl, t_leaves) = results
    _close(ep.data, tp.data)
    for got, expected in ((ep.batch_sizes, tp.batch_sizes), (ep.sorted_indices, tp.sorted_indices),
                          (ep.unsorted_indices, tp.unsorted_indices), (el, tl)):
        assert got.tolist() == expected.tolist() and got.dtype == ember.int64
    assert ep.batch_sizes.device.type == "cpu" and el.device.type == "cpu"
    assert type(ep.data.grad_fn).__name__ == type(tp.data.grad_fn).__name__ == "PackPaddedSequenceBackward0"
    assert type(eu.grad_fn).__name__ == type(tu.grad_fn).__name__
    _close(eu, tu)
    _backward_and_compare_grads(eu, tu, e_leaves, t_leaves)


def test_packed_data_gradient_matches_torch():
    results = []
    for lib in (ember, torch):
        leaves = _leaves(lib, SEQUENCES)
        packed = lib.nn.utils.rnn.pack_sequence(leaves, enforce_sorted=False)
        results.append((packed.data * packed.data, leaves))
    (e, e_leaves), (t, t_leaves) = results
    _backward_and_compare_grads(e, t, e_leaves, t_leaves)


def test_unpack_and_unpad_match_torch():
    for lib_pair in [(ember, torch)]:
        got, expected = ([lib.nn.utils.rnn.unpack_sequence(lib.nn.utils.rnn.pack_sequence(
            [lib.tensor(s) for s in SEQUENCES], enforce_sorted=False)) for lib in lib_pair])
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            _close(g, e)
    padded = [lib.nn.utils.rnn.pad_sequence([lib.tensor(s) for s in SEQUENCES]) for lib in (ember, torch)]
    pieces = [lib.nn.utils.rnn.unpad_sequence(p, lib.tensor(LENGTHS)) for lib, p in zip((ember, torch), padded)]
    for g, e in zip(*pieces):
        _close(g, e)


def _copy_weights(e_module, t_module):
    with ember.no_grad():
        for name, parameter in t_module.named_parameters():
            getattr(e_module, name).copy_(ember.tensor(parameter.detach().numpy()))


RNNS = {
    "lstm": lambda lib: lib.nn.LSTM(2, 3),
    "lstm_bidirectional_2_layers": lambda lib: lib.nn.LSTM(2, 3, num_layers=2, bidirectional=True),
    "lstm_proj": lambda lib: lib.nn.LSTM(2, 4, proj_size=2, bidirectional=True),
    "gru_bidirectional": lambda lib: lib.nn.GRU(2, 3, bidirectional=True),
    "rnn_relu_2_layers": lambda lib: lib.nn.RNN(2, 3, num_layers=2, nonlinearity="relu"),
}


@pytest.mark.parametrize("given_state", [False, True])
@pytest.mark.parametrize("enforce_sorted", [False, True])
@pytest.mark.parametrize("name", list(RNNS))
def test_recurrent_layers_over_packed_sequences_match_torch(name, enforce_sorted, given_state):
    lengths = LENGTHS if not enforce_sorted else tuple(sorted(LENGTHS, reverse=True))
    sequences = [RNG.standard_normal((n, 2)) for n in lengths]
    torch.manual_seed(0)
    t_module = RNNS[name](torch).double()
    e_module = RNNS[name](ember).double()
    _copy_weights(e_module, t_module)
    is_lstm = isinstance(t_module, torch.nn.LSTM)
    directions = 2 if t_module.bidirectional else 1
    state_shapes = [(t_module.num_layers * directions, len(lengths), t_module.proj_size or t_module.hidden_size)]
    if is_lstm:
        state_shapes.append((t_module.num_layers * directions, len(lengths), t_module.hidden_size))
    states = [RNG.standard_normal(shape) for shape in state_shapes]
    outputs = []
    for lib, module in ((ember, e_module), (torch, t_module)):
        leaves = _leaves(lib, sequences)
        packed = lib.nn.utils.rnn.pack_sequence(leaves, enforce_sorted=enforce_sorted)
        hx = None
        if given_state:
            hx = tuple(lib.tensor(s) for s in states)
            hx = hx if is_lstm else hx[0]
        out, final = module(packed, hx)
        assert isinstance(out, lib.nn.utils.rnn.PackedSequence)
        finals = final if is_lstm else (final,)
        total = (out.data ** 2).sum() + sum((f * (k + 2)).sum() for k, f in enumerate(finals))
        total.backward()
        outputs.append((out, finals, leaves, module))
    (eo, ef, e_leaves, _), (to, tf, t_leaves, _) = outputs
    _close(eo.data, to.data)
    assert eo.batch_sizes.tolist() == to.batch_sizes.tolist()
    for e, t in zip(ef, tf):
        _close(e, t)
    for e, t in zip(e_leaves, t_leaves):
        _close(e.grad, t.grad, rtol=1e-9, atol=1e-11)
    for (_, e_param), (_, t_param) in zip(e_module.named_parameters(), t_module.named_parameters()):
        _close(e_param.grad, t_param.grad, rtol=1e-9, atol=1e-11)


ERRORS = {
    "unsorted_enforced": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2, 1), [1, 3]),
    "zero_length": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2, 1), [3, 0]),
    "lengths_count": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2, 1), [3]),
    "total_length_short": lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2, 1), [3, 1]), total_length=2),
    "empty_list": lambda lib: lib.nn.utils.rnn.pad_sequence([]),
    "padding_side": lambda lib: lib.nn.utils.rnn.pad_sequence([lib.ones(2)], padding_side="middle"),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    assert_same_error(ERRORS[name], ember, torch)


def test_packed_sequence_moves_and_casts_its_data_only():
    packed = ember.nn.utils.rnn.pack_sequence([ember.ones(3, 2), ember.ones(1, 2)])
    as_double = packed.double()
    assert as_double.data.dtype == ember.float64 and as_double.batch_sizes.dtype == ember.int64
    assert packed.to(ember.float32) is packed
    assert packed.is_cuda is (packed.data.device.type == "cuda")  # the default device's
    assert not packed.to("cpu").is_cuda
