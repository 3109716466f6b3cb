"""The rarer nn layers against PyTorch: F.affine_grid / F.grid_sample (every mode, padding mode and
align_corners, 4-d and 5-d), F.ctc_loss / nn.CTCLoss, nn.AdaptiveLogSoftmaxWithLoss, F.fractional_max_pool2d/3d
and their modules, nn.CrossMapLRN2d, native_channel_shuffle, conv_tbc, torch.embedding_renorm_, the deprecated
nn.NLLLoss2d and nn.Container: values, gradients, grad_fn names, warnings and errors; gradcheck in float64."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from outcomes import assert_same_error

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle


_same_error = functools.partial(assert_same_error, ember=ember, torch=torch)  # _same_error(lambda lib: ...)


def _numpy(tensor):
    return tensor.detach().cpu().numpy()


def _quiet(fn):
    """`fn` with the align_corners default warning silenced (it is tested on its own)."""
    def call(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args)
    return call


# --- grid_sample / affine_grid ---------------------------------------------------------------------------

MODES = ["bilinear", "nearest", "bicubic"]
PADDINGS = ["zeros", "border", "reflection"]


def _grid(rng, shape, dtype="float64"):
    """Grid coordinates reaching past [-1, 1], so that every padding mode is exercised."""
    return rng.uniform(-1.4, 1.4, shape).astype(dtype)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("mode", MODES)
def test_grid_sample_4d_matches_torch(oracle, mode, padding_mode, align_corners):
    rng = oracle.rng(3)
    x, grid = oracle.array(rng, (2, 3, 4, 5), "float64", "any"), _grid(rng, (2, 3, 6, 2))
    e, t = oracle.check(lambda lib, a, g: lib.nn.functional.grid_sample(a, g, mode, padding_mode, align_corners),
                        x, grid)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "GridSampler2DBackward0"


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_grid_sample_5d_matches_torch(oracle, mode, padding_mode, align_corners):
    rng = oracle.rng(4)
    x, grid = oracle.array(rng, (2, 2, 3, 4, 5), "float64", "any"), _grid(rng, (2, 2, 3, 4, 3))
    e, t = oracle.check(lambda lib, a, g: lib.nn.functional.grid_sample(a, g, mode, padding_mode, align_corners),
                        x, grid)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "GridSampler3DBackward0"


def test_grid_sample_float32_and_unit_sized_input_match_torch(oracle):
    rng = oracle.rng(5)
    x, grid = oracle.array(rng, (1, 2, 6, 7), "float32", "any"), _grid(rng, (1, 4, 4, 2), "float32")
    oracle.check(lambda lib, a, g: lib.nn.functional.grid_sample(a, g, align_corners=False), x, grid)
    x, grid = oracle.array(rng, (1, 2, 1, 1), "float64", "any"), _grid(rng, (1, 2, 3, 2))
    for padding_mode in PADDINGS:
        oracle.check(lambda lib, a, g, p=padding_mode: lib.nn.functional.grid_sample(a, g, padding_mode=p,
                                                                                     align_corners=True), x, grid)


def test_grid_sample_and_affine_grid_warn_when_align_corners_is_not_given():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior has changed"):
            lib.nn.functional.grid_sample(lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 1, 2))
        with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior has changed"):
            lib.nn.functional.affine_grid(lib.eye(2, 3).unsqueeze(0), (1, 1, 2, 2))
        with pytest.warns(UserWarning, match="affine_grid behavior has changed for unit-size grids"):
            lib.nn.functional.affine_grid(lib.eye(2, 3).unsqueeze(0), (1, 1, 1, 2), align_corners=True)


def test_grid_sample_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(6)
    x = ember.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)
    grid = ember.tensor(rng.uniform(-1.2, 1.2, (1, 2, 3, 2)), requires_grad=True)
    F = ember.nn.functional
    for mode in ("bilinear", "bicubic"):
        for padding_mode in PADDINGS:
            assert ember.autograd.gradcheck(
                lambda a, g, m=mode, p=padding_mode: F.grid_sample(a, g, m, p, align_corners=False), (x, grid))
    assert ember.autograd.gradgradcheck(lambda a, g: F.grid_sample(a, g, align_corners=True), (x, grid))
    theta = ember.tensor(rng.standard_normal((1, 2, 3)), requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda t: F.affine_grid(t, (1, 1, 2, 3), align_corners=False), (theta,))


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3), (2, 3, 2, 3, 4)])
def test_affine_grid_matches_torch(oracle, size, align_corners):
    rows = len(size) - 2
    theta = oracle.array(oracle.rng(7), (2, rows, rows + 1), "float64", "any")
    e, t = _quiet(oracle.check)(lambda lib, t: lib.nn.functional.affine_grid(t, size, align_corners), theta)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "AffineGridGeneratorBackward0"


def test_spatial_transformer_matches_torch(oracle):
    """affine_grid into grid_sample, differentiated w.r.t. the input and the affine matrices."""
    rng = oracle.rng(8)
    x, theta = oracle.array(rng, (2, 3, 5, 6), "float32", "any"), oracle.array(rng, (2, 2, 3), "float32", "any")

    def transform(lib, a, t):
        grid = lib.nn.functional.affine_grid(t, (2, 3, 4, 4), align_corners=False)
        return lib.nn.functional.grid_sample(a, grid, align_corners=False)

    oracle.check(transform, x, theta)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.grid_sample(lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 1, 2), mode="linear"),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 1, 2), padding_mode="edge"),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 1, 2, 2), lib.zeros(1, 1, 1, 2), align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(1, 1, 2, 2), lib.zeros(1, 1, 1, 3), align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(1, 1, 0, 2), lib.zeros(1, 1, 1, 2), align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(1, 1, 2, 2, 2), lib.zeros(1, 1, 1, 1, 3), mode="bicubic",
                                              align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.ones(2, 3), lib.zeros(1, 2), align_corners=False),
    lambda lib: lib.nn.functional.affine_grid(lib.ones(1, 2, 3, dtype=lib.long), (1, 1, 2, 2), False),
    lambda lib: lib.nn.functional.affine_grid(lib.ones(1, 3, 3), (1, 1, 2, 2), False),
    lambda lib: lib.nn.functional.affine_grid(lib.ones(1, 2, 3), (1, 1, 2, 2, 2), False),
    lambda lib: lib.nn.functional.affine_grid(lib.ones(1, 2, 3), (1, 1, 2), False),
    lambda lib: lib.nn.functional.affine_grid(lib.ones(1, 2, 3), (1, 1, 0, 2), False),
])
def test_grid_errors_match_torch(call):
    _same_error(call)


# --- ctc_loss ---------------------------------------------------------------------------------------------

PADDED = np.array([[1, 2, 2], [3, 3, 0], [1, 1, 1], [2, 1, 3]])
INPUT_LENGTHS = np.array([6, 5, 6, 3])
TARGET_LENGTHS = np.array([3, 2, 0, 3])


def _ctc(lib, log_probs, targets, input_lengths, target_lengths, **kwargs):
    def tensor(value):
        return lib.tensor(value) if isinstance(value, np.ndarray) else value
    return lib.nn.functional.ctc_loss(log_probs, tensor(targets), tensor(input_lengths), tensor(target_lengths),
                                      **kwargs)


@pytest.mark.parametrize("through_log_softmax", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_ctc_loss_padded_targets_match_torch(oracle, reduction, through_log_softmax):
    """The gradient is PyTorch's both for log_softmax outputs and for raw log_probs (where PyTorch's is not
    the loss's own derivative)."""
    x = oracle.array(oracle.rng(9), (6, 4, 5), "float64", "any")

    def loss(lib, a):
        log_probs = a.log_softmax(2) if through_log_softmax else a
        return _ctc(lib, log_probs, PADDED, INPUT_LENGTHS, TARGET_LENGTHS, reduction=reduction)

    e, t = oracle.check(loss, x)
    expected = {"none": "CtcLossBackward0", "sum": "SumBackward0", "mean": "MeanBackward0"}[reduction]
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == expected


