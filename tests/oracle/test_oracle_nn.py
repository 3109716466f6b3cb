"""nn against PyTorch: the functional losses (every reduction) and their module forms, nn.Linear forward
and backward with copied weights, and nn.Linear's default initialisation statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

REDUCTIONS = ["mean", "sum", "none"]

# name -> (loss(lib, input, target, reduction), input domain, target domain, target shape from input shape)
REGRESSION_LOSSES = {
    "mse_loss": (lambda lib, x, y, r: lib.nn.functional.mse_loss(x, y, reduction=r), "any", "any"),
    "l1_loss": (lambda lib, x, y, r: lib.nn.functional.l1_loss(x, y, reduction=r), "real", "unit"),
    "binary_cross_entropy": (
        lambda lib, x, y, r: lib.nn.functional.binary_cross_entropy(x, y, reduction=r),
        "unit",
        "unit",
    ),
    "binary_cross_entropy_with_logits": (
        lambda lib, x, y, r: lib.nn.functional.binary_cross_entropy_with_logits(x, y, reduction=r),
        "any",
        "unit",
    ),
    "MSELoss": (lambda lib, x, y, r: lib.nn.MSELoss(reduction=r)(x, y), "any", "any"),
    "L1Loss": (lambda lib, x, y, r: lib.nn.L1Loss(reduction=r)(x, y), "real", "unit"),
    "BCELoss": (lambda lib, x, y, r: lib.nn.BCELoss(reduction=r)(x, y), "unit", "unit"),
    "BCEWithLogitsLoss": (lambda lib, x, y, r: lib.nn.BCEWithLogitsLoss(reduction=r)(x, y), "any", "unit"),
}

# name -> loss(lib, input, class indices, reduction); input is logits (cross entropy) or log-probabilities.
CLASS_LOSSES = {
    "cross_entropy": lambda lib, x, y, r: lib.nn.functional.cross_entropy(x, y, reduction=r),
    "nll_loss": lambda lib, x, y, r: lib.nn.functional.nll_loss(
        x.log_softmax(1 if x.dim() > 1 else 0), y, reduction=r
    ),
    "CrossEntropyLoss": lambda lib, x, y, r: lib.nn.CrossEntropyLoss(reduction=r)(x, y),
    "NLLLoss": lambda lib, x, y, r: lib.nn.NLLLoss(reduction=r)(x.log_softmax(1 if x.dim() > 1 else 0), y),
}


@pytest.mark.parametrize("name", list(REGRESSION_LOSSES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 3), (5,), (), (2, 3, 2)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_regression_loss_matches_torch(oracle, name, reduction, shape, dtype):
    """Values and gradients for both the input and the target."""
    loss, input_domain, target_domain = REGRESSION_LOSSES[name]
    rng = oracle.rng(len(shape))
    x = oracle.array(rng, shape, dtype, input_domain)
    y = oracle.array(rng, shape, dtype, target_domain)
    oracle.check(lambda lib, a, b: loss(lib, a, b, reduction), x, y)


@pytest.mark.parametrize("name", list(CLASS_LOSSES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("input_shape", "target_shape"),
    [((6, 4), (6,)), ((1, 3), (1,)), ((4,), ()), ((2, 5, 3), (2, 3))],
    ids=["batch", "batch of one", "unbatched", "extra dim"],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_class_loss_matches_torch(oracle, name, reduction, input_shape, target_shape, dtype):
    rng = oracle.rng(7)
    x = oracle.array(rng, input_shape, dtype, "any")
    classes = input_shape[1] if len(input_shape) > 1 else input_shape[0]
    target = rng.integers(0, classes, size=target_shape).astype("int64")
    oracle.check(lambda lib, a, t: CLASS_LOSSES[name](lib, a, t, reduction), x, target)


def test_cross_entropy_is_stable_for_large_logits(oracle):
    x = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 800.0]], dtype="float32")
    target = np.array([1, 2])
    ember_loss, _ = oracle.check(lambda lib, a, t: lib.nn.functional.cross_entropy(a, t), x, target)
    assert math.isfinite(ember_loss.item())


@pytest.mark.parametrize(
    "loss",
    [
        pytest.param(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t.float()), id="float target"),
        pytest.param(lambda lib, x, t: lib.nn.functional.nll_loss(x, t[:2]), id="batch size mismatch"),
        pytest.param(
            lambda lib, x, t: lib.nn.functional.mse_loss(x, x, reduction="average"), id="bad reduction"
        ),
    ],
)
def test_bad_loss_arguments_raise_like_torch(oracle, loss):
    oracle.check_raises(loss, np.zeros((3, 4), dtype="float32"), np.array([0, 1, 3]))


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("input_shape", [(5, 4), (4,), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linear_matches_torch_with_copied_weights(oracle, bias, input_shape, dtype):
    """Output, input gradient, and the weight and bias gradients of nn.Linear(4, 3)."""
    ember, rng = oracle.ember, oracle.rng(3)
    torch_layer = torch.nn.Linear(4, 3, bias=bias, dtype=getattr(torch, dtype))
    ember_layer = ember.nn.Linear(4, 3, bias=bias, dtype=getattr(ember, dtype))
    with ember.no_grad():
        ember_layer.weight.copy_(ember.tensor(torch_layer.weight.detach().cpu().numpy()))
        if bias:
            ember_layer.bias.copy_(ember.tensor(torch_layer.bias.detach().cpu().numpy()))
    x_e, x_t = oracle.pair(oracle.array(rng, input_shape, dtype, "any"))
    out_e, out_t = ember_layer(x_e), torch_layer(x_t)
    oracle.assert_same(out_e, out_t, "output")
    upstream = oracle.array(rng, tuple(out_t.shape), dtype, "any")
    out_e.backward(ember.tensor(upstream))
    out_t.backward(torch.tensor(upstream))
    oracle.assert_same(x_e.grad, x_t.grad, "input.grad")
    oracle.assert_same(ember_layer.weight.grad, torch_layer.weight.grad, "weight.grad")
    if bias:
        oracle.assert_same(ember_layer.bias.grad, torch_layer.bias.grad, "bias.grad")
    else:
        assert ember_layer.bias is None


@pytest.mark.parametrize("bias", [True, False])
def test_functional_linear_matches_torch(oracle, bias):
    rng = oracle.rng(4)
    x, w, b = (oracle.array(rng, shape, "float64", "any") for shape in [(5, 4), (3, 4), (3,)])
    oracle.check(lambda lib, a, weight, c: lib.nn.functional.linear(a, weight, c if bias else None), x, w, b)


def test_linear_parameters_look_like_torch(oracle):
    ember_layer, torch_layer = oracle.ember.nn.Linear(4, 3), torch.nn.Linear(4, 3)
    for name, torch_parameter in torch_layer.named_parameters():
        ember_parameter = dict(ember_layer.named_parameters())[name]
        assert tuple(ember_parameter.shape) == tuple(torch_parameter.shape), name
        assert repr(ember_parameter.dtype).endswith("float32") and ember_parameter.requires_grad, name
        assert ember_parameter.is_leaf and ember_parameter.grad is None, name
    assert [name for name, _ in ember_layer.named_parameters()] == ["weight", "bias"]


@pytest.mark.parametrize("library", ["torch", "ember"])
def test_linear_default_init_has_kaiming_uniform_statistics(oracle, library):
    """Weight ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform_ with a=sqrt(5)), bias the same bound.
    fan_in=400 differs from fan_out=2500, so using the wrong fan shows. Checked on torch too, to prove the
    statistics themselves."""
    lib = torch if library == "torch" else oracle.ember
    fan_in, fan_out = 400, 2500
    layer = lib.nn.Linear(fan_in, fan_out)
    gain = math.sqrt(2.0 / (1 + 5))  # leaky_relu gain for a = sqrt(5)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan_in)
    assert bound == pytest.approx(1 / math.sqrt(fan_in))
    for name, size in [("weight", fan_in * fan_out), ("bias", fan_out)]:
        values = getattr(layer, name).detach().cpu().numpy().ravel()
        assert values.size == size
        assert values.min() >= -bound and values.max() <= bound, name
        assert values.min() < -0.98 * bound and values.max() > 0.98 * bound, name
        # Uniform(-b, b) has std b/sqrt(3); the relative standard error of the sample std is ~0.9/sqrt(n).
        assert values.std() == pytest.approx(bound / math.sqrt(3), rel=5 * 0.9 / math.sqrt(size)), name
        assert abs(values.mean()) < 5 * bound / math.sqrt(3 * size), name
