"""soft_margin, hinge_embedding, poisson_nll, gaussian_nll, multi_margin, multilabel_margin,
multilabel_soft_margin and the triplet losses (functional and module forms) against PyTorch: values, dtypes
and gradients for every reduction and option, grad_fn names, the legacy size_average/reduce flags, argument
errors (class and message), gradcheck on float64."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle

REDUCTIONS = ["mean", "sum", "none"]


def _signs(rng, shape):
    return np.where(rng.standard_normal(shape) > 0, 1.0, -1.0)


def _constant(lib, array):
    """A target that never requires grad, as the same values in either library."""
    return lib.tensor(array)


def assert_same_error(fn, exact: bool = True):
    """fn(torch) and fn(ember) raise the same exception class, with the same message when `exact`."""
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(expected.type) as got:
        fn(ember)
    if exact:
        assert str(got.value) == str(expected.value)


# name -> loss(lib, x, reduction) on a (3, 4) input x of `dtype`, its targets (of that dtype) built in
def _losses(rng, dtype="float64"):
    signs = _signs(rng, (3, 4))
    row_signs = _signs(rng, (4,))
    counts = rng.integers(0, 5, (3, 4)).astype(np.float64)
    observed = rng.standard_normal((3, 4))
    variance = rng.uniform(0.2, 2.0, (3, 4))
    labels = np.array([0, 3, 1])
    label_lists = np.array([[3, 0, -1, 1], [0, 1, 2, 3], [1, 1, -1, 0]])
    probabilities = rng.uniform(0, 1, (3, 4))
    class_weight = rng.uniform(0.5, 2, 4)
    def fn(lib):
        return lib.nn.functional

    def c(lib, a):
        return _constant(lib, a.astype(dtype))

    return {
        "soft_margin_loss": lambda lib, x, r: fn(lib).soft_margin_loss(x, c(lib, signs), reduction=r),
        "soft_margin_broadcast": lambda lib, x, r: fn(lib).soft_margin_loss(x, c(lib, row_signs),
                                                                            reduction=r),
        "SoftMarginLoss": lambda lib, x, r: lib.nn.SoftMarginLoss(reduction=r)(x, c(lib, signs)),
        "hinge_embedding_loss": lambda lib, x, r: fn(lib).hinge_embedding_loss(x, c(lib, signs),
                                                                               reduction=r),
        "hinge_embedding_other_targets": lambda lib, x, r: fn(lib).hinge_embedding_loss(
            x, lib.tensor([1, -1, 0, 2]), margin=0.7, reduction=r),
        "HingeEmbeddingLoss": lambda lib, x, r: lib.nn.HingeEmbeddingLoss(margin=2.0, reduction=r)(
            x, c(lib, signs)),
        "poisson_nll_loss": lambda lib, x, r: fn(lib).poisson_nll_loss(x, c(lib, counts), reduction=r),
        "poisson_nll_full": lambda lib, x, r: fn(lib).poisson_nll_loss(x, c(lib, counts), full=True,
                                                                       reduction=r),
        "poisson_nll_rate": lambda lib, x, r: fn(lib).poisson_nll_loss(x.abs(), c(lib, counts),
                                                                       log_input=False, full=True, eps=1e-3,
                                                                       reduction=r),
        "PoissonNLLLoss": lambda lib, x, r: lib.nn.PoissonNLLLoss(log_input=False, reduction=r)(
            x.abs(), c(lib, counts)),
        "gaussian_nll_loss": lambda lib, x, r: fn(lib).gaussian_nll_loss(
            x, c(lib, observed), c(lib, variance), reduction=r),
        "gaussian_nll_var_grad": lambda lib, x, r: fn(lib).gaussian_nll_loss(
            c(lib, observed), c(lib, variance), x * x, reduction=r),
        "gaussian_nll_float_var": lambda lib, x, r: fn(lib).gaussian_nll_loss(x, c(lib, observed),
                                                                              0.5, full=True, reduction=r),
        "gaussian_nll_row_var": lambda lib, x, r: fn(lib).gaussian_nll_loss(
            x, c(lib, observed), (x[:, 0] * 0.3).abs(), eps=1e-2, reduction=r),
        "gaussian_nll_column_var": lambda lib, x, r: fn(lib).gaussian_nll_loss(
            x, c(lib, observed), x[:1].abs(), reduction=r),
        "GaussianNLLLoss": lambda lib, x, r: lib.nn.GaussianNLLLoss(full=True, eps=0.1, reduction=r)(
            x, c(lib, observed), x.abs()),
        "multi_margin_loss": lambda lib, x, r: fn(lib).multi_margin_loss(x, lib.tensor(labels), reduction=r),
        "multi_margin_p2": lambda lib, x, r: fn(lib).multi_margin_loss(x, lib.tensor(labels), p=2, margin=0.5,
                                                                       reduction=r),
        "multi_margin_weight": lambda lib, x, r: fn(lib).multi_margin_loss(
            x, lib.tensor(labels), weight=c(lib, class_weight), reduction=r),
        "multi_margin_row": lambda lib, x, r: fn(lib).multi_margin_loss(x[1], lib.tensor([2]), reduction=r),
        "multi_margin_row_scalar_target": lambda lib, x, r: fn(lib).multi_margin_loss(x[1], lib.tensor(2),
                                                                                      reduction=r),
        "MultiMarginLoss": lambda lib, x, r: lib.nn.MultiMarginLoss(
            p=2, margin=1.5, weight=c(lib, class_weight), reduction=r)(x, lib.tensor(labels)),
        "multilabel_margin_loss": lambda lib, x, r: fn(lib).multilabel_margin_loss(x, lib.tensor(label_lists),
                                                                                   reduction=r),
        "multilabel_margin_row": lambda lib, x, r: fn(lib).multilabel_margin_loss(
            x[0], lib.tensor(label_lists[0]), reduction=r),
        "MultiLabelMarginLoss": lambda lib, x, r: lib.nn.MultiLabelMarginLoss(reduction=r)(
            x, lib.tensor(label_lists)),
        "multilabel_soft_margin_loss": lambda lib, x, r: fn(lib).multilabel_soft_margin_loss(
            x, c(lib, probabilities), reduction=r),
        "multilabel_soft_margin_weight": lambda lib, x, r: fn(lib).multilabel_soft_margin_loss(
            x, c(lib, probabilities), weight=c(lib, class_weight), reduction=r),
        "MultiLabelSoftMarginLoss": lambda lib, x, r: lib.nn.MultiLabelSoftMarginLoss(
            weight=c(lib, class_weight), reduction=r)(x, c(lib, probabilities)),
        "triplet_margin_loss": lambda lib, x, r: fn(lib).triplet_margin_loss(x[0], x[1], x[2], reduction=r),
        "triplet_margin_batch": lambda lib, x, r: fn(lib).triplet_margin_loss(
            x.view(3, 2, 2)[0], x.view(3, 2, 2)[1], x.view(3, 2, 2)[2], margin=2.0, p=1, eps=0.01, reduction=r),
        "triplet_margin_swap": lambda lib, x, r: fn(lib).triplet_margin_loss(
            x.view(3, 2, 2)[0], x.view(3, 2, 2)[1], x.view(3, 2, 2)[2] * 0.1, margin=3.0, p=3, swap=True,
            reduction=r),
        "TripletMarginLoss": lambda lib, x, r: lib.nn.TripletMarginLoss(margin=4.0, p=1.5, reduction=r)(
            x[:, :2], x[:, 2:], x[:, 1:3]),
        "triplet_margin_with_distance_loss": lambda lib, x, r: fn(lib).triplet_margin_with_distance_loss(
            x[:, :2], x[:, 2:], x[:, 1:3], margin=2.0, reduction=r),
        "triplet_with_distance_function": lambda lib, x, r: fn(lib).triplet_margin_with_distance_loss(
            x[:, :2], x[:, 2:], x[:, 1:3], distance_function=lambda a, b: (a - b).abs().sum(-1), swap=True,
            margin=2.0, reduction=r),
        "TripletMarginWithDistanceLoss": lambda lib, x, r: lib.nn.TripletMarginWithDistanceLoss(
            distance_function=lambda a, b: 1 - (a * b).sum(-1), margin=0.5, reduction=r)(x[0], x[1], x[2]),
    }


NAMES = list(_losses(np.random.default_rng(0)))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_loss_matches_torch(oracle, name, reduction, dtype):
    """Values, dtypes and the input's gradient; the result's grad_fn is PyTorch's."""
    rng = oracle.rng(3)
    loss = _losses(rng, dtype)[name]
    x = (rng.standard_normal((3, 4)) * 1.5).astype(dtype)
    e, t = oracle.check(lambda lib, a: loss(lib, a, reduction), x)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t)


