"""Embedding and F.embedding against PyTorch: lookups, gradients (padding row, scale_grad_by_freq),
max_norm's in-place renormalisation, from_pretrained, init, reprs, state dicts, errors; gradcheck."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import settled

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle

INDICES = np.array([[0, 1, 1, 3], [2, 4, 1, 0]])


def _run(lib, weight, indices, upstream, **options):
    leaf = lib.tensor(weight, requires_grad=True)
    out = lib.nn.functional.embedding(lib.tensor(indices), leaf, **options)
    out.backward(lib.tensor(upstream))
    return out, leaf


@pytest.mark.parametrize("options", [
    {},
    {"padding_idx": 1},
    {"padding_idx": -2},
    {"scale_grad_by_freq": True},
    {"padding_idx": 0, "scale_grad_by_freq": True},
    {"max_norm": 1.0},
    {"max_norm": 1.5, "norm_type": 1.0},
    {"max_norm": 0.5, "norm_type": float("inf"), "padding_idx": 3},
], ids=str)
@pytest.mark.parametrize("index_dtype", [np.int64, np.int32])
def test_embedding_matches_torch(options, index_dtype):
    """Output, weight gradient, the weight after max_norm's renormalisation (in place), grad_fn name."""
    rng = np.random.default_rng(0)
    weight = rng.standard_normal((5, 3)) * 2
    upstream = rng.standard_normal((2, 4, 3))
    indices = INDICES.astype(index_dtype)
    (e_out, e_w), (t_out, t_w) = (_run(lib, weight, indices, upstream, **options) for lib in (ember, torch))
    np.testing.assert_allclose(e_out.detach().cpu().numpy(), t_out.detach().cpu().numpy(), rtol=1e-6)
    np.testing.assert_allclose(e_w.grad.cpu().numpy(), t_w.grad.cpu().numpy(), rtol=1e-6)
    np.testing.assert_allclose(e_w.detach().cpu().numpy(), t_w.detach().cpu().numpy(), rtol=1e-6)
    assert type(e_out.grad_fn).__name__ == type(t_out.grad_fn).__name__ == "EmbeddingBackward0"
    assert e_w._version[0] == t_w._version


def test_embedding_of_a_scalar_and_of_an_empty_index():
    weight = np.arange(6.0).reshape(3, 2)
    for indices in (np.array(2), np.zeros((0, 2), dtype=np.int64)):
        e = ember.nn.functional.embedding(ember.tensor(indices), ember.tensor(weight))
        t = torch.nn.functional.embedding(torch.tensor(indices), torch.tensor(weight))
        assert e.shape == t.shape
        np.testing.assert_array_equal(e.cpu().numpy(), t.cpu().numpy())


def test_embedding_module_init_zeroes_the_padding_row():
    ember.manual_seed(0)
    module = ember.nn.Embedding(10, 4, padding_idx=-3)
    assert module.padding_idx == 7
    assert module.weight[7].tolist() == [0.0] * 4
    assert abs(float(module.weight.std()) - 1.0) < 0.5  # N(0, 1)
    assert module.weight.requires_grad


@pytest.mark.parametrize("args, options", [
    ((5, 3), {}),
    ((5, 3), {"padding_idx": -1, "max_norm": 1.0, "norm_type": 1.0, "scale_grad_by_freq": True}),
    ((7, 2), {"padding_idx": 0, "norm_type": 2}),
], ids=str)
def test_embedding_repr_and_state_dict_match_torch(args, options):
    e, t = ember.nn.Embedding(*args, **options), torch.nn.Embedding(*args, **options)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    assert e.weight.shape == t.weight.shape


def test_embedding_module_matches_torch_with_copied_weight():
    rng = np.random.default_rng(1)
    upstream = rng.standard_normal((2, 4, 3))
    results = []
    for lib in (ember, torch):
        module = lib.nn.Embedding(5, 3, padding_idx=2)
        with lib.no_grad():
            module.weight.copy_(lib.tensor(np.arange(15.0).reshape(5, 3), dtype=lib.float32))
        out = module(lib.tensor(INDICES))
        out.backward(lib.tensor(upstream, dtype=lib.float32))
        results.append((out.detach().cpu().numpy(), module.weight.grad.cpu().numpy()))
    for got, expected in zip(*results):
        np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize("freeze", [True, False])
