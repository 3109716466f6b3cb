"""soft_margin, hinge_embedding, poisson_nll, gaussian_nll, multi_margin, multilabel_margin,
multilabel_soft_margin and the triplet losses (functional and module forms) against PyTorch: values, dtypes
and gradients for every reduction and option, grad_fn names, the legacy size_average/reduce flags, argument
errors (class and message), gradcheck on float64."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import same_message, settled

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
    """fn(torch) and fn(ember) raise the same exception class, with PyTorch's message when `exact` (ember's
    broadcast errors name the op after it); a queued device raises a bad label at its next synchronisation."""
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(expected.type) as got:
        settled(fn(ember))
    if exact:
        assert same_message(got.value, expected.value), (str(got.value), str(expected.value))


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
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_loss_matches_torch(oracle, name, reduction, dtype):
    """Values, dtypes and the input's gradient; the result's grad_fn is PyTorch's. float16 too, but for
    the losses whose PyTorch kernels take only float32 and float64 (both refuse it)."""
    rng = oracle.rng(3)
    loss = _losses(rng, dtype)[name]
    x = (rng.standard_normal((3, 4)) * 1.5).astype(dtype)
    if dtype == "float16" and "multi" in name.lower() and "soft" not in name.lower():
        assert_same_error(lambda lib: loss(lib, lib.tensor(x), reduction), exact=False)
        return
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


def _x(lib, *shape, dtype=None):
    return lib.ones(*shape, dtype=dtype or lib.float32)


# name -> a call that raises in PyTorch: ember raises the same class with the same message
ERRORS = {
    "soft_margin_target_requires_grad": lambda lib: lib.nn.functional.soft_margin_loss(
        _x(lib, 3), _x(lib, 3).requires_grad_()),
    "soft_margin_integer_input": lambda lib: lib.nn.functional.soft_margin_loss(
        _x(lib, 3, dtype=lib.int64), _x(lib, 3, dtype=lib.float64)),
    "soft_margin_integer_pair": lambda lib: lib.nn.functional.soft_margin_loss(
        _x(lib, 3, dtype=lib.int64), _x(lib, 3, dtype=lib.int64)),
    "soft_margin_target_larger": lambda lib: lib.nn.functional.soft_margin_loss(_x(lib, 3, 4), _x(lib, 1, 3, 4)),
    "soft_margin_mismatch": lambda lib: lib.nn.functional.soft_margin_loss(_x(lib, 3, 2), _x(lib, 4, 2)),
    "soft_margin_reduction": lambda lib: lib.nn.functional.soft_margin_loss(_x(lib, 3), _x(lib, 3), reduction="x"),
    "hinge_mismatch": lambda lib: lib.nn.functional.hinge_embedding_loss(_x(lib, 3, 4), _x(lib, 2)),
    "hinge_integer_mean": lambda lib: lib.nn.functional.hinge_embedding_loss(
        _x(lib, 3, dtype=lib.int64), _x(lib, 3, dtype=lib.int64)),
    "poisson_reduction": lambda lib: lib.nn.functional.poisson_nll_loss(_x(lib, 3), _x(lib, 3), reduction="x"),
    "poisson_mismatch": lambda lib: lib.nn.functional.poisson_nll_loss(_x(lib, 3, 4), _x(lib, 2)),
    "gaussian_negative_float_var": lambda lib: lib.nn.functional.gaussian_nll_loss(_x(lib, 3), _x(lib, 3), -1.0),
    "gaussian_negative_var": lambda lib: lib.nn.functional.gaussian_nll_loss(_x(lib, 3), _x(lib, 3), -_x(lib, 3)),
    "gaussian_var_short": lambda lib: lib.nn.functional.gaussian_nll_loss(_x(lib, 3, 4), _x(lib, 3, 4), _x(lib, 2)),
    "gaussian_var_vector": lambda lib: lib.nn.functional.gaussian_nll_loss(_x(lib, 3, 4), _x(lib, 3, 4), _x(lib, 4)),
    "gaussian_var_two_ones": lambda lib: lib.nn.functional.gaussian_nll_loss(
        _x(lib, 3, 4), _x(lib, 3, 4), _x(lib, 1, 1)),
    "gaussian_var_0d": lambda lib: lib.nn.functional.gaussian_nll_loss(_x(lib, 3, 4), _x(lib, 3, 4), lib.tensor(2.0)),
    "gaussian_reduction": lambda lib: lib.nn.functional.gaussian_nll_loss(_x(lib, 3), _x(lib, 3), _x(lib, 3),
                                                                          reduction="bad"),
    "multi_margin_p": lambda lib: lib.nn.functional.multi_margin_loss(_x(lib, 3, 4), lib.tensor([0, 1, 2]), p=3),
    "multi_margin_weight_2d": lambda lib: lib.nn.functional.multi_margin_loss(
        _x(lib, 3, 4), lib.tensor([0, 1, 2]), weight=_x(lib, 1, 4)),
    "multi_margin_weight_size": lambda lib: lib.nn.functional.multi_margin_loss(
        _x(lib, 3, 4), lib.tensor([0, 1, 2]), weight=_x(lib, 3)),
    "multi_margin_weight_dtype": lambda lib: lib.nn.functional.multi_margin_loss(
        _x(lib, 3, 4), lib.tensor([0, 1, 2]), weight=_x(lib, 4, dtype=lib.float64)),
    "multi_margin_weight_requires_grad": lambda lib: lib.nn.functional.multi_margin_loss(
        _x(lib, 3, 4), lib.tensor([0, 1, 2]), weight=_x(lib, 4).requires_grad_()),
    "multi_margin_target_size": lambda lib: lib.nn.functional.multi_margin_loss(_x(lib, 3, 4), lib.tensor([0, 1])),
    "multi_margin_target_2d": lambda lib: lib.nn.functional.multi_margin_loss(_x(lib, 3, 4),
                                                                              lib.tensor([[0, 1, 1]])),
    "multi_margin_target_float": lambda lib: lib.nn.functional.multi_margin_loss(_x(lib, 3, 4),
                                                                                 lib.tensor([0.0, 1, 1])),
    "multi_margin_target_int32": lambda lib: lib.nn.functional.multi_margin_loss(
        _x(lib, 3, 4), lib.tensor([0, 1, 1], dtype=lib.int32)),
    "multi_margin_target_high": lambda lib: lib.nn.functional.multi_margin_loss(_x(lib, 3, 4), lib.tensor([0, 1, 4])),
    "multi_margin_target_negative": lambda lib: lib.nn.functional.multi_margin_loss(_x(lib, 3, 4),
                                                                                    lib.tensor([0, -1, 1])),
    "multi_margin_3d": lambda lib: lib.nn.functional.multi_margin_loss(_x(lib, 3, 4, 2), lib.tensor([0, 1, 1])),
    "multi_margin_no_classes": lambda lib: lib.nn.functional.multi_margin_loss(_x(lib, 3, 0), lib.tensor([0, 1, 1])),
    "multi_margin_module_p": lambda lib: lib.nn.MultiMarginLoss(p=0),
    "multi_margin_module_weight": lambda lib: lib.nn.MultiMarginLoss(weight=_x(lib, 2, 2)),
    "multilabel_target_size": lambda lib: lib.nn.functional.multilabel_margin_loss(
        _x(lib, 3, 4), lib.tensor([[0, 1, -1, 2]] * 2)),
    "multilabel_row_target_size": lambda lib: lib.nn.functional.multilabel_margin_loss(_x(lib, 4), lib.tensor([0, 1])),
    "multilabel_target_float": lambda lib: lib.nn.functional.multilabel_margin_loss(_x(lib, 1, 4),
                                                                                    lib.tensor([[0.0, 1, -1, 2]])),
    "multilabel_target_high": lambda lib: lib.nn.functional.multilabel_margin_loss(_x(lib, 1, 4),
                                                                                   lib.tensor([[0, 4, -1, 2]])),
    "multilabel_target_low": lambda lib: lib.nn.functional.multilabel_margin_loss(_x(lib, 1, 4),
                                                                                  lib.tensor([[0, -2, -1, 2]])),
    "multilabel_no_classes": lambda lib: lib.nn.functional.multilabel_margin_loss(
        _x(lib, 3, 0), lib.zeros(3, 0, dtype=lib.int64)),
    "multilabel_3d": lambda lib: lib.nn.functional.multilabel_margin_loss(
        _x(lib, 3, 4, 2), lib.zeros(3, 4, 2, dtype=lib.int64)),
    "multilabel_soft_0d": lambda lib: lib.nn.functional.multilabel_soft_margin_loss(lib.tensor(1.0), lib.tensor(1.0)),
    "multilabel_soft_reduction": lambda lib: lib.nn.functional.multilabel_soft_margin_loss(
        _x(lib, 3, 4), _x(lib, 3, 4), reduction="bad"),
    "multilabel_soft_weight": lambda lib: lib.nn.functional.multilabel_soft_margin_loss(
        _x(lib, 3, 4), _x(lib, 3, 4), weight=_x(lib, 3)),
    "triplet_margin": lambda lib: lib.nn.functional.triplet_margin_loss(_x(lib, 3), _x(lib, 3), _x(lib, 3), margin=0),
    "triplet_dims": lambda lib: lib.nn.functional.triplet_margin_loss(_x(lib, 2, 3), _x(lib, 3), _x(lib, 2, 3)),
    "triplet_reduction": lambda lib: lib.nn.functional.triplet_margin_loss(_x(lib, 3), _x(lib, 3), _x(lib, 3),
                                                                           reduction="x"),
    "triplet_module_margin": lambda lib: lib.nn.TripletMarginLoss(margin=-1.0),
    "triplet_distance_reduction": lambda lib: lib.nn.functional.triplet_margin_with_distance_loss(
        _x(lib, 3), _x(lib, 3), _x(lib, 3), reduction="x"),
    "triplet_distance_margin": lambda lib: lib.nn.functional.triplet_margin_with_distance_loss(
        _x(lib, 3), _x(lib, 3), _x(lib, 3), margin=-2.0),
    "triplet_distance_dims": lambda lib: lib.nn.functional.triplet_margin_with_distance_loss(
        _x(lib, 2, 3), _x(lib, 2, 3), _x(lib, 3)),
    "triplet_distance_module_margin": lambda lib: lib.nn.TripletMarginWithDistanceLoss(margin=0.0),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    assert_same_error(ERRORS[name])


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.multi_margin_loss(_x(lib, 3, 4, dtype=lib.int64), lib.tensor([0, 1, 1])),
    lambda lib: lib.nn.functional.multi_margin_loss(_x(lib, 3, 4, dtype=lib.float16), lib.tensor([0, 1, 1])),
    lambda lib: lib.nn.functional.multilabel_margin_loss(_x(lib, 1, 4, dtype=lib.int64), lib.tensor([[0, 1, -1, 2]])),
    # PyTorch names the type 'long int' here, ember 'Long': the class and the gist are checked
    lambda lib: lib.nn.functional.gaussian_nll_loss(_x(lib, 3), _x(lib, 3), _x(lib, 3, dtype=lib.int64)),
    lambda lib: lib.nn.functional.gaussian_nll_loss(_x(lib, 3), _x(lib, 3), 1),
], ids=["multi_margin_long", "multi_margin_half", "multilabel_long", "gaussian_long_var", "gaussian_int_var"])
def test_error_classes_match_torch(call):
    """The class PyTorch raises (the message differs only in how a type is named)."""
    assert_same_error(call, exact=False)


@pytest.mark.parametrize("loss", ["soft_margin_loss", "hinge_embedding_loss", "poisson_nll_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_empty_inputs_match_torch(oracle, loss, reduction):
    """No elements: NaN for a mean, 0 for a sum; no samples for multi_margin (whose reduced value over no
    samples PyTorch leaves uninitialised)."""
    empty = np.zeros((0,), dtype=np.float32)
    oracle.check(lambda lib, a, b: getattr(lib.nn.functional, loss)(a, b.detach(), reduction=reduction),
                 empty, empty)
    oracle.check(lambda lib, a: lib.nn.functional.multi_margin_loss(a, lib.zeros(0, dtype=lib.int64),
                                                                     reduction="none"),
                 np.zeros((0, 4), dtype=np.float32))


def test_soft_margin_overflow_matches_torch(oracle):
    """exp(-y x) overflowing: an infinite loss and a NaN gradient there, as PyTorch's."""
    oracle.check(lambda lib, a: lib.nn.functional.soft_margin_loss(a, lib.ones(3), reduction="sum"),
                 np.array([-1000.0, 1000.0, 0.0], dtype=np.float32))


