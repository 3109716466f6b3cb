"""The 3-d convolutions, poolings and resamplings against PyTorch: F.conv3d/conv_transpose3d and their
layers (lazy ones, padding modes), max/avg/adaptive/LP pooling and max unpooling in 3-d, interpolate on 5-d
inputs ('nearest', 'nearest-exact', 'trilinear') and Upsample, Dropout3d, InstanceNorm3d and the 5-d pads:
values, gradients (float64 gradcheck and gradgradcheck), grad_fn names, module reprs and errors."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import same_message

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = [pytest.mark.oracle, pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")]


def grad_fn_name(tensor):
    return type(tensor.grad_fn).__name__


def assert_grad_fn(oracle, fn, *arrays):
    """`fn` on float64 leaves gives ember the grad_fn name of every differentiable result PyTorch gives."""
    ember_result = fn(ember, *[ember.tensor(a, requires_grad=True) for a in arrays])
    torch_result = fn(torch, *[torch.tensor(a, requires_grad=True) for a in arrays])
    pairs = zip(ember_result, torch_result) if isinstance(torch_result, tuple) else [(ember_result, torch_result)]
    for e, t in pairs:
        if t.requires_grad:
            assert grad_fn_name(e) == grad_fn_name(t)


def assert_gradchecks(fn, *arrays):
    """ember's first and second derivatives of `fn` on float64 leaves agree with finite differences."""
    leaves = tuple(ember.tensor(a, requires_grad=True) for a in arrays)
    assert ember.autograd.gradcheck(lambda *xs: fn(ember, *xs), leaves)
    assert ember.autograd.gradgradcheck(lambda *xs: fn(ember, *xs), leaves)


def assert_same_error(call, *arrays):
    """`call(lib, *tensors)` raises the same exception type with PyTorch's message in both libraries."""
    with pytest.raises(Exception) as torch_error:
        call(torch, *[torch.tensor(a) for a in arrays])
    with pytest.raises(torch_error.type) as ember_error:
        call(ember, *[ember.tensor(a) for a in arrays])
    assert same_message(ember_error.value, torch_error.value), (str(ember_error.value), str(torch_error.value))


# ----- convolutions --------------------------------------------------------------------------------------
# (input shape, weight shape, keyword arguments)
CONV3D = [
    ((2, 3, 4, 5, 6), (4, 3, 2, 3, 2), {}),
    ((2, 4, 5, 6, 7), (6, 2, 2, 3, 2), dict(stride=(1, 2, 2), padding=(1, 0, 2), dilation=(2, 1, 1), groups=2)),
    ((1, 2, 4, 5, 5), (3, 2, 2, 3, 3), dict(padding="same", dilation=(1, 2, 1))),
    ((1, 2, 4, 5, 5), (3, 2, 3, 3, 3), dict(padding="valid", stride=2)),
    ((2, 4, 3, 5, 4), (4, 1, 3, 1, 2), dict(groups=4, padding=1)),
    ((3, 4, 5, 6), (2, 3, 2, 2, 2), dict(padding=1)),
]
CONV_TRANSPOSE3D = [
    ((2, 3, 3, 4, 2), (3, 2, 2, 3, 2), {}),
    ((2, 4, 3, 3, 4), (4, 3, 2, 2, 3), dict(stride=(2, 1, 3), padding=(1, 0, 1), output_padding=(1, 0, 2), groups=2)),
    ((1, 2, 3, 3, 3), (2, 2, 3, 2, 2), dict(stride=2, padding=1, dilation=2, output_padding=1)),
    ((3, 2, 3, 4), (3, 2, 2, 2, 2), dict(stride=2)),
]
CONV_CASES = [("conv3d", *c) for c in CONV3D] + [("conv_transpose3d", *c) for c in CONV_TRANSPOSE3D]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("with_bias", [False, True])
@pytest.mark.parametrize("name, input_shape, weight_shape, kwargs", CONV_CASES)
def test_convolution_values_and_grads(oracle, name, input_shape, weight_shape, kwargs, with_bias, dtype):
    rng = oracle.rng(3)
    arrays = [oracle.array(rng, input_shape, dtype, "any"), oracle.array(rng, weight_shape, dtype, "any")]
    channels = weight_shape[0] if name == "conv3d" else weight_shape[1] * kwargs.get("groups", 1)
    if with_bias:
        arrays.append(oracle.array(rng, (channels,), dtype, "any"))
    tolerance = dict(rtol=1e-4, atol=1e-4) if dtype == "float32" else {}
    oracle.check(lambda lib, *ts: getattr(lib.nn.functional, name)(*ts, **kwargs), *arrays, **tolerance)
    assert_grad_fn(oracle, lambda lib, *ts: getattr(lib.nn.functional, name)(*ts, **kwargs),
                   *[a.astype("float64") for a in arrays])


