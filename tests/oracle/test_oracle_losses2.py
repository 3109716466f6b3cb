"""KLDivLoss, HuberLoss, SmoothL1Loss, CosineEmbeddingLoss, MarginRankingLoss (modules and functional forms)
against PyTorch: values and gradients for every reduction, their parameters, grad_fn names, argument checks,
gradcheck and gradgradcheck; and BCELoss weights, CrossEntropyLoss (ignore_index, label_smoothing,
probability targets, class weights) and NLLLoss options checked against PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle

REDUCTIONS = ["mean", "sum", "none"]


def _quiet(fn):
    """Run fn with KLDiv's 'mean' warning silenced (its text is checked on its own)."""
    def run(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args)
    return run


# name -> (loss(lib, x, y, reduction), target domain)
PAIR_LOSSES = {
    "huber_loss": lambda lib, x, y, r: lib.nn.functional.huber_loss(x, y, reduction=r),
    "huber_loss_delta": lambda lib, x, y, r: lib.nn.functional.huber_loss(x, y, r, delta=0.3),
    "HuberLoss": lambda lib, x, y, r: lib.nn.HuberLoss(reduction=r, delta=2.5)(x, y),
    "smooth_l1_loss": lambda lib, x, y, r: lib.nn.functional.smooth_l1_loss(x, y, reduction=r),
    "smooth_l1_loss_beta": lambda lib, x, y, r: lib.nn.functional.smooth_l1_loss(x, y, reduction=r, beta=0.4),
    "smooth_l1_loss_beta0": lambda lib, x, y, r: lib.nn.functional.smooth_l1_loss(x, y, reduction=r, beta=0.0),
    "SmoothL1Loss": lambda lib, x, y, r: lib.nn.SmoothL1Loss(reduction=r, beta=1.5)(x, y),
    "kl_div": _quiet(lambda lib, x, y, r: lib.nn.functional.kl_div(x.log_softmax(-1), y.softmax(-1), reduction=r)),
    "kl_div_log_target": _quiet(lambda lib, x, y, r: lib.nn.functional.kl_div(
        x.log_softmax(-1), y.log_softmax(-1), reduction=r, log_target=True)),
    "KLDivLoss": _quiet(lambda lib, x, y, r: lib.nn.KLDivLoss(reduction=r)(x.log_softmax(-1), y.softmax(-1))),
}


@pytest.mark.parametrize("name", list(PAIR_LOSSES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 3), (5,), (2, 3, 2)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pair_loss_matches_torch(oracle, name, reduction, shape, dtype):
    """Values and gradients of input and target (errors on both sides of the thresholds)."""
    rng = oracle.rng(len(shape))
    x = (rng.standard_normal(shape) * 2).astype(dtype)
    y = (rng.standard_normal(shape) * 2).astype(dtype)
    e, t = oracle.check(lambda lib, a, b: PAIR_LOSSES[name](lib, a, b, reduction), x, y)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t)


@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_batchmean_and_zero_targets_match_torch(oracle, log_target):
    """'batchmean' divides the sum by the batch size; a zero target probability contributes 0 (xlogy)."""
    rng = oracle.rng(1)
    x = rng.standard_normal((3, 4))
    target = np.array([[0.0, 0.5, 0.5, 0.0], [0.25] * 4, [1.0, 0.0, 0.0, 0.0]])
    if log_target:
        target = np.log(target + 0.1)
    oracle.check(lambda lib, a, b: lib.nn.functional.kl_div(a, b, reduction="batchmean", log_target=log_target),
                 x, target)


def test_kl_div_mean_warns_as_torch():
    x, y = np.zeros((2, 2)), np.full((2, 2), 0.5)
    with pytest.warns(UserWarning) as expected:
        torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(y))
    with pytest.warns(UserWarning) as got:
        ember.nn.functional.kl_div(ember.tensor(x), ember.tensor(y))
    assert str(got[0].message) == str(expected[0].message)


def test_huber_loss_with_weight_matches_torch(oracle):
    rng = oracle.rng(2)
    weight = rng.uniform(0.1, 2.0, (4, 3))
    for reduction in REDUCTIONS:
        oracle.check(lambda lib, a, b, reduction=reduction: lib.nn.functional.huber_loss(
            a, b, reduction, delta=0.5, weight=lib.tensor(weight)), rng.standard_normal((4, 3)),
            rng.standard_normal((4, 3)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.4])
def test_margin_ranking_loss_matches_torch(oracle, reduction, margin):
    rng = oracle.rng(3)
    target = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
    e, t = oracle.check(lambda lib, a, b: lib.nn.MarginRankingLoss(margin=margin, reduction=reduction)(
        a, b, lib.tensor(target)), rng.standard_normal(5), rng.standard_normal(5))
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t)
    oracle.check(lambda lib, a, b: lib.nn.functional.margin_ranking_loss(
        a, b, lib.tensor(target), margin, reduction=reduction), rng.standard_normal(5), rng.standard_normal(5))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.2, -0.3])