def test_integer_and_mixed_dtypes_match_torch(oracle):
    """The result dtypes of integer and mixed-precision arguments."""
    ints = np.array([1, -1, 0, 2])
    floats = np.array([0.5, -1.5, 2.0, 0.25])
    cases = [
        lambda lib, a, b: lib.nn.functional.soft_margin_loss(a.float(), b.double()),
        lambda lib, a, b: lib.nn.functional.soft_margin_loss(b.double(), a.float()),
        lambda lib, a, b: lib.nn.functional.soft_margin_loss(b.float(), a),
        lambda lib, a, b: lib.nn.functional.hinge_embedding_loss(a, a, reduction="none"),
        lambda lib, a, b: lib.nn.functional.hinge_embedding_loss(a, -a.abs(), margin=1.5, reduction="sum"),
        lambda lib, a, b: lib.nn.functional.hinge_embedding_loss(b.float(), b.double()),
        lambda lib, a, b: lib.nn.functional.poisson_nll_loss(a, a.abs()),
        lambda lib, a, b: lib.nn.functional.poisson_nll_loss(b.float(), a.abs().double(), full=True),
        lambda lib, a, b: lib.nn.functional.gaussian_nll_loss(b.float(), b.float(), a.abs().double()),
        lambda lib, a, b: lib.nn.functional.multilabel_soft_margin_loss(b.float(), a.abs()),
    ]
    for case in cases:
        oracle.check_forward(case, ints, floats)


