"""Normalisations of a float16 input with float32 parameters ("mixed type", as a float32 module meets a half
input) against PyTorch: F.batch_norm (train and eval, running statistics updated in their own dtype),
group_norm, layer_norm, instance_norm (running statistics of any floating dtype), rms_norm and their modules:
values within float16 tolerance, result, statistics and gradient dtypes, grad_fn names, and PyTorch's errors
for every other mix of dtypes. Then autocast (float16) on the norms and the pads, whose dtypes follow the
device type's lists (PyTorch's CPU lists on the CPU, its CUDA lists on opencl)."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle

DEVICE = ember.get_default_device().type
# PyTorch's mixed-type layer_norm backward rounds the float32 parameter gradients through float16 on the way
# (ember computes them in float32): those gradients agree to float16's tolerance.
HALF = {"rtol": 1e-2, "atol": 1e-3}
DTYPE_NAMES = {"half": "float16", "long": "int64"}


def _array(rng, shape, dtype="float32", low=-2.0, high=2.0):
    return rng.uniform(low, high, shape).astype(dtype)


def _statistics(rng, channels, dtype):
    """Running mean and (positive) running variance as numpy arrays of `dtype`."""
    return _array(rng, (channels,), dtype), _array(rng, (channels,), dtype, 0.5, 2.0)


# --- batch_norm ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 4, 4)])
def test_batch_norm_of_half_input_with_float_parameters_matches_torch(oracle, shape, training):
    rng = oracle.rng(1)
    x = _array(rng, shape, "float16")
    w, b = _array(rng, (3,)), _array(rng, (3,))
    mean, var = _statistics(rng, 3, "float32")
    running = {}

    def call(lib, x, w, b):
        stats = running[lib.__name__] = (lib.tensor(mean), lib.tensor(var))
        return lib.nn.functional.batch_norm(x, *stats, w, b, training=training, momentum=0.3)

    e, t = oracle.check(call, x, w, b)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "NativeBatchNormBackward0"
    for got, expected in zip(running["ember"], running["torch"]):  # updated in float32, from the float32 stats
        oracle.assert_same(got, expected, "running statistic", rtol=1e-4, atol=1e-5)


def test_batch_norm_of_half_input_without_running_statistics_matches_torch(oracle):
    rng = oracle.rng(2)
    x, w, b = _array(rng, (5, 2, 3), "float16"), _array(rng, (2,)), _array(rng, (2,))
    e, t = oracle.check(lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, training=True),
                        x, w, b)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "NativeBatchNormBackward0"


def test_batch_norm_of_half_input_and_half_parameters_keeps_the_batch_statistics_in_half(oracle):
    """Without mixing, PyTorch normalises by the batch's statistics rounded to the parameters' float16."""
    rng = oracle.rng(3)
    x = _array(rng, (8, 3, 7), "float16", -3.0, 5.0)
    w, b = _array(rng, (3,), "float16"), _array(rng, (3,), "float16")
    mean, var = _statistics(rng, 3, "float16")
    running = {}

    def call(lib, x, w, b):
        stats = running[lib.__name__] = (lib.tensor(mean), lib.tensor(var))
        return lib.nn.functional.batch_norm(x, *stats, w, b, training=True)

    oracle.check(call, x, w, b)
    for got, expected in zip(running["ember"], running["torch"]):
        oracle.assert_same(got, expected, "running statistic")


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_batch_norm_module_runs_a_half_input_with_its_float_parameters_as_torch(oracle, training):
    rng = oracle.rng(4)
    x = _array(rng, (3, 4, 2, 2), "float16")
    modules = {lib: lib.nn.BatchNorm2d(4, momentum=0.2) for lib in (ember, torch)}
    with torch.no_grad():
        modules[torch].weight.uniform_(0.5, 1.5)
        modules[torch].running_var.fill_(1.5)
    oracle.copy_parameters(modules[torch], modules[ember])
    modules[ember].running_var.fill_(1.5)
    for module in modules.values():
        module.train(training)
    e, t = oracle.check(lambda lib, x: modules[lib](x), x)
    assert e.dtype == ember.float16 and modules[ember].weight.grad.dtype == ember.float32
    for key, expected in modules[torch].state_dict().items():
        oracle.assert_same(modules[ember].state_dict()[key], expected, key, rtol=1e-4, atol=1e-5)


# --- group_norm, layer_norm, instance_norm, rms_norm -------------------------------------------------------

# A float bias without a weight: PyTorch's backward fails there (group_norm: "tensor does not have a device",
# layer_norm: "expected scalar type Half but found Float"), so only its forward is compared.
AFFINE = {"weight_and_bias": True, "weight": True, "bias": False}


@pytest.mark.parametrize("affine", list(AFFINE))
def test_group_norm_of_half_input_with_float_parameters_matches_torch(oracle, affine):
    rng = oracle.rng(5)
    x = _array(rng, (2, 6, 5), "float16", -1.0, 3.0)
    w, b = _array(rng, (6,)), _array(rng, (6,))

    def call(lib, x, w, b):
        return lib.nn.functional.group_norm(x, 3, w if "weight" in affine else None, b if "bias" in affine else None)

    e, t = oracle.check(call, x, w, b, grad=AFFINE[affine])
    if AFFINE[affine]:
        assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "NativeGroupNormBackward0"


@pytest.mark.parametrize("affine", list(AFFINE))
def test_layer_norm_of_half_input_with_float_parameters_matches_torch(oracle, affine):
    rng = oracle.rng(6)
    x = _array(rng, (3, 4, 5), "float16", -1.0, 3.0)
    w, b = _array(rng, (4, 5)), _array(rng, (4, 5))

    def call(lib, x, w, b):
        return lib.nn.functional.layer_norm(x, (4, 5), w if "weight" in affine else None,
                                            b if "bias" in affine else None)

    e, t = oracle.check(call, x, w, b, grad=AFFINE[affine], **HALF)
    assert e.dtype == ember.float16
    if AFFINE[affine]:
        assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "NativeLayerNormBackward0"


@pytest.mark.parametrize("op", ["layer_norm", "group_norm"])
def test_half_norms_compute_in_float32(oracle, op):
    """float16 alone is computed in float32 too: the values are float32's, rounded once."""
    rng = oracle.rng(7)
    x, w, b = _array(rng, (4, 6, 8), "float16", -4.0, 9.0), _array(rng, (8,), "float16"), _array(rng, (8,), "float16")
    if op == "layer_norm":
        call = lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (8,), w, b)  # noqa: E731
    else:
        call = lambda lib, x, w, b: lib.nn.functional.group_norm(x.transpose(1, 2), 2, w, b)  # noqa: E731
    e, t = oracle.check(call, x, w, b)
    wide = call(torch, *(torch.tensor(a).float() for a in (x, w, b))).half()
    np.testing.assert_array_equal(t.detach().numpy(), wide.numpy())
    assert np.abs(e.detach().cpu().numpy().astype(np.float32) - wide.numpy().astype(np.float32)).max() <= 2 ** -8


