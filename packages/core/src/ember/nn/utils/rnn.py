"""Variable-length sequences, as ``torch.nn.utils.rnn``: padding a list of sequences into one tensor, and the
`PackedSequence` that the recurrent layers run without computing past each sequence's end.

A PackedSequence holds the time steps one after the other, each with the sequences still running at that
step (sorted longest first): ``data`` (sum(lengths), *), ``batch_sizes`` (int64 on the CPU, one per step),
and the permutation that sorted the batch (``sorted_indices``) with its inverse. Packing records PyTorch's
PackPaddedSequenceBackward0; its gradient, and unpacking, are one index_add / index_select of the rows."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import ember
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach

__all__ = ["PackedSequence", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence", "pad_sequence",
           "unpack_sequence", "unpad_sequence"]


class PackedSequence(namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Packed time steps of a batch of sequences (see the module's docstring); made by `pack_padded_sequence`
    or `pack_sequence`, not by hand. Moving or casting one moves its data and permutations, never its
    batch sizes (they stay on the CPU)."""

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None, sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _inverse_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence(*packed): data given as a (data, batch_sizes) pair
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The data moved or cast as ``Tensor.to``; the permutations follow the data's device."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        device = data.device
        return type(self)(data, self.batch_sizes, *(None if p is None else p.to(device)
                                                    for p in (self.sorted_indices, self.unsorted_indices)))

    def cuda(self, device: Any = None, non_blocking: bool = False) -> PackedSequence:
        return self.to("cuda" if device is None else device, non_blocking=non_blocking)

    def cpu(self) -> PackedSequence:
        return self.to("cpu")

    def double(self) -> PackedSequence:
        return self.to(dtype=ember.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=ember.float32)

    def half(self) -> PackedSequence:
        return self.to(dtype=ember.float16)

    def long(self) -> PackedSequence:
        return self.to(dtype=ember.int64)

    def int(self) -> PackedSequence:
        return self.to(dtype=ember.int32)

    def short(self) -> PackedSequence:
        return self.to(dtype=ember.int16)

    def char(self) -> PackedSequence:
        return self.to(dtype=ember.int8)

    def byte(self) -> PackedSequence:
        return self.to(dtype=ember.uint8)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda


def _inverse_permutation(permutation: Tensor) -> Tensor:
    inverse = ember.empty_like(permutation)
    inverse.scatter_(0, permutation, ember.arange(permutation.numel(), device=permutation.device))
    return inverse


def _packed_rows(batch_sizes: list[int], batch: int) -> Tensor:
    """The rows of a (T * batch, *) time-major padded tensor that packing keeps, in packed order."""
    return ember.tensor([t * batch + b for t, size in enumerate(batch_sizes) for b in range(size)],
                        dtype=ember.int64, device="cpu")


class PackPaddedSequenceBackward0(Node):
    """The gradient of packing: the packed rows' gradients put back in their padded places (zeros in the
    padding), as an index_add that is itself differentiable."""

    rows: Tensor
    padded_shape: tuple
    batch_first: bool

    def backward(self, grad: Tensor) -> Tensor:
        time, batch = self.padded_shape[:2] if not self.batch_first else self.padded_shape[1::-1]
        flat = ember.zeros((time * batch, *grad.shape[1:]), dtype=grad.dtype, device=grad.device)
        padded = flat.index_add(0, self.rows.to(grad.device), grad).view(time, batch, *grad.shape[1:])
        return padded.transpose(0, 1) if self.batch_first else padded


def _lengths(lengths: Any) -> list[int]:
    if isinstance(lengths, Tensor):
        return [int(n) for n in lengths.cpu().tolist()]
    return [int(n) for n in lengths]


@profiled("aten::_pack_padded_sequence")
def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded (T, B, *) batch (or (B, T, *) with `batch_first`) of sequences of `lengths` (a list, or
    a CPU tensor). With `enforce_sorted` the lengths must decrease; else the batch is sorted first and the
    permutation kept in the result."""
    sizes = _lengths(lengths)
    sorted_indices = None
    if enforce_sorted:
        if any(a < b for a, b in zip(sizes, sizes[1:])):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement if you do not need ONNX exportability.")
    else:
        order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
        sorted_indices = ember.tensor(order, dtype=ember.int64, device=input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
        sizes = [sizes[i] for i in order]
    time, batch = (input.shape[1], input.shape[0]) if batch_first else tuple(input.shape[:2])
    if len(sizes) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(sizes)} "
                           f"(batch_size={batch})")
    if sizes and sizes[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that "
                           "is <= 0")
    if sizes and sizes[0] > time:
        raise RuntimeError(f"pack_padded_sequence: a length of {sizes[0]} is beyond the input's {time} time steps")
    batch_sizes = [sum(1 for n in sizes if n > t) for t in range(sizes[0] if sizes else 0)]
    rows = _packed_rows(batch_sizes, batch)
    with grad_mode.no_grad():
        time_major = input.transpose(0, 1) if batch_first else input
        data = time_major.reshape(time * batch, *input.shape[2:]).index_select(0, rows.to(input.device))
    data = attach(data, PackPaddedSequenceBackward0, (input,), rows=rows, padded_shape=tuple(input.shape),
                  batch_first=batch_first)
    return PackedSequence(data, ember.tensor(batch_sizes, dtype=ember.int64, device="cpu"), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of packing: (padded (T, B, *) or (B, T, *) tensor in the original batch order, the
    lengths as an int64 CPU tensor). `total_length` pads to that many steps."""
    data, batch_sizes = sequence.data, [int(n) for n in sequence.batch_sizes.tolist()]
    time, batch = len(batch_sizes), (batch_sizes[0] if batch_sizes else 0)
    if total_length is not None:
        if total_length < time:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, but "
                             f"got total_length={total_length} and max sequence length being {time}")
        time = total_length
    padded = ember.full((time, batch, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    first = 0
    for t, size in enumerate(batch_sizes):  # one copy per step, as PyTorch's (its graph: CopySlices)
        padded[t, :size] = data[first:first + size]
        first += size
    lengths = ember.tensor([sum(1 for size in batch_sizes if size > b) for b in range(batch)], dtype=ember.int64,
                           device="cpu")
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu()]
    return padded, lengths


def pad_sequence(sequences: Any, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of different lengths (each (L_i, *), the same trailing shape) into one (T, B, *)
    tensor (or (B, T, *)), padded with `padding_value` on `padding_side` ("right" or "left")."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    first = sequences[0]
    batch = len(sequences)
    shape = (batch, longest) if batch_first else (longest, batch)
    out = ember.full((*shape, *first.shape[1:]), padding_value, dtype=first.dtype, device=first.device)
    for i, s in enumerate(sequences):
        n = s.shape[0]
        steps = slice(0, n) if padding_side == "right" else slice(longest - n, longest)
        if batch_first:
            out[i, steps] = s
        else:
            out[steps, i] = s
    return out


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> list[Tensor]:
    """The sequences of a padded batch, each cut to its length."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[ember.arange(n, device=seq.device)] for seq, n in zip(padded_sequences, _lengths(lengths))]


def pack_sequence(sequences: list[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (each (L_i, *)): `pad_sequence` then `pack_padded_sequence`."""
    lengths = ember.tensor([s.shape[0] for s in sequences], dtype=ember.int64, device="cpu")
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences a PackedSequence holds, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