def test_from_pretrained_matches_torch(freeze):
    weight = np.random.default_rng(2).standard_normal((4, 2))
    e = ember.nn.Embedding.from_pretrained(ember.tensor(weight), freeze=freeze, padding_idx=1)
    t = torch.nn.Embedding.from_pretrained(torch.tensor(weight), freeze=freeze, padding_idx=1)
    assert e.weight.requires_grad == t.weight.requires_grad == (not freeze)
    np.testing.assert_array_equal(e.weight.detach().cpu().numpy(), t.weight.detach().cpu().numpy())  # row 1 kept
    assert repr(e) == repr(t)
    out = e(ember.tensor([1, 3]))
    assert out.requires_grad == (not freeze)


EMBEDDING_ERRORS = [
    lambda lib: lib.nn.Embedding(5, 3, padding_idx=5),
    lambda lib: lib.nn.Embedding(5, 3, padding_idx=-6),
    lambda lib: lib.nn.functional.embedding(lib.tensor([0, 1]), lib.randn(5, 3), padding_idx=7),
    lambda lib: lib.nn.functional.embedding(lib.tensor([0.0, 1.0]), lib.randn(5, 3)),
    lambda lib: lib.nn.functional.embedding(lib.tensor([0, 1], dtype=lib.int16), lib.randn(5, 3)),
    lambda lib: lib.nn.functional.embedding(lib.tensor([5]), lib.randn(5, 3)),
    lambda lib: lib.nn.functional.embedding(lib.tensor([-1]), lib.randn(5, 3)),
    lambda lib: lib.nn.functional.embedding(lib.tensor([0]), lib.randn(5)),
    lambda lib: lib.nn.Embedding.from_pretrained(lib.randn(5)),
    lambda lib: lib.nn.Embedding(5, 3, _weight=lib.randn(4, 3)),
]


@pytest.mark.parametrize("index", range(len(EMBEDDING_ERRORS)))
def test_embedding_errors_match_torch(index):
    fn = EMBEDDING_ERRORS[index]
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(expected.type) as got:
        settled(fn(ember))
    assert str(got.value) == str(expected.value).replace("torch.", "ember.")


def test_sparse_gradients_are_refused_clearly():
    """ember has no sparse tensors: sparse=True is a NotImplementedError that says so (PyTorch accepts it)."""
    with pytest.raises(NotImplementedError, match="sparse=True"):
        ember.nn.Embedding(5, 3, sparse=True)
    with pytest.raises(NotImplementedError, match="sparse=True"):
        ember.nn.functional.embedding(ember.tensor([0]), ember.randn(5, 3), sparse=True)


def test_embedding_gradcheck_and_gradgradcheck():
    """(padding_idx and scale_grad_by_freq change the gradient on purpose: no finite difference checks them.)"""
    weight = ember.tensor(np.random.default_rng(3).standard_normal((5, 3)), requires_grad=True)
    indices = ember.tensor(INDICES)

    def fn(w):
        return ember.nn.functional.embedding(indices, w)

    assert ember.autograd.gradcheck(fn, (weight,))
    assert ember.autograd.gradgradcheck(fn, (weight,))


def test_embedding_double_backward_through_the_upstream_gradient_matches_torch():
    """The weight's gradient is differentiable in the upstream gradient (the padding row's included).
    (With scale_grad_by_freq PyTorch's double backward drops the 1/count scaling; ember's keeps it, as the
    derivative of the gradient it computed.)"""
    rng = np.random.default_rng(4)
    weight, upstream, outer = rng.standard_normal((5, 3)), rng.standard_normal((2, 4, 3)), rng.standard_normal((5, 3))
    results = []
    for lib in (ember, torch):
        w, g = lib.tensor(weight, requires_grad=True), lib.tensor(upstream, requires_grad=True)
        out = lib.nn.functional.embedding(lib.tensor(INDICES), w, padding_idx=1)
        (grad_weight,) = lib.autograd.grad(out, w, g, create_graph=True)
        (grad_weight * lib.tensor(outer)).sum().backward()
        results.append(g.grad.cpu().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)
