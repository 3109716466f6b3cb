"""Convolutions (F.conv1d/2d, the transposed forms, F.unfold/F.fold) and the Conv layers against PyTorch:
values and gradients over a grid of shapes, strides, paddings, dilations and groups in float32 and float64,
second derivatives, grad_fn names, errors, layer init, padding modes and reprs."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = [pytest.mark.oracle, pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")]

TOLERANCE = {"float32": dict(rtol=1e-4, atol=1e-4), "float64": dict(rtol=1e-10, atol=1e-10)}


def run_both(name, arrays, grad_seed=1, **kwargs):
    """`name` from F in ember and torch on the same arrays (all requiring grad): results, leaves, grads."""
    outputs = {}
    for lib in (ember, torch):
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        result = getattr(lib.nn.functional, name)(*leaves, **kwargs)
        grad = np.random.default_rng(grad_seed).standard_normal(tuple(result.shape)).astype(arrays[0].dtype)
        result.backward(lib.tensor(grad))
        outputs[lib] = result, leaves
    return outputs[ember], outputs[torch]


def assert_matches(arrays, ember_side, torch_side):
    tolerance = TOLERANCE[arrays[0].dtype.name]
    (ember_result, ember_leaves), (torch_result, torch_leaves) = ember_side, torch_side
    assert tuple(ember_result.shape) == tuple(torch_result.shape)
    np.testing.assert_allclose(ember_result.detach().cpu().numpy(), torch_result.detach().cpu().numpy(), **tolerance)
    for e, t in zip(ember_leaves, torch_leaves):
        np.testing.assert_allclose(e.grad.cpu().numpy(), t.grad.cpu().numpy(), **tolerance)
    assert type(ember_result.grad_fn).__name__ == type(torch_result.grad_fn).__name__


def arrays_for(dtype, *shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


# (input shape, weight shape, keyword arguments)
CONV2D = [
    ((2, 3, 6, 5), (4, 3, 3, 3), {}),
    ((2, 3, 6, 5), (4, 3, 3, 2), dict(stride=2, padding=1)),
    ((1, 4, 7, 7), (6, 2, 3, 3), dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)),
    ((2, 4, 5, 6), (4, 1, 2, 3), dict(groups=4, padding=1)),
    ((2, 3, 6, 5), (4, 3, 3, 3), dict(padding="same", dilation=2)),
    ((2, 3, 6, 5), (4, 3, 2, 4), dict(padding="same")),
    ((2, 3, 6, 5), (4, 3, 3, 3), dict(padding="valid", stride=3)),
    ((3, 6, 5), (4, 3, 3, 3), dict(padding=1)),
    ((2, 3, 1, 1), (4, 3, 1, 1), {}),
]
CONV1D = [
    ((2, 3, 9), (4, 3, 3), {}),
    ((2, 4, 9), (6, 2, 2), dict(stride=2, padding=1, dilation=2, groups=2)),
    ((2, 3, 8), (4, 3, 4), dict(padding="same")),
    ((3, 9), (4, 3, 3), dict(stride=3)),
]
CONV_TRANSPOSE2D = [
    ((2, 3, 4, 5), (3, 4, 3, 3), {}),
    ((2, 4, 4, 5), (4, 3, 3, 2), dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2)),
    ((2, 3, 4, 4), (3, 2, 3, 3), dict(stride=2, padding=1, dilation=2, output_padding=1)),
    ((3, 4, 5), (3, 4, 2, 2), dict(stride=2)),
]
CONV_TRANSPOSE1D = [
    ((2, 3, 5), (3, 4, 3), dict(stride=2, padding=1, output_padding=1)),
    ((2, 4, 5), (4, 1, 2), dict(groups=4, dilation=3)),
]
CASES = ([("conv2d", *c) for c in CONV2D] + [("conv1d", *c) for c in CONV1D]
         + [("conv_transpose2d", *c) for c in CONV_TRANSPOSE2D] + [("conv_transpose1d", *c) for c in CONV_TRANSPOSE1D])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, input_shape, weight_shape, kwargs", CASES)
def test_values_gradients_and_grad_fn(name, input_shape, weight_shape, kwargs, dtype):
    out_channels = weight_shape[1] * kwargs.get("groups", 1) if "transpose" in name else weight_shape[0]
    arrays = arrays_for(dtype, input_shape, weight_shape, (out_channels,))
    assert_matches(arrays, *run_both(name, arrays, **kwargs))


SOME = [CASES[2], ("conv1d", *CONV1D[1]), ("conv_transpose2d", *CONV_TRANSPOSE2D[1])]


@pytest.mark.parametrize("name, input_shape, weight_shape, kwargs", SOME)
def test_without_bias(name, input_shape, weight_shape, kwargs):
    arrays = arrays_for("float64", input_shape, weight_shape)
    assert_matches(arrays, *run_both(name, arrays, **kwargs))


@pytest.mark.parametrize("name, input_shape, weight_shape, kwargs", SOME)
def test_second_derivatives(name, input_shape, weight_shape, kwargs):
    """The gradients' own gradients (through ConvolutionBackward0's composed backward) are PyTorch's."""
    arrays = arrays_for("float64", input_shape, weight_shape)
    results = []
    for lib in (ember, torch):
        x, w = (lib.tensor(a, requires_grad=True) for a in arrays)
        out = getattr(lib.nn.functional, name)(x, w, **kwargs)
        gx, gw = lib.autograd.grad((out * out).sum(), (x, w), create_graph=True)
        ((gx * gx).sum() + (gw ** 3).sum()).backward()
        results.append((gx, gw, x.grad, w.grad))
    for e, t in zip(*results):
        np.testing.assert_allclose(e.detach().cpu().numpy(), t.detach().cpu().numpy(), rtol=1e-9, atol=1e-9)