# small enough for finite differences of every element
GRADCHECK = [
    ("conv3d", (1, 4, 3, 4, 3), (2, 2, 2, 2, 1), dict(stride=(1, 2, 1), padding=(1, 0, 1), dilation=(2, 1, 1),
                                                      groups=2)),
    ("conv3d", (1, 2, 3, 3, 3), (2, 2, 2, 1, 2), dict(padding="same")),
    ("conv3d", (2, 3, 3, 2), (2, 2, 2, 2, 1), {}),
    ("conv_transpose3d", (1, 4, 2, 2, 2), (4, 1, 2, 2, 1), dict(stride=(2, 1, 2), padding=(1, 0, 0),
                                                                output_padding=(1, 0, 1), groups=2)),
    ("conv_transpose3d", (1, 2, 2, 2, 2), (2, 2, 2, 1, 2), dict(stride=2, dilation=2, output_padding=1)),
]


@pytest.mark.parametrize("name, input_shape, weight_shape, kwargs", GRADCHECK)
def test_convolution_gradcheck_and_double_backward(oracle, name, input_shape, weight_shape, kwargs):
    rng = oracle.rng(5)
    channels = weight_shape[0] if name == "conv3d" else weight_shape[1] * kwargs.get("groups", 1)
    arrays = [oracle.array(rng, s, "float64", "any") for s in (input_shape, weight_shape, (channels,))]
    assert_gradchecks(lambda lib, *ts: getattr(lib.nn.functional, name)(*ts, **kwargs), *arrays)


def test_top_level_functions_and_convolution(oracle):
    rng = oracle.rng(7)
    x, w = oracle.array(rng, (2, 2, 3, 4, 5), "float64", "any"), oracle.array(rng, (3, 2, 2, 2, 2), "float64", "any")
    oracle.check(lambda lib, a, b: lib.conv3d(a, b, stride=2, padding=1), x, w)
    oracle.check(lambda lib, a, b: lib.conv_transpose3d(a, b.transpose(0, 1), stride=2), x, w[:, :2].copy())
    oracle.check(lambda lib, a, b: lib.convolution(a, b, None, [1, 2, 1], [0, 1, 1], [1, 1, 1], False, [0, 0, 0], 1),
                 x, w)