def test_ctc_loss_concatenated_targets_and_length_sequences_match_torch(oracle):
    x = oracle.array(oracle.rng(10), (6, 4, 5), "float32", "any")
    concatenated = np.concatenate([row[:n] for row, n in zip(PADDED, TARGET_LENGTHS)])
    oracle.check(lambda lib, a: _ctc(lib, a.log_softmax(2), concatenated, INPUT_LENGTHS, TARGET_LENGTHS), x)
    oracle.check(lambda lib, a: _ctc(lib, a.log_softmax(2), PADDED, tuple(INPUT_LENGTHS.tolist()),
                                     list(TARGET_LENGTHS.tolist()), reduction="sum"), x)


def test_ctc_loss_blank_unbatched_and_empty_inputs_match_torch(oracle):
    rng = oracle.rng(11)
    x = oracle.array(rng, (5, 3, 4), "float64", "any")
    oracle.check(lambda lib, a: _ctc(lib, a.log_softmax(2), np.array([[0, 1], [2, 2], [1, 0]]), np.array([5, 4, 5]),
                                     np.array([2, 2, 1]), blank=3, reduction="none"), x)
    oracle.check(lambda lib, a: _ctc(lib, a.log_softmax(2), PADDED[:3], np.array([0, 5, 0]),
                                     np.array([0, 2, 1]), reduction="none", zero_infinity=True), x)
    single = oracle.array(rng, (5, 4), "float64", "any")
    oracle.check(lambda lib, a: _ctc(lib, a.log_softmax(1), np.array([1, 2]), np.array(5), np.array(2),
                                     reduction="none"), single)


