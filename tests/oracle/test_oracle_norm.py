"""BatchNorm1d/2d, GroupNorm and their functional forms against PyTorch: forward and gradients in train and
eval, running statistics over several steps (momentum, cumulative average), state dicts, reprs, errors,
grad_fn names; gradcheck and gradgradcheck on float64."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle


def _affine(lib, module, channels):
    """Give a module's weight and bias values that are not 1 and 0, the same in both libraries."""
    if module.weight is not None:
        with lib.no_grad():
            module.weight.copy_(lib.linspace(0.5, 2.0, channels, dtype=module.weight.dtype))
            if module.bias is not None:
                module.bias.copy_(lib.linspace(-1.0, 1.0, channels, dtype=module.bias.dtype))
    return module


def _assert_close(got, expected, what, **tolerance):
    tolerance = tolerance or {"rtol": 1e-5, "atol": 1e-6}
    assert got is None and expected is None or got is not None and expected is not None, what
    if got is not None:
        np.testing.assert_allclose(got.detach().cpu().numpy(), expected.detach().numpy(), err_msg=what, **tolerance)


BATCH_NORM_SHAPES = [("BatchNorm1d", (5, 3)), ("BatchNorm1d", (4, 3, 6)), ("BatchNorm2d", (3, 3, 4, 2))]


@pytest.mark.parametrize("name, shape", BATCH_NORM_SHAPES, ids=str)
@pytest.mark.parametrize("options", [
    {},
    {"momentum": None},
    {"momentum": 0.3, "eps": 1e-3},
    {"affine": False},
    {"bias": False},
    {"track_running_stats": False},
], ids=str)
def test_batch_norm_module_steps_match_torch(name, shape, options):
    """Three training steps (outputs, every gradient, running statistics, batch count), then evaluation."""
    rng = np.random.default_rng(len(shape))
    modules = {lib: _affine(lib, getattr(lib.nn, name)(3, **options), 3) for lib in (ember, torch)}
    for step in range(3):
        x = (rng.standard_normal(shape) * (step + 1) + step).astype(np.float32)
        upstream = rng.standard_normal(shape).astype(np.float32)
        results = {}
        for lib, module in modules.items():
            leaf = lib.tensor(x, requires_grad=True)
            out = module(leaf)
            out.backward(lib.tensor(upstream))
            results[lib] = (out, leaf.grad, module.weight, module.bias)
        (e_out, e_grad, e_w, e_b), (t_out, t_grad, t_w, t_b) = results[ember], results[torch]
        _assert_close(e_out, t_out, "output")
        assert type(e_out.grad_fn).__name__ == type(t_out.grad_fn).__name__ == "NativeBatchNormBackward0"
        _assert_close(e_grad, t_grad, "input grad", rtol=1e-4, atol=1e-5)
        for got, expected in ((e_w, t_w), (e_b, t_b)):
            _assert_close(None if got is None else got.grad, None if expected is None else expected.grad, "param")
        for buffer in ("running_mean", "running_var", "num_batches_tracked"):
            _assert_close(getattr(modules[ember], buffer), getattr(modules[torch], buffer), buffer)
    x = rng.standard_normal(shape).astype(np.float32)
    for lib in modules:
        modules[lib].eval()
    e_out, t_out = modules[ember](ember.tensor(x)), modules[torch](torch.tensor(x))
    _assert_close(e_out, t_out, "eval output")
    assert list(modules[ember].state_dict()) == list(modules[torch].state_dict())
    assert repr(modules[ember]) == repr(modules[torch])


def test_batch_norm_eval_gradients_match_torch(oracle):
    """In evaluation the running statistics are constants: gradients of input, weight and bias."""
    rng = oracle.rng(3)
    mean, var = rng.standard_normal(4), rng.uniform(0.5, 2.0, 4)
    oracle.check(lambda lib, x, w, b: lib.nn.functional.batch_norm(
        x, lib.tensor(mean), lib.tensor(var), w, b, training=False, eps=1e-3),
        rng.standard_normal((3, 4, 5)), rng.standard_normal(4), rng.standard_normal(4))


@pytest.mark.parametrize("shape", [(6, 4), (2, 4, 3), (2, 4, 3, 3)], ids=str)
def test_batch_norm_functional_training_matches_torch(oracle, shape):
    rng = oracle.rng(len(shape))
    oracle.check(lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, training=True),
                 rng.standard_normal(shape), rng.standard_normal(4), rng.standard_normal(4))


def test_batch_norm_in_eval_without_buffers_uses_batch_statistics():
    """track_running_stats=False: eval still normalises by the batch, as in PyTorch."""
    x = np.random.default_rng(0).standard_normal((4, 3, 2, 2)).astype(np.float32)
    e, t = (lib.nn.BatchNorm2d(3, track_running_stats=False).eval() for lib in (ember, torch))
    _assert_close(e(ember.tensor(x)), t(torch.tensor(x)), "output")


def test_batch_norm_state_dict_loads_into_torch_and_back():
    e, t = ember.nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    e(ember.randn(4, 3) * 3 + 1)
    t.load_state_dict({k: torch.tensor(v.cpu().numpy()) for k, v in e.state_dict().items()})
    assert int(t.num_batches_tracked) == 1
    t(torch.randn(4, 3))
    e.load_state_dict({k: ember.tensor(v.cpu().numpy()) for k, v in t.state_dict().items()})
    assert int(e.num_batches_tracked) == 2
    assert e.num_batches_tracked.dtype is ember.int64
    _assert_close(e.running_var, t.running_var, "running_var")


