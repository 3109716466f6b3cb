"""`causal_upper_left` and `causal_lower_right`: causal masks that `F.scaled_dot_product_attention` takes as
`attn_mask` without a materialised (L, S) tensor when it can (upper left, or a square one: its `is_causal`
path). Unlike PyTorch's `CausalBias`, ember's is not a Tensor subclass: it is meant for attention only."""

from __future__ import annotations

import enum
import warnings

import ember
from ember._tensor import Tensor


class CausalVariant(enum.IntEnum):
    """Where the causal diagonal starts: the upper left corner, or the lower right one (the last query sees
    every key; for decoding with a cache)."""

    UPPER_LEFT = 1
    LOWER_RIGHT = 2


class CausalBias:
    """A (seq_len_q, seq_len_kv) causal mask of one `CausalVariant`, True where a query may attend."""

    def __init__(self, variant: CausalVariant, seq_len_q: int, seq_len_kv: int) -> None:
        if not isinstance(variant, CausalVariant):
            raise AssertionError(f"variant must be a CausalVariant, got {type(variant).__name__}")
        self.variant = variant
        self.seq_len_q = seq_len_q
        self.seq_len_kv = seq_len_kv
        if seq_len_q > seq_len_kv and variant == CausalVariant.LOWER_RIGHT:
            warnings.warn("Lower right causal bias will produce NaNs in the output when seq_len_q > seq_len_kv!",
                          stacklevel=2)

    def _materialize(self, device=None) -> Tensor:
        """The bool mask: lower triangle from the upper left corner, or shifted to end at the lower right."""
        offset = 0 if self.variant == CausalVariant.UPPER_LEFT else self.seq_len_kv - self.seq_len_q
        allowed = ember.ones(self.seq_len_q, self.seq_len_kv, dtype=ember.bool, device=device or "cpu")
        return allowed.tril(offset)

    def _for_attention(self, is_causal: bool, device) -> tuple[Tensor | None, bool]:
        """(attn_mask, is_causal) for scaled_dot_product_attention's own masking."""
        if is_causal:
            raise ValueError("CausalBias should not be used with causal=True")
        if self.seq_len_q == self.seq_len_kv or self.variant == CausalVariant.UPPER_LEFT:
            return None, True
        return self._materialize(device), False

    def __repr__(self) -> str:
        return repr(self._materialize())


def causal_upper_left(*size: int) -> CausalBias:
    """The causal mask of `size` (seq_len_q, seq_len_kv) aligned to the upper left corner."""
    if len(size) != 2:
        raise AssertionError("causal_upper_left only supports 2D tensors")
    return CausalBias(CausalVariant.UPPER_LEFT, *size)


def causal_lower_right(*size: int) -> CausalBias:
    """The causal mask of `size` (seq_len_q, seq_len_kv) aligned to the lower right corner."""
    if len(size) != 2:
        raise AssertionError("causal_lower_right only supports 2D tensors")
    return CausalBias(CausalVariant.LOWER_RIGHT, *size)


__all__ = ["CausalBias", "CausalVariant", "causal_lower_right", "causal_upper_left"]