def test_ctc_loss_zero_infinity_matches_torch(oracle):
    """Targets too long for their inputs: inf, or 0 with a zero gradient under zero_infinity."""
    x = oracle.array(oracle.rng(12), (4, 3, 4), "float64", "any")
    targets = np.array([[1, 1, 1], [1, 2, 3], [2, 2, 2]])
    for reduction in ("none", "sum"):
        oracle.check(lambda lib, a, r=reduction: _ctc(lib, a.log_softmax(2), targets, np.array([4, 4, 4]),
                                                      np.array([3, 3, 3]), reduction=r, zero_infinity=True), x)
    oracle.check_forward(lambda lib, a: _ctc(lib, a, targets, np.array([4, 4, 4]), np.array([3, 3, 3]),
                                             reduction="none"), x)


def test_ctc_loss_module_and_gradcheck():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((5, 2, 4))
    targets, lengths = np.array([[1, 2], [3, 1]]), (np.array([5, 4]), np.array([2, 1]))
    losses = []
    for lib in (torch, ember):
        module = lib.nn.CTCLoss(blank=0, reduction="sum", zero_infinity=True)
        losses.append(module(lib.tensor(x).log_softmax(2), lib.tensor(targets), *map(lib.tensor, lengths)).item())
    assert losses[0] == pytest.approx(losses[1], rel=1e-10)
    assert repr(ember.nn.CTCLoss()) == "CTCLoss()"
    leaf = ember.tensor(x, requires_grad=True)
    assert ember.autograd.gradcheck(
        lambda a: ember.nn.functional.ctc_loss(a.log_softmax(2), ember.tensor(targets), *map(ember.tensor, lengths)),
        (leaf,))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.ctc_loss(lib.zeros(5, 2, 4), lib.tensor([[1, 2], [3, 3]]), lib.tensor([5, 4]),
                                           lib.tensor([3, 2])),
    lambda lib: lib.nn.functional.ctc_loss(lib.zeros(5, 2, 4), lib.tensor([[1, 2], [3, 3]]), lib.tensor([6, 4]),
                                           lib.tensor([2, 2])),
    lambda lib: lib.nn.functional.ctc_loss(lib.zeros(5, 2, 4), lib.tensor([[1, 2], [3, 3]]), lib.tensor([5, 4]),
                                           lib.tensor([2, 2]), blank=4),
    lambda lib: lib.nn.functional.ctc_loss(lib.zeros(5, 2, 4), lib.tensor([[1, 2], [3, 3]]), lib.tensor([5, 4]),
                                           lib.tensor([2, 2]), reduction="avg"),
    lambda lib: lib.nn.functional.ctc_loss(lib.zeros(5, 2, 4), lib.tensor([[1, 2], [3, 3]]), lib.tensor([5]),
                                           lib.tensor([2, 2])),
    lambda lib: lib.nn.functional.ctc_loss(lib.zeros(5, 2, 4), lib.tensor([[1, 2], [3, 3]]), lib.tensor([5, 4]),
                                           lib.tensor([2])),
    lambda lib: lib.nn.functional.ctc_loss(lib.zeros(5, 2, 4), lib.tensor([1, 2, 3]), lib.tensor([5, 4]),
                                           lib.tensor([2, 2])),
    lambda lib: lib.nn.functional.ctc_loss(lib.zeros(5, 2, 4), lib.tensor([[1, 2], [3, 3]]),
                                           lib.tensor([5.0, 4.0]), lib.tensor([2, 2])),
    lambda lib: lib.nn.functional.ctc_loss(lib.zeros(1, 5, 2, 4), lib.tensor([[1, 2], [3, 3]]),
                                           lib.tensor([5, 4]), lib.tensor([2, 2])),
    lambda lib: lib.nn.functional.ctc_loss(lib.zeros(5, 2, 4), lib.tensor([[1, 2], [3, 3]]), lib.tensor([5, 4]),
                                           lib.tensor([-1, 2])),
])
def test_ctc_loss_errors_match_torch(call):
    _same_error(call)