def test_gaussian_variance_below_eps_matches_torch(oracle):
    """The variance is clamped at eps in the value; its gradient passes the clamp, as PyTorch's clone-and-
    clamp_ under no_grad."""
    var = np.array([1e-9, 1e-3, 0.0, 2.0])
    oracle.check(lambda lib, x, v: lib.nn.functional.gaussian_nll_loss(x, x.detach() * 0.5, v, eps=1e-2),
                 np.array([1.0, -2.0, 0.5, 3.0]), var)


def test_multi_margin_double_backward_gradient_values(oracle):
    """The first gradient's values when recorded with create_graph (PyTorch records it but cannot
    differentiate it again)."""
    x = oracle.rng(8).standard_normal((3, 4))
    for lib in (torch, ember):
        a = lib.tensor(x, requires_grad=True)
        loss = lib.nn.functional.multi_margin_loss(a, lib.tensor([0, 3, 1]), p=2)
        grad, = lib.autograd.grad(loss, a, create_graph=True)
        if lib is torch:
            expected = grad.detach().numpy()
        else:
            np.testing.assert_allclose(grad.detach().cpu().numpy(), expected, rtol=1e-12)


def test_triplet_with_distance_module_defaults_to_a_pairwise_distance_module(oracle):
    """PyTorch keeps a PairwiseDistance() submodule as the default distance (it shows in the repr)."""
    got, expected = (lib.nn.TripletMarginWithDistanceLoss() for lib in (oracle.ember, oracle.torch))
    assert repr(got) == repr(expected)
    assert type(got.distance_function).__name__ == "PairwiseDistance"
