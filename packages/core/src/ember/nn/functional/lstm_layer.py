"""One LSTM layer in one direction as a single autograd node, `LstmLayerBackward`, the way PyTorch records
its own LSTM: the forward runs the steps without recording them, and the backward runs backpropagation
through time itself, W_hh's gradient then being one matmul over all steps (not one per step plus 64
accumulations). Both passes are ember ops, so every backend runs them; under create_graph the backward
recomputes the forward with grad mode on, so second derivatives are exact. The step-by-step composition
(`recurrent._lstm_step`) remains for cells and projections, and is this node's reference in the tests.
"""

from __future__ import annotations

import ember
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach, needs_input_grad


def _steps(input: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, w_hh: Tensor, bias: Tensor | None,
           reverse: bool) -> tuple:
    """Run the layer: per processing step the gates' activations (i, f, g, o), tanh(c), and the h and c
    it started from, plus the final (h, c); `input` is (L, N, features)."""
    hidden = h.shape[1]
    projected = input.matmul(w_ih.t()) if bias is None else ember.matmul(input, w_ih.t()) + bias
    w_hh_t = w_hh.t().contiguous()  # BLAS multiplies it faster than a transposed view
    steps = projected.unbind(0)
    activations, tanh_cs, starts = [], [], []
    for t in (reversed(range(len(steps))) if reverse else range(len(steps))):
        gates = ember.addmm(steps[t], h, w_hh_t)
        i, f, _, o = ember.sigmoid(gates).chunk(4, 1)  # g's quarter of this sigmoid is not used
        g = gates[:, 2 * hidden:3 * hidden].tanh()
        starts.append((h, c))
        c = f * c + i * g
        tanh_c = c.tanh()
        h = o * tanh_c
        activations.append((i, f, g, o))
        tanh_cs.append(tanh_c)
    return activations, tanh_cs, starts, h, c


def _pack(activations: list, tanh_cs: list, c: Tensor, reverse: bool) -> Tensor:
    """(L + 1, N, H): the outputs h_t in time order, then the final c."""
    outputs = [o * tanh_c for (_, _, _, o), tanh_c in zip(activations, tanh_cs)]
    if reverse:
        outputs.reverse()
    return ember.stack([*outputs, c])


class LstmLayerBackward(Node):
    """Backpropagation through time of one LSTM layer and direction over (input, h0, c0, w_ih, w_hh, bias)."""

    _names_saved = ("input", "hx", "cx", "w_ih", "w_hh", "bias")
    reverse: bool
    run: tuple | None

    def backward(self, grad: Tensor) -> tuple:
        input, h0, c0, w_ih, w_hh, bias = self.saved_tensors
        run = self.run
        if grad_mode.is_grad_enabled() or run is None:  # create_graph: the forward as a function of the inputs
            run = _steps(input, h0, c0, w_ih, w_hh, bias, self.reverse)
        activations, tanh_cs, starts, _, _ = run
        length = len(activations)
        grad_outputs = grad[:length].unbind(0)
        grad_h, grad_c = ember.zeros_like(h0), grad[length]
        grad_gates = []
        for k in reversed(range(length)):  # k: processing step, t: its time index
            t = length - 1 - k if self.reverse else k
            (i, f, g, o), tanh_c, (_, c_prev) = activations[k], tanh_cs[k], starts[k]
            grad_h = grad_h + grad_outputs[t]
            grad_c = grad_c + grad_h * o * (1 - tanh_c * tanh_c)
            step = ember.cat([grad_c * g * i * (1 - i), grad_c * c_prev * f * (1 - f), grad_c * i * (1 - g * g),
                              grad_h * tanh_c * o * (1 - o)], 1)
            grad_gates.append(step)
            grad_h, grad_c = step.matmul(w_hh), grad_c * f
        grad_gates.reverse()  # processing order
        gates = ember.stack(grad_gates)  # (L, N, 4H) in processing order
        inputs = input.flip(0) if self.reverse else input
        flat = gates.reshape(-1, gates.shape[2])
        return (
            (gates.matmul(w_ih).flip(0) if self.reverse else gates.matmul(w_ih)) if needs_input_grad(self, 0)
            else None,
            grad_h if needs_input_grad(self, 1) else None,
            grad_c if needs_input_grad(self, 2) else None,
            flat.t().matmul(inputs.reshape(-1, inputs.shape[2])) if needs_input_grad(self, 3) else None,
            flat.t().matmul(ember.stack([h for h, _ in starts]).reshape(-1, h0.shape[1]))
            if needs_input_grad(self, 4) else None,
            flat.sum(0) if bias is not None and needs_input_grad(self, 5) else None,
        )

    def _release(self) -> None:
        super()._release()
        self.run = None


def lstm_layer(input: Tensor, h0: Tensor, c0: Tensor, w_ih: Tensor, w_hh: Tensor, bias: Tensor | None,
               reverse: bool) -> tuple:
    """One layer and direction over a (L, N, features) input: its (L, N, H) output and final (h, c)."""
    with grad_mode.no_grad():
        run = _steps(input, h0, c0, w_ih, w_hh, bias, reverse)
        packed = _pack(run[0], run[1], run[4], reverse)
    packed = attach(packed, LstmLayerBackward, (input, h0, c0, w_ih, w_hh, bias),
                    (input, h0, c0, w_ih, w_hh, bias), reverse=reverse, run=run)
    length = input.shape[0]
    output = packed[:length]
    return output, (output[0] if reverse else output[length - 1], packed[length])