# --- AdaptiveLogSoftmaxWithLoss ---------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")  # torch's, for a 0-wide projection
@pytest.mark.parametrize("cutoffs, div_value, head_bias", [([3, 6], 4.0, False), ([2, 5, 8], 2.0, True),
                                                          ([4], 1.0, False)])
def test_adaptive_log_softmax_matches_torch(cutoffs, div_value, head_bias):
    rng = np.random.default_rng(14)
    reference = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs, div_value, head_bias).double()
    module = ember.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs, div_value, head_bias, dtype=ember.float64)
    module.load_state_dict({k: ember.tensor(_numpy(v)) for k, v in reference.state_dict().items()})
    assert repr(module) == repr(reference)
    x, target = rng.standard_normal((6, 8)), np.array([0, 4, 9, 2, 7, 5])
    leaves = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    expected, got = reference(leaves[0], torch.tensor(target)), module(leaves[1], ember.tensor(target))
    assert type(got).__name__ == "_ASMoutput" and got._fields == ("output", "loss")
    np.testing.assert_allclose(_numpy(got.output), _numpy(expected.output), rtol=1e-10)
    assert got.loss.item() == pytest.approx(expected.loss.item(), rel=1e-10)
    assert type(got.output.grad_fn).__name__ == type(expected.output.grad_fn).__name__ == "AddBackward0"
    expected.loss.backward()
    got.loss.backward()
    np.testing.assert_allclose(_numpy(leaves[1].grad), _numpy(leaves[0].grad), rtol=1e-10)
    for (name, p), q in zip(module.named_parameters(), reference.parameters()):
        np.testing.assert_allclose(_numpy(p.grad), _numpy(q.grad), rtol=1e-10, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(_numpy(module.log_prob(leaves[1])), _numpy(reference.log_prob(leaves[0])),
                               rtol=1e-10)
    np.testing.assert_array_equal(_numpy(module.predict(leaves[1])), _numpy(reference.predict(leaves[0])))
    single = module(leaves[1][0], ember.tensor(target[0]))
    assert single.output.shape == () and single.output.item() == pytest.approx(
        reference(leaves[0][0], torch.tensor(target[0])).output.item(), rel=1e-10)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, []),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5, 3]),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 10]),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 3]),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(lib.zeros(2, 8), lib.tensor([1, 10])),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(lib.zeros(3, 8), lib.tensor([1, 2])),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(lib.zeros(2, 8), lib.tensor([[1, 2]])),
    lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(lib.zeros(2, 8), lib.tensor(1)),
])
def test_adaptive_log_softmax_errors_match_torch(call):
    _same_error(call)


# --- fractional max pooling -------------------------------------------------------------------------------

FRACTIONAL = {
    "2d size": (2, (2, 3, 7, 6), 2, {"output_size": (4, 3)}),
    "2d int size": (2, (2, 3, 7, 6), 3, {"output_size": 4}),
    "2d ratio": (2, (2, 3, 17, 16), (3, 2), {"output_ratio": (0.5, 0.7)}),
    "2d unbatched": (2, (3, 7, 6), 2, {"output_size": (4, 3)}),
    "2d one output": (2, (2, 3, 10, 10), 2, {"output_size": 1}),
    "3d size": (3, (2, 2, 7, 6, 5), 2, {"output_size": (4, 3, 3)}),
    "3d unbatched": (3, (2, 7, 6, 5), (2, 3, 1), {"output_size": (4, 3, 3)}),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(FRACTIONAL))
