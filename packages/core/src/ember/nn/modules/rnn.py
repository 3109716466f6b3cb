"""`RNN`, `LSTM`, `GRU` and their cells (`RNNCell`, `LSTMCell`, `GRUCell`): PyTorch's arguments, parameter
names (``weight_ih_l0``, ``bias_hh_l1_reverse``, ``weight_hr_l0``), shapes, init U(-1/√H, 1/√H) and checks;
the math is `ember.nn.functional.recurrent`. A PackedSequence input (`ember.nn.utils.rnn`) gives a
PackedSequence output, each sequence run to its own length."""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import ember
from ember._tensor import Tensor
from ember.nn import init
from ember.nn.functional import recurrent as R
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter
from ember.nn.utils.rnn import PackedSequence

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _nonlinearity_mode(nonlinearity: str) -> str:
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
    return "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"


def _check_arguments(input_size: Any, hidden_size: Any, num_layers: int, bias: Any, batch_first: Any,
                     dropout: Any, proj_size: int) -> None:
    """RNNBase's argument checks, in PyTorch's order, with its exception types and messages."""
    if not isinstance(dropout, numbers.Real) or isinstance(dropout, bool) or not 0 <= float(dropout) <= 1:
        raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                         "element being zeroed")
    if float(dropout) > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                      f"expects num_layers greater than 1, but got dropout={dropout} and "
                      f"num_layers={num_layers}", stacklevel=4)
    for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                              ("input_size", input_size, int)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


def _reset_uniform(module: Module, hidden_size: int) -> None:
    """PyTorch's recurrent init: every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
    stdv = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -stdv, stdv)


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters of every layer and direction, their init, the input
    and hidden-state checks, and the run over a (L, N, H_in) or batch-first or unbatched sequence."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_arguments(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * directions
                shapes: list[tuple[str, tuple[int, ...]]] = [("weight_ih_l{}{}", (gate_size, layer_input_size)),
                          ("weight_hh_l{}{}", (gate_size, real_hidden_size))]
                if bias:
                    shapes += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr_l{}{}", (proj_size, hidden_size))]
                suffix = "_reverse" if direction == 1 else ""
                names = [pattern.format(layer, suffix) for pattern, _ in shapes]
                for name, (_, shape) in zip(names, shapes):
                    setattr(self, name, Parameter(ember.empty(shape, device=device, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list[Parameter]:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each layer and direction, in PyTorch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Accepted for PyTorch programs; it only matters to cuDNN (a no-op on CPU in PyTorch too)."""

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        _reset_uniform(self, self.hidden_size)

    def _layer_weights(self) -> list[tuple]:
        """Per layer and direction: (w_ih, w_hh, b_ih, b_hh, w_hr), None where absent."""
        keys = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
        weights = []
        for names in self._all_weights:
            by_key = {name.split("_l")[0]: getattr(self, name) for name in names}
            weights.append(tuple(by_key.get(key) for key in keys))
        return weights

    def _check_input(self, input: Tensor) -> None:
        first = getattr(self, self._flat_weights_names[0])
        if input.dtype != first.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({first.dtype}). "
                             f"Convert input: input.to({first.dtype}), or convert model: model.to({input.dtype})")
        if self.input_size != input.size(-1):
            raise RuntimeError("input.size(-1) must be equal to input_size. "
                               f"Expected {self.input_size}, got {input.size(-1)}")

    def _expected_size(self, input: Tensor, size: int) -> tuple:
        batch = input.size(0) if self.batch_first else input.size(1)
        return (self.num_layers * (2 if self.bidirectional else 1), batch, size)

    @staticmethod
    def _check_hidden(hx: Tensor, expected: tuple, message: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(message.format(expected, list(hx.shape)))

    def _run(self, input: Tensor, hidden: tuple, batched: bool) -> tuple:
        """The layers over a checked batched input with (num_layers*D, N, H) hidden tensors: the output
        (batch-first when asked, unbatched again when the input was) and the final hidden tensors."""
        sequence = input.transpose(0, 1) if self.batch_first else input
        states = list(zip(*(h.unbind(0) for h in hidden)))
        output, finals = R.recurrent(self.mode, sequence, states, self._layer_weights(), self.num_layers,
                                     self.dropout, self.training, self.bidirectional)
        if self.batch_first:
            output = output.transpose(0, 1)
        result = tuple(ember.stack(parts) for parts in zip(*finals))
        if not batched:
            output = output.squeeze(0 if self.batch_first else 1)
            result = tuple(h.squeeze(1) for h in result)
        return output, result

    def _run_packed(self, packed: PackedSequence, hidden: tuple | None, sizes: tuple) -> tuple:
        """The layers over a PackedSequence: `hidden` ((num_layers*D, N, H) tensors of `sizes`, zeros when
        None) and the final states are in the caller's batch order, the layers run in the packed (sorted)
        one. Returns (PackedSequence output, final states)."""
        data, batch_sizes, sorted_indices, unsorted_indices = packed
        steps = [int(n) for n in batch_sizes.tolist()]
        if data.dim() != 2:
            raise RuntimeError(f"input must have 2 dimensions, got {data.dim()}")
        if hidden is None:
            hidden = tuple(ember.zeros((self.num_layers * (2 if self.bidirectional else 1), steps[0], size),
                                       dtype=data.dtype, device=data.device) for size in sizes)
        elif sorted_indices is not None:
            hidden = tuple(h.index_select(1, sorted_indices) for h in hidden)
        self._check_input(data)
        for i, (h, size) in enumerate(zip(hidden, sizes)):
            label = "hidden" if len(sizes) == 1 else f"hidden[{i}]"
            self._check_hidden(h, (self.num_layers * (2 if self.bidirectional else 1), steps[0], size),
                               f"Expected {label} size {{}}, got {{}}")
        states = list(zip(*(h.unbind(0) for h in hidden)))
        output, finals = R.recurrent(self.mode, data, states, self._layer_weights(), self.num_layers, self.dropout,
                                     self.training, self.bidirectional, batch_sizes=steps)
        result = tuple(ember.stack(parts) for parts in zip(*finals))
        if unsorted_indices is not None:
            result = tuple(h.index_select(1, unsorted_indices) for h in result)
        return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), result

    def _batched(self, input: Tensor, name: str) -> tuple[Tensor, bool]:
        """The input with a batch dimension, and whether it had one."""
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                             f"{'tensor ' if name != 'LSTM' else ''}instead")
        batched = input.dim() == 3
        return (input if batched else input.unsqueeze(0 if self.batch_first else 1)), batched

    def _zeros(self, input: Tensor, size: int) -> Tensor:
        return ember.zeros(self._expected_size(input, size), dtype=input.dtype, device=input.device)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class _SingleStateRNN(RNNBase):
    """RNN and GRU: one hidden tensor, h0 of shape (num_layers*D, N, H) or (num_layers*D, H)."""

    def forward(self, input: Tensor | PackedSequence, hx: Tensor | None = None) -> tuple:
        if isinstance(input, PackedSequence):
            output, (h_n,) = self._run_packed(input, None if hx is None else (hx,), (self.hidden_size,))
            return output, h_n
        input, batched = self._batched(input, "RNN" if self.mode != "GRU" else "GRU")
        if hx is not None:
            if hx.dim() != (3 if batched else 2):
                raise RuntimeError(f"For {'batched 3-D' if batched else 'unbatched 2-D'} input, hx should "
                                   f"also be {3 if batched else 2}-D but got {hx.dim()}-D tensor")
            if not batched:
                hx = hx.unsqueeze(1)
        else:
            hx = self._zeros(input, self.hidden_size)
        self._check_input(input)
        self._check_hidden(hx, self._expected_size(input, self.hidden_size))
        output, (h_n,) = self._run(input, (hx,), batched)
        return output, h_n