INSTANCE = [(statistics, use_input_stats) for statistics in ("float64", "float32", "float16", None)
            for use_input_stats in (True, False) if statistics or use_input_stats]


@pytest.mark.parametrize("statistics,use_input_stats", INSTANCE)
@pytest.mark.parametrize("weighted", [True, False], ids=["weight", "no_weight"])
def test_instance_norm_takes_running_statistics_of_any_dtype_as_torch(oracle, statistics, weighted, use_input_stats):
    """The running statistics are cast to the weight's dtype (the input's without one) before use, and the
    update is written back in their own dtype."""
    rng = oracle.rng(8)
    x, w = _array(rng, (2, 3, 6), "float16"), _array(rng, (3,))
    mean, var = _statistics(rng, 3, statistics or "float32")
    running = {}

    def call(lib, x, *w):
        stats = (lib.tensor(mean), lib.tensor(var)) if statistics else (None, None)
        running[lib.__name__] = stats
        return lib.nn.functional.instance_norm(x, *stats, *w, use_input_stats=use_input_stats)

    e, t = oracle.check(call, x, *([w] if weighted else []))
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "ViewBackward0"
    for got, expected in zip(running["ember"], running["torch"]):
        if expected is not None:  # without a weight, updated through float16 as PyTorch's
            oracle.assert_same(got, expected, "running statistic", rtol=1e-3 if weighted else 2e-3, atol=1e-3)