@pytest.mark.parametrize("call", [
    lambda lib, x, w: lib.nn.functional.conv3d(x[0, 0], w),
    lambda lib, x, w: lib.nn.functional.conv3d(x, w, stride=(1, 2)),
    lambda lib, x, w: lib.nn.functional.conv3d(x, w[..., 0]),
    lambda lib, x, w: lib.nn.functional.conv3d(x, w, groups=3),
    lambda lib, x, w: lib.nn.functional.conv3d(x, w.repeat(1, 1, 4, 1, 1)),
    lambda lib, x, w: lib.nn.functional.conv3d(x, w, stride=0),
    lambda lib, x, w: lib.nn.functional.conv3d(x, w, dilation=(1, 0, 1)),
    lambda lib, x, w: lib.nn.functional.conv3d(x, w, groups=0),
    lambda lib, x, w: lib.nn.functional.conv3d(x, w, padding=-1),
    lambda lib, x, w: lib.nn.functional.conv3d(x, w, bias=lib.zeros(5, dtype=lib.float64)),
    lambda lib, x, w: lib.nn.functional.conv3d(x, w, padding="same", stride=2),
    lambda lib, x, w: lib.nn.functional.conv_transpose3d(x, w.transpose(0, 1), stride=2, output_padding=2),
    lambda lib, x, w: lib.nn.functional.conv_transpose3d(x[0, 0], w.transpose(0, 1)),
], ids=["3-d input", "stride of two", "4-d weight", "groups", "kernel larger than input", "zero stride",
        "zero dilation", "zero groups", "negative padding", "bias size", "strided same", "output padding",
        "transposed 3-d input"])
def test_convolution_errors(oracle, call):
    rng = oracle.rng(0)
    assert_same_error(call, oracle.array(rng, (2, 2, 3, 4, 5), "float64"),
                      oracle.array(rng, (4, 2, 2, 3, 2), "float64"))


def _copy_parameters(ember_module, torch_module):
    with ember.no_grad():
        for name, parameter in torch_module.named_parameters():
            getattr(ember_module, name).copy_(ember.tensor(parameter.detach().numpy()))


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=(2, 3, 3)),
    dict(kernel_size=3, padding="same", padding_mode="reflect"),
    dict(kernel_size=(2, 3, 2), padding=(1, 2, 1), padding_mode="replicate", bias=False),
    dict(kernel_size=2, padding=1, padding_mode="circular", stride=(1, 2, 1), groups=2),
    dict(kernel_size=3, padding="valid", dilation=(1, 1, 2)),
])
def test_conv3d_module(oracle, kwargs):
    torch.manual_seed(0)
    layer = torch.nn.Conv3d(4, 6, **kwargs).double()
    mine = ember.nn.Conv3d(4, 6, dtype=ember.float64, **kwargs)
    assert repr(mine) == repr(layer)
    assert tuple(mine.weight.shape) == tuple(layer.weight.shape)
    _copy_parameters(mine, layer)
    x = oracle.array(oracle.rng(1), (2, 4, 4, 5, 6), "float64", "any")
    oracle.check(lambda lib, t: (mine if lib is ember else layer)(t), x)
    assert_gradchecks(lambda lib, t: mine(t), x[:1, :, :3, :3, :5].copy())


def test_conv_transpose3d_module_and_output_size(oracle):
    torch.manual_seed(0)
    layer = torch.nn.ConvTranspose3d(4, 6, (2, 3, 2), stride=(2, 1, 3), padding=(0, 1, 1), groups=2).double()
    mine = ember.nn.ConvTranspose3d(4, 6, (2, 3, 2), stride=(2, 1, 3), padding=(0, 1, 1), groups=2,
                                    dtype=ember.float64)
    assert repr(mine) == repr(layer)
    _copy_parameters(mine, layer)
    x = oracle.array(oracle.rng(2), (2, 4, 3, 4, 3), "float64", "any")
    oracle.check(lambda lib, t: (mine if lib is ember else layer)(t), x)
    oracle.check(lambda lib, t: (mine if lib is ember else layer)(t, output_size=(7, 4, 8)), x)
    with pytest.raises(ValueError):
        mine(ember.tensor(x), output_size=(9, 4, 9))
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose3d'):
        ember.nn.ConvTranspose3d(4, 6, 2, padding_mode="reflect")


