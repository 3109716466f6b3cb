"""Max, average and adaptive pooling (F.* and the layers) against PyTorch: values, indices, gradients,
second derivatives, grad_fn names, ceil mode, padding, errors and reprs, in float32 and float64."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle

TOLERANCE = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-12)}

# (function, input shape, positional arguments, keyword arguments)
CASES = [
    ("max_pool2d", (2, 3, 7, 6), (3, 2, 1), dict(return_indices=True)),
    ("max_pool2d", (2, 3, 7, 6), ((3, 2), (2, 1), (1, 1)), dict(dilation=(2, 1), ceil_mode=True,
                                                               return_indices=True)),
    ("max_pool2d", (2, 3, 8, 8), (2,), {}),
    ("max_pool2d", (3, 7, 6), (2,), dict(ceil_mode=True, return_indices=True)),
    ("max_pool1d", (2, 3, 9), (3, 2, 1), dict(ceil_mode=True, return_indices=True)),
    ("max_pool1d", (3, 9), (2,), dict(dilation=2)),
    ("avg_pool2d", (2, 3, 7, 6), (3, 2, 1), {}),
    ("avg_pool2d", (2, 3, 7, 6), (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
    ("avg_pool2d", (2, 3, 7, 6), ((3, 2), (2, 3), (1, 1)), dict(ceil_mode=True)),
    ("avg_pool2d", (2, 3, 7, 6), (3,), dict(divisor_override=5)),
    ("avg_pool2d", (3, 7, 6), (2,), {}),
    ("avg_pool1d", (2, 3, 9), (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
    ("adaptive_avg_pool2d", (2, 3, 7, 6), ((3, 4),), {}),
    ("adaptive_avg_pool2d", (3, 7, 6), ((None, 4),), {}),
    ("adaptive_avg_pool2d", (2, 3, 7, 6), (1,), {}),
    ("adaptive_avg_pool2d", (2, 3, 5, 5), ((7, 2),), {}),
    ("adaptive_avg_pool1d", (2, 3, 7), (3,), {}),
    ("adaptive_max_pool2d", (2, 3, 7, 6), ((3, 4),), dict(return_indices=True)),
    ("adaptive_max_pool2d", (2, 3, 5, 5), ((7, 2),), dict(return_indices=True)),
    ("adaptive_max_pool2d", (3, 5, 5), ((2, 3),), dict(return_indices=True)),
    ("adaptive_max_pool1d", (2, 3, 7), (3,), dict(return_indices=True)),
]


def run(lib, name, array, args, kwargs, create_graph=False):
    x = lib.tensor(array, requires_grad=True)
    result = getattr(lib.nn.functional, name)(x, *args, **kwargs)
    values, indices = result if isinstance(result, tuple) else (result, None)
    grad = np.random.default_rng(1).standard_normal(tuple(values.shape)).astype(array.dtype)
    (x_grad,) = lib.autograd.grad(values, x, lib.tensor(grad), create_graph=create_graph)
    return x, values, indices, x_grad


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, shape, args, kwargs", CASES)
def test_values_indices_gradients_and_grad_fn(name, shape, args, kwargs, dtype):
    array = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    _, values, indices, grad = run(ember, name, array, args, kwargs)
    _, expected_values, expected_indices, expected_grad = run(torch, name, array, args, kwargs)
    np.testing.assert_allclose(values.detach().cpu().numpy(), expected_values.detach().numpy(), **TOLERANCE[dtype])
    np.testing.assert_allclose(grad.cpu().numpy(), expected_grad.cpu().numpy(), **TOLERANCE[dtype])
    assert type(values.grad_fn).__name__ == type(expected_values.grad_fn).__name__
    if indices is not None:
        assert indices.dtype == ember.int64
        np.testing.assert_array_equal(indices.cpu().numpy(), expected_indices.cpu().numpy())


@pytest.mark.parametrize("name, shape, args, kwargs", [CASES[1], CASES[7], CASES[12], CASES[17]])
def test_second_derivatives(name, shape, args, kwargs):
    """Differentiating the input's gradient w.r.t. the output's gradient and the input, as PyTorch does."""
    array = np.random.default_rng(0).standard_normal(shape)
    results = []
    for lib in (ember, torch):
        x, values, _, grad = run(lib, name, array, args, kwargs, create_graph=True)
        (grad * grad * x).sum().backward()
        results.append((grad, x.grad))
    for e, t in zip(*results):
        np.testing.assert_allclose(e.detach().cpu().numpy(), t.detach().cpu().numpy(), rtol=1e-10, atol=1e-12)


def test_max_pool_ties_nans_and_infinities_pick_torchs_index():
    array = np.array([[[[1.0, 1.0, -np.inf], [np.nan, 2.0, -np.inf], [0.0, 2.0, -np.inf]]]])
    for kwargs in (dict(kernel_size=2, stride=1), dict(kernel_size=2, padding=1), dict(kernel_size=3, padding=1)):
        got = ember.nn.functional.max_pool2d(ember.tensor(array), return_indices=True, **kwargs)
        expected = torch.nn.functional.max_pool2d(torch.tensor(array), return_indices=True, **kwargs)
        np.testing.assert_array_equal(got[0].cpu().numpy(), expected[0].cpu().numpy())
        np.testing.assert_array_equal(got[1].cpu().numpy(), expected[1].cpu().numpy())


@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d"])
def test_integer_inputs(name):
    array = np.arange(-20, 30).reshape(1, 2, 5, 5)
    got = getattr(ember.nn.functional, name)(ember.tensor(array), 2, 2, 1)
    expected = getattr(torch.nn.functional, name)(torch.tensor(array), 2, 2, 1)
    assert got.dtype == ember.int64
    np.testing.assert_array_equal(got.cpu().numpy(), expected.cpu().numpy())


def as_tuple(result):
    return result if isinstance(result, tuple) else (result,)


def test_top_level_names():
    array = np.random.default_rng(0).standard_normal((2, 3, 9))
    for name, args in (("max_pool1d", (2,)), ("avg_pool1d", (3,)), ("adaptive_avg_pool1d", (4,)),
                       ("adaptive_max_pool1d", (4,)), ("max_pool1d_with_indices", (2,))):
        got = getattr(ember, name)(ember.tensor(array), *args)
        expected = getattr(torch, name)(torch.tensor(array), *args)
        for g, e in zip(as_tuple(got), as_tuple(expected)):
            np.testing.assert_allclose(g.cpu().numpy(), e.cpu().numpy(), rtol=1e-12)
    array = np.random.default_rng(0).standard_normal((2, 3, 6, 6))
    np.testing.assert_allclose(ember.max_pool2d(ember.tensor(array), 2).cpu().numpy(),
                               torch.max_pool2d(torch.tensor(array), 2).cpu().numpy())


ERRORS = [
    lambda t, F: F.max_pool2d(t.ones(1, 1, 4, 4), 3, padding=2),
    lambda t, F: F.max_pool2d(t.ones(1, 1, 2, 2), 3),
    lambda t, F: F.avg_pool2d(t.ones(1, 1, 2, 2), 3),
    lambda t, F: F.max_pool2d(t.ones(4), 2),
    lambda t, F: F.max_pool2d(t.ones(1, 1, 4, 4), 2, stride=0),
    lambda t, F: F.avg_pool2d(t.ones(1, 1, 4, 4), 2, padding=2),
    lambda t, F: F.adaptive_max_pool2d(t.ones(4), 2),
    lambda t, F: F.adaptive_avg_pool2d(t.ones(4), 2),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors(index):
    with pytest.raises(Exception) as expected:
        ERRORS[index](torch, torch.nn.functional)
    with pytest.raises(expected.type) as got:
        ERRORS[index](ember, ember.nn.functional)
    assert str(got.value) == str(expected.value)


MODULES = [
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", (3, 2, 1), dict(dilation=2, ceil_mode=True)),
    ("MaxPool1d", (3, 2), {}),
    ("AvgPool2d", (2,), {}),
    ("AvgPool2d", (3, 2, 1), dict(ceil_mode=True, count_include_pad=False, divisor_override=4)),
    ("AvgPool1d", (3,), {}),
    ("AdaptiveAvgPool2d", ((2, None),), {}),
    ("AdaptiveAvgPool1d", (2,), {}),
    ("AdaptiveMaxPool2d", (3,), {}),
    ("AdaptiveMaxPool1d", (2,), {}),
]


@pytest.mark.parametrize("name, args, kwargs", MODULES)
def test_modules(name, args, kwargs):
    ours, theirs = getattr(ember.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    shape = (2, 3, 7, 8) if name.endswith("2d") else (2, 3, 9)
    array = np.random.default_rng(0).standard_normal(shape)
    np.testing.assert_allclose(ours(ember.tensor(array)).cpu().numpy(), theirs(torch.tensor(array)).numpy(), rtol=1e-12)


def test_max_pool_module_return_indices():
    array = np.random.default_rng(0).standard_normal((2, 3, 6, 6))
    values, indices = ember.nn.MaxPool2d(2, return_indices=True)(ember.tensor(array))
    expected_values, expected_indices = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(array))
    np.testing.assert_array_equal(indices.cpu().numpy(), expected_indices.cpu().numpy())
    np.testing.assert_array_equal(values.cpu().numpy(), expected_values.cpu().numpy())


@pytest.mark.parametrize("name, args", [("max_pool2d", (2,)), ("avg_pool2d", (2,)), ("adaptive_max_pool2d", (3,)),
                                        ("adaptive_avg_pool2d", (3,))])
def test_an_empty_batch(name, args):
    array = np.ones((0, 3, 4, 4))
    _, values, _, grad = run(ember, name, array, args, {})
    _, expected_values, _, expected_grad = run(torch, name, array, args, {})
    assert tuple(values.shape) == tuple(expected_values.shape)
    assert tuple(grad.shape) == tuple(expected_grad.shape)


def test_an_adaptive_max_pool_to_nothing():
    got = ember.nn.functional.adaptive_max_pool2d(ember.ones(1, 3, 4, 4), 0, return_indices=True)
    expected = torch.nn.functional.adaptive_max_pool2d(torch.ones(1, 3, 4, 4), 0, return_indices=True)
    assert [tuple(t.shape) for t in got] == [tuple(t.shape) for t in expected]


@pytest.mark.parametrize("name, shape, args", [("max_pool1d_with_indices", (2, 3, 9), (3, 2)),
                                               ("max_pool2d_with_indices", (2, 3, 7, 6), (3, 2, 1)),
                                               ("adaptive_max_pool1d_with_indices", (2, 3, 9), (4,)),
                                               ("adaptive_max_pool2d_with_indices", (3, 7, 6), ((2, 4),))])
def test_the_with_indices_forms_return_both(name, shape, args):
    array = np.random.default_rng(0).standard_normal(shape)
    got = getattr(ember.nn.functional, name)(ember.tensor(array), *args)
    expected = getattr(torch.nn.functional, name)(torch.tensor(array), *args)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_array_equal(g.cpu().numpy(), e.cpu().numpy())