def test_conv_of_a_non_contiguous_input():
    array = np.random.default_rng(0).standard_normal((2, 6, 7, 3))
    weight = np.random.default_rng(1).standard_normal((4, 3, 2, 2))
    results = [lib.nn.functional.conv2d(lib.tensor(array).permute(0, 3, 1, 2)[:, :, ::2], lib.tensor(weight))
               for lib in (ember, torch)]
    np.testing.assert_allclose(results[0].cpu().numpy(), results[1].cpu().numpy(), rtol=1e-10)


def test_integer_convolution():
    x, w = np.arange(2 * 3 * 4 * 4).reshape(2, 3, 4, 4), np.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2) - 5
    results = [lib.nn.functional.conv2d(lib.tensor(x), lib.tensor(w), stride=2) for lib in (ember, torch)]
    assert results[0].dtype == ember.int64
    np.testing.assert_array_equal(results[0].cpu().numpy(), results[1].cpu().numpy())


def test_top_level_names():
    x, w = arrays_for("float64", (2, 3, 5), (4, 3, 2))
    for name in ("conv1d", "conv_transpose1d"):
        weight = w if name == "conv1d" else w.transpose(1, 0, 2).copy()
        got = getattr(ember, name)(ember.tensor(x), ember.tensor(weight))
        expected = getattr(torch, name)(torch.tensor(x), torch.tensor(weight))
        np.testing.assert_allclose(got.cpu().numpy(), expected.numpy())
    got = ember.convolution(ember.tensor(x), ember.tensor(w), None, [2], [1], [1], False, [0], 1)
    expected = torch.convolution(torch.tensor(x), torch.tensor(w), None, [2], [1], [1], False, [0], 1)
    np.testing.assert_allclose(got.cpu().numpy(), expected.cpu().numpy())