def test_fractional_max_pool_matches_torch_for_the_same_samples(oracle, name, dtype):
    dims, shape, kernel, sizes = FRACTIONAL[name]
    rng = oracle.rng(15)
    x = oracle.array(rng, shape, dtype, "any")
    samples = rng.random((1 if len(shape) == dims + 1 else shape[0], shape[-dims - 1], dims)).astype(dtype)

    def pool(lib, a):
        fn = getattr(lib.nn.functional, f"fractional_max_pool{dims}d")
        return fn(a, kernel, return_indices=True, _random_samples=lib.tensor(samples), **sizes)

    e, t = oracle.check(pool, x)
    assert oracle.grad_fn_name(e[0]) == oracle.grad_fn_name(t[0]) == f"FractionalMaxPool{dims}DBackward0"
    module = getattr(ember.nn, f"FractionalMaxPool{dims}d")(kernel, _random_samples=ember.tensor(samples), **sizes)
    reference = getattr(torch.nn, f"FractionalMaxPool{dims}d")(kernel, _random_samples=torch.tensor(samples),
                                                                **sizes)
    oracle.assert_same(module(ember.tensor(x)), reference(torch.tensor(x)))


def test_fractional_max_pool_draws_its_own_samples():
    x = ember.randn(2, 3, 9, 9)
    values, indices = ember.nn.functional.fractional_max_pool2d(x, 2, output_size=4, return_indices=True)
    assert values.shape == indices.shape == (2, 3, 4, 4)
    picked = x.reshape(2, 3, -1).gather(2, indices.reshape(2, 3, -1))
    np.testing.assert_array_equal(_numpy(picked).reshape(values.shape), _numpy(values))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.zeros(2, 3, 7, 6), 2),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.zeros(2, 3, 7, 6), 2, output_size=(6, 6)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.zeros(2, 3, 7, 6), 2, output_size=(9, 4)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.zeros(2, 3, 7, 6), 2, output_ratio=(0.5, 0.5, 0.5)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.zeros(2, 3, 7, 6), 2, output_size=3,
                                                        _random_samples=lib.rand(1, 3, 2)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.zeros(2, 3, 7, 6), 2, output_size=3,
                                                        _random_samples=lib.rand(2, 2, 2)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.zeros(2, 3, 7, 6), 2, output_size=3,
                                                        _random_samples=lib.rand(2, 3, 1)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.zeros(2, 3, 7, 6), 2, output_size=3,
                                                        _random_samples=lib.rand(2, 3)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.zeros(2, 3, 7, 6), 2, output_size=3,
                                                        _random_samples=lib.rand(2, 3, 2, dtype=lib.float64)),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.zeros(2, 3, 7, 6), (2, 2, 2), output_size=3),
    lambda lib: lib.nn.functional.fractional_max_pool2d(lib.zeros(2, 3, 0, 6), 2, output_size=3),
    lambda lib: lib.nn.functional.fractional_max_pool3d(lib.zeros(2, 3, 5, 5, 5), 2, output_size=(2, 3, 6)),
    lambda lib: lib.nn.functional.fractional_max_pool3d(lib.zeros(2, 3, 5, 5, 5), 2, output_size=(9, 9, 3)),
    lambda lib: lib.nn.FractionalMaxPool2d(2),
    lambda lib: lib.nn.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5),
    lambda lib: lib.nn.FractionalMaxPool2d(2, output_ratio=1.5),
    lambda lib: lib.nn.FractionalMaxPool3d(0, output_size=2),
])
def test_fractional_max_pool_errors_match_torch(call):
    _same_error(call)


# --- CrossMapLRN2d, native_channel_shuffle, conv_tbc, embedding_renorm_ -----------------------------------