class RNN(_SingleStateRNN):
    """Elman RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) (or relu)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        super().__init__(_nonlinearity_mode(self.nonlinearity), *args, **kwargs)


class GRU(_SingleStateRNN):
    """Gated recurrent unit, PyTorch's gate order (r, z, n)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory, PyTorch's gate order (i, f, g, o), with an optional projection of h
    (`proj_size`). forward(input, (h_0, c_0)) -> output, (h_n, c_n)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input: Tensor | PackedSequence, hx: tuple[Tensor, Tensor] | None = None) -> tuple:
        real_hidden_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if isinstance(input, PackedSequence):
            return self._run_packed(input, None if hx is None else tuple(hx), (real_hidden_size, self.hidden_size))
        input, batched = self._batched(input, "LSTM")
        if hx is None:
            hx = (self._zeros(input, real_hidden_size), self._zeros(input, self.hidden_size))
        else:
            dims = 3 if batched else 2
            if hx[0].dim() != dims or hx[1].dim() != dims:
                raise RuntimeError(f"For {'batched 3-D' if batched else 'unbatched 2-D'} input, hx and cx "
                                   f"should also be {dims}-D but got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
            if not batched:
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self._check_input(input)
        self._check_hidden(hx[0], self._expected_size(input, real_hidden_size), "Expected hidden[0] size {}, got {}")
        self._check_hidden(hx[1], self._expected_size(input, self.hidden_size), "Expected hidden[1] size {}, got {}")
        return self._run(input, tuple(hx), batched)


class RNNCellBase(Module):
    """A cell's weight_ih (G*H, input_size), weight_hh (G*H, H) and biases, initialised as the layers'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(ember.empty((num_chunks * hidden_size, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(ember.empty((num_chunks * hidden_size, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(ember.empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(ember.empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        _reset_uniform(self, self.hidden_size)

    def _weights(self) -> tuple:
        return (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, None)

    def _batched(self, input: Tensor, states: tuple, name: str, what: tuple[str, ...]) -> tuple:
        """The input and states with a batch dimension (zeros for missing states), and whether it had one."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for label, state in zip(what, states):
            if state is not None and state.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {state.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
            states = tuple(None if s is None else s.unsqueeze(0) for s in states)
        zeros = ember.zeros((input.size(0), self.hidden_size), dtype=input.dtype, device=input.device)
        return input, tuple(zeros if s is None else s for s in states), batched

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class _SingleStateCell(RNNCellBase):
    _mode: str
    _name: str

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, (h,), batched = self._batched(input, (hx,), self._name, ("hidden",))
        (h,) = R.cell(self._mode, input, (h,), self._weights())
        return h if batched else h.squeeze(0)


class RNNCell(_SingleStateCell):
    """One step of an Elman RNN: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu)."""

    _name = "RNNCell"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._mode = _nonlinearity_mode(self.nonlinearity)
        return super().forward(input, hx)


class GRUCell(_SingleStateCell):
    """One GRU step."""

    _mode = "GRU"
    _name = "GRUCell"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)


class LSTMCell(RNNCellBase):
    """One LSTM step: forward(input, (h, c)) -> (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        states = (None, None) if hx is None else tuple(hx)
        input, (h, c), batched = self._batched(input, states, "LSTMCell", ("hx[0]", "hx[1]"))
        h, c = R.cell("LSTM", input, (h, c), self._weights())
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))
