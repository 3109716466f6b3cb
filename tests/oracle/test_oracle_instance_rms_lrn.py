"""F.rms_norm / nn.RMSNorm, F.instance_norm / nn.InstanceNorm1d-3d and F.local_response_norm /
nn.LocalResponseNorm against PyTorch: values, gradients, grad_fn names, dtypes, running statistics in train
and eval, unbatched inputs, reprs, state dicts, errors; gradcheck and gradgradcheck on float64."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle


def _same_error(call):
    """`call(lib)` raises in torch, and ember raises the same class with the same message (ember prints
    `ember.Size` where PyTorch prints `torch.Size`)."""
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type) as got:
        call(ember)
    assert str(got.value) == str(expected.value).replace("torch.", "ember.")


# --- rms_norm --------------------------------------------------------------------------------------------

RMS = {
    "last": ((2, 3, 4), (4,), False, None),
    "two_dims_weight": ((2, 3, 4), (3, 4), True, None),
    "eps": ((5, 4), [4], True, 1e-2),
    "vector": ((6,), (6,), False, 0.5),
}


@pytest.mark.parametrize("name", list(RMS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rms_norm_matches_torch(oracle, name, dtype):
    shape, normalized, weighted, eps = RMS[name]
    rng = oracle.rng(1)
    arrays = [oracle.array(rng, shape, dtype, "any")]
    if weighted:
        arrays.append(oracle.array(rng, tuple(normalized), dtype, "any"))
    e, t = oracle.check(lambda lib, x, *w: lib.nn.functional.rms_norm(x, normalized, *w, eps=eps), *arrays)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "MulBackward0"


def test_rms_norm_default_eps_is_the_dtypes_epsilon_as_torch(oracle):
    """Tiny inputs show the eps: float32's and float64's own, float32's for half (computed in float32)."""
    for dtype in ("float32", "float64", "float16"):
        oracle.check_forward(lambda lib, x: lib.nn.functional.rms_norm(x, (3,)), np.full((2, 3), 1e-4, dtype))
    x = oracle.array(oracle.rng(2), (2, 3), "float16", "any")
    e, t = oracle.check(lambda lib, a: lib.rms_norm(a, [3]), x)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "ToCopyBackward0"


def test_rms_norm_keeps_the_input_dtype_with_another_weight_dtype(oracle):
    rng = oracle.rng(3)
    x, w = oracle.array(rng, (2, 3), "float32", "any"), oracle.array(rng, (3,), "float64", "any")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns that it cannot use its fused kernel
        oracle.check(lambda lib, a, b: lib.nn.functional.rms_norm(a, (3,), b), x, w)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.rms_norm(lib.randn(2, 3), (2, 4)),
    lambda lib: lib.nn.functional.rms_norm(lib.ones(2, 3, dtype=lib.long), (4,)),
    lambda lib: lib.nn.functional.rms_norm(lib.ones(2, 3, dtype=lib.long), (4,), lib.ones(5)),
    lambda lib: lib.nn.functional.rms_norm(lib.ones(2, 3), (3,), lib.ones(5)),
    lambda lib: lib.nn.functional.rms_norm(lib.ones(2, 3), 3),
    lambda lib: lib.nn.functional.rms_norm(lib.ones(2, 3), []),
])
def test_rms_norm_errors_match_torch(call):
    _same_error(call)


def test_rms_norm_refuses_integers_as_torch():
    for lib in (torch, ember):
        with pytest.raises(NotImplementedError):
            lib.nn.functional.rms_norm(lib.ones(2, 3, dtype=lib.long), (3,))


def test_rms_norm_module_matches_torch(oracle):
    for args, kwargs in [((4,), {}), (([3, 4],), {"eps": 1e-3, "elementwise_affine": False})]:
        module, expected = ember.nn.RMSNorm(*args, **kwargs), torch.nn.RMSNorm(*args, **kwargs)
        assert repr(module) == repr(expected)
        assert list(module.state_dict()) == list(expected.state_dict())
        x = oracle.array(oracle.rng(4), (2, 3, 4), "float32", "any")
        e, t = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        oracle.assert_same(module(e), expected(t))
        module(e).sum().backward()
        expected(t).sum().backward()
        oracle.assert_same(e.grad, t.grad)
        if module.weight is not None:
            oracle.assert_same(module.weight.grad, expected.weight.grad)


# --- instance_norm ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 4, 2), (1, 2, 2, 3, 2)], ids=str)
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_instance_norm_matches_torch(oracle, shape, affine, dtype):
    rng = oracle.rng(5)
    arrays = [oracle.array(rng, shape, dtype, "any")]
    if affine:
        arrays += [oracle.array(rng, shape[1:2], dtype, "any"), oracle.array(rng, shape[1:2], dtype, "any")]
    e, t = oracle.check(lambda lib, x, *wb: lib.nn.functional.instance_norm(x, None, None, *wb), *arrays)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "ViewBackward0"


@pytest.mark.parametrize("use_input_stats", [True, False])
def test_instance_norm_running_statistics_match_torch(oracle, use_input_stats):
    rng = oracle.rng(6)
    x = oracle.array(rng, (3, 2, 5), "float64", "any")
    mean, var = rng.standard_normal(2), rng.uniform(0.5, 2.0, 2)
    running = {lib: (lib.tensor(mean), lib.tensor(var)) for lib in (ember, torch)}
    e, t = oracle.check(lambda lib, a: lib.nn.functional.instance_norm(
        a, *running[lib], use_input_stats=use_input_stats, momentum=0.3, eps=1e-3), x)
    for mine, theirs in zip(running[ember], running[torch]):
        oracle.assert_same(mine, theirs)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.instance_norm(lib.ones(2, 3, 1)),
    lambda lib: lib.nn.functional.instance_norm(lib.ones(2, 3, 4), use_input_stats=False),
    lambda lib: lib.nn.InstanceNorm2d(3)(lib.ones(2, 3)),
    lambda lib: lib.nn.InstanceNorm1d(3, affine=True)(lib.ones(2, 4, 5)),
    lambda lib: lib.nn.InstanceNorm3d(3)(lib.ones(2, 3, 4)),
])
def test_instance_norm_errors_match_torch(call):
    _same_error(call)