def test_rms_norm_of_half_input_with_a_float_weight_matches_torch(oracle):
    rng = oracle.rng(9)
    x, w = _array(rng, (3, 4), "float16"), _array(rng, (4,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns that it cannot use its fused kernel
        e, t = oracle.check(lambda lib, x, w: lib.nn.functional.rms_norm(x, (4,), w), x, w)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == "ToCopyBackward0"


def _graph(tensor) -> list:
    """The names of the nodes behind `tensor`, depth first."""
    names, stack = [], [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None:
            names.append(type(node).__name__)
            stack.extend(next_node for next_node, _ in reversed(node.next_functions))
    return names


GRAPHS = {
    "batch_norm": lambda lib, x, w, b: lib.nn.functional.batch_norm(x, lib.zeros(4), lib.ones(4), w, b, True),
    "group_norm": lambda lib, x, w, b: lib.nn.functional.group_norm(x, 2, w, b),
    "layer_norm": lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (5,), w[:1].expand(5), b[:1].expand(5)),
    "instance_norm": lambda lib, x, w, b: lib.nn.functional.instance_norm(x, lib.zeros(4), lib.ones(4), w, b),
    "rms_norm": lambda lib, x, w, b: lib.nn.functional.rms_norm(x, (5,), w[:1].expand(5)),
}


@pytest.mark.parametrize("op", list(GRAPHS))
@pytest.mark.parametrize("dtypes", [("float16", "float32"), ("float16", "float16"), ("float32", "float64")])
def test_norms_record_torchs_graph(oracle, op, dtypes):
    """Every node behind the result, as PyTorch names them (rms_norm's composition: one cast back, after the
    weight; its eps added as a Scalar, AddBackward1)."""
    rng = oracle.rng(15)
    arrays = (_array(rng, (3, 4, 5), dtypes[0]), _array(rng, (4,), dtypes[1]), _array(rng, (4,), dtypes[1]))
    graphs = {}
    for lib in (ember, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                graphs[lib] = _graph(GRAPHS[op](lib, *(lib.tensor(a, requires_grad=True) for a in arrays)))
            except RuntimeError as error:
                graphs[lib] = str(error)
    assert graphs[ember] == graphs[torch]


@pytest.mark.parametrize("build", [
    lambda lib: (lib.nn.GroupNorm(2, 4), (2, 4, 3)),
    lambda lib: (lib.nn.LayerNorm(3), (2, 4, 3)),
    lambda lib: (lib.nn.InstanceNorm1d(4, affine=True, track_running_stats=True), (2, 4, 3)),
    lambda lib: (lib.nn.RMSNorm(3), (2, 4, 3)),
], ids=["GroupNorm", "LayerNorm", "InstanceNorm1d", "RMSNorm"])
def test_norm_modules_run_a_half_input_with_their_float_parameters_as_torch(oracle, build):
    (module_e, shape), (module_t, _) = build(ember), build(torch)
    with torch.no_grad():
        for parameter in module_t.parameters():
            parameter.uniform_(0.5, 1.5)
    oracle.copy_parameters(module_t, module_e)
    x = _array(oracle.rng(10), shape, "float16")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e, _ = oracle.check(lambda lib, x: (module_e if lib is ember else module_t)(x), x, **HALF)
    assert e.dtype == ember.float16
    for parameter in module_e.parameters():
        assert parameter.grad.dtype == ember.float32
    for key, expected in module_t.state_dict().items():
        oracle.assert_same(module_e.state_dict()[key], expected, key, rtol=1e-3, atol=1e-3)


SECOND_ORDER = {
    "batch_norm": lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, training=True),
    "batch_norm_eval": lambda lib, x, w, b: lib.nn.functional.batch_norm(x, lib.zeros(4), lib.full((4,), 2.0), w, b),
    "group_norm": lambda lib, x, w, b: lib.nn.functional.group_norm(x, 2, w, b),
    "layer_norm": lambda lib, x, w, b: lib.nn.functional.layer_norm(x.transpose(1, 2), (4,), w, b),
    "instance_norm": lambda lib, x, w, b: lib.nn.functional.instance_norm(x, None, None, w, b),
}


@pytest.mark.parametrize("op", list(SECOND_ORDER))
def test_mixed_norms_differentiate_twice_as_torch(oracle, op):
    """The gradient's own graph (create_graph) reaches the float16 input and the float32 weight."""
    rng = oracle.rng(13)
    arrays = (_array(rng, (3, 4, 5), "float16"), _array(rng, (4,), "float32", 0.5, 1.5), _array(rng, (4,)))
    upstream = _array(rng, (3, 4, 5))
    results = {}
    for lib in (ember, torch):
        x, w, b = (lib.tensor(a, requires_grad=True) for a in arrays)
        y = SECOND_ORDER[op](lib, x, w, b)
        grad_x, = lib.autograd.grad((y.float().reshape(3, 4, 5) * lib.tensor(upstream)).sum(), x, create_graph=True)
        results[lib] = (grad_x, *lib.autograd.grad(grad_x.float().pow(2).sum(), (x, w), allow_unused=True))
    for got, expected, what in zip(results[ember], results[torch], ("grad", "grad of grad by x", "by weight")):
        oracle.assert_same(got, expected, what, rtol=2e-2, atol=2e-2)


# --- which mixes are accepted, and PyTorch's errors for the others ------------------------------------------

def _maybe(lib, kind, shape, fill):
    return None if kind is None else lib.full(shape, fill, dtype=getattr(lib, kind))


def _outcome(call):
    """The result's dtype name, or the error's class and message."""
    try:
        return repr(call().dtype).rsplit(".", 1)[-1]
    except (RuntimeError, ValueError, TypeError) as error:
        return type(error).__name__, str(error)


KINDS = (None, "half", "float", "double")
MIXES = [(x, w, b) for x, w, b in itertools.product(KINDS[1:], KINDS, KINDS)]
AFFINE_NORMS = {
    "group_norm": lambda lib, x, w, b: lib.nn.functional.group_norm(x, 2, w, b),
    "layer_norm": lambda lib, x, w, b: lib.nn.functional.layer_norm(x.transpose(1, 2), (4,), w, b),
    "instance_norm": lambda lib, x, w, b: lib.nn.functional.instance_norm(x, None, None, w, b),
}


@pytest.mark.parametrize("op", list(AFFINE_NORMS))
@pytest.mark.parametrize("x,w,b", MIXES)
def test_affine_norms_accept_the_dtype_mixes_torch_accepts(op, x, w, b):
    def call(lib):
        return AFFINE_NORMS[op](lib, _maybe(lib, x, (2, 4, 3), 0.5), _maybe(lib, w, (4,), 1.0),
                                _maybe(lib, b, (4,), 0.0))

    assert _outcome(lambda: call(ember)) == _outcome(lambda: call(torch))


BATCH_MIXES = [(x, w, b, s, training) for x, w, b, s in itertools.product(KINDS[1:], KINDS, ("float", "half"), KINDS)
               for training in (True, False) if s or training]


@pytest.mark.parametrize("x,w,b,stats,training", BATCH_MIXES)
def test_batch_norm_accepts_the_dtype_mixes_torch_accepts(x, w, b, stats, training):
    def call(lib):
        return lib.nn.functional.batch_norm(_maybe(lib, x, (2, 3, 2), 0.5), _maybe(lib, stats, (3,), 0.0),
                                            _maybe(lib, stats, (3,), 1.0), _maybe(lib, w, (3,), 1.0),
                                            _maybe(lib, b, (3,), 0.0), training=training)

    assert _outcome(lambda: call(ember)) == _outcome(lambda: call(torch))


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("mean,var,bias", [("float", "double", "half"), ("double", "float", "half"),
                                           ("half", "float", "double"), ("float", "half", "double")])
def test_batch_norm_names_the_first_mismatch_in_the_order_torch_reads_them(oracle, mean, var, bias, training):
    """Half input and weight: no mix, and PyTorch's kernel names the first other dtype it reads (the
    running statistics first when training, the bias first in evaluation)."""
    oracle.raises_alike(lambda lib: lib.nn.functional.batch_norm(
        lib.ones(2, 3, 2, dtype=lib.half), lib.zeros(3, dtype=getattr(lib, mean)),
        lib.ones(3, dtype=getattr(lib, var)), lib.ones(3, dtype=lib.half), lib.zeros(3, dtype=getattr(lib, bias)),
        training=training))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.batch_norm(lib.ones(2, 3, 2).half(), None, None, lib.ones(4).double(), None,
                                             training=True),
    lambda lib: lib.nn.functional.batch_norm(lib.ones(2, 3, 2, dtype=lib.long), None, None, lib.ones(3), None,
                                             training=True),
    lambda lib: lib.nn.functional.group_norm(lib.ones(2, 4, 2).half(), 2, lib.ones(5).double()),
    lambda lib: lib.nn.functional.group_norm(lib.ones(2, 4, 2, dtype=lib.long), 2, lib.ones(4)),
    lambda lib: lib.nn.functional.group_norm(lib.ones(2, 4, 2, dtype=lib.long), 2),
    lambda lib: lib.nn.functional.layer_norm(lib.ones(2, 4).half(), (4,), lib.ones(5).double()),
    lambda lib: lib.nn.functional.layer_norm(lib.ones(2, 4).half(), (3,), lib.ones(3).double()),
    lambda lib: lib.nn.functional.layer_norm(lib.ones(2, 4, dtype=lib.long), (4,), lib.ones(4)),
    lambda lib: lib.nn.functional.layer_norm(lib.ones(2, 4, dtype=lib.long), (4,)),
], ids=["bn_size_first", "bn_integer_input_first", "gn_size_first", "gn_mix_before_integer_input",
        "gn_integer_input", "ln_mix_before_shape", "ln_mix_before_normalized_shape", "ln_mix_before_integer_input",
        "ln_integer_input"])