@pytest.mark.parametrize("names", [("LazyConv3d", "Conv3d"), ("LazyConvTranspose3d", "ConvTranspose3d")])
def test_lazy_conv3d(oracle, names):
    lazy_name, eager_name = names
    lazy = getattr(ember.nn, lazy_name)(4, (2, 1, 2), stride=2, dtype=ember.float64)
    x = ember.tensor(oracle.array(oracle.rng(3), (2, 3, 4, 4, 4), "float64", "any"))
    out = lazy(x)
    assert type(lazy).__name__ == eager_name
    assert lazy.in_channels == 3
    expected = (3, 4, 2, 1, 2) if "Transpose" in lazy_name else (4, 3, 2, 1, 2)
    assert tuple(lazy.weight.shape) == expected
    torch_layer = getattr(torch.nn, lazy_name)(4, (2, 1, 2), stride=2).double()
    assert tuple(out.shape) == tuple(torch_layer(torch.tensor(x.cpu().numpy())).shape)
    assert repr(lazy) == repr(torch_layer)


# ----- pooling -------------------------------------------------------------------------------------------
MAX_POOL = [
    dict(kernel_size=2),
    dict(kernel_size=(2, 3, 2), stride=(1, 2, 3), padding=(1, 1, 0), dilation=(2, 1, 1), ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(1, 2, 3), stride=1, dilation=(1, 2, 1)),
]


def test_max_pool3d_with_indices_and_top_level(oracle):
    x = oracle.array(oracle.rng(5), (2, 2, 4, 4, 5), "float64", "any")
    oracle.check(lambda lib, t: lib.nn.functional.max_pool3d_with_indices(t, 2, 1), x)
    oracle.check(lambda lib, t: lib.max_pool3d(t, (2, 1, 2)), x)
    assert_gradchecks(lambda lib, t: lib.nn.functional.max_pool3d(t, 2, 1, 1, ceil_mode=True), x[:1, :1, :3, :3])


AVG_POOL = [
    dict(kernel_size=2),
    dict(kernel_size=(2, 3, 2), stride=(1, 2, 3), padding=(1, 1, 0), ceil_mode=True),
    dict(kernel_size=(2, 3, 2), stride=(1, 2, 3), padding=(1, 1, 0), ceil_mode=True, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, divisor_override=5),
]


POOL_CASES = ([("max_pool3d", "MaxPool3d", dict(kwargs, return_indices=True)) for kwargs in MAX_POOL]
              + [("avg_pool3d", "AvgPool3d", kwargs) for kwargs in AVG_POOL])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("function, module, kwargs", POOL_CASES)
def test_pool3d(oracle, function, module, kwargs, batched, dtype):
    shape = (2, 3, 5, 6, 7) if batched else (3, 5, 6, 7)
    x = oracle.array(oracle.rng(4), shape, dtype, "any")
    oracle.check(lambda lib, t: getattr(lib.nn.functional, function)(t, **kwargs), x)
    oracle.check(lambda lib, t: getattr(lib.nn, module)(**kwargs)(t), x)
    assert_grad_fn(oracle, lambda lib, t: getattr(lib.nn.functional, function)(t, **kwargs), x.astype("float64"))


@pytest.mark.parametrize("kwargs", AVG_POOL[1:])
def test_avg_pool3d_gradcheck(oracle, kwargs):
    x = oracle.array(oracle.rng(7), (1, 1, 3, 4, 4), "float64", "any")
    assert_gradchecks(lambda lib, t: lib.nn.functional.avg_pool3d(t, **kwargs), x)


@pytest.mark.parametrize("output_size", [(2, 4, 3), (3, None, 5), 1, (1, 2, 1), (5, 6, 7)])
@pytest.mark.parametrize("batched", [True, False])
def test_adaptive_pool3d(oracle, output_size, batched):
    shape = (2, 3, 5, 6, 7) if batched else (3, 5, 6, 7)
    x = oracle.array(oracle.rng(8), shape, "float64", "any")
    oracle.check(lambda lib, t: lib.nn.functional.adaptive_avg_pool3d(t, output_size), x)
    oracle.check(lambda lib, t: lib.nn.functional.adaptive_max_pool3d(t, output_size, return_indices=True), x)
    oracle.check(lambda lib, t: lib.nn.AdaptiveAvgPool3d(output_size)(t), x)
    oracle.check(lambda lib, t: lib.nn.AdaptiveMaxPool3d(output_size, return_indices=True)(t), x)
    oracle.check(lambda lib, t: lib.nn.functional.adaptive_max_pool3d_with_indices(t, output_size), x)
    assert_grad_fn(oracle, lambda lib, t: lib.nn.functional.adaptive_avg_pool3d(t, output_size), x)
    assert_grad_fn(oracle, lambda lib, t: lib.nn.functional.adaptive_max_pool3d(t, output_size, True), x)