ERRORS = [
    lambda t, F: F.conv2d(t.ones(1, 3, 4, 4, dtype=t.float64), t.ones(1, 3, 2, 2)),
    lambda t, F: F.conv2d(t.ones(1, 3, 4, 4), t.ones(1, 3, 2, 2, dtype=t.float64)),
    lambda t, F: F.conv2d(t.ones(4, 4), t.ones(1, 1, 2, 2)),
    lambda t, F: F.conv1d(t.ones(1, 3, 4, 4), t.ones(2, 3, 3)),
    lambda t, F: F.conv2d(t.ones(1, 3, 4, 4), t.ones(2, 3, 3)),
    lambda t, F: F.conv2d(t.ones(1, 3, 4, 4), t.ones(2, 3, 2, 2), groups=2),
    lambda t, F: F.conv2d(t.ones(1, 4, 4, 4), t.ones(3, 2, 2, 2), groups=2),
    lambda t, F: F.conv2d(t.ones(1, 2, 4, 4), t.ones(2, 3, 3, 3)),
    lambda t, F: F.conv2d(t.ones(1, 3, 2, 2), t.ones(2, 3, 3, 3)),
    lambda t, F: F.conv2d(t.ones(1, 3, 2, 2), t.ones(2, 3, 3, 3), t.ones(3)),
    lambda t, F: F.conv2d(t.ones(1, 3, 4, 4), t.ones(2, 3, 3, 3), t.ones(2, dtype=t.float64)),
    lambda t, F: F.conv2d(t.ones(1, 3, 4, 4), t.ones(2, 3, 3, 3), stride=2, padding="same"),
    lambda t, F: F.conv2d(t.ones(1, 3, 4, 4), t.ones(2, 3, 3, 3), padding="foo"),
    lambda t, F: F.conv2d(t.ones(1, 3, 4, 4), t.ones(2, 3, 3, 3), stride=0),
    lambda t, F: F.conv2d(t.ones(1, 3, 4, 4), t.ones(2, 3, 3, 3), padding=-1),
    lambda t, F: F.conv2d(t.ones(1, 3, 4, 4), t.ones(2, 3, 3, 3), groups=0),
    lambda t, F: F.conv2d(t.ones(1, 3, 4, 4), t.ones(2, 3, 3, 3), stride=(1, 1, 1)),
    lambda t, F: F.conv2d(t.ones(1, 3, 4, 4), t.ones(2, 3, 3, 3), dilation=0),
    lambda t, F: F.conv_transpose2d(t.ones(1, 3, 4, 4), t.ones(2, 3, 3, 3)),
    lambda t, F: F.conv_transpose2d(t.ones(1, 4, 4, 4), t.ones(3, 3, 3, 3), groups=2),
    lambda t, F: F.conv_transpose2d(t.ones(1, 3, 4, 4), t.ones(3, 2, 3, 3), stride=2, output_padding=2),
    lambda t, F: F.conv_transpose2d(t.ones(1, 3, 4, 4), t.ones(3, 2, 3, 3), padding="same"),
    lambda t, F: F.unfold(t.ones(1, 1, 1, 4, 4), 2),
    lambda t, F: F.unfold(t.ones(1, 1, 2, 2), 3),
    lambda t, F: F.fold(t.ones(1, 5, 4), (3, 3), 2),
    lambda t, F: F.fold(t.ones(1, 1, 4, 4), (3, 3), 2),
    lambda t, F: F.fold(t.ones(1, 4, 5), (3, 3), 2),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors(index):
    with pytest.raises(Exception) as expected:
        ERRORS[index](torch, torch.nn.functional)
    with pytest.raises(expected.type) as got:
        ERRORS[index](ember, ember.nn.functional)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kwargs", [dict(kernel_size=3), dict(kernel_size=(2, 3), dilation=(1, 2), padding=1,
                                                                 stride=(2, 1))])
def test_unfold_and_fold(kwargs, dtype):
    (image,) = arrays_for(dtype, (2, 3, 7, 6))
    assert_matches([image], *run_both("unfold", [image], **kwargs))
    columns = torch.nn.functional.unfold(torch.tensor(image), **kwargs).cpu().numpy()
    assert_matches([columns], *run_both("fold", [columns], output_size=(7, 6), **kwargs))
    unbatched = run_both("unfold", [image[0]], **kwargs)
    assert tuple(unbatched[0][0].shape) == tuple(unbatched[1][0].shape)


# ----- the layers ---------------------------------------------------------------------------------------
MODULES = [
    ("Conv2d", (4, 6, 3), {}),
    ("Conv2d", (4, 6, (3, 2)), dict(stride=2, padding=1, dilation=2, groups=2, bias=False, padding_mode="reflect")),
    ("Conv2d", (4, 6, 4), dict(padding="same", padding_mode="replicate")),
    ("Conv2d", (4, 6, 3), dict(padding=2, padding_mode="circular")),
    ("Conv2d", (4, 6, 3), dict(padding="valid")),
    ("Conv1d", (4, 6, 3), dict(padding=1, padding_mode="circular")),
    ("Conv1d", (4, 6, 2), dict(stride=2, groups=2)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, output_padding=1)),
    ("ConvTranspose2d", (4, 6, (2, 3)), dict(groups=2, dilation=2, bias=False)),
    ("ConvTranspose1d", (4, 6, 3), dict(padding=1)),
]