def test_dtype_refusals_come_in_torchs_order(oracle, call):
    oracle.raises_alike(call)


@pytest.mark.parametrize("dtypes", [("half", "double"), ("long", "float")])
def test_batch_norm_of_an_empty_input_checks_no_dtype_as_torch(oracle, dtypes):
    """PyTorch returns an empty input's copy before its kernel refuses dtypes."""
    x, statistics = dtypes
    for lib in (ember, torch):
        stats = (lib.zeros(3, dtype=getattr(lib, statistics)), lib.ones(3, dtype=getattr(lib, statistics)))
        out = lib.nn.functional.batch_norm(lib.ones(0, 3, 2, dtype=getattr(lib, x)), *stats, training=True)
        assert repr(out.dtype).rsplit(".", 1)[-1] == DTYPE_NAMES[x] and tuple(out.shape) == (0, 3, 2)


def test_a_refused_mix_leaves_the_running_statistics_alone():
    mean, var = ember.zeros(3, dtype=ember.float64), ember.ones(3, dtype=ember.float64)
    with pytest.raises(RuntimeError, match="expect parameter to have scalar type of Float"):
        ember.nn.functional.batch_norm(ember.randn(4, 3).half(), mean, var, ember.ones(3), training=True)
    assert mean.tolist() == [0.0] * 3 and var.tolist() == [1.0] * 3