def test_adaptive_pool3d_gradcheck(oracle):
    x = oracle.array(oracle.rng(9), (1, 1, 5, 4, 3), "float64", "any")
    assert_gradchecks(lambda lib, t: lib.nn.functional.adaptive_avg_pool3d(t, (2, 3, 2)), x)
    assert_gradchecks(lambda lib, t: lib.nn.functional.adaptive_max_pool3d(t, (2, 3, 2)), x)


@pytest.mark.parametrize("norm_type", [2.0, 1.5, float("inf")])
def test_lp_pool3d(oracle, norm_type):
    x = oracle.array(oracle.rng(10), (2, 2, 4, 5, 6), "float64", "positive")
    oracle.check(lambda lib, t: lib.nn.functional.lp_pool3d(t, norm_type, (2, 3, 2)), x)
    oracle.check(lambda lib, t: lib.nn.LPPool3d(norm_type, 2, stride=1)(t), x)
    assert repr(ember.nn.LPPool3d(norm_type, 2)) == repr(torch.nn.LPPool3d(norm_type, 2))


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.nn.functional.max_pool3d(x, 2, padding=2),
    lambda lib, x: lib.nn.functional.max_pool3d(x, 2, dilation=0),
    lambda lib, x: lib.nn.functional.max_pool3d(x, (2, 0, 1), stride=1),
    lambda lib, x: lib.nn.functional.max_pool3d(x, (6, 2, 2)),
    lambda lib, x: lib.nn.functional.max_pool3d(x, (2, 2)),
    lambda lib, x: lib.nn.functional.max_pool3d(x, 2, stride=(1, 2)),
    lambda lib, x: lib.nn.functional.max_pool3d(x, 2, padding=-1),
    lambda lib, x: lib.nn.functional.max_pool3d(x[0, 0], 2),
    lambda lib, x: lib.nn.functional.avg_pool3d(x, 2, stride=0),
    lambda lib, x: lib.nn.functional.avg_pool3d(x, (6, 2, 2)),
    lambda lib, x: lib.nn.functional.avg_pool3d(x, (2, 2)),
    lambda lib, x: lib.nn.functional.avg_pool3d(x, 2, stride=(1, 2)),
    lambda lib, x: lib.nn.functional.avg_pool3d(x, 2, padding=(1, 1)),
    lambda lib, x: lib.nn.functional.max_pool3d(x, 2, dilation=(1, 1)),
    lambda lib, x: lib.nn.functional.avg_pool3d(x, 2, divisor_override=0),
    lambda lib, x: lib.nn.functional.avg_pool3d(x[0, 0], 2),
    lambda lib, x: lib.nn.functional.adaptive_avg_pool3d(x, (2, 3)),
    lambda lib, x: lib.nn.functional.adaptive_avg_pool3d(x[0, 0], 2),
    lambda lib, x: lib.nn.functional.adaptive_max_pool3d(x, (2, 3)),
    lambda lib, x: lib.nn.functional.adaptive_max_pool3d(x[0, 0], 2),
    lambda lib, x: lib.nn.functional.max_pool2d(x[0], 2, padding=-1),
    lambda lib, x: lib.nn.functional.avg_pool2d(x[0], (2, 2, 2)),
    lambda lib, x: lib.nn.functional.max_pool2d(x[0], 2, stride=(1, 2, 1)),
], ids=["max pad", "max dilation", "max kernel", "max output too small", "max kernel size", "max stride size",
        "max negative pad", "max 3-d", "avg stride", "avg input smaller than kernel",
        "avg kernel size", "avg stride size", "avg padding size", "max dilation size", "avg divisor", "avg 3-d",
        "adaptive avg size", "adaptive avg 3-d", "adaptive max size", "adaptive max 3-d", "2-d negative pad",
        "2-d kernel size", "2-d stride size"])
