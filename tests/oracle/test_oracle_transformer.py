"""nn.TransformerDecoderLayer, nn.TransformerDecoder and nn.Transformer against PyTorch with copied
parameters: a seq2seq forward and the gradients of the inputs and every parameter over masks (bool, float,
None, key padding, causal hints), batch_first, norm_first, bias and activations; eval mode; init, clones,
reprs and errors; nn.attention's SDPBackend and sdpa_kernel."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torch.nn.attention.bias")  # a submodule PyTorch does not import with torch.nn.attention

D_MODEL, HEADS, FEEDFORWARD = 8, 2, 16
BATCH, SOURCE, TARGET = 3, 5, 4


def _randomise(torch_module):
    """Nonzero biases and non-unit norms, so that every parameter's effect and gradient shows."""
    with torch.no_grad():
        for p in torch_module.parameters():
            p.uniform_(-0.5, 0.5)


def _compare(oracle, module_e, module_t, out_e, out_t, leaves_e, leaves_t):
    oracle.assert_same(out_e, out_t, "output")
    upstream = oracle.array(oracle.rng(7), tuple(out_t.shape), "float64", "any")
    (out_e * oracle.ember.tensor(upstream)).sum().backward()
    (out_t * torch.tensor(upstream)).sum().backward()
    for i, (x_e, x_t) in enumerate(zip(leaves_e, leaves_t)):
        oracle.assert_same(x_e.grad, x_t.grad, f"input {i} grad")
    parameters_t = dict(module_t.named_parameters())
    for name, p_e in module_e.named_parameters():
        oracle.assert_same(p_e.grad, parameters_t[name].grad, f"{name}.grad")


def _activation(lib, name):
    return {"relu": "relu", "gelu": "gelu", "callable": lib.nn.functional.silu}[name]


def _inputs(oracle, batch_first, batched=True):
    rng = oracle.rng(1)

    def layout(length):
        if not batched:
            return (length, D_MODEL)
        return (BATCH, length, D_MODEL) if batch_first else (length, BATCH, D_MODEL)

    return (oracle.pair(oracle.array(rng, layout(SOURCE), "float64", "any")),
            oracle.pair(oracle.array(rng, layout(TARGET), "float64", "any")))


def _masks(oracle, kind, batched=True):
    """Keyword pairs (ember, torch) of the decoder's masks for one `kind` of mask."""
    rng = oracle.rng(2)
    kwargs_e, kwargs_t = {}, {}

    def put(name, array):
        kwargs_e[name], kwargs_t[name] = oracle.ember.tensor(array), torch.tensor(array)

    def padding(length):
        masked = rng.random((BATCH, length) if batched else (length,)) < 0.3
        masked[..., 0] = False
        return masked

    causal = np.triu(np.full((TARGET, TARGET), -np.inf), 1)
    if kind in ("causal-float", "causal-hint"):
        put("tgt_mask", causal)
    if kind == "causal-bool":
        put("tgt_mask", np.isinf(causal))
    if kind == "causal-hint":
        kwargs_e["tgt_is_causal"] = kwargs_t["tgt_is_causal"] = True
    if kind == "memory-bool":
        allowed = rng.random((TARGET, SOURCE)) < 0.3
        allowed[:, 0] = False
        put("memory_mask", allowed)
    if kind == "memory-float":
        put("memory_mask", rng.standard_normal((TARGET, SOURCE)))
    if kind == "memory-3d":
        put("memory_mask", rng.standard_normal((BATCH * HEADS, TARGET, SOURCE)))
    if kind == "padding":
        put("tgt_key_padding_mask", padding(TARGET))
        put("memory_key_padding_mask", padding(SOURCE))
    if kind == "all":
        put("tgt_mask", np.isinf(causal))
        put("memory_mask", rng.random((TARGET, SOURCE)) < 0.0)
        put("tgt_key_padding_mask", padding(TARGET))
        put("memory_key_padding_mask", padding(SOURCE))
    if kind == "padding-float":
        put("tgt_mask", causal)
        put("tgt_key_padding_mask", np.where(padding(TARGET), -np.inf, 0.0))
    return kwargs_e, kwargs_t


def _decoder_layer_pair(oracle, options, **extra):
    kwargs = {"dim_feedforward": FEEDFORWARD, "dropout": 0.0, "norm_first": options["norm_first"],
              "batch_first": options["batch_first"], "bias": options["bias"], "layer_norm_eps": 1e-4, **extra}
    torch_layer = torch.nn.TransformerDecoderLayer(D_MODEL, HEADS, activation=_activation(torch, options["activation"]),
                                                   dtype=torch.float64, **kwargs)
    ember_layer = oracle.ember.nn.TransformerDecoderLayer(
        D_MODEL, HEADS, activation=_activation(oracle.ember, options["activation"]), dtype=oracle.ember.float64,
        **kwargs)
    _randomise(torch_layer)
    oracle.copy_parameters(torch_layer, ember_layer)
    return ember_layer, torch_layer


