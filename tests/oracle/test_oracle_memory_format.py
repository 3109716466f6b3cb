"""Memory formats against PyTorch: the ``memory_format`` objects, the strides of contiguous/clone/to/empty/
*_like/resize_ in each format (size-0 and size-1 dims included), ``is_contiguous(memory_format=)``,
preserve_format's rule, the errors, and the layouts of convolution, batch norm, pooling, interpolation,
padding, cat and elementwise results for channels-last inputs, with their values and gradients."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

pytestmark = pytest.mark.oracle

FORMATS = ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format")


def _pair(oracle, shape, seed=0, requires_grad=False):
    """The same random values as an ember and a torch tensor (row-major: PyTorch's tensor() of an empty array
    has zero strides)."""
    if 0 in shape:
        return oracle.ember.zeros(shape), oracle.torch.zeros(shape)
    return oracle.pair(oracle.array(oracle.rng(seed), shape, "float32", "any"), requires_grad=requires_grad)


def _same_tensor(oracle, got, expected, what="result"):
    """Values, shape, dtype and strides."""
    oracle.assert_same(got, expected, what)
    assert got.stride() == expected.stride(), f"{what}: strides {got.stride()}, PyTorch's {expected.stride()}"


# ----- the objects ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", FORMATS)
def test_memory_format_objects_print_and_pickle_as_pytorchs(oracle, name):
    fmt = getattr(oracle.ember, name)
    assert repr(fmt) == repr(getattr(oracle.torch, name)).replace("torch.", "ember.")
    assert str(fmt) == str(getattr(oracle.torch, name)).replace("torch.", "ember.")
    assert isinstance(fmt, oracle.ember.memory_format)
    assert pickle.loads(pickle.dumps(fmt)) is fmt
    assert copy.deepcopy(fmt) is fmt


# ----- strides of each format --------------------------------------------------------------------------
SHAPES_4D = [(2, 3, 4, 5), (1, 3, 4, 5), (2, 1, 4, 5), (2, 3, 1, 1), (2, 3, 1, 5), (1, 1, 1, 1), (0, 3, 4, 5),
             (2, 3, 0, 5), (2, 0, 4, 5)]
SHAPES_5D = [(2, 3, 4, 5, 6), (2, 1, 4, 1, 6), (1, 3, 1, 1, 1), (2, 3, 0, 2, 2)]


@pytest.mark.parametrize("shape", SHAPES_4D + SHAPES_5D, ids=str)
@pytest.mark.parametrize("name", ["contiguous_format", "channels_last", "channels_last_3d"])
def test_empty_in_a_format_has_pytorchs_strides(oracle, shape, name):
    def build(lib):
        return lib.empty(*shape, memory_format=getattr(lib, name))
    try:
        expected = build(oracle.torch)
    except RuntimeError:
        oracle.raises_alike(build)
        return
    got = build(oracle.ember)
    assert got.stride() == expected.stride()
    for fmt in ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format"):
        assert got.is_contiguous(memory_format=getattr(oracle.ember, fmt)) == \
            expected.is_contiguous(memory_format=getattr(oracle.torch, fmt)), fmt


@pytest.mark.parametrize("shape", SHAPES_4D + SHAPES_5D, ids=str)
@pytest.mark.parametrize("name", ["contiguous_format", "channels_last", "channels_last_3d", "preserve_format"])
def test_contiguous_in_a_format_copies_only_when_pytorch_does(oracle, shape, name):
    e, t = _pair(oracle, shape)

    def build(lib, x):
        return x.contiguous(memory_format=getattr(lib, name))
    try:
        expected = build(oracle.torch, t)
    except RuntimeError:
        oracle.raises_alike(lambda lib: build(lib, lib.zeros(shape)))
        return
    got = build(oracle.ember, e)
    _same_tensor(oracle, got, expected)
    assert (got is e) == (expected is t)
    assert got.is_contiguous(memory_format=getattr(oracle.ember, name))


# Inputs as (name, make(lib, x)) from a (2, 3, 4, 6) tensor x: permutations, slices, expansions.
SOURCES = {
    "contiguous": lambda lib, x: x,
    "channels_last": lambda lib, x: x.contiguous(memory_format=lib.channels_last),
    "channels_last sliced": lambda lib, x: x.contiguous(memory_format=lib.channels_last)[..., ::2],
    "channels_last narrowed channels": lambda lib, x: x.contiguous(memory_format=lib.channels_last)[:, 1:],
    "NHWC permuted": lambda lib, x: x.permute(0, 2, 3, 1),
    "transposed HW": lambda lib, x: x.transpose(2, 3),
    "N1HW expanded channels": lambda lib, x: x[:, :1].expand(2, 3, 4, 6),
    "NC11 expanded": lambda lib, x: x[:, :, :1, :1].expand(2, 3, 4, 6),
    "N111 channels_last": lambda lib, x: x[:, :1, :1, :1].contiguous(memory_format=lib.channels_last),
    "1C1W transposed": lambda lib, x: x[:1, :, :1].transpose(1, 3),
    "3-d": lambda lib, x: x[0],
    "5-d channels_last_3d": lambda lib, x: x.reshape(2, 3, 2, 2, 6).contiguous(memory_format=lib.channels_last_3d),
}


def _sources(oracle, source):
    e, t = _pair(oracle, (2, 3, 4, 6))
    return SOURCES[source](oracle.ember, e), SOURCES[source](oracle.torch, t)


@pytest.mark.parametrize("source", SOURCES)
def test_is_contiguous_per_format_as_pytorchs(oracle, source):
    e, t = _sources(oracle, source)
    assert e.stride() == t.stride()
    assert e.is_contiguous() == t.is_contiguous()
    for fmt in FORMATS:
        assert e.is_contiguous(memory_format=getattr(oracle.ember, fmt)) == \
            t.is_contiguous(memory_format=getattr(oracle.torch, fmt)), fmt


COPIES = {
    "clone": lambda lib, x, fmt: x.clone(memory_format=fmt),
    "to": lambda lib, x, fmt: x.to(memory_format=fmt),
    "to dtype": lambda lib, x, fmt: x.to(lib.float64, memory_format=fmt),
    "to device dtype": lambda lib, x, fmt: x.to(x.device, lib.float64, memory_format=fmt),
    "to tensor": lambda lib, x, fmt: x.to(lib.zeros((), dtype=lib.float64), memory_format=fmt),
    "to copy": lambda lib, x, fmt: x.to(x.dtype, copy=True, memory_format=fmt),
    "double": lambda lib, x, fmt: x.double(memory_format=fmt),
    "float": lambda lib, x, fmt: x.float(memory_format=fmt),
    "empty_like": lambda lib, x, fmt: lib.empty_like(x, memory_format=fmt).fill_(2.0),
    "zeros_like": lambda lib, x, fmt: lib.zeros_like(x, memory_format=fmt),
    "ones_like": lambda lib, x, fmt: lib.ones_like(x, memory_format=fmt),
    "full_like": lambda lib, x, fmt: lib.full_like(x, 3.0, memory_format=fmt),
    "rand_like": lambda lib, x, fmt: lib.rand_like(x, memory_format=fmt),
    "randn_like": lambda lib, x, fmt: lib.randn_like(x, memory_format=fmt),
    "randint_like": lambda lib, x, fmt: lib.randint_like(x, 1, 2, memory_format=fmt),
}
RANDOM = {"rand_like", "randn_like"}  # their values are not compared


@pytest.mark.parametrize("name", ["contiguous_format", "channels_last", "preserve_format", None])
@pytest.mark.parametrize("copy_op", COPIES)
@pytest.mark.parametrize("source", SOURCES)
def test_copies_in_a_format_have_pytorchs_strides_values_and_errors(oracle, source, copy_op, name):
    e, t = _sources(oracle, source)

    def build(lib, x):
        return COPIES[copy_op](lib, x, None if name is None else getattr(lib, name))
    try:
        expected = build(oracle.torch, t)
    except RuntimeError:
        oracle.raises_alike(lambda lib: build(lib, SOURCES[source](lib, lib.zeros(2, 3, 4, 6))))
        return
    got = build(oracle.ember, e)
    if copy_op in RANDOM:
        assert (tuple(got.shape), got.dtype.is_floating_point) == (tuple(expected.shape), True)
        assert got.stride() == expected.stride(), f"strides {got.stride()}, PyTorch's {expected.stride()}"
    else:
        _same_tensor(oracle, got, expected)
    assert (got is e) == (expected is t), "returned the input itself" if got is e else "copied"


@pytest.mark.parametrize("source", SOURCES)
def test_cpu_keeps_or_makes_the_format_as_pytorchs(oracle, source):
    e, t = _sources(oracle, source)
    moved = e.device.type != "cpu"  # then a copy, as PyTorch's from another device
    for name in ("contiguous_format", "channels_last", "preserve_format"):
        fmt = getattr(oracle.torch, name)
        try:
            expected = t.to(t.dtype, copy=True, memory_format=fmt) if moved else t.cpu(memory_format=fmt)
        except RuntimeError:
            with pytest.raises(RuntimeError):
                e.cpu(memory_format=getattr(oracle.ember, name))
            continue
        got = e.cpu(memory_format=getattr(oracle.ember, name))
        _same_tensor(oracle, got, expected, name)
        assert got.device.type == "cpu"
        assert (got is e) == (expected is t and not moved), name


def test_a_copy_to_a_format_is_differentiable(oracle):
    def fn(lib, x):
        return (x.contiguous(memory_format=lib.channels_last) * 2).clone(memory_format=lib.contiguous_format)
    got, expected = oracle.check(fn, oracle.array(oracle.rng(0), (2, 3, 4, 5)))
    assert oracle.grad_fn_name(got) == oracle.grad_fn_name(expected)
    e, t = _pair(oracle, (2, 3, 4, 5), requires_grad=True)
    assert oracle.grad_fn_name(e.contiguous(memory_format=oracle.ember.channels_last)) == \
        oracle.grad_fn_name(t.contiguous(memory_format=oracle.torch.channels_last))
    assert oracle.grad_fn_name(e.to(oracle.ember.float64, memory_format=oracle.ember.channels_last)) == \
        oracle.grad_fn_name(t.to(oracle.torch.float64, memory_format=oracle.torch.channels_last))


# ----- resize_ -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 3, 2, 2), (2, 3, 4, 5), (2, 3, 2), (1, 2, 3, 2, 2)], ids=str)
@pytest.mark.parametrize("name", ["contiguous_format", "channels_last", "channels_last_3d", "preserve_format"])
def test_resize_in_a_format_as_pytorchs(oracle, shape, name):
    def build(lib):
        x = lib.arange(24.0).reshape(2, 3, 4)
        return x.resize_(*shape, memory_format=getattr(lib, name))
    try:
        expected = build(oracle.torch)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            build(oracle.ember)
        return
    got = build(oracle.ember)
    assert got.stride() == expected.stride()
    if got.numel() <= 24:  # the elements kept (the grown part is uninitialized)
        _same_tensor(oracle, got, expected)


@pytest.mark.parametrize("name", ["channels_last", "preserve_format", None])
def test_resize_as_takes_the_templates_format_as_pytorchs(oracle, name):
    def build(lib):
        template = lib.empty(2, 3, 2, 2).contiguous(memory_format=lib.channels_last)
        x = lib.arange(24.0).reshape(2, 3, 4)
        if name is None:
            return x.resize_as_(template)
        return x.resize_as_(template, memory_format=getattr(lib, name))
    _same_tensor(oracle, build(oracle.ember), build(oracle.torch))


# ----- errors --------------------------------------------------------------------------------------------
ERRORS = {
    "contiguous channels_last 3-d": lambda lib: lib.zeros(2, 3, 4).contiguous(memory_format=lib.channels_last),
    "contiguous channels_last_3d 4-d": lambda lib: lib.zeros(2, 3, 4, 5).contiguous(
        memory_format=lib.channels_last_3d),
    "contiguous preserve_format": lambda lib: lib.zeros(2, 3, 4, 5).contiguous(
        memory_format=lib.channels_last).contiguous(memory_format=lib.preserve_format),
    "contiguous None": lambda lib: lib.zeros(2, 3).contiguous(memory_format=None),
    "is_contiguous None": lambda lib: lib.zeros(2, 3).is_contiguous(memory_format=None),
    "clone channels_last 5-d": lambda lib: lib.zeros(1, 2, 3, 4, 5).clone(memory_format=lib.channels_last),
    "clone str": lambda lib: lib.zeros(2, 3).clone(memory_format="channels_last"),
    "to channels_last 2-d": lambda lib: lib.zeros(2, 3).to(memory_format=lib.channels_last),
    "to dtype channels_last_3d": lambda lib: lib.zeros(2, 3, 4, 5).to(lib.float64, memory_format=lib.channels_last_3d),
    "float channels_last 3-d": lambda lib: lib.zeros(2, 3, 4).float(memory_format=lib.channels_last),
    "empty_like channels_last 3-d": lambda lib: lib.empty_like(lib.zeros(2, 3, 4), memory_format=lib.channels_last),
    "zeros_like int": lambda lib: lib.zeros_like(lib.zeros(2, 3, 4, 5), memory_format=1),
    "empty preserve_format": lambda lib: lib.empty(2, 3, 4, 5, memory_format=lib.preserve_format),
    "empty channels_last 3-d": lambda lib: lib.empty(2, 3, 4, memory_format=lib.channels_last),
    "resize_ channels_last 3-d": lambda lib: lib.zeros(2, 3, 4, 5).resize_(2, 3, 4, memory_format=lib.channels_last),
}


@pytest.mark.parametrize("case", ERRORS)
def test_errors_as_pytorchs(oracle, case):
    oracle.raises_alike(ERRORS[case])


POSITIONAL = {
    "contiguous": lambda lib, x: x.contiguous(lib.channels_last),
    "is_contiguous": lambda lib, x: x.is_contiguous(lib.channels_last),
    "clone": lambda lib, x: x.clone(lib.channels_last),
    "cpu": lambda lib, x: x.cpu(lib.channels_last),
    "float": lambda lib, x: x.float(lib.channels_last),
    "empty_like": lambda lib, x: lib.empty_like(x, lib.channels_last),
    "zeros memory_format": lambda lib, x: lib.zeros(2, 3, 4, 5, memory_format=lib.channels_last),
    "empty_strided memory_format": lambda lib, x: lib.empty_strided((2, 3), (3, 1), memory_format=lib.channels_last),
}


@pytest.mark.parametrize("case", POSITIONAL)
def test_memory_format_is_a_keyword_where_pytorch_takes_one(oracle, case):
    for lib in (oracle.torch, oracle.ember):
        with pytest.raises(TypeError):
            POSITIONAL[case](lib, lib.zeros(2, 3, 4, 5))


def test_to_refuses_a_memory_format_of_another_type(oracle):
    with pytest.raises(TypeError):
        oracle.torch.zeros(2).to(memory_format=3)
    with pytest.raises(TypeError, match="memory_format"):
        oracle.ember.zeros(2).to(memory_format=3)


def test_a_refused_format_leaves_the_tensor_as_it_was(oracle):
    x = oracle.ember.arange(24.0).reshape(2, 3, 4)
    with pytest.raises(RuntimeError):
        x.resize_(2, 3, 2, memory_format=oracle.ember.channels_last)
    assert tuple(x.shape) == (2, 3, 4) and x.stride() == (12, 4, 1)
    assert x.sum().item() == sum(range(24))


# ----- ops on channels-last inputs ----------------------------------------------------------------------
def _channels_last(lib, x):
    return x.contiguous(memory_format=lib.channels_last if x.dim() == 4 else lib.channels_last_3d)


OPS = {
    "relu": (lambda lib, x: lib.relu(x), (2, 3, 5, 6)),
    "relu_": (lambda lib, x: (x * 1).relu_(), (2, 3, 5, 6)),
    "sin": (lambda lib, x: x.sin(), (2, 3, 5, 6)),
    "add number": (lambda lib, x: x + 1, (2, 3, 5, 6)),
    "mul channel bias": (lambda lib, x: x * lib.arange(3.0).reshape(1, 3, 1, 1), (2, 3, 5, 6)),
    "hardswish": (lambda lib, x: lib.nn.functional.hardswish(x), (2, 3, 5, 6)),
    "conv2d": (lambda lib, x: lib.nn.functional.conv2d(x, lib.ones(4, 3, 3, 3) / 9), (2, 3, 5, 6)),
    "conv2d stride padding bias": (lambda lib, x: lib.nn.functional.conv2d(
        x, lib.ones(4, 3, 3, 3) / 9, lib.arange(4.0), stride=2, padding=1), (2, 3, 5, 6)),
    "conv2d groups": (lambda lib, x: lib.nn.functional.conv2d(x, lib.ones(6, 1, 3, 3) / 9, groups=3),
                      (2, 3, 5, 6)),
    "conv2d unbatched HWC": (lambda lib, x: lib.nn.functional.conv2d(x[0], lib.ones(4, 3, 3, 3) / 9),
                             (2, 3, 5, 6)),
    "conv_transpose2d": (lambda lib, x: lib.nn.functional.conv_transpose2d(x, lib.ones(3, 2, 3, 3) / 9, stride=2),
                         (2, 3, 5, 6)),
    "conv3d": (lambda lib, x: lib.nn.functional.conv3d(x, lib.ones(2, 3, 2, 2, 2) / 8), (2, 3, 3, 4, 4)),
    "batch_norm training": (lambda lib, x: lib.nn.functional.batch_norm(
        x, lib.zeros(3), lib.ones(3), lib.arange(1.0, 4.0), lib.arange(3.0), training=True), (2, 3, 5, 6)),
    "batch_norm eval": (lambda lib, x: lib.nn.functional.batch_norm(
        x, lib.arange(3.0), lib.arange(1.0, 4.0), training=False), (2, 3, 5, 6)),
    "max_pool2d": (lambda lib, x: lib.nn.functional.max_pool2d(x, 2), (2, 3, 5, 6)),
    "max_pool2d with indices": (lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 1, 1, return_indices=True),
                                (2, 3, 5, 6)),
    "max_pool3d": (lambda lib, x: lib.nn.functional.max_pool3d(x, 2), (2, 3, 3, 4, 4)),
    "avg_pool2d": (lambda lib, x: lib.nn.functional.avg_pool2d(x, 2, padding=1), (2, 3, 5, 6)),
    "avg_pool3d": (lambda lib, x: lib.nn.functional.avg_pool3d(x, 2), (2, 3, 3, 4, 4)),
    "adaptive_avg_pool2d": (lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, (3, 2)), (2, 3, 5, 6)),
    "adaptive_avg_pool2d to 1": (lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, 1), (2, 3, 5, 6)),
    "adaptive_avg_pool2d to 1 flattened": (lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, 1).flatten(1),
                                           (2, 3, 5, 6)),
    "adaptive_max_pool2d": (lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, (3, 2), True), (2, 3, 5, 6)),
    "interpolate nearest": (lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2), (2, 3, 5, 6)),
    "interpolate bilinear": (lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2, mode="bilinear"),
                             (2, 3, 5, 6)),
    "interpolate bicubic": (lambda lib, x: lib.nn.functional.interpolate(x, size=(7, 8), mode="bicubic"),
                            (2, 3, 5, 6)),
    "interpolate nearest 3-d": (lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2), (2, 3, 3, 4, 4)),
    "interpolate trilinear": (lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2, mode="trilinear"),
                              (2, 3, 3, 4, 4)),
    "pad constant": (lambda lib, x: lib.nn.functional.pad(x, (1, 2, 0, 1), value=0.5), (2, 3, 5, 6)),
    "pad reflect": (lambda lib, x: lib.nn.functional.pad(x, (1, 2, 0, 1), mode="reflect"), (2, 3, 5, 6)),
    "pad replicate": (lambda lib, x: lib.nn.functional.pad(x, (1, 2, 0, 1), mode="replicate"), (2, 3, 5, 6)),
    "pad circular": (lambda lib, x: lib.nn.functional.pad(x, (1, 2, 0, 1), mode="circular"), (2, 3, 5, 6)),
    "cat channels": (lambda lib, x: lib.cat([x, x * 2], 1), (2, 3, 5, 6)),
    "cat with a contiguous one": (lambda lib, x: lib.cat([x, x.contiguous()], 1), (2, 3, 5, 6)),
    "softmax": (lambda lib, x: lib.softmax(x, 1), (2, 3, 5, 6)),
    "flatten": (lambda lib, x: x.flatten(1), (2, 3, 5, 6)),
}


@pytest.mark.parametrize("op", OPS)
def test_ops_on_channels_last_inputs_lay_out_values_and_gradients_as_pytorchs(oracle, op):
    fn, shape = OPS[op]
    e, t = _pair(oracle, shape, requires_grad=True)
    xe, xt = _channels_last(oracle.ember, e), _channels_last(oracle.torch, t)
    got, expected = fn(oracle.ember, xe), fn(oracle.torch, xt)
    outputs = list(zip(got, expected)) if isinstance(expected, tuple) else [(got, expected)]
    for index, (g, x) in enumerate(outputs):
        _same_tensor(oracle, g, x, f"result {index}")
    assert oracle.grad_fn_name(outputs[0][0]) == oracle.grad_fn_name(outputs[0][1])
    # the output's gradient laid out as the output, as it flows in a network
    upstream = oracle.array(oracle.rng(1), tuple(outputs[0][1].shape), "float32", "any")
    (grad_e,) = oracle.ember.autograd.grad(outputs[0][0], xe, oracle.ember.empty_like(outputs[0][0]).copy_(
        oracle.ember.tensor(upstream)))
    (grad_t,) = oracle.torch.autograd.grad(outputs[0][1], xt, oracle.torch.empty_like(outputs[0][1]).copy_(
        oracle.torch.tensor(upstream)))
    _same_tensor(oracle, grad_e, grad_t, "input's gradient")


def test_dropout_keeps_the_layout_of_its_input(oracle):
    for lib in (oracle.ember, oracle.torch):
        x = lib.ones(2, 3, 4, 5).contiguous(memory_format=lib.channels_last)
        assert lib.nn.functional.dropout(x, 0.5).stride() == (60, 1, 15, 3)


def test_dropout_of_a_channels_last_input_draws_pytorchs_mask(oracle):
    # PyTorch's bernoulli_ fills an empty_like of the input in memory order: the same mask as PyTorch's CPU one
    results = []
    for lib in (oracle.ember, oracle.torch):
        lib.manual_seed(3)
        results.append(lib.nn.functional.dropout(lib.ones(2, 3, 4, 5).contiguous(memory_format=lib.channels_last)))
    _same_tensor(oracle, *results)


# ----- a channels-last network ----------------------------------------------------------------------------
def _network(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 4, 3, stride=2), nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten(), nn.Linear(16, 5))


def _train_step(lib, model, images, labels):
    loss = lib.nn.functional.cross_entropy(model(images), labels)
    loss.backward()
    return loss


@pytest.mark.parametrize("channels_last", [False, True])
def test_a_conv_net_in_channels_last_trains_as_pytorchs(oracle, channels_last):
    images = oracle.array(oracle.rng(0), (4, 3, 10, 10), "float32", "any")
    labels = oracle.rng(1).integers(0, 5, size=4)
    torch_model, ember_model = _network(oracle.torch), _network(oracle.ember)
    oracle.copy_parameters(torch_model, ember_model)
    results = {}
    for lib, model in ((oracle.torch, torch_model), (oracle.ember, ember_model)):
        x = lib.tensor(images)
        if channels_last:
            assert model.to(memory_format=lib.channels_last) is model
            x = x.contiguous(memory_format=lib.channels_last)
        results[lib] = (_train_step(lib, model, x, lib.tensor(labels)), dict(model.named_parameters()),
                        dict(model.named_buffers()))
    loss_e, params_e, buffers_e = results[oracle.ember]
    loss_t, params_t, buffers_t = results[oracle.torch]
    oracle.assert_same(loss_e, loss_t, "loss")
    for name, p_t in params_t.items():
        _same_tensor(oracle, params_e[name], p_t, name)
        _same_tensor(oracle, params_e[name].grad, p_t.grad, f"{name}.grad")
    for name, b_t in buffers_t.items():
        _same_tensor(oracle, buffers_e[name], b_t, name)


def test_channels_last_gives_the_contiguous_networks_values_and_gradients(oracle):
    ember = oracle.ember
    images = ember.tensor(oracle.array(oracle.rng(2), (4, 3, 10, 10), "float32", "any"))
    labels = ember.tensor(oracle.rng(3).integers(0, 5, size=4))
    ember.manual_seed(0)
    plain = _network(ember)
    ember.manual_seed(0)
    laid_out = _network(ember).to(memory_format=ember.channels_last)
    assert laid_out[0].weight.is_contiguous(memory_format=ember.channels_last)
    assert not laid_out[0].weight.is_contiguous()
    loss_plain = _train_step(ember, plain, images, labels)
    loss_laid_out = _train_step(ember, laid_out, images.contiguous(memory_format=ember.channels_last), labels)
    np.testing.assert_allclose(loss_laid_out.item(), loss_plain.item(), rtol=1e-5)
    for (name, p), q in zip(plain.named_parameters(), laid_out.parameters()):
        np.testing.assert_allclose(q.grad.cpu().numpy(), p.grad.cpu().numpy(), rtol=1e-4, atol=1e-6, err_msg=name)


def test_module_to_channels_last_refuses_5d_parameters_as_pytorchs(oracle):
    oracle.raises_alike(lambda lib: lib.nn.Conv3d(2, 2, 1).to(memory_format=lib.channels_last))


def test_module_to_a_format_changes_only_4d_and_5d_tensors(oracle):
    for lib in (oracle.ember, oracle.torch):
        model = lib.nn.Sequential(lib.nn.Conv2d(2, 4, 3), lib.nn.Linear(3, 2)).to(lib.float64,
                                                                                  memory_format=lib.channels_last)
        assert model[0].weight.stride() == (18, 1, 6, 2) and model[0].weight.dtype == lib.float64
        assert model[1].weight.stride() == (3, 1) and model[0].bias.stride() == (1,)
