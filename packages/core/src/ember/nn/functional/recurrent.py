"""The recurrences of `RNN`, `LSTM` and `GRU` and their cells, as compositions of ember ops (so every
backend runs them and autograd differentiates them).

A layer projects its whole input sequence in one matmul (`x Wᵢₕᵀ + b`), then runs one step per time step,
each one matmul with the hidden state plus the gates' pointwise math. Gate orders and formulas are
PyTorch's: LSTM (i, f, g, o), GRU (r, z, n) with n = tanh(Wᵢₙx + bᵢₙ + r ⊙ (Wₕₙh + bₕₙ)). An LSTM layer
without projection runs as one node (`lstm_layer.py`); cells and projected LSTMs step through `_lstm_step`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import ember
from ember._tensor import Tensor
from ember.nn.functional.dropouts import dropout
from ember.nn.functional.linear import linear
from ember.nn.functional.lstm_layer import lstm_layer

# A layer's state: (h,) for RNN and GRU, (h, c) for LSTM.
State = tuple
# (projected input of one step, state, weights) -> new state; weights: w_ih, w_hhᵀ, b_ih, b_hh, w_hr, with
# w_hh transposed (a contiguous copy made once per sequence: BLAS multiplies it faster than a transposed view).
Step = Callable[[Tensor, State, Sequence], State]


def _rnn_step(activation: Callable[[Tensor], Tensor]) -> Step:
    def step(projected: Tensor, state: State, weights: Sequence) -> State:
        return (activation(ember.addmm(projected, state[0], weights[1])),)
    return step


def _lstm_step(projected: Tensor, state: State, weights: Sequence) -> State:
    h, c = state
    i, f, g, o = ember.addmm(projected, h, weights[1]).chunk(4, 1)
    c = ember.sigmoid(f) * c + ember.sigmoid(i) * ember.tanh(g)
    h = ember.sigmoid(o) * ember.tanh(c)
    if weights[4] is not None:  # proj_size: h = W_hr h
        h = h.matmul(weights[4].t())
    return h, c


def _gru_step(projected: Tensor, state: State, weights: Sequence) -> State:
    h = state[0]
    x_r, x_z, x_n = projected.chunk(3, 1)
    hidden = h.matmul(weights[1]) if weights[3] is None else ember.addmm(weights[3], h, weights[1])
    h_r, h_z, h_n = hidden.chunk(3, 1)
    r = ember.sigmoid(x_r + h_r)
    z = ember.sigmoid(x_z + h_z)
    n = ember.tanh(x_n + r * h_n)
    return ((h - n) * z + n,)


STEPS: dict[str, Step] = {
    "RNN_TANH": _rnn_step(ember.tanh),
    "RNN_RELU": _rnn_step(ember.relu),
    "LSTM": _lstm_step,
    "GRU": _gru_step,
}


def _input_bias(mode: str, weights: Sequence) -> Tensor | None:
    """The bias added to the input projection: both biases, except GRU's hidden one (r multiplies it)."""
    b_ih, b_hh = weights[2], weights[3]
    if b_ih is None or mode == "GRU":
        return b_ih
    return b_ih + b_hh


def _transposed_hh(weights: Sequence) -> tuple:
    """`weights` with w_hh replaced by its transpose, as the steps take it."""
    return (weights[0], weights[1].t().contiguous(), *weights[2:])


def cell(mode: str, input: Tensor, state: State, weights: Sequence) -> State:
    """One step of a cell on a (N, input_size) input: the new state."""
    return STEPS[mode](linear(input, weights[0], _input_bias(mode, weights)), state, _transposed_hh(weights))


def _direction(mode: str, input: Tensor, state: State, weights: Sequence, reverse: bool) -> tuple:
    """One layer in one direction over a (L, N, features) sequence: its (L, N, H) output and final state
    (an LSTM without projection: one `LstmLayerBackward` node)."""
    if mode == "LSTM" and weights[4] is None:
        h, c = state
        return lstm_layer(input, h, c, weights[0], weights[1], _input_bias(mode, weights), reverse)
    step = STEPS[mode]
    projected = linear(input, weights[0], _input_bias(mode, weights))
    weights = _transposed_hh(weights)
    steps = projected.unbind(0)
    outputs = []
    for t in (reversed(range(len(steps))) if reverse else range(len(steps))):
        state = step(steps[t], state, weights)
        outputs.append(state[0])
    if reverse:
        outputs.reverse()
    return ember.stack(outputs), state


def _packed_direction(batch_sizes: Sequence[int], mode: str, input: Tensor, state: State, weights: Sequence,
                      reverse: bool) -> tuple:
    """`_direction` over packed time steps (`ember.nn.utils.rnn`): step t runs the first batch_sizes[t]
    sequences only. Forward, a sequence's final state is its state at its own last step; in reverse, a
    sequence starts from its initial state at its own last step."""
    step = STEPS[mode]
    projected = linear(input, weights[0], _input_bias(mode, weights))
    weights = _transposed_hh(weights)
    starts = [0]
    for size in batch_sizes[:-1]:
        starts.append(starts[-1] + size)
    outputs: list = [None] * len(batch_sizes)
    if not reverse:
        ended = []  # the final states of the sequences that ended, shortest last
        for t, size in enumerate(batch_sizes):
            if state[0].shape[0] > size:
                ended.append(tuple(s[size:] for s in state))
                state = tuple(s[:size] for s in state)
            state = step(projected[starts[t]:starts[t] + size], state, weights)
            outputs[t] = state[0]
        ended.append(state)
        final = tuple(ember.cat([part[k] for part in reversed(ended)]) for k in range(len(state)))
    else:
        initial, running = state, 0
        for t in reversed(range(len(batch_sizes))):
            size = batch_sizes[t]
            if size > running:  # sequences whose last step this is join from their initial state
                joining = tuple(s[running:size] for s in initial)
                state = joining if running == 0 else tuple(ember.cat([a, b]) for a, b in zip(state, joining))
                running = size
            state = step(projected[starts[t]:starts[t] + size], state, weights)
            outputs[t] = state[0]
        final = state
    return ember.cat(outputs), final


def recurrent(mode: str, input: Tensor, states: Sequence[State], weights: Sequence[Sequence], num_layers: int,
              dropout_p: float, training: bool, bidirectional: bool, batch_sizes: Sequence[int] | None = None) -> tuple:
    """A stack of layers over a (L, N, features) sequence, or over packed (sum of lengths, features) steps
    of `batch_sizes`. `states[k]` and `weights[k]` belong to layer k // directions, direction
    k % directions (PyTorch's order). Returns the last layer's output ((L, N, D*H), or packed (*, D*H)) and
    the final states in that order; dropout (training only) applies between layers."""
    directions = 2 if bidirectional else 1
    run = _direction if batch_sizes is None else partial(_packed_direction, batch_sizes)
    finals = []
    for layer in range(num_layers):
        outputs = []
        for direction in range(directions):
            k = layer * directions + direction
            output, final = run(mode, input, states[k], weights[k], reverse=direction == 1)
            outputs.append(output)
            finals.append(final)
        input = outputs[0] if directions == 1 else ember.cat(outputs, -1)
        if dropout_p and training and layer < num_layers - 1:
            input = dropout(input, dropout_p, training)
    return input, finals