def test_batch_norm_empty_batch_is_a_copy():
    """An empty batch: the input cloned (CloneBackward0), running statistics untouched."""
    for lib in (ember, torch):
        mean, var = lib.zeros(3), lib.ones(3)
        out = lib.nn.functional.batch_norm(lib.zeros(0, 3, requires_grad=True), mean, var, training=True)
        assert out.shape == (0, 3) and type(out.grad_fn).__name__ == "CloneBackward0"
        assert mean.tolist() == [0.0] * 3 and var.tolist() == [1.0] * 3


BATCH_NORM_ERRORS = [
    lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(1, 3)),
    lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(1, 3, 1)),
    lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(2, 3, 4, 5)),
    lambda lib: lib.nn.BatchNorm2d(3)(lib.randn(2, 3, 4)),
    lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(2, 4)),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(2, 3), lib.zeros(3), None),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(2, 3), None, lib.ones(3), training=True),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(2, 3), lib.zeros(3), lib.ones(4)),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(2, 3), None, None, lib.ones(4), training=True),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(2, 3), None, None, None, lib.ones(2), training=True),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(2, 3), None, None, training=True, eps=0),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(2, 3), lib.zeros(3), lib.ones(3), eps=-1.0),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(3), None, None, training=True),
    lambda lib: lib.nn.functional.batch_norm(lib.ones(2, 3, dtype=lib.long), None, None, training=True),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(2, 3), lib.zeros(3, dtype=lib.float64),
                                             lib.ones(3, dtype=lib.float64), training=True),
    lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(4, 3, dtype=lib.float64)),
]


@pytest.mark.parametrize("index", range(len(BATCH_NORM_ERRORS)))
def test_batch_norm_errors_match_torch(index):
    """Same class and message (ember's names for torch's: Size, dtypes), and no state changed."""
    fn = BATCH_NORM_ERRORS[index]
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(expected.type) as got:
        fn(ember)
    assert str(got.value) == str(expected.value).replace("torch.", "ember.")


@pytest.mark.parametrize("shape, groups", [((2, 4), 2), ((2, 6, 5), 3), ((3, 4, 2, 3), 4), ((2, 4, 3), 1)], ids=str)
@pytest.mark.parametrize("options", [{}, {"affine": False}, {"bias": False}, {"eps": 1e-2}], ids=str)
def test_group_norm_module_matches_torch(shape, groups, options):
    rng = np.random.default_rng(len(shape) + groups)
    x = rng.standard_normal(shape).astype(np.float32)
    upstream = rng.standard_normal(shape).astype(np.float32)
    results = {}
    for lib in (ember, torch):
        module = _affine(lib, lib.nn.GroupNorm(groups, shape[1], **options), shape[1])
        leaf = lib.tensor(x, requires_grad=True)
        out = module(leaf)
        out.backward(lib.tensor(upstream))
        results[lib] = (module, out, leaf.grad)
    (e_mod, e_out, e_grad), (t_mod, t_out, t_grad) = results[ember], results[torch]
    _assert_close(e_out, t_out, "output")
    _assert_close(e_grad, t_grad, "input grad", rtol=1e-4, atol=1e-5)
    for name in ("weight", "bias"):
        e_p, t_p = getattr(e_mod, name), getattr(t_mod, name)
        _assert_close(None if e_p is None else e_p.grad, None if t_p is None else t_p.grad, name, rtol=1e-4, atol=1e-5)
    assert type(e_out.grad_fn).__name__ == type(t_out.grad_fn).__name__ == "NativeGroupNormBackward0"
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())


def test_group_norm_functional_matches_torch(oracle):
    rng = oracle.rng(5)
    oracle.check(lambda lib, x, w, b: lib.nn.functional.group_norm(x, 2, w, b, eps=1e-3),
                 rng.standard_normal((2, 4, 3)), rng.standard_normal(4), rng.standard_normal(4))


GROUP_NORM_ERRORS = [
    lambda lib: lib.nn.GroupNorm(3, 4),
    lambda lib: lib.nn.functional.group_norm(lib.randn(4), 2),
    lambda lib: lib.nn.functional.group_norm(lib.randn(1, 2, 1), 2),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 4, 3), 3),
    lambda lib: lib.nn.GroupNorm(2, 4)(lib.randn(2, 6, 3)),
    lambda lib: lib.nn.functional.group_norm(lib.ones(2, 4, dtype=lib.long), 2),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 4), 2, lib.ones(4, dtype=lib.float64)),
    lambda lib: lib.nn.functional.group_norm(lib.randn(2, 4), 0),
]


@pytest.mark.parametrize("index", range(len(GROUP_NORM_ERRORS)))
def test_group_norm_errors_match_torch(index):
    fn = GROUP_NORM_ERRORS[index]
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(expected.type) as got:
        fn(ember)
    assert str(got.value) == str(expected.value)


def _float64(*shape, seed=0):
    return ember.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("case", ["batch_train", "batch_eval", "group"])
def test_norm_gradcheck_and_gradgradcheck(case):
    x, w, b = _float64(3, 4, 2), _float64(4, seed=1), _float64(4, seed=2)
    mean, var = ember.randn(4, dtype=ember.float64), ember.rand(4, dtype=ember.float64) + 0.5
    F = ember.nn.functional
    fn = {
        "batch_train": lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        "batch_eval": lambda x, w, b: F.batch_norm(x, mean, var, w, b),
        "group": lambda x, w, b: F.group_norm(x, 2, w, b),
    }[case]
    assert ember.autograd.gradcheck(fn, (x, w, b))
    assert ember.autograd.gradgradcheck(fn, (x, w, b))