LAYER_OPTIONS = [
    dict(zip(("activation", "norm_first", "batch_first", "bias"), values))
    for values in itertools.product(["relu", "gelu", "callable"], [False, True], [False, True], [True, False])
]
MASKS = ["none", "causal-float", "causal-bool", "causal-hint", "memory-bool", "memory-float", "memory-3d", "padding",
         "all", "padding-float"]


@pytest.mark.parametrize("options", LAYER_OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
def test_decoder_layer_matches_torch(oracle, options):
    ember_layer, torch_layer = _decoder_layer_pair(oracle, options)
    (memory_e, memory_t), (tgt_e, tgt_t) = _inputs(oracle, options["batch_first"])
    kwargs_e, kwargs_t = _masks(oracle, "all")
    _compare(oracle, ember_layer, torch_layer, ember_layer(tgt_e, memory_e, **kwargs_e),
             torch_layer(tgt_t, memory_t, **kwargs_t), [tgt_e, memory_e], [tgt_t, memory_t])


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("mask", MASKS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_matches_torch_over_masks(oracle, mask, batch_first):
    options = {"activation": "relu", "norm_first": False, "batch_first": batch_first, "bias": True}
    ember_layer, torch_layer = _decoder_layer_pair(oracle, options)
    torch_decoder = torch.nn.TransformerDecoder(torch_layer, 2, norm=torch.nn.LayerNorm(D_MODEL, dtype=torch.float64))
    ember_decoder = oracle.ember.nn.TransformerDecoder(ember_layer, 2,
                                                       norm=oracle.ember.nn.LayerNorm(D_MODEL,
                                                                                      dtype=oracle.ember.float64))
    _randomise(torch_decoder)
    oracle.copy_parameters(torch_decoder, ember_decoder)
    (memory_e, memory_t), (tgt_e, tgt_t) = _inputs(oracle, batch_first)
    kwargs_e, kwargs_t = _masks(oracle, mask)
    _compare(oracle, ember_decoder, torch_decoder, ember_decoder(tgt_e, memory_e, **kwargs_e),
             torch_decoder(tgt_t, memory_t, **kwargs_t), [tgt_e, memory_e], [tgt_t, memory_t])


def _transformer_pair(oracle, **kwargs):
    options = {"d_model": D_MODEL, "nhead": HEADS, "num_encoder_layers": 2, "num_decoder_layers": 2,
               "dim_feedforward": FEEDFORWARD, **kwargs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the encoder's nested-tensor note when not batch_first
        torch_model = torch.nn.Transformer(dtype=torch.float64, **options)
        ember_model = oracle.ember.nn.Transformer(dtype=oracle.ember.float64, **options)
    _randomise(torch_model)
    oracle.copy_parameters(torch_model, ember_model)
    return ember_model, torch_model


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_seq2seq_forward_backward_matches_torch(oracle, batch_first, norm_first, bias):
    ember_model, torch_model = _transformer_pair(oracle, dropout=0.0, batch_first=batch_first,
                                                 norm_first=norm_first, bias=bias, activation="gelu")
    (src_e, src_t), (tgt_e, tgt_t) = _inputs(oracle, batch_first)
    kwargs_e, kwargs_t = _masks(oracle, "padding")
    rng = oracle.rng(3)
    source_padding = rng.random((BATCH, SOURCE)) < 0.3
    source_padding[:, 0] = False
    kwargs_e["src_key_padding_mask"] = oracle.ember.tensor(source_padding)
    kwargs_t["src_key_padding_mask"] = torch.tensor(source_padding)
    kwargs_e["tgt_mask"] = oracle.ember.nn.Transformer.generate_square_subsequent_mask(TARGET,
                                                                                      dtype=oracle.ember.float64)
    kwargs_t["tgt_mask"] = torch.nn.Transformer.generate_square_subsequent_mask(TARGET, dtype=torch.float64)
    _compare(oracle, ember_model, torch_model, ember_model(src_e, tgt_e, **kwargs_e),
             torch_model(src_t, tgt_t, **kwargs_t), [src_e, tgt_e], [src_t, tgt_t])


def test_unbatched_seq2seq_matches_torch(oracle):
    ember_model, torch_model = _transformer_pair(oracle, dropout=0.0)
    (src_e, src_t), (tgt_e, tgt_t) = _inputs(oracle, False, batched=False)
    kwargs_e, kwargs_t = _masks(oracle, "padding", batched=False)
    _compare(oracle, ember_model, torch_model, ember_model(src_e, tgt_e, **kwargs_e),
             torch_model(src_t, tgt_t, **kwargs_t), [src_e, tgt_e], [src_t, tgt_t])


@pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors is in prototype stage")
@pytest.mark.parametrize("batch_first", [False, True])
def test_seq2seq_in_eval_without_grad_matches_torch(oracle, batch_first):
    """Default dropout, eval and no grad: PyTorch's fast paths (nested tensors for the padded encoder when
    batch_first) compute the same values ember's math path does."""
    ember_model, torch_model = _transformer_pair(oracle, batch_first=batch_first)
    ember_model.eval()
    torch_model.eval()
    (src_e, src_t), (tgt_e, tgt_t) = _inputs(oracle, batch_first)
    kwargs_e, kwargs_t = _masks(oracle, "padding")
    padding = np.zeros((BATCH, SOURCE), dtype=bool)
    padding[0, 3:] = padding[2, 1:] = True  # left-aligned: the nested-tensor path
    kwargs_e["src_key_padding_mask"] = oracle.ember.tensor(padding)
    kwargs_t["src_key_padding_mask"] = torch.tensor(padding)
    kwargs_e["memory_key_padding_mask"] = oracle.ember.tensor(padding)
    kwargs_t["memory_key_padding_mask"] = torch.tensor(padding)
    with torch.no_grad(), oracle.ember.no_grad():
        out_t = torch_model(src_t.detach(), tgt_t.detach(), **kwargs_t)
        out_e = ember_model(src_e.detach(), tgt_e.detach(), **kwargs_e)
    oracle.assert_same(out_e, out_t, "output")


def test_custom_encoder_and_decoder_are_used_as_given(oracle):
    results = []
    for lib in (oracle.ember, torch):
        encoder = lib.nn.Linear(D_MODEL, D_MODEL)
        decoder = lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(D_MODEL, HEADS, FEEDFORWARD), 1)
        model = lib.nn.Transformer(D_MODEL, HEADS, custom_encoder=encoder, custom_decoder=decoder)
        assert model.encoder is encoder and model.decoder is decoder
        results.append(repr(model))
    assert results[0] == results[1]


def test_transformer_reprs_and_parameter_names_match_torch(oracle):
    models = [lib.nn.Transformer(D_MODEL, HEADS, 1, 2, FEEDFORWARD, activation="gelu", batch_first=True,
                                 norm_first=True) for lib in (oracle.ember, torch)]
    assert repr(models[0]) == repr(models[1])
    assert [(n, tuple(p.shape)) for n, p in models[0].named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in models[1].named_parameters()]
    assert (models[0].d_model, models[0].nhead, models[0].batch_first) == (D_MODEL, HEADS, True)


def test_reset_parameters_is_xavier_uniform_for_matrices_only(oracle):
    model = oracle.ember.nn.Transformer(D_MODEL, HEADS, 1, 1, FEEDFORWARD)
    with oracle.ember.no_grad():
        for p in model.parameters():
            p.fill_(5.0)
    model._reset_parameters()
    for name, p in model.named_parameters():
        values = p.detach().cpu().numpy()
        if p.dim() > 1:
            bound = np.sqrt(6 / sum(values.shape))
            assert np.abs(values).max() <= bound and np.abs(values).max() > 0.7 * bound, name
        else:
            assert (values == 5).all(), name


def test_default_transformer_has_torchs_parameter_count(oracle):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        counts = [sum(p.numel() for p in lib.nn.Transformer().parameters()) for lib in (oracle.ember, torch)]
    assert counts[0] == counts[1]


def test_decoder_clones_are_deep_copies(oracle):
    layer = oracle.ember.nn.TransformerDecoderLayer(D_MODEL, HEADS, FEEDFORWARD)
    decoder = oracle.ember.nn.TransformerDecoder(layer, 3)
    weights = [m.linear1.weight for m in decoder.layers]
    assert all(w is not layer.linear1.weight for w in weights)
    assert len({id(w) for w in weights}) == 3
    np.testing.assert_array_equal(weights[0].detach().cpu().numpy(), layer.linear1.weight.detach().cpu().numpy())
    with oracle.ember.no_grad():
        weights[0].zero_()
    assert layer.linear1.weight.detach().cpu().numpy().any()
    assert len(list(decoder.parameters())) == 3 * len(list(layer.parameters()))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_generate_square_subsequent_mask_matches_torch(oracle, dtype):
    mask_e = oracle.ember.nn.Transformer.generate_square_subsequent_mask(5, dtype=getattr(oracle.ember, dtype))
    oracle.assert_same(mask_e, torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=getattr(torch, dtype)))
    assert oracle.ember.nn.Transformer.generate_square_subsequent_mask(3).dtype == oracle.ember.float32


def _model(lib, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lib.nn.Transformer(D_MODEL, HEADS, 1, 1, FEEDFORWARD, **kwargs)


@pytest.mark.parametrize("build", [
    lambda lib: _model(lib)(lib.zeros(5, 3, D_MODEL), lib.zeros(4, 2, D_MODEL)),
    lambda lib: _model(lib, batch_first=True)(lib.zeros(3, 5, D_MODEL), lib.zeros(2, 4, D_MODEL)),
    lambda lib: _model(lib)(lib.zeros(5, 3, 6), lib.zeros(4, 3, 6)),
    lambda lib: _model(lib)(lib.zeros(5, 3, D_MODEL), lib.zeros(4, 3, 6)),
    lambda lib: lib.nn.TransformerDecoderLayer(D_MODEL, HEADS, activation="tanh"),
    lambda lib: lib.nn.TransformerDecoderLayer(D_MODEL, 3),
    lambda lib: lib.nn.TransformerDecoderLayer(D_MODEL, HEADS)(lib.zeros(4, 3, D_MODEL), lib.zeros(5, 3, D_MODEL),
                                                               memory_is_causal=True),
    lambda lib: lib.nn.TransformerDecoderLayer(D_MODEL, HEADS)(lib.zeros(4, 3, D_MODEL), lib.zeros(5, 3, D_MODEL),
                                                               tgt_mask=lib.zeros(5, 5)),
    lambda lib: lib.nn.TransformerDecoderLayer(D_MODEL, HEADS)(lib.zeros(4, 3, D_MODEL), lib.zeros(5, 3, D_MODEL),
                                                               tgt_mask=lib.zeros(4, 4, dtype=lib.int64)),
    lambda lib: lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(D_MODEL, HEADS), 1)(
        lib.zeros(4, 3, D_MODEL), lib.zeros(5, 3, D_MODEL), tgt_is_causal=True),
    lambda lib: lib.nn.TransformerDecoderLayer(D_MODEL, HEADS)(lib.zeros(4, 3, D_MODEL), lib.zeros(5, 2, D_MODEL)),
])
def test_errors_match_torch(oracle, build):
    oracle.raises_alike(build)


def test_mismatched_mask_types_warn_as_torch(oracle):
    messages = []
    for lib in (oracle.ember, torch):
        layer = lib.nn.TransformerDecoderLayer(D_MODEL, HEADS, FEEDFORWARD)
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            layer(lib.zeros(4, 3, D_MODEL), lib.zeros(5, 3, D_MODEL), tgt_mask=lib.zeros(4, 4),
                  tgt_key_padding_mask=lib.zeros(3, 4, dtype=lib.bool))
        messages.append([str(r.message) for r in records])
    assert messages[0] == messages[1] and messages[0]


# --- nn.attention -----------------------------------------------------------------------------------------

def _switches(lib):
    cuda = lib.backends.cuda
    return (cuda.math_sdp_enabled(), cuda.flash_sdp_enabled(), cuda.mem_efficient_sdp_enabled(),
            cuda.cudnn_sdp_enabled())


def test_sdp_backend_names_and_values_match_torch(oracle):
    backends_e = oracle.ember.nn.attention.SDPBackend
    backends_t = torch.nn.attention.SDPBackend
    assert [(n, int(b)) for n, b in backends_e.__members__.items()] == \
        [(n, int(b)) for n, b in backends_t.__members__.items()]
    assert (repr(backends_e.MATH), str(backends_e.MATH)) == (repr(backends_t.MATH), str(backends_t.MATH))


@pytest.mark.parametrize("choice", [["MATH"], ["FLASH_ATTENTION"], ["EFFICIENT_ATTENTION"], ["CUDNN_ATTENTION"],
                                    ["MATH", "EFFICIENT_ATTENTION", "MATH"], [], "MATH"])
def test_sdpa_kernel_sets_and_restores_switches_as_torch(oracle, choice):
    """Inside the block the switches are PyTorch's; on the cpu device, without math or flash, attention
    refuses as PyTorch's does; otherwise it gives the same values; on exit every switch is back."""
    rng = oracle.rng(4)
    q = oracle.array(rng, (2, 2, 4, 8), "float64", "any")
    results = []
    for lib in (oracle.ember, torch):
        backends = lib.nn.attention.SDPBackend
        chosen = getattr(backends, choice) if isinstance(choice, str) else [getattr(backends, c) for c in choice]
        before = _switches(lib)
        with lib.nn.attention.sdpa_kernel(chosen) as state:
            assert state == {}
            inside = _switches(lib)
            try:
                value = lib.nn.functional.scaled_dot_product_attention(lib.tensor(q), lib.tensor(q), lib.tensor(q))
                result = value.detach().cpu().numpy()
            except RuntimeError as error:
                result = str(error)
        assert _switches(lib) == before
        results.append((inside, result))
    assert results[0][0] == results[1][0]
    if isinstance(results[1][1], str) and oracle.ember.get_default_device().type == "cpu":
        assert results[0][1] == results[1][1]
    elif not isinstance(results[1][1], str):
        np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10)