def _gradcheck_losses():
    """name -> (loss of float64 leaves, its leaves): every input that takes a gradient in PyTorch."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 4))
    y = rng.standard_normal((3, 4))
    positive = rng.uniform(0.5, 2, (3, 4))
    signs = _signs(rng, (3, 4))
    F = ember.nn.functional
    return {
        "soft_margin_loss": (lambda a: F.soft_margin_loss(a, ember.tensor(signs)), (x,)),
        "hinge_embedding_loss": (lambda a: F.hinge_embedding_loss(a, ember.tensor(signs), margin=3.0), (x,)),
        "poisson_nll_loss": (lambda a, b: F.poisson_nll_loss(a, b, full=True, reduction="sum"), (x, positive * 2)),
        "poisson_nll_rate": (lambda a, b: F.poisson_nll_loss(a, b, log_input=False), (positive, positive)),
        "gaussian_nll_loss": (lambda a, b, v: F.gaussian_nll_loss(a, b, v, full=True), (x, y, positive)),
        "multi_margin_loss": (lambda a: F.multi_margin_loss(a, ember.tensor([0, 3, 1]), p=2,
                                                            weight=ember.tensor(positive[0])), (x,)),
        "multilabel_margin_loss": (lambda a: F.multilabel_margin_loss(
            a, ember.tensor([[3, 0, -1, 1], [0, 1, 2, 3], [1, 1, -1, 0]]), reduction="none"), (x,)),
        "multilabel_soft_margin_loss": (lambda a, b: F.multilabel_soft_margin_loss(a, b), (x, positive / 2)),
        "triplet_margin_loss": (lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=3.0, p=3, swap=True),
                                (x, y, x * 0.5)),
        "triplet_margin_with_distance_loss": (lambda a, p, n: F.triplet_margin_with_distance_loss(
            a, p, n, margin=3.0), (x, y, y * 0.5)),
    }


@pytest.mark.parametrize("name", list(_gradcheck_losses()))
def test_loss_gradcheck(name):
    fn, arrays = _gradcheck_losses()[name]
    leaves = tuple(ember.tensor(a, requires_grad=True) for a in arrays)
    assert ember.autograd.gradcheck(fn, leaves)


@pytest.mark.parametrize("name", ["soft_margin_loss", "poisson_nll_loss", "gaussian_nll_loss",
                                  "multilabel_soft_margin_loss", "triplet_margin_loss"])
def test_loss_gradgradcheck(name):
    """Second derivatives where PyTorch has them (multi_margin's and multilabel_margin's it lacks)."""
    fn, arrays = _gradcheck_losses()[name]
    leaves = tuple(ember.tensor(a, requires_grad=True) for a in arrays)
    assert ember.autograd.gradgradcheck(fn, leaves)


# name -> loss(lib, x, **legacy flags) for the functions and modules that still take size_average/reduce
LEGACY = {
    "soft_margin_loss": lambda lib, x, **k: lib.nn.functional.soft_margin_loss(x, lib.tensor([1.0, -1, 1, 1]), **k),
    "SoftMarginLoss": lambda lib, x, **k: lib.nn.SoftMarginLoss(**k)(x, lib.tensor([1.0, -1, 1, 1])),
    "hinge_embedding_loss": lambda lib, x, **k: lib.nn.functional.hinge_embedding_loss(
        x, lib.tensor([1.0, -1, 1, -1]), **k),
    "poisson_nll_loss": lambda lib, x, **k: lib.nn.functional.poisson_nll_loss(x, lib.tensor([1.0, 0, 3, 2]), **k),
    "PoissonNLLLoss": lambda lib, x, **k: lib.nn.PoissonNLLLoss(**k)(x, lib.tensor([1.0, 0, 3, 2])),
    "multi_margin_loss": lambda lib, x, **k: lib.nn.functional.multi_margin_loss(x, lib.tensor([0, 3, 1]), **k),
    "MultiMarginLoss": lambda lib, x, **k: lib.nn.MultiMarginLoss(**k)(x, lib.tensor([0, 3, 1])),
    "multilabel_margin_loss": lambda lib, x, **k: lib.nn.functional.multilabel_margin_loss(
        x, lib.tensor([[3, 0, -1, 1], [0, 1, 2, 3], [1, 1, -1, 0]]), **k),
    "multilabel_soft_margin_loss": lambda lib, x, **k: lib.nn.functional.multilabel_soft_margin_loss(
        x, lib.tensor([1.0, 0, 0, 1]), **k),
    "MultiLabelSoftMarginLoss": lambda lib, x, **k: lib.nn.MultiLabelSoftMarginLoss(**k)(
        x, lib.tensor([1.0, 0, 0, 1])),
    "triplet_margin_loss": lambda lib, x, **k: lib.nn.functional.triplet_margin_loss(x[0], x[1], x[2], **k),
    "TripletMarginLoss": lambda lib, x, **k: lib.nn.TripletMarginLoss(**k)(x[0], x[1], x[2]),
}


@pytest.mark.parametrize("name", list(LEGACY))
@pytest.mark.parametrize("flags", [(None, False), (False, None), (True, True)], ids=str)
def test_legacy_flags_match_torch(oracle, name, flags):
    """size_average/reduce pick the reduction (with PyTorch's deprecation warning) where PyTorch takes them."""
    size_average, reduce = flags
    x = oracle.rng(4).standard_normal((3, 4))

    def legacy(lib, a):
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            return LEGACY[name](lib, a, size_average=size_average, reduce=reduce)

    oracle.check(legacy, x)