def test_cosine_embedding_loss_matches_torch(oracle, reduction, margin):
    """A 1-D target with (N, D) inputs (a target of 0 contributes 0), and a 0-d target with (D,) inputs."""
    rng = oracle.rng(4)
    target = np.array([1, -1, 1, -1, 0])
    e, t = oracle.check(lambda lib, a, b: lib.nn.CosineEmbeddingLoss(margin=margin, reduction=reduction)(
        a, b, lib.tensor(target)), rng.standard_normal((5, 3)), rng.standard_normal((5, 3)))
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t)
    for single in (1, -1):
        oracle.check(lambda lib, a, b, single=single: lib.nn.functional.cosine_embedding_loss(
            a, b, lib.tensor(single), margin, reduction=reduction), rng.standard_normal(3), rng.standard_normal(3))


def test_integer_targets_are_promoted_as_in_torch(oracle):
    """(Forward only: PyTorch's backward then fails on the integer target, "Found dtype Long".)"""
    rng = oracle.rng(5)
    x, y = rng.standard_normal((3, 4)).astype(np.float32), rng.integers(-2, 3, (3, 4))
    for fn in (lambda lib, a, b: lib.nn.functional.huber_loss(a, b),
               lambda lib, a, b: lib.nn.functional.smooth_l1_loss(a, b, beta=0.5)):
        oracle.check(fn, x, y, grad=False)


LOSS_ERRORS = [
    lambda lib: lib.nn.functional.huber_loss(lib.randn(3), lib.randn(3), delta=0),
    lambda lib: lib.nn.functional.huber_loss(lib.randn(3), lib.randn(3), delta=-1.0),
    lambda lib: lib.nn.functional.huber_loss(lib.randn(3), lib.randn(3), reduction="foo"),
    lambda lib: lib.nn.functional.huber_loss(lib.randn(3, 4), lib.randn(3, 4), weight=lib.ones(4)),
    lambda lib: lib.nn.functional.huber_loss(lib.ones(3, dtype=lib.long), lib.ones(3, dtype=lib.long)),
    lambda lib: lib.nn.functional.smooth_l1_loss(lib.randn(3), lib.randn(3), beta=-1.0),
    lambda lib: lib.nn.functional.smooth_l1_loss(lib.ones(3, dtype=lib.long), lib.ones(3, dtype=lib.long)),
    lambda lib: lib.nn.functional.smooth_l1_loss(lib.randn(3), lib.randn(4)),
    lambda lib: lib.nn.functional.kl_div(lib.randn(3), lib.randn(3), reduction="foo"),
    lambda lib: lib.nn.functional.kl_div(lib.randn(3), lib.ones(3, dtype=lib.long), reduction="sum"),
    lambda lib: lib.nn.functional.kl_div(lib.ones(3, dtype=lib.long), lib.randn(3), reduction="sum"),
    lambda lib: lib.nn.functional.margin_ranking_loss(lib.randn(3, 4), lib.randn(4), lib.randn(4)),
    lambda lib: lib.nn.functional.margin_ranking_loss(lib.randn(4), lib.randn(4), lib.randn(3)),
    lambda lib: lib.nn.functional.cosine_embedding_loss(lib.randn(3, 4), lib.randn(3, 4), lib.ones(3, 1)),
    lambda lib: lib.nn.functional.cosine_embedding_loss(lib.randn(3, 4), lib.randn(3, 4), lib.ones(())),
    lambda lib: lib.nn.functional.cosine_embedding_loss(lib.randn(4), lib.randn(4), lib.ones(3)),
    lambda lib: lib.nn.functional.cosine_embedding_loss(lib.randn(3, 4), lib.randn(2, 4), lib.ones(3)),
    lambda lib: lib.nn.functional.cosine_embedding_loss(lib.randn(3, 4), lib.randn(3, 4), lib.ones(3),
                                                        reduction="foo"),
]


@pytest.mark.filterwarnings("ignore:Using a target size")
@pytest.mark.parametrize("index", range(len(LOSS_ERRORS)))
def test_loss_errors_match_torch(index):
    fn = LOSS_ERRORS[index]
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(expected.type) as got:
        fn(ember)
    assert str(got.value).startswith(str(expected.value).replace("torch.", "ember."))  # ember may add the shapes


def test_size_mismatch_warns_as_torch():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="Using a target size"):
            lib.nn.functional.huber_loss(lib.randn(3, 4), lib.randn(4))


@pytest.mark.parametrize("name", ["HuberLoss", "SmoothL1Loss", "KLDivLoss", "CosineEmbeddingLoss",
                                  "MarginRankingLoss"])