def test_pooling_errors(oracle, call):
    assert_same_error(call, oracle.array(oracle.rng(0), (2, 3, 5, 6, 7), "float64"))


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("output_size", [None, (5, 7, 7)])
def test_max_unpool3d(oracle, batched, output_size):
    shape = (2, 3, 4, 6, 6) if batched else (3, 4, 6, 6)
    x = oracle.array(oracle.rng(11), shape, "float64", "any")

    def unpool(lib, t):
        values, indices = lib.nn.functional.max_pool3d(t, 2, return_indices=True)
        return lib.nn.functional.max_unpool3d(values, indices, 2, output_size=output_size)

    oracle.check(unpool, x)
    oracle.check(lambda lib, t: lib.nn.MaxUnpool3d(2)(*lib.nn.MaxPool3d(2, return_indices=True)(t)), x)
    assert_grad_fn(oracle, unpool, x)
    if output_size is None:
        assert_gradchecks(unpool, x[:1, :1, :2, :4, :4].copy() if batched else x[:1, :2, :4, :4].copy())
    assert repr(ember.nn.MaxUnpool3d(2, 1)) == repr(torch.nn.MaxUnpool3d(2, 1))


@pytest.mark.parametrize("call", [
    lambda lib, v, i: lib.nn.functional.max_unpool3d(v[0, 0], i[0, 0], 2),
    lambda lib, v, i: lib.nn.functional.max_unpool3d(v, i.int(), 2),
    lambda lib, v, i: lib.nn.functional.max_unpool3d(v, i[:1], 2),
    lambda lib, v, i: lib.nn.functional.max_unpool3d(v, i, 2, output_size=(9, 7, 7)),
    lambda lib, v, i: lib.nn.functional.max_unpool3d(v.long(), i, 2),
], ids=["3-d input", "int32 indices", "indices shape", "output size", "integer values"])
def test_max_unpool3d_errors(oracle, call):
    values, indices = torch.nn.functional.max_pool3d(torch.randn(2, 3, 4, 6, 6, dtype=torch.float64), 2,
                                                     return_indices=True)
    assert_same_error(call, values.numpy(), indices.numpy())


def test_max_unpool3d_index_out_of_range(oracle):
    values, indices = ember.nn.functional.max_pool3d(ember.randn(1, 2, 4, 6, 6), 2, return_indices=True)
    with pytest.raises(RuntimeError, match=r"Found an invalid max index: \d+ \(output volumes are of size 4x6x6\)"):
        ember.nn.functional.max_unpool3d(values, indices + 1000, 2).cpu()


# ----- resampling, dropout, normalisation and padding -----------------------------------------------------
INTERPOLATE = [
    dict(size=(4, 9, 3)),
    dict(scale_factor=(1.7, 0.6, 2.5)),
    dict(scale_factor=2),
    dict(scale_factor=(2.3, 1.1, 0.77), recompute_scale_factor=True),
    dict(size=(13, 6, 31)),
]


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "trilinear"])
@pytest.mark.parametrize("kwargs", INTERPOLATE)
def test_interpolate_5d(oracle, mode, kwargs):
    x = oracle.array(oracle.rng(12), (1, 2, 3, 5, 7), "float64", "any")
    oracle.check(lambda lib, t: lib.nn.functional.interpolate(t, mode=mode, **kwargs), x)
    assert_grad_fn(oracle, lambda lib, t: lib.nn.functional.interpolate(t, mode=mode, **kwargs), x)


