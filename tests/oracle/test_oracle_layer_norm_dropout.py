"""LayerNorm / F.layer_norm against PyTorch (values, gradients of input, weight and bias, grad_fn name,
errors, reprs), gradcheck and gradgradcheck; the dropout family's masks, scaling, gradients, train/eval,
p = 0 and p = 1, channel masks, in-place forms and errors."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,normalized", [((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)), ((5,), (5,)),
                                              ((2, 1, 3), (1, 3))], ids=str)
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
def test_layer_norm_matches_torch(oracle, dtype, shape, normalized, affine):
    ember, rng = oracle.ember, oracle.rng(1)
    arrays = [oracle.array(rng, shape, dtype, "any")]
    if affine != "none":
        arrays.append(oracle.array(rng, normalized, dtype, "any"))
    if affine == "both":
        arrays.append(oracle.array(rng, normalized, dtype, "any"))
    pairs = [oracle.pair(a) for a in arrays]
    args_e = [p[0] for p in pairs] + [None] * (3 - len(pairs))
    args_t = [p[1] for p in pairs] + [None] * (3 - len(pairs))
    out_e = ember.nn.functional.layer_norm(args_e[0], normalized, args_e[1], args_e[2], eps=1e-3)
    out_t = torch.nn.functional.layer_norm(args_t[0], normalized, args_t[1], args_t[2], eps=1e-3)
    oracle.assert_same(out_e, out_t, "output")
    assert out_e.grad_fn.name() == out_t.grad_fn.name() == "NativeLayerNormBackward0"
    upstream = oracle.array(rng, shape, dtype, "any")
    out_e.backward(ember.tensor(upstream))
    out_t.backward(torch.tensor(upstream))
    for i, (p_e, p_t) in enumerate(pairs):
        oracle.assert_same(p_e.grad, p_t.grad, f"grad {i}")


@pytest.mark.parametrize("kwargs", [{}, {"elementwise_affine": False}, {"bias": False}, {"eps": 1e-2}])
def test_layer_norm_module_matches_torch(oracle, kwargs):
    ember = oracle.ember
    m_e, m_t = ember.nn.LayerNorm([3, 4], **kwargs), torch.nn.LayerNorm([3, 4], **kwargs)
    assert repr(m_e) == repr(m_t)
    assert [(n, tuple(p.shape)) for n, p in m_e.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in m_t.named_parameters()]
    with torch.no_grad():
        for p in m_t.parameters():
            p.uniform_(-1, 1)
    with ember.no_grad():
        for p_e, p_t in zip(m_e.parameters(), m_t.parameters()):
            p_e.copy_(ember.tensor(p_t.detach().cpu().numpy()))
    x_e, x_t = oracle.pair(oracle.array(oracle.rng(2), (2, 3, 4), "float32", "any"))
    out_e, out_t = m_e(x_e), m_t(x_t)
    oracle.assert_same(out_e, out_t, "output")
    out_e.sum().backward()
    out_t.sum().backward()
    oracle.assert_same(x_e.grad, x_t.grad, "input.grad")
    for p_e, p_t in zip(m_e.parameters(), m_t.parameters()):
        oracle.assert_same(p_e.grad, p_t.grad, "parameter grad")


def test_layer_norm_module_takes_an_int(oracle):
    assert oracle.ember.nn.LayerNorm(4).normalized_shape == torch.nn.LayerNorm(4).normalized_shape == (4,)


def _raise_both(oracle, build):
    with pytest.raises(Exception) as expected:
        build(torch)
    with pytest.raises(type(expected.value)) as got:
        build(oracle.ember)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("build", [
    lambda lib: lib.nn.functional.layer_norm(lib.zeros(2, 3, 4), (5,)),
    lambda lib: lib.nn.functional.layer_norm(lib.zeros(2, 3, 4), (2, 4)),
    lambda lib: lib.nn.functional.layer_norm(lib.zeros(4), (3, 4)),
    lambda lib: lib.nn.functional.layer_norm(lib.zeros(2, 3, 4), (4,), lib.ones(3)),
    lambda lib: lib.nn.functional.layer_norm(lib.zeros(2, 3, 4), (4,), None, lib.ones(3)),
    lambda lib: lib.nn.functional.layer_norm(lib.zeros(2, 3, 4), 4),
    lambda lib: lib.nn.functional.dropout(lib.zeros(3), 1.5),
    lambda lib: lib.nn.functional.dropout(lib.zeros(3), -0.1),
    lambda lib: lib.nn.functional.dropout2d(lib.zeros(3, 2, 2, 2), 2.0),
    lambda lib: lib.nn.functional.dropout1d(lib.zeros(2, 3, 4, 5), 0.5),
    lambda lib: lib.nn.functional.dropout1d(lib.zeros(2), 0.5),
    lambda lib: lib.nn.Dropout(-0.5),
    lambda lib: lib.nn.Dropout2d(1.01),
    lambda lib: lib.nn.AlphaDropout(3),
    lambda lib: lib.nn.functional.dropout(lib.ones(3, dtype=lib.int64), 0.5),
    lambda lib: lib.nn.functional.layer_norm(lib.ones(2, 3, dtype=lib.int64), (3,)),
])
def test_errors_match_torch(oracle, build):
    _raise_both(oracle, build)


@pytest.mark.parametrize("name", ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                                  "FeatureAlphaDropout"])
@pytest.mark.parametrize("kwargs", [{}, {"p": 0.25, "inplace": True}])
def test_dropout_reprs_match_torch(oracle, name, kwargs):
    assert repr(getattr(oracle.ember.nn, name)(**kwargs)) == repr(getattr(torch.nn, name)(**kwargs))


def test_dropout_edge_cases_match_torch(oracle):
    """p = 0, eval and empty inputs return the input itself; p = 1 gives zeros with MulBackward0."""
    ember = oracle.ember
    for lib in (ember, torch):
        x = lib.randn(3, 4, requires_grad=True)
        assert lib.nn.functional.dropout(x, 0.0) is x
        assert lib.nn.functional.dropout(x, 0.5, training=False) is x
        assert lib.nn.Dropout(0.5).eval()(x) is x
        empty = lib.zeros(0, 3)
        assert lib.nn.functional.dropout(empty, 0.5) is empty
        zeros = lib.nn.functional.dropout(x, 1.0)
        assert zeros.grad_fn.name() == "MulBackward0"
        assert not zeros.detach().cpu().numpy().any()
        zeros.sum().backward()
        assert not x.grad.cpu().numpy().any()


def test_dropout2d_warns_as_torch_for_3d_and_other_inputs(oracle):
    ember = oracle.ember
    for shape, start in [((3, 4, 5), "dropout2d: Received a 3D input"),
                         ((3, 4), "dropout2d: Received a 2-D input to dropout2d, which is deprecated")]:
        caught = []
        for lib in (ember, torch):
            with warnings.catch_warnings(record=True) as records:
                warnings.simplefilter("always")
                lib.nn.functional.dropout2d(lib.ones(shape), 0.5)
            caught.append([str(r.message) for r in records])
        assert caught[0] == caught[1]
        assert caught[0][-1].startswith(start)


@pytest.mark.parametrize("function", ["dropout", "dropout2d", "alpha_dropout"])
def test_inplace_dropout_returns_its_input_as_torch(oracle, function):
    ember = oracle.ember
    for lib in (ember, torch):
        x = lib.ones(4, 3, 2, 2)
        kwargs = {"training": True} if function == "alpha_dropout" else {}
        assert getattr(lib.nn.functional, function)(x, 0.5, inplace=True, **kwargs) is x
        leaf = lib.ones(4, 3, 2, 2, requires_grad=True)
        y = getattr(lib.nn.functional, function)(leaf.clone(), 0.5, inplace=True, **kwargs)
        y.sum().backward()
        assert (leaf.grad.cpu().numpy() != 0).any()