# --- autocast ----------------------------------------------------------------------------------------------

NORMS = {
    "batch_norm": lambda lib, F, x, w, b: F.batch_norm(x, lib.zeros(4), lib.ones(4), w, b, training=True),
    "batch_norm_eval": lambda lib, F, x, w, b: F.batch_norm(x, lib.zeros(4), lib.ones(4), w, b),
    "group_norm": lambda lib, F, x, w, b: F.group_norm(x, 2, w, b),
    "layer_norm": lambda lib, F, x, w, b: F.layer_norm(x.transpose(1, 3), (4,), w, b),
    "instance_norm": lambda lib, F, x, w, b: F.instance_norm(x, None, None, w, b),
    "rms_norm": lambda lib, F, x, w, b: F.rms_norm(x.transpose(1, 3), (4,), w),
    "local_response_norm": lambda lib, F, x, w, b: F.local_response_norm(x, 3),
    "local_response_norm_3d": lambda lib, F, x, w, b: F.local_response_norm(x[0], 3),
}
# What PyTorch's CUDA lists (ember's opencl autocast) do to a float16 input where its CPU lists differ.
GPU_FLOAT32 = {"layer_norm", "group_norm", "local_response_norm_3d"}


@pytest.mark.parametrize("op", list(NORMS))
def test_norms_under_autocast_follow_the_device_types_list(oracle, op):
    """A float16 input with the float32 parameters of a module: PyTorch's CPU autocast leaves the norms to
    their mixed-type kernels (avg_pool3d makes local_response_norm float32)."""
    rng = oracle.rng(11)
    arrays = [_array(rng, (2, 4, 3, 4), "float16"), _array(rng, (4,), "float32", 0.5, 1.5), _array(rng, (4,))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.autocast("cpu", dtype=torch.float16):
            expected = NORMS[op](torch, torch.nn.functional, *(torch.tensor(a) for a in arrays))
        with ember.autocast(DEVICE, dtype=ember.float16):
            got = NORMS[op](ember, ember.nn.functional, *(ember.tensor(a) for a in arrays))
    if DEVICE == "cpu":
        oracle.assert_same(got, expected)
        assert oracle.grad_fn_name(got) == oracle.grad_fn_name(expected)
    else:  # PyTorch's CUDA lists: layer_norm, group_norm and pow (in local_response_norm) run in float32
        assert got.dtype == (ember.float32 if op in GPU_FLOAT32 or op == "local_response_norm" else ember.float16)


PADS = [(mode, n) for mode in ("constant", "reflect", "replicate", "circular") for n in (1, 2, 3)]


@pytest.mark.parametrize("mode,n", PADS)
def test_pads_under_autocast_follow_the_device_types_list(oracle, mode, n):
    """PyTorch's CPU list runs reflection_pad1d/2d and replication_pad1d/2d/3d in float32; its CUDA list
    (ember's opencl) none."""
    x = _array(oracle.rng(12), (2, 3, 4, 4, 4)[:n + 2], "float16")

    def call(lib, x):
        with lib.autocast(DEVICE if lib is ember else "cpu", dtype=lib.float16):
            return lib.nn.functional.pad(x, (1, 2) * n, mode=mode)

    if DEVICE == "cpu":  # float16 gradients add up the padded copies in another order than PyTorch's
        e, t = oracle.check(call, x, rtol=1e-2, atol=1e-2)
        assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t)
    else:
        assert call(ember, ember.tensor(x)).dtype == ember.float16


