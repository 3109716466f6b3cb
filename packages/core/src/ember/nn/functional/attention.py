"""Attention as compositions of ember ops: `scaled_dot_product_attention` (PyTorch's reference math, with
its safe softmax: a row whose keys are all masked out attends to nothing and gives zeros) and
`multi_head_attention_forward`, the function behind `nn.MultiheadAttention`, ported from PyTorch's with its
checks, masks (bool: True = masked out for key_padding_mask, True = allowed for SDPA's attn_mask; float:
added), bias_k/bias_v, add_zero_attn and static keys/values."""

from __future__ import annotations

import math
import warnings

import ember
from ember import _dtype
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.backends import cuda
from ember.nn.attention.bias import CausalBias
from ember.nn.functional.activation import softmax
from ember.nn.functional.dropouts import dropout
from ember.nn.functional.linear import linear
from ember.nn.functional.padding import pad


def _safe_softmax(scores: Tensor) -> Tensor:
    """softmax over the last dimension, 0 (not NaN) on rows that are all -inf, as PyTorch's SDPA."""
    empty_rows = (scores == float("-inf")).all(-1, keepdim=True)
    return softmax(scores, -1).masked_fill(empty_rows, 0.0)


def _backend_viable(device_type: str) -> bool:
    """Whether `ember.nn.attention.sdpa_kernel` left a backend PyTorch could run on this device (every one
    computes the math path here): math or flash on the cpu, any on other devices."""
    names = ("math", "flash") if device_type == "cpu" else tuple(cuda._sdp_enabled)
    return any(cuda._sdp_enabled[name] for name in names)


def _check_sdpa(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None) -> None:
    if not query.dtype == key.dtype == value.dtype:
        names = [_dtype.C_NAMES[t.dtype.name] for t in (query, key, value)]
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{names[0]} key.dtype: {names[1]} and value.dtype: {names[2]} instead.")
    if not _backend_viable(query.device.type):
        raise RuntimeError("No viable backend for scaled_dot_product_attention was found. This is likely due to "
                           "turning off both the math kernel and the fused kernels.")
    if attn_mask is not None and attn_mask.dtype != ember.bool and attn_mask.dtype != query.dtype:
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_dtype.C_NAMES[attn_mask.dtype.name]} and  query.dtype: "
                           f"{_dtype.C_NAMES[query.dtype.name]} instead.")


@profiled("aten::scaled_dot_product_attention")
def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | CausalBias | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, *, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(q kᵀ · scale + mask) v over (..., L, E) queries and (..., S, E) keys, (..., S, Ev) values.

    A bool `attn_mask` says which positions may be attended (True), a float one is added to the scores;
    `is_causal` (without `attn_mask`) masks out the keys after each query, as does a `CausalBias` mask
    (`ember.nn.attention.bias`); `enable_gqa` repeats the key and value heads
    (dim -3) to the query's head count."""
    if isinstance(attn_mask, CausalBias):
        attn_mask, is_causal = attn_mask._for_attention(is_causal, query.device)
    _check_sdpa(query, key, value, attn_mask)
    if is_causal and attn_mask is not None:  # PyTorch's documented rule (its math path's error)
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                           "is_causal=True")
    length, source = query.size(-2), key.size(-2)
    scale_factor = 1 / math.sqrt(query.size(-1)) if scale is None else scale
    if enable_gqa:
        key = key.repeat_interleave(query.size(-3) // key.size(-3), -3)
        value = value.repeat_interleave(query.size(-3) // value.size(-3), -3)
    scores = query.matmul(key.transpose(-2, -1)) * scale_factor
    if is_causal:
        allowed = ember.ones(length, source, dtype=ember.bool, device=query.device).tril()
        scores = scores.masked_fill(allowed.logical_not(), float("-inf"))
    elif attn_mask is not None:
        if attn_mask.dtype == ember.bool:
            scores = scores.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            scores = scores + attn_mask
    weights = softmax(scores, -1) if attn_mask is None and not is_causal else _safe_softmax(scores)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights.matmul(value)


def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                     attn_mask: Tensor | None, num_heads: int) -> bool:
    """PyTorch's checks of the inputs' dimensions; whether the query is batched."""
    if query.dim() not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D "
                             "query tensor")
    batched = query.dim() == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.dim() != query.dim() or value.dim() != query.dim():
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {query.dim()}-D but found "
                             f"{key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != query.dim() - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
                             f"{query.dim() - 1}-D but found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                 f"{attn_mask.dim()}-D tensor instead")
        if not batched and attn_mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
    return batched