def test_sdpa_kernel_restores_switches_after_an_error(oracle):
    attention = oracle.ember.nn.attention
    with pytest.raises(ValueError), attention.sdpa_kernel(attention.SDPBackend.MATH):
        raise ValueError
    assert _switches(oracle.ember) == (True, True, True, True)


@pytest.mark.parametrize("build", [
    lambda lib: lib.nn.attention.sdpa_kernel("math").__enter__(),
    lambda lib: lib.nn.attention.sdpa_kernel((lib.nn.attention.SDPBackend.MATH,)).__enter__(),
    lambda lib: lib.backends.cuda.enable_math_sdp(1),
])
def test_attention_switch_errors_match_torch(oracle, build):
    oracle.raises_alike(build)


@pytest.mark.filterwarnings("ignore:Lower right causal bias")
@pytest.mark.parametrize("variant", ["causal_upper_left", "causal_lower_right"])
@pytest.mark.parametrize("lengths", [(4, 6), (5, 5), (6, 4)])
def test_causal_bias_masks_attention_as_torch(oracle, variant, lengths):
    rng = oracle.rng(5)
    arrays = [oracle.array(rng, (2, 2, lengths[0], 8), "float64", "any"),
              oracle.array(rng, (2, 2, lengths[1], 8), "float64", "any"),
              oracle.array(rng, (2, 2, lengths[1], 3), "float64", "any")]
    pairs = [oracle.pair(a) for a in arrays]
    mask_e = getattr(oracle.ember.nn.attention.bias, variant)(*lengths)
    mask_t = getattr(torch.nn.attention.bias, variant)(*lengths)
    assert repr(mask_e) == repr(mask_t)
    assert (mask_e.seq_len_q, mask_e.seq_len_kv, int(mask_e.variant)) == \
        (mask_t.seq_len_q, mask_t.seq_len_kv, int(mask_t.variant))
    out_e = oracle.ember.nn.functional.scaled_dot_product_attention(*[p[0] for p in pairs], attn_mask=mask_e)
    out_t = torch.nn.functional.scaled_dot_product_attention(*[p[1] for p in pairs], attn_mask=mask_t)
    oracle.assert_same(out_e, out_t, "output")
    upstream = oracle.array(rng, tuple(out_t.shape), "float64", "any")
    (out_e * oracle.ember.tensor(upstream)).sum().backward()
    (out_t * torch.tensor(upstream)).sum().backward()
    for i, (x_e, x_t) in enumerate(pairs):
        oracle.assert_same(x_e.grad, x_t.grad, f"input {i} grad")


def test_lower_right_causal_bias_warns_as_torch(oracle):
    messages = []
    for lib in (oracle.ember, torch):
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            lib.nn.attention.bias.causal_lower_right(6, 4)
            lib.nn.attention.bias.causal_lower_right(4, 6)
        messages.append([str(r.message) for r in records])
    assert messages[0] == messages[1] and len(messages[0]) == 1


@pytest.mark.parametrize("build", [
    lambda lib: lib.nn.attention.bias.causal_upper_left(2, 3, 4),
    lambda lib: lib.nn.attention.bias.causal_lower_right(5),
    lambda lib: lib.nn.attention.bias.CausalBias(1, 2, 3),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.zeros(1, 2, 4, 8), lib.zeros(1, 2, 4, 8), lib.zeros(1, 2, 4, 8),
        attn_mask=lib.nn.attention.bias.causal_upper_left(4, 4), is_causal=True),
])
def test_causal_bias_errors_match_torch(oracle, build):
    oracle.raises_alike(build)