@pytest.mark.parametrize("dims", [1, 2])
@pytest.mark.parametrize("size", [3, 5, 11, 16])
def test_interpolate_nearest_exact_lower_dims(oracle, dims, size):
    x = oracle.array(oracle.rng(13), (2, 3) + (7,) * dims, "float32", "any")
    oracle.check(lambda lib, t: lib.nn.functional.interpolate(t, size=size, mode="nearest-exact"), x)
    assert_grad_fn(oracle, lambda lib, t: lib.nn.functional.interpolate(t, size=size, mode="nearest-exact"),
                   x.astype("float64"))


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "trilinear"])
def test_interpolate_5d_gradcheck_and_upsample(oracle, mode):
    x = oracle.array(oracle.rng(14), (1, 1, 2, 3, 4), "float64", "any")
    assert_gradchecks(lambda lib, t: lib.nn.functional.interpolate(t, scale_factor=(1.5, 2, 0.5), mode=mode), x)
    oracle.check(lambda lib, t: lib.nn.Upsample(scale_factor=2, mode=mode)(t), x)
    assert repr(ember.nn.Upsample(size=(2, 3, 4), mode=mode)) == repr(torch.nn.Upsample(size=(2, 3, 4), mode=mode))
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        ember.nn.functional.interpolate(ember.tensor(x), size=3, mode="nearest-exact", align_corners=True)


@pytest.mark.parametrize("batched", [True, False])
def test_dropout3d(oracle, batched):
    shape = (4, 6, 3, 4, 5) if batched else (6, 3, 4, 5)
    x = ember.ones(*shape, dtype=ember.float64)
    out = ember.nn.functional.dropout3d(x, 0.5, training=True).cpu().numpy()
    channels = out.reshape(-1, 60)
    assert set(np.unique(channels)) <= {0.0, 2.0}
    assert (channels.min(1) == channels.max(1)).all()  # a whole channel kept or dropped
    module = ember.nn.Dropout3d(0.25)
    assert repr(module) == repr(torch.nn.Dropout3d(0.25))
    assert np.array_equal(module.eval()(x).cpu().numpy(), x.cpu().numpy())
    oracle.check(lambda lib, t: lib.nn.functional.dropout3d(t, 0.0), np.ones(shape))
    oracle.check(lambda lib, t: lib.nn.functional.dropout3d(t, 1.0), np.ones(shape))


@pytest.mark.parametrize("kwargs", [{}, dict(affine=True), dict(affine=True, track_running_stats=True)])
def test_instance_norm3d(oracle, kwargs):
    x = oracle.array(oracle.rng(15), (2, 3, 3, 4, 5), "float64", "any")
    layers = {lib: lib.nn.InstanceNorm3d(3, dtype=lib.float64, **kwargs) for lib in (ember, torch)}
    oracle.check(lambda lib, t: layers[lib](t), x)
    assert repr(layers[ember]) == repr(layers[torch])
    if kwargs.get("track_running_stats"):
        oracle.assert_same(layers[ember].running_mean, layers[torch].running_mean)
        oracle.assert_same(layers[ember].running_var, layers[torch].running_var)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_5d(oracle, mode):
    x = oracle.array(oracle.rng(16), (2, 2, 3, 4, 5), "float64", "any")
    oracle.check(lambda lib, t: lib.nn.functional.pad(t, (1, 2, 2, 1, 1, 2), mode=mode), x)
    module = {"constant": "ConstantPad3d", "reflect": "ReflectionPad3d", "replicate": "ReplicationPad3d",
              "circular": "CircularPad3d"}[mode]
    args = ((1, 2, 2, 1, 1, 2), 1.5) if mode == "constant" else ((1, 2, 2, 1, 1, 2),)
    oracle.check(lambda lib, t: getattr(lib.nn, module)(*args)(t), x)
    oracle.check(lambda lib, t: lib.nn.ZeroPad3d(1)(t), x)
    assert_grad_fn(oracle, lambda lib, t: lib.nn.functional.pad(t, (1, 2, 2, 1, 1, 2), mode=mode), x)