def canonical_mask(mask: Tensor | None, mask_name: str, other_type, other_name: str, target_type,
                   check_other: bool = True) -> Tensor | None:
    """A bool mask as a float one (-inf where True), as PyTorch's `_canonical_mask`; float masks pass."""
    if mask is None:
        return None
    if mask.dtype != ember.bool and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for "
                      "both instead.", stacklevel=3)
    if mask.dtype == ember.bool:
        return ember.zeros(mask.shape, dtype=target_type, device=mask.device).masked_fill_(mask, float("-inf"))
    return mask


def multi_head_attention_forward(
    query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
    in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None, bias_v: Tensor | None,
    add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor, out_proj_bias: Tensor | None,
    training: bool = True, key_padding_mask: Tensor | None = None, need_weights: bool = True,
    attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False, q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None, v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
    static_v: Tensor | None = None, average_attn_weights: bool = True, is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention of (L, N, E) queries over (S, N, E_k) keys and (S, N, E_v) values (or unbatched
    (L, E)...): the (L, N, E) output and, with `need_weights`, the attention weights (N, L, S) averaged over
    heads or (N, heads, L, S)."""
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = canonical_mask(key_padding_mask, "key_padding_mask",
                                      None if attn_mask is None else attn_mask.dtype, "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # scaled_dot_product_attention applies the causal mask itself
    else:
        attn_mask = canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            missing = next(n for n, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight))
                           if w is None)
            raise AssertionError(f"use_separate_proj_weight is True but {missing}_proj_weight is None")
        weights: tuple = (q_proj_weight, k_proj_weight, v_proj_weight)
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        weights = tuple(in_proj_weight.chunk(3))
    if not use_separate_proj_weight and query is key and key is value:  # self-attention: one projection
        q, k, v = linear(query, in_proj_weight, in_proj_bias).chunk(3, -1)
    else:
        biases = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = (linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))

    if attn_mask is not None:
        expected = (tgt_len, src_len) if attn_mask.dim() == 2 else (bsz * num_heads, tgt_len, src_len)
        if tuple(attn_mask.shape) != expected:
            raise RuntimeError(f"The shape of the {attn_mask.dim()}D attn_mask is {attn_mask.shape}, but should "
                               f"be {expected}.")
        if attn_mask.dim() == 2:
            attn_mask = attn_mask.unsqueeze(0)
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError(f"bias cannot be added to static {'key' if static_k is not None else 'value'}.")
        k = ember.cat([k, bias_k.repeat(1, bsz, 1)])
        v = ember.cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k is set but bias_v is None" if bias_k is not None
                             else "bias_v is set but bias_k is None")

    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _heads(k, static_k, "k", bsz * num_heads, head_dim)
    v = _heads(v, static_v, "v", bsz * num_heads, head_dim)
    if add_zero_attn:
        zeros = ember.zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype, device=k.device)
        k, v = ember.cat([k, zeros], 1), ember.cat([v, zeros], 1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.size(1)
    if key_padding_mask is not None:
        for dim, size in ((0, bsz), (1, src_len)):
            if key_padding_mask.shape[dim] != size:
                raise AssertionError(f"Expected key_padded_mask.shape[{dim}] to be {size}, but got "
                                     f"{key_padding_mask.shape[dim]}")
        key_padding_mask = (key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
                            .reshape(bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0

    if need_weights:
        scores = (q * math.sqrt(1.0 / float(head_dim))).matmul(k.transpose(-2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        attn_weights = softmax(scores, -1)
        if dropout_p > 0.0:
            attn_weights = dropout(attn_weights, dropout_p)
        output = attn_weights.matmul(v)
        attn_weights = attn_weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            attn_weights = attn_weights.mean(1)
    else:
        if attn_mask is not None:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len) if attn_mask.size(0) != 1 else \
                attn_mask.unsqueeze(0)
        output = scaled_dot_product_attention(q.view(bsz, num_heads, tgt_len, head_dim),
                                              k.view(bsz, num_heads, src_len, head_dim),
                                              v.view(bsz, num_heads, src_len, head_dim), attn_mask, dropout_p,
                                              is_causal)
        output = output.view(bsz * num_heads, tgt_len, head_dim)
        attn_weights = None
    output = output.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    output = linear(output, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
    if not batched:
        output = output.squeeze(1)
        if attn_weights is not None:
            attn_weights = attn_weights.squeeze(0)
    return output, attn_weights


def _heads(x: Tensor, static: Tensor | None, name: str, batch_heads: int, head_dim: int) -> Tensor:
    """(S, N, E) keys or values as (N*heads, S, head_dim), or the given static ones (checked)."""
    if static is None:
        return x.reshape(x.shape[0], batch_heads, head_dim).transpose(0, 1)
    for dim, size in ((0, batch_heads), (2, head_dim)):
        if static.size(dim) != size:
            raise AssertionError(f"expecting static_{name}.size({dim}) of {size}, but got {static.size(dim)}")
    return static