@pytest.mark.parametrize("channels, size", [(5, 3), (5, 4), (7, 5), (3, 5), (8, 2)])
def test_cross_map_lrn2d_matches_torch(oracle, channels, size):
    """PyTorch's quirky window and hand-written backward, both reproduced."""
    x = oracle.array(oracle.rng(16), (2, channels, 3, 2), "float64", "any")
    e, t = oracle.check(lambda lib, a: lib.nn.CrossMapLRN2d(size, alpha=0.5, beta=0.7, k=1.5)(a), x)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "CrossMapLRN2dBackward"
    assert repr(ember.nn.CrossMapLRN2d(size)) == repr(torch.nn.CrossMapLRN2d(size))
    _same_error(lambda lib: lib.nn.CrossMapLRN2d(size)(lib.zeros(2, 3, 4)))


def test_native_channel_shuffle_matches_torch(oracle):
    x = oracle.array(oracle.rng(17), (2, 6, 3, 2), "float32", "any")
    oracle.check_forward(lambda lib, a: lib.nn.functional.native_channel_shuffle(a, 3), x)
    oracle.check_forward(lambda lib, a: lib.native_channel_shuffle(a, 2), x)
    for groups in (4, 0, 2.0):
        _same_error(lambda lib, g=groups: lib.nn.functional.native_channel_shuffle(lib.zeros(2, 6, 3), g))
    _same_error(lambda lib: lib.native_channel_shuffle(lib.zeros(2, 6), 2))


@pytest.mark.parametrize("pad", [0, 1, 2])
def test_conv_tbc_matches_torch(oracle, pad):
    rng = oracle.rng(18)
    x, w, b = (oracle.array(rng, shape, "float64", "any") for shape in ((5, 2, 3), (3, 3, 4), (4,)))
    e, t = oracle.check(lambda lib, *args: lib.conv_tbc(*args, pad), x, w, b)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "ConvTbcBackward0"
    oracle.check(lambda lib, *args: lib.nn.functional.conv_tbc(*args, pad=pad), x, w, b)


@pytest.mark.parametrize("call", [
    lambda lib: lib.conv_tbc(lib.zeros(5, 2), lib.zeros(3, 3, 4), lib.zeros(4)),
    lambda lib: lib.conv_tbc(lib.zeros(5, 2, 3), lib.zeros(3, 4), lib.zeros(4)),
    lambda lib: lib.conv_tbc(lib.zeros(5, 2, 3), lib.zeros(3, 3, 4), lib.zeros(2)),
    lambda lib: lib.conv_tbc(lib.zeros(5, 2, 3), lib.zeros(3, 2, 4), lib.zeros(4)),
    lambda lib: lib.conv_tbc(lib.zeros(5, 2, 3), lib.zeros(9, 3, 4), lib.zeros(4)),
    lambda lib: lib.conv_tbc(lib.zeros(5, 2, 3), lib.zeros(3, 3, 4), None),
])
def test_conv_tbc_errors_match_torch(call):
    _same_error(call)


def test_embedding_renorm_matches_torch():
    weight = np.random.default_rng(19).standard_normal((6, 3)) * 2
    results = []
    for lib in (torch, ember):
        w = lib.tensor(weight)
        assert lib.embedding_renorm_(w, lib.tensor([[1, 2], [2, 5]]), 1.5, 1.0) is w
        results.append(_numpy(w))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12)
    _same_error(lambda lib: lib.embedding_renorm_(lib.ones(3, 2, requires_grad=True), lib.tensor([1]), 1.0, 2.0))
    _same_error(lambda lib: lib.embedding_renorm_(lib.ones(3), lib.tensor([1]), 1.0, 2.0))


# --- deprecated modules -----------------------------------------------------------------------------------

def test_nll_loss_2d_and_container_are_deprecated_as_in_torch(oracle):
    x = oracle.array(oracle.rng(20), (2, 4, 3, 3), "float64", "any")
    target = np.random.default_rng(20).integers(0, 4, (2, 3, 3))
    for lib in (torch, ember):
        with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
            lib.nn.NLLLoss2d()
        with pytest.warns(FutureWarning, match="`nn.Container` is deprecated"):
            container = lib.nn.Container(first=lib.nn.Linear(2, 3))
        assert isinstance(container.first, lib.nn.Linear)
    _quiet(oracle.check)(lambda lib, a: lib.nn.NLLLoss2d(reduction="sum")(a.log_softmax(1), lib.tensor(target)), x)
    assert _quiet(lambda: repr(ember.nn.Container(first=ember.nn.ReLU())))() == "Container(\n  (first): ReLU()\n)"