def test_a_conv_and_batch_norm_model_steps_under_autocast_as_torch(oracle):
    """The everyday case: float16 convolution output into a float32 BatchNorm2d, in training, gradients
    reaching every float32 parameter, running statistics updated in float32 (alike on every device type's
    list: convolutions run in float16, batch_norm is listed nowhere)."""
    def build(lib):
        lib.manual_seed(0)
        return lib.nn.Sequential(lib.nn.Conv2d(2, 4, 3), lib.nn.BatchNorm2d(4), lib.nn.ReLU())

    model_e, model_t = build(ember), build(torch)
    oracle.copy_parameters(model_t, model_e)
    x = _array(oracle.rng(14), (3, 2, 6, 6))
    outputs = {}
    for lib, model in ((ember, model_e), (torch, model_t)):
        with lib.autocast(DEVICE if lib is ember else "cpu", dtype=lib.float16):
            outputs[lib] = model(lib.tensor(x))
        outputs[lib].float().square().mean().backward()
    oracle.assert_same(outputs[ember], outputs[torch], rtol=2e-2, atol=2e-2)
    for (key, got), expected in zip(model_e.state_dict().items(), model_t.state_dict().values()):
        oracle.assert_same(got, expected, key, rtol=1e-2, atol=1e-3)
    for (key, got), expected in zip(model_e.named_parameters(), model_t.parameters()):
        oracle.assert_same(got.grad, expected.grad, f"grad of {key}", rtol=2e-2, atol=2e-3)