def test_loss_module_repr_and_attributes_match_torch(name):
    e, t = getattr(ember.nn, name)(), getattr(torch.nn, name)()
    assert repr(e) == repr(t)
    for attribute in ("reduction", "delta", "beta", "margin", "log_target"):
        assert getattr(e, attribute, None) == getattr(t, attribute, None)
    if name != "HuberLoss":  # the legacy flags (HuberLoss never had them)
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            assert getattr(ember.nn, name)(reduce=False).reduction == "none"


def _float64(*shape, seed=0):
    return ember.tensor(np.random.default_rng(seed).standard_normal(shape) * 2, requires_grad=True)


GRADCHECK = {
    "huber": lambda a, b: ember.nn.functional.huber_loss(a, b, delta=0.7),
    "smooth_l1": lambda a, b: ember.nn.functional.smooth_l1_loss(a, b, reduction="sum", beta=0.6),
    "kl_div": lambda a, b: ember.nn.functional.kl_div(a.log_softmax(1), b.softmax(1), reduction="batchmean"),
    "kl_div_log_target": lambda a, b: ember.nn.functional.kl_div(a, b, reduction="none", log_target=True),
    "margin_ranking": lambda a, b: ember.nn.functional.margin_ranking_loss(
        a[:, 0], b[:, 0], ember.tensor([1.0, -1.0, 1.0]), 0.1),
    "cosine_embedding": lambda a, b: ember.nn.functional.cosine_embedding_loss(
        a, b, ember.tensor([1, -1, -1]), -0.5, reduction="none"),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_loss_gradcheck_and_gradgradcheck(name):
    a, b = _float64(3, 4), _float64(3, 4, seed=1)
    assert ember.autograd.gradcheck(GRADCHECK[name], (a, b))
    assert ember.autograd.gradgradcheck(GRADCHECK[name], (a, b))


def test_huber_second_derivative_matches_torch():
    """Double backward through HuberLossBackward0 / SmoothL1LossBackward0 as PyTorch's."""
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal(6) * 2, rng.standard_normal(6) * 2
    results = []
    for lib in (ember, torch):
        a, b = lib.tensor(x, requires_grad=True), lib.tensor(y, requires_grad=True)
        loss = lib.nn.functional.huber_loss(a, b, delta=0.8) + lib.nn.functional.smooth_l1_loss(a, b, beta=0.5)
        (grad_a,) = lib.autograd.grad(loss, a, create_graph=True)
        (grad_a * lib.arange(6.0, dtype=lib.float64)).sum().backward()
        results.append((a.grad.cpu().numpy(), b.grad.cpu().numpy()))
    for got, expected in zip(*results):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


# ----- the existing class losses, checked against PyTorch on their options ----------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [
    {"ignore_index": 2},
    {"label_smoothing": 0.2},
    {"label_smoothing": 0.1, "ignore_index": 0},
    {"weight": [0.2, 1.0, 3.0, 0.5]},
    {"weight": [0.2, 1.0, 3.0, 0.5], "label_smoothing": 0.3, "ignore_index": 1},
], ids=str)
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 2)], ids=str)
def test_cross_entropy_and_nll_options_match_torch(oracle, reduction, options, shape):
    rng = oracle.rng(7)
    x = rng.standard_normal(shape)
    target = rng.integers(0, 4, (shape[0], *shape[2:]))

    def call(lib, a, loss):
        kwargs = {k: (lib.tensor(v, dtype=lib.float64) if k == "weight" else v) for k, v in options.items()}
        if loss == "NLLLoss":
            kwargs.pop("label_smoothing", None)
            return lib.nn.NLLLoss(reduction=reduction, **kwargs)(a.log_softmax(1), lib.tensor(target))
        return lib.nn.CrossEntropyLoss(reduction=reduction, **kwargs)(a, lib.tensor(target))

    for loss in ("CrossEntropyLoss", "NLLLoss"):
        oracle.check(lambda lib, a, loss=loss: call(lib, a, loss), x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"label_smoothing": 0.25}, {"weight": [0.5, 2.0, 1.0]}], ids=str)
def test_cross_entropy_probability_targets_match_torch(oracle, reduction, options):
    rng = oracle.rng(8)
    probabilities = rng.uniform(size=(5, 3))
    probabilities /= probabilities.sum(1, keepdims=True)

    def call(lib, a, p):
        kwargs = {k: (lib.tensor(v, dtype=lib.float64) if k == "weight" else v) for k, v in options.items()}
        return lib.nn.functional.cross_entropy(a, p, reduction=reduction, **kwargs)

    oracle.check(call, rng.standard_normal((5, 3)), probabilities)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [(4, 3), (3,), (1, 3)], ids=str)
def test_bce_loss_weights_match_torch(oracle, reduction, weight_shape):
    rng = oracle.rng(9)
    weight = rng.uniform(0.1, 2.0, weight_shape)
    oracle.check(lambda lib, a: lib.nn.BCELoss(weight=lib.tensor(weight), reduction=reduction)(
        a, lib.tensor(np.array([[0.0, 1.0, 0.3]] * 4))), rng.uniform(0.05, 0.95, (4, 3)))
