"""F.threshold / threshold_ / nn.Threshold, F.glu / nn.GLU, F.prelu / nn.PReLU and F.rrelu / rrelu_ / nn.RReLU
against PyTorch: values, gradients, grad_fn names, dtypes, in-place forms, reprs, errors; rrelu's random
slopes checked by their range, their gradient and their seeding; gradcheck and gradgradcheck on float64."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle


def _same_error(call):
    """`call(lib)` raises in torch, and ember raises the same class with the same message."""
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type) as got:
        call(ember)
    assert str(got.value) == str(expected.value)


# --- threshold -------------------------------------------------------------------------------------------

THRESHOLD = {
    "functional": lambda lib, x: lib.nn.functional.threshold(x, 0.5, -3.0),
    "keywords": lambda lib, x: lib.nn.functional.threshold(x, threshold=-0.3, value=2),
    "module": lambda lib, x: lib.nn.Threshold(0.1, 20)(x),
    "torch_namespace": lambda lib, x: lib.threshold(x, 0.0, 0.5),
}


@pytest.mark.parametrize("name", list(THRESHOLD))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_threshold_matches_torch(oracle, name, dtype):
    x = oracle.array(oracle.rng(1), (3, 4), dtype, "any")
    e, t = oracle.check(THRESHOLD[name], x)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "ThresholdBackward0"


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.nn.functional.threshold(x, 0.5, 4.0, inplace=True),
    lambda lib, x: lib.nn.functional.threshold_(x, 0.5, 4.0),
    lambda lib, x: lib.nn.Threshold(0.5, 0.5, inplace=True)(x),
])
def test_threshold_in_place_matches_torch(oracle, call):
    """The value may exceed the threshold: the gradient still follows the input, not the result."""
    x = oracle.array(oracle.rng(2), (3, 4), "float64", "any")
    e, t = oracle.check(lambda lib, a: call(lib, a * 1), x)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "ThresholdBackward1"


def test_threshold_keeps_nan_and_works_on_integers_and_half(oracle):
    oracle.check_forward(lambda lib, x: lib.nn.functional.threshold(x, 0.5, 0.0), np.array([1.0, np.nan, 0.2]))
    oracle.check_forward(lambda lib, x: lib.nn.functional.threshold(x, -2.5, 7.9), np.array([-3, -2, -1, 3]))
    oracle.check_forward(lambda lib, x: lib.nn.functional.threshold(x, 1, -1), np.array([1, 2], dtype=np.uint8))
    oracle.check_forward(lambda lib, x: lib.nn.functional.threshold(x, 1.5, 0.1),
                         np.array([1.0, 2.0], dtype=np.float16))


def test_threshold_double_backward_matches_torch(oracle):
    x = oracle.array(oracle.rng(3), (5,), "float64", "any")
    e, t = oracle.pair(x)
    (ge,) = ember.autograd.grad(ember.nn.functional.threshold(e, 0.1, 2.0).sum(), e, create_graph=True)
    (gt,) = torch.autograd.grad(torch.nn.functional.threshold(t, 0.1, 2.0).sum(), t, create_graph=True)
    oracle.assert_same(ge, gt)
    assert oracle.grad_fn_name(ge) == oracle.grad_fn_name(gt) == "ThresholdBackwardBackward0"


def test_threshold_errors_match_torch(oracle):
    with pytest.raises(NotImplementedError):
        torch.nn.functional.threshold(torch.tensor([True]), 0.5, 0.0)
    with pytest.raises(NotImplementedError):
        ember.nn.functional.threshold(ember.tensor([True]), 0.5, 0.0)
    _same_error(lambda lib: lib.nn.functional.threshold(lib.ones(2), "a", 1))
    oracle.check_raises(lambda lib, x: lib.nn.functional.threshold(x, 1, 300), np.array([1, 2], dtype=np.uint8))


# --- glu -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape, call", [
    ((3, 4), lambda lib, x: lib.nn.functional.glu(x)),
    ((4, 3), lambda lib, x: lib.nn.functional.glu(x, 0)),
    ((2, 6, 2), lambda lib, x: lib.nn.GLU(dim=-2)(x)),
    ((2,), lambda lib, x: lib.nn.GLU()(x)),
], ids=["last", "dim0", "module", "vector"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_glu_matches_torch(oracle, shape, call, dtype):
    e, t = oracle.check(call, oracle.array(oracle.rng(4), shape, dtype, "any"))
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "GluBackward0"


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.glu(lib.ones(2, 3)),
    lambda lib: lib.nn.functional.glu(lib.tensor(1.0)),
    lambda lib: lib.nn.functional.glu(lib.ones(2, 4), dim=2),
])
def test_glu_errors_match_torch(call):
    _same_error(call)


def test_glu_refuses_integers_as_torch():
    with pytest.raises(NotImplementedError):
        torch.nn.functional.glu(torch.ones(2, 4, dtype=torch.long))
    with pytest.raises(NotImplementedError):
        ember.nn.functional.glu(ember.ones(2, 4, dtype=ember.long))


# --- prelu -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape, weight_shape", [
    ((2, 3, 4), (3,)), ((2, 3, 4), (1,)), ((4, 3), (3,)), ((5,), (1,)), ((), (1,)), ((2, 3, 2, 2), ()),
], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_prelu_matches_torch(oracle, shape, weight_shape, dtype):
    rng = oracle.rng(5)
    x, w = oracle.array(rng, shape, dtype, "any"), oracle.array(rng, weight_shape, dtype, "any")
    e, t = oracle.check(lambda lib, a, b: lib.nn.functional.prelu(a, b), x, w)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "PreluKernelBackward0"


def test_prelu_module_matches_torch(oracle):
    x = oracle.array(oracle.rng(6), (2, 3, 5), "float32", "any")
    module, expected = ember.nn.PReLU(3, init=0.1), torch.nn.PReLU(3, init=0.1)
    assert repr(module) == repr(expected) and (module.num_parameters, module.init) == (3, 0.1)
    assert list(module.state_dict()) == list(expected.state_dict()) == ["weight"]
    oracle.assert_same(module.weight, expected.weight)
    e, t = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    oracle.assert_same(module(e), expected(t))
    module(e).sum().backward()
    expected(t).sum().backward()
    oracle.assert_same(module.weight.grad, expected.weight.grad)
    oracle.assert_same(e.grad, t.grad)
    assert ember.nn.PReLU(dtype=ember.float64).weight.dtype == ember.float64


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.prelu(lib.randn(2, 3), lib.ones(2)),
    lambda lib: lib.nn.functional.prelu(lib.randn(2, 3), lib.ones(1, 3)),
    lambda lib: lib.nn.functional.prelu(lib.randn(3), lib.ones(3)),
    lambda lib: lib.nn.functional.prelu(lib.randn(2, 3), lib.ones(3, dtype=lib.float64)),
])
def test_prelu_errors_match_torch(call):
    _same_error(call)


# --- rrelu -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda lib, x: lib.nn.functional.rrelu(x),
    lambda lib, x: lib.nn.functional.rrelu(x, 0.1, 0.6),
    lambda lib, x: lib.nn.RReLU(0.2, 0.4).eval()(x),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rrelu_in_eval_uses_the_mean_slope_as_torch(oracle, call, dtype):
    e, t = oracle.check(call, oracle.array(oracle.rng(7), (3, 4), dtype, "any"))
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "RreluWithNoiseBackward0"


@pytest.mark.parametrize("inplace", [False, True])
def test_rrelu_in_training_draws_slopes_in_range_and_differentiates_through_them(inplace):
    x = ember.tensor(np.random.default_rng(8).standard_normal((50, 40)), requires_grad=True)
    y = ember.nn.functional.rrelu(x * 1, 0.1, 0.3, training=True, inplace=inplace)
    assert type(y.grad_fn).__name__ == ("RreluWithNoiseBackward1" if inplace else "RreluWithNoiseBackward0")
    y.backward(ember.ones_like(y))
    values, outputs, grads = x.detach().cpu().numpy(), y.detach().cpu().numpy(), x.grad.cpu().numpy()
    negative = values < 0
    np.testing.assert_array_equal(outputs[~negative], values[~negative])
    slopes = outputs[negative] / values[negative]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03  # drawn per element
    np.testing.assert_allclose(grads[negative], slopes, rtol=1e-12)
    np.testing.assert_array_equal(grads[~negative], 1.0)


def test_rrelu_module_in_training_draws_from_embers_seeded_generator():
    module = ember.nn.RReLU()
    x = -ember.ones(100)
    ember.manual_seed(3)
    first = module(x)
    ember.manual_seed(3)
    assert (module(x) == first).all()
    assert not (module(x) == first).all()
    assert (module.eval()(x) == x * ((1 / 8 + 1 / 3) / 2)).all()


def test_rrelu_reprs_and_errors_match_torch():
    for args in [(), (0.1, 0.3, True)]:
        assert repr(ember.nn.RReLU(*args)) == repr(torch.nn.RReLU(*args))
    assert repr(ember.nn.Threshold(0.1, 20, True)) == repr(torch.nn.Threshold(0.1, 20, True))
    assert repr(ember.nn.GLU(0)) == repr(torch.nn.GLU(0))
    _same_error(lambda lib: lib.nn.functional.rrelu(lib.randn(2), 0.5, 0.1, training=True))
    for lib in (torch, ember):
        with pytest.raises(NotImplementedError):
            lib.nn.functional.rrelu(lib.tensor([1, 2]), training=True)


def test_rrelu_in_place_in_eval_matches_torch(oracle):
    x = oracle.array(oracle.rng(9), (4, 3), "float64", "any")
    e, t = oracle.check(lambda lib, a: lib.nn.functional.rrelu_(a * 1, 0.2, 0.5), x)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "RreluWithNoiseBackward1"


def test_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(10)
    x = ember.tensor(rng.standard_normal((2, 4, 3)), requires_grad=True)
    w = ember.tensor(rng.uniform(0.1, 0.5, 4), requires_grad=True)
    F = ember.nn.functional
    assert ember.autograd.gradcheck(lambda a, b: F.prelu(a, b), (x, w))
    assert ember.autograd.gradgradcheck(lambda a, b: F.prelu(a, b), (x, w))
    for fn in (lambda a: F.glu(a, 1), lambda a: F.threshold(a, 0.1, 3.0), lambda a: F.rrelu(a)):
        assert ember.autograd.gradcheck(fn, (x,))
        assert ember.autograd.gradgradcheck(fn, (x,))


def test_tensor_prelu_method_is_pytorchs(oracle):
    got = oracle.ember.tensor([-1.0, 2.0, -3.0]).prelu(oracle.ember.tensor([0.25]))
    expected = oracle.torch.tensor([-1.0, 2.0, -3.0]).prelu(oracle.torch.tensor([0.25]))
    assert got.cpu().tolist() == expected.tolist()