@pytest.mark.parametrize("name, args, kwargs", MODULES)
def test_module_repr_and_forward_with_torch_weights(name, args, kwargs):
    ours, theirs = getattr(ember.nn, name)(*args, **kwargs).double(), getattr(torch.nn, name)(*args, **kwargs).double()
    assert repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    for mine, reference in zip(ours.parameters(), theirs.parameters()):
        with ember.no_grad():
            mine.copy_(ember.tensor(reference.detach().cpu().numpy()))
    spatial = (7, 6) if name.endswith("2d") else (9,)
    (x,) = arrays_for("float64", (2, 4, *spatial))
    got, expected = ours(ember.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(got.detach().cpu().numpy(), expected.detach().cpu().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"])
def test_init_bounds_are_kaiming_uniform_with_a_sqrt5(name):
    layer = getattr(ember.nn, name)(16, 32, 5)
    fan_in = (32 if "Transpose" in name else 16) * (5 if name.endswith("1d") else 25)
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)): sqrt(6 / ((1 + 5) * fan_in))
    weight = layer.weight.detach().cpu().numpy()
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.95 * bound
    assert abs(weight.std() - bound / math.sqrt(3)) < 0.05 * bound
    bias = layer.bias.detach().cpu().numpy()
    assert np.abs(bias).max() <= bound


@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv2d(3, 6, 3, groups=2),
    lambda nn: nn.Conv2d(4, 5, 3, groups=2),
    lambda nn: nn.Conv2d(4, 6, 3, groups=0),
    lambda nn: nn.Conv2d(4, 6, 3, stride=2, padding="same"),
    lambda nn: nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect"),
])
def test_module_argument_errors(make):
    with pytest.raises(ValueError) as expected:
        make(torch.nn)
    with pytest.raises(ValueError, match=str(expected.value).replace("(", r"\(").replace(")", r"\)")):
        make(ember.nn)


@pytest.mark.parametrize("make", [lambda nn: nn.Conv2d(4, 6, 3, padding="foo"),
                                  lambda nn: nn.Conv2d(4, 6, 3, padding_mode="foo")])
def test_module_string_errors(make):
    with pytest.raises(ValueError) as expected:
        make(torch.nn)
    with pytest.raises(ValueError) as got:
        make(ember.nn)
    assert str(got.value).split(",")[0].split("{")[0] == str(expected.value).split(",")[0].split("{")[0]


def test_conv_transpose_output_size():
    layer = ember.nn.ConvTranspose2d(4, 6, 3, stride=2)
    assert tuple(layer(ember.ones(1, 4, 5, 5), output_size=[12, 12]).shape) == (1, 6, 12, 12)
    with pytest.raises(ValueError, match=r"requested an output size of \[13, 12\], but valid sizes range from "
                                         r"\[11, 11\] to \[12, 12\]"):
        layer(ember.ones(1, 4, 5, 5), output_size=[13, 12])


@pytest.mark.parametrize("name, input_shape, weight_shape", [("conv2d", (0, 3, 4, 4), (2, 3, 3, 3)),
                                                             ("conv_transpose2d", (0, 3, 4, 4), (3, 2, 3, 3))])
def test_an_empty_batch(name, input_shape, weight_shape):
    arrays = arrays_for("float64", input_shape, weight_shape)
    assert_matches(arrays, *run_both(name, arrays, padding=1))


def test_half_precision_keeps_its_dtype():
    x, w = (ember.ones(*shape, dtype=ember.float16) for shape in ((1, 3, 4, 4), (2, 3, 3, 3)))
    result = ember.nn.functional.conv2d(x, w)
    assert result.dtype == ember.float16 and result.cpu().numpy().tolist() == [[[[27.0] * 2] * 2] * 2]


def small_cnn(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, groups=2),
                         nn.AvgPool2d(2, ceil_mode=True), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3))


def test_a_small_cnn_trains_as_in_pytorch():
    """Same weights, same batches: ten SGD steps give PyTorch's losses and final weights."""
    ours, theirs = small_cnn(ember).double(), small_cnn(torch).double()
    with ember.no_grad():
        for mine, reference in zip(ours.parameters(), theirs.parameters()):
            mine.copy_(ember.tensor(reference.detach().cpu().numpy()))
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((8, 1, 9, 9)), rng.integers(0, 3, 8)) for _ in range(10)]
    losses = []
    for lib, model in ((ember, ours), (torch, theirs)):
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        trajectory = []
        for x, y in batches:
            optimizer.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            optimizer.step()
            trajectory.append(loss.item())
        losses.append(trajectory)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-9)
    for mine, reference in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(mine.detach().cpu().numpy(), reference.detach().cpu().numpy(), rtol=1e-8, atol=1e-10)
