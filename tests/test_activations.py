"""The activations of torch.nn.functional and torch.nn, and erf/erfc, without PyTorch: erf's accuracy against
math.erf, gradients of every registry activation against finite differences (first and second order), the
parameter binding's errors, and the modules' constructors, reprs and in-place forms (PyTorch's values
taken from torch 2.13)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn
from ember._ops.unary import ACTIVATIONS
from ember.autograd import gradcheck, gradgradcheck


def _ulps(ours: np.ndarray, exact: np.ndarray) -> float:
    normal = np.abs(exact) > 1e-300
    return float((np.abs(ours - exact)[normal] / np.spacing(np.abs(exact[normal]))).max())


def test_erf_and_erfc_have_float64_accuracy():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.normal(0, 3, 20000), rng.uniform(-28, 28, 20000), np.linspace(-6, 6, 20001),
                        np.logspace(-300, 1.44, 500), -np.logspace(-300, 1.44, 500), [0.46875, 4.0, 26.5]])
    erf = ember.erf(ember.tensor(x)).numpy()
    erfc = ember.erfc(ember.tensor(x)).numpy()
    assert _ulps(erf, np.array([math.erf(v) for v in x])) <= 4
    assert _ulps(erfc, np.array([math.erfc(v) for v in x])) <= 8


def test_erf_special_values_dtypes_and_out():
    x = ember.tensor([float("nan"), float("inf"), -float("inf"), 0.0, -0.0, 30.0, -30.0])
    np.testing.assert_array_equal(ember.erf(x).numpy(), [np.nan, 1, -1, 0, -0.0, 1, -1])
    np.testing.assert_array_equal(ember.erfc(x).numpy(), [np.nan, 0, 2, 1, 1, 0, 2])
    assert np.signbit(ember.erf(x).numpy()[4])
    assert ember.erf(ember.tensor([1, 2])).dtype is ember.float32  # integers give the default float dtype
    half = ember.erf(ember.tensor([0.5], dtype=ember.float16))
    assert half.dtype is ember.float16 and half.item() == np.float16(math.erf(0.5))
    out = ember.zeros(2, dtype=ember.float64)
    assert ember.erfc(ember.tensor([0.5, 1.0], dtype=ember.float64), out=out) is out
    np.testing.assert_allclose(out.numpy(), [math.erfc(0.5), math.erfc(1.0)], rtol=1e-15)
    y = ember.tensor([0.25, -1.0]).erf_()
    np.testing.assert_allclose(y.numpy(), [math.erf(0.25), math.erf(-1.0)], rtol=1e-6)


# Points away from every kink (0, +-0.5, +-1, +-3) and parameters beside the defaults.
POINTS = [[-2.7, -1.3, -0.7], [0.2, 0.9, 2.3]]
PARAMS = {"gelu": [{"approximate": "tanh"}], "elu": [{"alpha": 0.5, "scale": 1.5, "input_scale": 2.0}],
          "celu": [{"alpha": 2.0}], "leaky_relu": [{"negative_slope": 0.2}],
          "softplus": [{"beta": 2.0, "threshold": 3.0}], "hardtanh": [{"min_val": -2.0, "max_val": 2.0}],
          "hardshrink": [{"lambd": 1.0}], "softshrink": [{"lambd": 1.0}],
          "threshold": [{"threshold": -1.0, "value": 3.0}]}
REQUIRED = {"threshold": {"threshold": 0.5, "value": -2.0}}  # parameters without a default
ROWS = [(entry, kwargs) for entry in ACTIVATIONS
        for kwargs in (REQUIRED.get(entry.name, {}), *PARAMS.get(entry.name, ()))]
IDS = [f"{entry.name}{kwargs or ''}" for entry, kwargs in ROWS]


@pytest.mark.parametrize(("entry", "kwargs"), ROWS, ids=IDS)
def test_activation_gradients_agree_with_finite_differences(entry, kwargs):
    from ember._ops.unary import ACTIVATION_FUNCTIONS

    def function(x):
        return ACTIVATION_FUNCTIONS[entry.name](x, **kwargs)
    x = ember.tensor(POINTS, dtype=ember.float64, requires_grad=True)
    assert gradcheck(function, (x,)) is True
    if entry.name == "hardsigmoid":  # PyTorch has no second derivative of hardsigmoid
        with pytest.raises(RuntimeError, match="hardsigmoid_backward is not implemented"):
            gradgradcheck(function, (x,))
    else:
        assert gradgradcheck(function, (x,)) is True


def test_grad_fn_names_are_pytorchs():
    x = ember.tensor([0.5, -1.0], requires_grad=True)
    names = {F.gelu: "GeluBackward0", F.silu: "SiluBackward0", F.elu: "EluBackward0", F.selu: "EluBackward0",
             F.celu: "CeluBackward0", F.leaky_relu: "LeakyReluBackward0", F.softplus: "SoftplusBackward0",
             F.hardtanh: "HardtanhBackward0", F.relu6: "HardtanhBackward0", F.hardswish: "HardswishBackward0",
             F.hardsigmoid: "HardsigmoidBackward0", F.mish: "MishBackward0", F.logsigmoid: "LogSigmoidBackward0",
             F.hardshrink: "HardshrinkBackward0", F.softshrink: "SoftshrinkBackward0", F.softsign: "DivBackward0",
             F.tanhshrink: "SubBackward0"}
    for function, name in names.items():
        assert type(function(x).grad_fn).__name__ == name, function.__name__
    assert type(F.softmin(x, 0).grad_fn).__name__ == "SoftmaxBackward0"
    g, = ember.autograd.grad(F.leaky_relu(x).sum(), x, create_graph=True)
    assert type(g.grad_fn).__name__ == "LeakyReluBackwardBackward0"


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda x: F.elu(x, "a"), TypeError, "elu(): argument 'alpha' (position 2) must be Number, not str"),
    (lambda x: F.gelu(x, approximate="erf"), RuntimeError, "approximate argument must be either none or tanh."),
    (lambda x: F.gelu(x, approximate=1), TypeError, "argument 'approximate' (position 2) must be str"),
    (lambda x: F.hardtanh(x, 1.0, -1.0), ValueError, "min_val cannot be greater than max_val"),
    (lambda x: F.softshrink(x, -1.0), RuntimeError, "lambda must be greater or equal to 0, but found to be -1.0."),
    (lambda x: F.gelu(x.long()), NotImplementedError, "not implemented for 'Long'"),
    (lambda x: F.hardtanh(x > 0), RuntimeError, "Bool inputs not supported for hardtanh"),
    (lambda x: F.softmin(x.long(), 0), NotImplementedError, "not implemented for 'Long'"),
    (lambda x: F.softplus(1.0), TypeError, "argument 'input' (position 1) must be Tensor, not float"),
])
def test_errors_are_pytorchs(call, error, message):
    x = ember.tensor([0.5, -1.0])
    before = x.clone()
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        call(x)
    assert (x == before).all()


def test_parameters_bind_by_position_and_name():
    from ember._ops.unary import ACTIVATION_FUNCTIONS
    elu = ACTIVATION_FUNCTIONS["elu"]
    x = ember.tensor([-1.0, 2.0], dtype=ember.float64)
    expected = [2.0 * 3.0 * math.expm1(-1.0 * 0.5), 2.0 * 3.0]  # alpha * scale * expm1(x * input_scale), x * scale
    np.testing.assert_allclose(elu(x, 2.0, 3.0, 0.5).numpy(), expected)
    np.testing.assert_allclose(elu(x, 2.0, input_scale=0.5, scale=3.0).numpy(), expected)
    with pytest.raises(TypeError, match="got multiple values for argument 'alpha'"):
        elu(x, 2.0, alpha=1.0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'slope'"):
        elu(x, slope=1.0)
    with pytest.raises(TypeError, match="takes 4 positional arguments but 5 were given"):
        elu(x, 1.0, 1.0, 1.0, 1.0)


# PyTorch 2.13's reprs.
REPRS = [(nn.GELU(), "GELU(approximate='none')"), (nn.GELU("tanh"), "GELU(approximate='tanh')"),
         (nn.SiLU(), "SiLU()"), (nn.SiLU(True), "SiLU(inplace=True)"), (nn.ELU(), "ELU(alpha=1.0)"),
         (nn.ELU(0.5, True), "ELU(alpha=0.5, inplace=True)"), (nn.SELU(True), "SELU(inplace=True)"),
         (nn.CELU(2.0), "CELU(alpha=2.0)"), (nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
         (nn.LeakyReLU(0.2, True), "LeakyReLU(negative_slope=0.2, inplace=True)"),
         (nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)"), (nn.Softplus(2, 10), "Softplus(beta=2, threshold=10)"),
         (nn.Softsign(), "Softsign()"), (nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)"),
         (nn.Hardtanh(-2, 2, True), "Hardtanh(min_val=-2, max_val=2, inplace=True)"), (nn.ReLU6(), "ReLU6()"),
         (nn.ReLU6(True), "ReLU6(inplace=True)"), (nn.Hardswish(True), "Hardswish()"),
         (nn.Hardsigmoid(True), "Hardsigmoid()"), (nn.Mish(True), "Mish(inplace=True)"),
         (nn.LogSigmoid(), "LogSigmoid()"), (nn.Softmin(1), "Softmin(dim=1)"), (nn.Softmin(), "Softmin(dim=None)"),
         (nn.Tanhshrink(), "Tanhshrink()"), (nn.Hardshrink(), "Hardshrink(0.5)"),
         (nn.Softshrink(0.3), "Softshrink(0.3)")]


@pytest.mark.parametrize(("module", "text"), REPRS, ids=[text for _, text in REPRS])
def test_module_reprs_are_pytorchs(module, text):
    assert repr(module) == text


def test_modules_compute_their_functions_in_place_when_asked():
    x = ember.tensor([-2.0, -0.5, 0.25, 4.0])
    cases = [(nn.ELU(0.5), F.elu(x, 0.5)), (nn.LeakyReLU(0.2), F.leaky_relu(x, 0.2)), (nn.ReLU6(), F.relu6(x)),
             (nn.Hardtanh(-1.5, 1.5), F.hardtanh(x, -1.5, 1.5)), (nn.SiLU(), F.silu(x)), (nn.SELU(), F.selu(x)),
             (nn.CELU(2.0), F.celu(x, 2.0)), (nn.Mish(), F.mish(x)), (nn.Hardswish(), F.hardswish(x)),
             (nn.Hardsigmoid(), F.hardsigmoid(x))]
    for module, expected in cases:
        assert (module(x) == expected).all(), repr(module)
        module.inplace = True
        y = x.clone()
        assert module(y) is y and (y == expected).all(), repr(module)
    for function, expected in ((F.elu_, F.elu(x)), (F.selu_, F.selu(x)), (F.celu_, F.celu(x, 0.5)),
                               (F.leaky_relu_, F.leaky_relu(x, 0.3)), (F.hardtanh_, F.hardtanh(x, -1.0, 2.0))):
        args = {F.celu_: (0.5,), F.leaky_relu_: (0.3,), F.hardtanh_: (-1.0, 2.0)}.get(function, ())
        y = x.clone()
        assert function(y, *args) is y and (y == expected).all(), function.__name__
    np.testing.assert_allclose(F.relu6(ember.tensor([-1.0, 3.0, 7.0])).numpy(), [0.0, 3.0, 6.0])
    assert F.hardtanh(ember.tensor([-3, 0, 3])).tolist() == [-1, 0, 1]  # integers keep their dtype
    with pytest.raises(AssertionError, match=r"max_val \(1\) must be greater than min_val \(1\)"):
        nn.Hardtanh(1, 1)
