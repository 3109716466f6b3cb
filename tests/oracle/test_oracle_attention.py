"""F.scaled_dot_product_attention, nn.MultiheadAttention, nn.TransformerEncoderLayer and
nn.TransformerEncoder against PyTorch with copied parameters: outputs, attention weights and the gradients
of the inputs and every parameter, over masks (bool/float, key padding, 2-D/3-D, causal), layouts and
options; eval mode for the dropout-bearing layers; reprs, parameter names, init and errors."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")


def _copy_parameters(ember, torch_module, ember_module):
    torch_parameters = dict(torch_module.named_parameters())
    ember_parameters = dict(ember_module.named_parameters())
    assert list(ember_parameters) == list(torch_parameters)
    with ember.no_grad():
        for name, p_t in torch_parameters.items():
            assert tuple(ember_parameters[name].shape) == tuple(p_t.shape), name
            ember_parameters[name].copy_(ember.tensor(p_t.detach().cpu().numpy()))


def _compare(oracle, out_e, out_t, leaves_e, leaves_t, modules=None, dtype="float64", seed=3):
    """Compare the results (a tensor or a tuple with Nones), backward a random gradient of each and
    compare the leaves' and parameters' gradients."""
    out_e = out_e if isinstance(out_e, tuple) else (out_e,)
    out_t = out_t if isinstance(out_t, tuple) else (out_t,)
    rng = oracle.rng(seed)
    loss_e = loss_t = 0
    for i, (r_e, r_t) in enumerate(zip(out_e, out_t)):
        if r_t is None:
            assert r_e is None
            continue
        oracle.assert_same(r_e, r_t, f"result {i}")
        upstream = oracle.array(rng, tuple(r_t.shape), dtype, "any")
        loss_e = loss_e + (r_e * oracle.ember.tensor(upstream)).sum()
        loss_t = loss_t + (r_t * torch.tensor(upstream)).sum()
    loss_e.backward()
    loss_t.backward()
    for i, (x_e, x_t) in enumerate(zip(leaves_e, leaves_t)):
        oracle.assert_same(x_e.grad, x_t.grad, f"input {i} grad")
    if modules is not None:
        parameters_t = dict(modules[1].named_parameters())
        for name, p_e in modules[0].named_parameters():
            oracle.assert_same(p_e.grad, parameters_t[name].grad, f"{name}.grad")


def _mask(oracle, rng, shape, kind, dtype, masked_is_true):
    """A bool mask (some positions masked, never a whole row) or a float one, for both libraries."""
    if kind == "float":
        array = oracle.array(rng, shape, dtype, "any")
        return oracle.ember.tensor(array), torch.tensor(array)
    masked = rng.random(shape) < 0.3
    masked[..., 0] = False
    array = masked if masked_is_true else ~masked
    return oracle.ember.tensor(array), torch.tensor(array)


# --- scaled_dot_product_attention ---------------------------------------------------------------------

SDPA_CASES = [
    {}, {"mask": "bool"}, {"mask": "float"}, {"is_causal": True}, {"scale": 0.3},
    {"mask": "bool", "mask_shape": "broadcast"}, {"gqa": True},
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", SDPA_CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()) or "plain")
def test_sdpa_matches_torch(oracle, case, dtype):
    ember, rng = oracle.ember, oracle.rng(1)
    key_heads = 2 if case.get("gqa") else 4
    arrays = [oracle.array(rng, (2, 4, 5, 8), dtype, "any"), oracle.array(rng, (2, key_heads, 6, 8), dtype, "any"),
              oracle.array(rng, (2, key_heads, 6, 3), dtype, "any")]
    pairs = [oracle.pair(a) for a in arrays]
    kwargs_e = {"is_causal": case.get("is_causal", False), "enable_gqa": case.get("gqa", False)}
    if "scale" in case:
        kwargs_e["scale"] = case["scale"]
    kwargs_t = dict(kwargs_e)
    if "mask" in case:
        shape = (2, 1, 5, 6) if case.get("mask_shape") == "broadcast" else (5, 6)
        kwargs_e["attn_mask"], kwargs_t["attn_mask"] = _mask(oracle, rng, shape, case["mask"], dtype, False)
    out_e = ember.nn.functional.scaled_dot_product_attention(*[p[0] for p in pairs], **kwargs_e)
    out_t = torch.nn.functional.scaled_dot_product_attention(*[p[1] for p in pairs], **kwargs_t)
    _compare(oracle, out_e, out_t, [p[0] for p in pairs], [p[1] for p in pairs], dtype=dtype)


def test_sdpa_gives_zeros_for_fully_masked_rows_as_torch(oracle):
    ember, rng = oracle.ember, oracle.rng(2)
    arrays = [oracle.array(rng, (2, 3, 4), "float64", "any") for _ in range(3)]
    allowed = np.ones((3, 3), dtype=bool)
    allowed[1] = False
    pairs = [oracle.pair(a) for a in arrays]
    out_e = ember.nn.functional.scaled_dot_product_attention(*[p[0] for p in pairs], attn_mask=ember.tensor(allowed))
    out_t = torch.nn.functional.scaled_dot_product_attention(*[p[1] for p in pairs], attn_mask=torch.tensor(allowed))
    assert not out_e.detach().cpu().numpy()[:, 1].any()
    _compare(oracle, out_e, out_t, [p[0] for p in pairs], [p[1] for p in pairs])


def _raise_both(oracle, build):
    with pytest.raises(Exception) as expected:
        build(torch)
    with pytest.raises(type(expected.value)) as got:
        build(oracle.ember)
    assert str(got.value) == str(expected.value).replace("torch.", "ember.")


# --- MultiheadAttention ------------------------------------------------------------------------------

MHA_OPTIONS = [
    dict(zip(("batch_first", "bias", "extra_kv", "need_weights", "average"), values))
    for values in itertools.product([False, True], [True, False], ["none", "bias_kv", "zero_attn", "kdim"],
                                    [True, False], [True, False])
    if values[3] or values[4]  # `average` only matters with weights
]
MASKS = ["none", "padding-bool", "padding-float", "attn-bool", "attn-float", "attn3d-bool", "both-bool",
         "both-float", "causal"]


def _mha_pair(oracle, dtype, batch_first, bias, extra_kv, dropout=0.0):
    kwargs = {"batch_first": batch_first, "bias": bias, "dropout": dropout,
              "add_bias_kv": extra_kv == "bias_kv", "add_zero_attn": extra_kv == "zero_attn"}
    if extra_kv == "kdim":
        kwargs.update(kdim=5, vdim=3)
    torch_module = torch.nn.MultiheadAttention(8, 2, dtype=getattr(torch, dtype), **kwargs)
    ember_module = oracle.ember.nn.MultiheadAttention(8, 2, dtype=getattr(oracle.ember, dtype), **kwargs)
    with torch.no_grad():  # nonzero biases, so that their gradients and effects show
        for p in torch_module.parameters():
            p.uniform_(-0.5, 0.5)
    _copy_parameters(oracle.ember, torch_module, ember_module)
    return ember_module, torch_module


@pytest.mark.parametrize("options", MHA_OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("mask", MASKS)
def test_multihead_attention_matches_torch(oracle, options, mask):
    dtype = "float64"
    ember_module, torch_module = _mha_pair(oracle, dtype, options["batch_first"], options["bias"],
                                           options["extra_kv"])
    rng = oracle.rng(4)
    length, source, batch = 4, 5, 3
    kdim, vdim = (5, 3) if options["extra_kv"] == "kdim" else (8, 8)

    def layout(n, e):
        return (batch, n, e) if options["batch_first"] else (n, batch, e)

    pairs = [oracle.pair(oracle.array(rng, layout(length, 8), dtype, "any")),
             oracle.pair(oracle.array(rng, layout(source, kdim), dtype, "any")),
             oracle.pair(oracle.array(rng, layout(source, vdim), dtype, "any"))]
    kwargs_e = {"need_weights": options["need_weights"], "average_attn_weights": options["average"]}
    kwargs_t = dict(kwargs_e)
    kind = mask.split("-")[-1]
    if mask.startswith(("padding", "both")):
        kwargs_e["key_padding_mask"], kwargs_t["key_padding_mask"] = _mask(oracle, rng, (batch, source), kind,
                                                                          dtype, True)
    if mask.startswith(("attn", "both")):
        shape = (batch * 2, length, source) if mask.startswith("attn3d") else (length, source)
        kwargs_e["attn_mask"], kwargs_t["attn_mask"] = _mask(oracle, rng, shape, kind, dtype, True)
    if mask == "causal":
        causal = np.triu(np.full((length, source), -np.inf), 1)
        kwargs_e.update(attn_mask=oracle.ember.tensor(causal), is_causal=True)
        kwargs_t.update(attn_mask=torch.tensor(causal), is_causal=True)
    out_e = ember_module(*[p[0] for p in pairs], **kwargs_e)
    out_t = torch_module(*[p[1] for p in pairs], **kwargs_t)
    _compare(oracle, out_e, out_t, [p[0] for p in pairs], [p[1] for p in pairs], (ember_module, torch_module))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights", [False, True])
@pytest.mark.parametrize("batched", [True, False])
def test_multihead_self_attention_matches_torch(oracle, dtype, batch_first, need_weights, batched):
    """Self-attention (query is key is value: one packed projection), float32 and float64, unbatched."""
    ember_module, torch_module = _mha_pair(oracle, dtype, batch_first, True, "none")
    shape = (3, 4, 8) if batched else (4, 8)
    x_e, x_t = oracle.pair(oracle.array(oracle.rng(5), shape, dtype, "any"))
    out_e = ember_module(x_e, x_e, x_e, need_weights=need_weights)
    out_t = torch_module(x_t, x_t, x_t, need_weights=need_weights)
    _compare(oracle, out_e, out_t, [x_e], [x_t], (ember_module, torch_module), dtype)


def test_multihead_attention_dropout_is_identity_in_eval(oracle):
    ember_module, torch_module = _mha_pair(oracle, "float64", False, True, "none", dropout=0.5)
    ember_module.eval()
    torch_module.eval()
    x_e, x_t = oracle.pair(oracle.array(oracle.rng(6), (4, 2, 8), "float64", "any"))
    _compare(oracle, ember_module(x_e, x_e, x_e), torch_module(x_t, x_t, x_t), [x_e], [x_t],
             (ember_module, torch_module))
    ember_module.train()
    trained = ember_module(x_e, x_e, x_e)[1].detach().cpu().numpy()
    assert (trained == 0).any()  # dropped attention weights in training


@pytest.mark.parametrize("kwargs", [{}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True, "bias": False}])
def test_multihead_attention_parameters_repr_and_init_look_like_torch(oracle, kwargs):
    ember_module = oracle.ember.nn.MultiheadAttention(8, 2, **kwargs)
    torch_module = torch.nn.MultiheadAttention(8, 2, **kwargs)
    assert repr(ember_module) == repr(torch_module)
    assert [(n, tuple(p.shape)) for n, p in ember_module.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in torch_module.named_parameters()]
    if kwargs.get("bias", True):
        assert not ember_module.in_proj_bias.detach().cpu().numpy().any()
        assert not ember_module.out_proj.bias.detach().cpu().numpy().any()
    weight = ember_module.in_proj_weight if "kdim" not in kwargs else ember_module.k_proj_weight
    weight = weight.detach().cpu().numpy()
    bound = np.sqrt(6 / sum(weight.shape))  # xavier_uniform_
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.8 * bound


@pytest.mark.parametrize("build", [
    lambda lib: lib.nn.MultiheadAttention(0, 2),
    lambda lib: lib.nn.MultiheadAttention(8, 3),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.zeros(4, 3, 8), lib.zeros(5, 3, 8), lib.zeros(5, 8)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.zeros(4, 3, 8), lib.zeros(5, 3, 8), lib.zeros(5, 3, 8),
                                                key_padding_mask=lib.zeros(3, 4, dtype=lib.bool)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.zeros(4, 3, 8), lib.zeros(5, 3, 8), lib.zeros(5, 3, 8),
                                                attn_mask=lib.zeros(4, 4, dtype=lib.bool)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.zeros(4, 3, 8), lib.zeros(5, 3, 8), lib.zeros(5, 3, 8),
                                                attn_mask=lib.zeros(4, 4, 5, dtype=lib.bool)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.zeros(4, 3, 8), lib.zeros(5, 3, 8), lib.zeros(5, 3, 8),
                                                attn_mask=lib.zeros(4, 5, dtype=lib.int64)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.zeros(4, 3, 8), lib.zeros(5, 3, 8), lib.zeros(5, 3, 8),
                                                is_causal=True),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.zeros(4, 3, 6), lib.zeros(5, 3, 6), lib.zeros(5, 3, 6)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.zeros(4, 3, 8), lib.zeros(5, 3, 8), lib.zeros(4, 3, 8)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.zeros(3, 4, 3, 8), lib.zeros(5, 3, 8), lib.zeros(5, 3, 8)),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(lib.zeros(2, 3, 4), lib.zeros(2, 3, 4),
                                                               lib.zeros(2, 3, 4, dtype=lib.float64)),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(lib.zeros(2, 3, 4), lib.zeros(2, 3, 4),
                                                               lib.zeros(2, 3, 4),
                                                               attn_mask=lib.zeros(3, 3, dtype=lib.int64)),
    lambda lib: lib.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(lib.zeros(2, 3, 4, requires_grad=True),
                                                               lib.zeros(2, 3, 4), lib.zeros(2, 3, 4),
                                                               attn_mask=lib.zeros(3, 3), is_causal=True),
])
def test_errors_match_torch(oracle, build):
    _raise_both(oracle, build)


def test_mismatched_mask_types_warn_as_torch(oracle):
    messages = []
    for lib in (oracle.ember, torch):
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            lib.nn.MultiheadAttention(8, 2)(lib.zeros(4, 3, 8), lib.zeros(5, 3, 8), lib.zeros(5, 3, 8),
                                            key_padding_mask=lib.zeros(3, 5, dtype=lib.bool),
                                            attn_mask=lib.zeros(4, 5))
        messages.append([str(r.message) for r in records])
    assert messages[0] == messages[1] and messages[0]


# --- TransformerEncoderLayer / TransformerEncoder ---------------------------------------------------------

LAYER_OPTIONS = [
    dict(zip(("activation", "norm_first", "batch_first", "bias"), values))
    for values in itertools.product(["relu", "gelu", "callable"], [False, True], [False, True], [True, False])
]


def _activation(lib, name):
    return {"relu": "relu", "gelu": "gelu", "callable": lib.nn.functional.silu}[name]


def _layer_pair(oracle, dtype, options, **extra):
    kwargs = {"dim_feedforward": 16, "norm_first": options["norm_first"], "batch_first": options["batch_first"],
              "bias": options["bias"], "layer_norm_eps": 1e-4, **extra}
    torch_layer = torch.nn.TransformerEncoderLayer(8, 2, activation=_activation(torch, options["activation"]),
                                                   dtype=getattr(torch, dtype), **kwargs)
    ember_layer = oracle.ember.nn.TransformerEncoderLayer(8, 2, activation=_activation(oracle.ember,
                                                                                       options["activation"]),
                                                          dtype=getattr(oracle.ember, dtype), **kwargs)
    with torch.no_grad():
        for p in torch_layer.parameters():
            p.uniform_(-0.5, 0.5)
    _copy_parameters(oracle.ember, torch_layer, ember_layer)
    return ember_layer, torch_layer


@pytest.mark.parametrize("options", LAYER_OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("mask", ["none", "padding-bool", "attn-float", "causal"])
def test_transformer_encoder_layer_matches_torch(oracle, options, mask):
    dtype = "float64"
    ember_layer, torch_layer = _layer_pair(oracle, dtype, options, dropout=0.0)
    rng = oracle.rng(8)
    shape = (3, 5, 8) if options["batch_first"] else (5, 3, 8)
    x_e, x_t = oracle.pair(oracle.array(rng, shape, dtype, "any"))
    kwargs_e, kwargs_t = {}, {}
    if mask == "padding-bool":
        kwargs_e["src_key_padding_mask"], kwargs_t["src_key_padding_mask"] = _mask(oracle, rng, (3, 5), "bool",
                                                                                  dtype, True)
    if mask == "attn-float":
        kwargs_e["src_mask"], kwargs_t["src_mask"] = _mask(oracle, rng, (5, 5), "float", dtype, True)
    if mask == "causal":
        causal = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
        kwargs_e.update(src_mask=oracle.ember.tensor(causal.cpu().numpy()), is_causal=True)
        kwargs_t.update(src_mask=causal, is_causal=True)
    _compare(oracle, ember_layer(x_e, **kwargs_e), torch_layer(x_t, **kwargs_t), [x_e], [x_t],
             (ember_layer, torch_layer))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batched", [True, False])
def test_transformer_encoder_layer_in_eval_matches_torch(oracle, dtype, batched):
    """Default dropout (0.1), eval mode: the identity, so the outputs agree."""
    options = {"activation": "relu", "norm_first": False, "batch_first": True, "bias": True}
    ember_layer, torch_layer = _layer_pair(oracle, dtype, options)
    ember_layer.eval()
    torch_layer.eval()
    x_e, x_t = oracle.pair(oracle.array(oracle.rng(9), (3, 5, 8) if batched else (5, 8), dtype, "any"))
    _compare(oracle, ember_layer(x_e), torch_layer(x_t), [x_e], [x_t], (ember_layer, torch_layer), dtype)


@pytest.mark.parametrize("norm", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding", [False, True])
def test_transformer_encoder_matches_torch(oracle, norm, batch_first, padding):
    dtype = "float64"
    options = {"activation": "gelu", "norm_first": False, "batch_first": batch_first, "bias": True}
    ember_layer, torch_layer = _layer_pair(oracle, dtype, options, dropout=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the nested-tensor note when not batch_first (checked below)
        torch_encoder = torch.nn.TransformerEncoder(torch_layer, 2, norm=torch.nn.LayerNorm(8, dtype=torch.float64)
                                                    if norm else None)
        ember_encoder = oracle.ember.nn.TransformerEncoder(
            ember_layer, 2, norm=oracle.ember.nn.LayerNorm(8, dtype=oracle.ember.float64) if norm else None)
    _copy_parameters(oracle.ember, torch_encoder, ember_encoder)
    rng = oracle.rng(10)
    x_e, x_t = oracle.pair(oracle.array(rng, (3, 5, 8) if batch_first else (5, 3, 8), dtype, "any"))
    kwargs_e, kwargs_t = {}, {}
    if padding:
        kwargs_e["src_key_padding_mask"], kwargs_t["src_key_padding_mask"] = _mask(oracle, rng, (3, 5), "bool",
                                                                                  dtype, True)
    _compare(oracle, ember_encoder(x_e, **kwargs_e), torch_encoder(x_t, **kwargs_t), [x_e], [x_t],
             (ember_encoder, torch_encoder))


@pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors is in prototype stage")
def test_transformer_encoder_zeroes_padding_in_eval_as_torch(oracle):
    """PyTorch's nested-tensor path (eval, no grad, batch_first, left-aligned padding) outputs zeros at
    padded positions."""
    options = {"activation": "relu", "norm_first": False, "batch_first": True, "bias": True}
    ember_layer, torch_layer = _layer_pair(oracle, "float32", options)
    torch_encoder, ember_encoder = torch.nn.TransformerEncoder(torch_layer, 2), \
        oracle.ember.nn.TransformerEncoder(ember_layer, 2)
    _copy_parameters(oracle.ember, torch_encoder, ember_encoder)
    torch_encoder.eval()
    ember_encoder.eval()
    padding = np.zeros((3, 5), dtype=bool)
    padding[0, 3:] = padding[2, 1:] = True
    x = oracle.array(oracle.rng(11), (3, 5, 8), "float32", "any")
    with torch.no_grad(), oracle.ember.no_grad():
        out_t = torch_encoder(torch.tensor(x), src_key_padding_mask=torch.tensor(padding))
        out_e = ember_encoder(oracle.ember.tensor(x), src_key_padding_mask=oracle.ember.tensor(padding))
    assert not out_t.cpu().numpy()[padding].any()
    oracle.assert_same(out_e, out_t, "output")


def test_transformer_encoder_warns_and_reprs_as_torch(oracle):
    results = []
    for lib in (oracle.ember, torch):
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            encoder = lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(8, 2, dim_feedforward=4), 3,
                                                norm=lib.nn.LayerNorm(8))
        results.append((repr(encoder), [str(r.message) for r in records]))
    assert results[0] == results[1]
    assert results[0][1] and "batch_first was not True" in results[0][1][0]


def test_transformer_encoder_layer_with_module_activation_reprs_as_torch(oracle):
    layers = [lib.nn.TransformerEncoderLayer(8, 2, dim_feedforward=4, activation=lib.nn.GELU())
              for lib in (oracle.ember, torch)]
    assert repr(layers[0]) == repr(layers[1])
    assert layers[0].activation_relu_or_gelu == layers[1].activation_relu_or_gelu == 2