def test_instance_norm_mismatched_channels_without_affine_warns_as_torch():
    with pytest.warns(UserWarning) as expected:
        torch.nn.InstanceNorm1d(3)(torch.randn(2, 4, 5))
    with pytest.warns(UserWarning) as got:
        ember.nn.InstanceNorm1d(3)(ember.randn(2, 4, 5))
    assert str(got[0].message) == str(expected[0].message)


MODULES = {
    "1d": ("InstanceNorm1d", (2, 3, 6)),
    "1d_unbatched": ("InstanceNorm1d", (3, 6)),
    "2d": ("InstanceNorm2d", (2, 3, 4, 3)),
    "2d_unbatched": ("InstanceNorm2d", (3, 4, 3)),
    "3d": ("InstanceNorm3d", (2, 3, 2, 3, 2)),
}


@pytest.mark.parametrize("name", list(MODULES))
@pytest.mark.parametrize("options", [{}, {"affine": True}, {"track_running_stats": True},
                                     {"affine": True, "track_running_stats": True, "momentum": None}], ids=str)
def test_instance_norm_modules_match_torch_in_train_and_eval(oracle, name, options):
    cls, shape = MODULES[name]
    module, expected = getattr(ember.nn, cls)(3, **options), getattr(torch.nn, cls)(3, **options)
    assert repr(module) == repr(expected)
    assert list(module.state_dict()) == list(expected.state_dict())
    rng = oracle.rng(7)
    for step in range(3):
        if step == 2:
            module.eval()
            expected.eval()
        x = oracle.array(rng, shape, "float32", "any")
        e, t = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        mine, theirs = module(e), expected(t)
        oracle.assert_same(mine, theirs)
        upstream = oracle.array(rng, shape, "float32", "any")
        mine.backward(ember.tensor(upstream))
        theirs.backward(torch.tensor(upstream))
        oracle.assert_same(e.grad, t.grad)
        for key, value in expected.state_dict().items():
            oracle.assert_same(module.state_dict()[key], value, key)
    if module.weight is not None:
        oracle.assert_same(module.weight.grad, expected.weight.grad)


def test_instance_norm_is_not_a_batch_norm():
    """Code that freezes batch norms by isinstance must not catch instance norms (as in PyTorch)."""
    from ember.nn.modules.batchnorm import _BatchNorm

    assert not isinstance(ember.nn.InstanceNorm2d(3), _BatchNorm)
    assert isinstance(ember.nn.BatchNorm2d(3), _BatchNorm)


# --- local_response_norm ---------------------------------------------------------------------------------

LRN = {
    "3d_size2": ((2, 5, 4), lambda lib, x: lib.nn.functional.local_response_norm(x, 2)),
    "4d_size3": ((2, 6, 3, 2), lambda lib, x: lib.nn.functional.local_response_norm(x, 3, 0.1, 0.5, 2.0)),
    "5d_size4": ((1, 5, 2, 2, 3), lambda lib, x: lib.nn.functional.local_response_norm(x, 4, alpha=0.3)),
    "module": ((2, 4, 3, 3), lambda lib, x: lib.nn.LocalResponseNorm(3, 0.2, 1.0, 1.5)(x)),
    "wider_than_channels": ((2, 3, 4), lambda lib, x: lib.nn.functional.local_response_norm(x, 7, 0.5)),
}


@pytest.mark.parametrize("name", list(LRN))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_local_response_norm_matches_torch(oracle, name, dtype):
    shape, fn = LRN[name]
    e, t = oracle.check(fn, oracle.array(oracle.rng(8), shape, dtype, "any"))
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "DivBackward0"


def test_local_response_norm_of_integers_averages_as_integers_as_torch(oracle):
    x = np.array([[[3], [5], [7], [2]]])
    for size in (2, 3):
        oracle.check_forward(lambda lib, a, n=size: lib.nn.functional.local_response_norm(a, n, 1.0, 1.0, 0.0), x)


def test_local_response_norm_errors_and_repr_match_torch():
    _same_error(lambda lib: lib.nn.functional.local_response_norm(lib.ones(2, 3), 2))
    assert repr(ember.nn.LocalResponseNorm(2)) == repr(torch.nn.LocalResponseNorm(2))
    empty = ember.ones(0, 3, 4)
    assert ember.nn.functional.local_response_norm(empty, 2) is empty


def test_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(9)
    x = ember.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    w = ember.tensor(rng.standard_normal(4), requires_grad=True)
    F = ember.nn.functional
    assert ember.autograd.gradcheck(lambda a, b: F.rms_norm(a, (4,), b), (x, w))
    assert ember.autograd.gradgradcheck(lambda a, b: F.rms_norm(a, (4,), b), (x, w))
    v = ember.tensor(rng.standard_normal(3), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: F.instance_norm(a, weight=b, bias=b), (x, v))
    assert ember.autograd.gradgradcheck(lambda a, b: F.instance_norm(a, weight=b, bias=b), (x, v))
    for fn in (lambda a: F.local_response_norm(a, 2, alpha=0.5), lambda a: F.local_response_norm(a, 3, 1.0, 2.0)):
        assert ember.autograd.gradcheck(fn, (x,))
        assert ember.autograd.gradgradcheck(fn, (x,))
