"""ember-cuda's fused kernels (ember_cuda/fused.py and its CUDA C sources) against the CPU backend's
kernels: the same values (exactly where no transcendental function or BLAS is involved), every float
dtype, strided, broadcast and 0-d operands, the multi-tensor optimizer steps over more than one launch.
Each test runs twice: on the CPU through tests/cuda_host.py (the sources built by g++, a numpy stand-in
for cupy), and on a GPU through cupy (skipped without one)."""
from __future__ import annotations

import numpy as np
import pytest

fused = pytest.importorskip("ember_cuda.fused", reason="ember-cuda is not installed")
cuda_host = pytest.importorskip("cuda_host")
from ember.testing.compare import assert_matches  # noqa: E402
from ember_cpu.kernels import KERNELS as CPU  # noqa: E402

FLOATS = ("float16", "float32", "float64")
SPECIALS = [0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 1000.0, -1000.0, 30.0, -30.0, 1e-3]

# How tests move arrays: to the device (from numpy), back to the host, broadcast on the device.
ARRAYS: dict = {}


def _gpu_cupy():
    try:
        import cupy
    except Exception as error:
        pytest.skip(f"cupy is not importable: {error}")
    if not cupy.cuda.is_available():
        pytest.skip("no CUDA GPU (cupy.cuda.is_available() is False)")
    return cupy


@pytest.fixture(autouse=True, params=("host", "gpu"))
def where(request, monkeypatch):
    monkeypatch.setattr(fused, "_MODULES", {})
    monkeypatch.setattr(fused, "_FUNCTIONS", {})
    if request.param == "gpu":
        cupy = _gpu_cupy()
        ARRAYS.update(to_device=cupy.asarray, to_host=cupy.asnumpy, broadcast=cupy.broadcast_to)
    else:
        if not cuda_host.compiler_available():
            pytest.skip("g++ is not installed: the host build of the CUDA kernels needs it")
        monkeypatch.setattr(fused, "_cupy", lambda: cuda_host.CUPY)
        ARRAYS.update(to_device=cuda_host.host, to_host=np.asarray, broadcast=cuda_host.CUPY.broadcast_to)
    return request.param


def values(shape, dtype, seed=0, low=-3.0, high=3.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def on_device(array):
    return ARRAYS["to_device"](np.asarray(array))


def transposed(array):
    """A non-contiguous view holding `array`'s values."""
    return on_device(np.ascontiguousarray(array.T)).T


def check(actual, expected, what, exact, terms=1, magnitude=1.0):
    actual = ARRAYS["to_host"](actual)
    assert isinstance(actual, np.ndarray) and actual.dtype == expected.dtype, what
    if exact:
        np.testing.assert_array_equal(actual, expected, err_msg=what, strict=True)
    else:
        assert_matches(actual, expected, what, terms=terms, magnitude=magnitude)


@pytest.mark.parametrize("dtype", FLOATS + ("int8", "uint8", "int16", "int32", "int64"))
def test_relu_on_every_layout_and_into_out(dtype):
    kind = np.dtype(dtype).kind
    host = np.array(SPECIALS, dtype) if kind == "f" else np.arange(-6, 6).astype(dtype)
    host = np.resize(host, (3, 4))
    for label, x in (("contiguous", on_device(host)), ("transposed", transposed(host))):
        check(fused.relu(x), CPU["relu"](host), f"relu({label} {dtype})", exact=True)
    for out in (on_device(np.zeros((3, 4), dtype)), transposed(np.zeros((3, 4), dtype))):
        assert fused.relu(on_device(host), out=out) is out
        check(out, CPU["relu"](host), f"relu(x, out=) {dtype}", exact=True)
    check(fused.relu(on_device(np.zeros((0, 2), dtype))), np.zeros((0, 2), dtype), "relu(empty)", exact=True)


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_special_values_and_0_d(dtype):
    host = np.array(SPECIALS, dtype)
    check(fused.sigmoid(on_device(host)), CPU["sigmoid"](host), f"sigmoid {dtype}", exact=False)
    check(fused.sigmoid(on_device(np.array(0.5, dtype))), CPU["sigmoid"](np.array(0.5, dtype)), "sigmoid 0-d",
          exact=False)


@pytest.mark.parametrize("op", ("tanh_backward", "sigmoid_backward"))
@pytest.mark.parametrize("dtype", FLOATS)
def test_activation_backward_with_broadcast_and_0_d_gradients(op, dtype):
    exact = dtype != "float16"  # float16 is computed in float and rounded once (core never calls it so)
    y = values((16,), dtype, 1, -1, 1)
    for label, grad in (("random", values((16,), dtype, 2)), ("specials", np.resize(np.array(SPECIALS, dtype), 16))):
        check(fused.kernels()[op](on_device(grad), on_device(y)), CPU[op](grad, y), f"{op}({label})", exact)
    one = on_device(np.ones((), dtype))
    expanded = ARRAYS["broadcast"](one, (16,))
    check(fused.kernels()[op](expanded, on_device(y)), CPU[op](np.ones(16, dtype), y), f"{op}(ones expanded)", exact)
    check(fused.kernels()[op](on_device(np.array(2.0, dtype)), on_device(y[:1].reshape(()))),
          CPU[op](np.array(2.0, dtype), y[:1].reshape(())), f"{op}(0-d)", exact)


@pytest.mark.parametrize("dtype", FLOATS)
def test_threshold_backward(dtype):
    x = np.array([-1.0, -0.0, 0.0, 0.5, 2.0, np.nan, np.inf, -np.inf], dtype)
    grad = np.arange(1, 9, dtype=dtype)
    for threshold in (0, 0.5):
        check(fused.threshold_backward(on_device(grad), on_device(x), threshold),
              CPU["threshold_backward"](grad, x, threshold), f"threshold_backward({threshold})", exact=True)
    check(fused.threshold_backward(on_device(np.array(3.0, dtype)), transposed(x.reshape(2, 4)), 0),
          CPU["threshold_backward"](np.array(3.0, dtype), x.reshape(2, 4), 0), "0-d grad, strided x", exact=True)


@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_cross_entropy_with_logits(dtype):
    x = np.concatenate([values((3, 4), dtype), np.array([[-40, -15, 15, 40], [-1000, 1000, -1e-3, 1e-3]], dtype)])
    y = values(x.shape, dtype, 3, 0, 1)
    expected = CPU["binary_cross_entropy_with_logits"](x, y)
    check(fused.binary_cross_entropy_with_logits(transposed(x), on_device(y)), expected, "bce", exact=False,
          terms=4, magnitude=np.abs(x.astype(np.float64)) + 1)


@pytest.mark.parametrize("dtype", FLOATS)
def test_mse_loss_and_backward(dtype):
    exact = dtype != "float16"
    x, y = values((3, 4), dtype, 4), values((3, 4), dtype, 5)
    check(fused.mse_loss(transposed(x), on_device(y), "none"), CPU["mse_loss"](x, y, "none"), "none", exact)
    for reduction in ("sum", "mean"):
        result = fused.mse_loss(transposed(x), on_device(y), reduction)
        check(result, CPU["mse_loss"](x, y, reduction), reduction, exact=False, terms=12, magnitude=40.0)
        assert result.shape == ()
    empty = on_device(np.zeros((0, 3), dtype))
    assert np.isnan(ARRAYS["to_host"](fused.mse_loss(empty, empty, "mean"))), "an empty mean is NaN"
    assert ARRAYS["to_host"](fused.mse_loss(empty, empty, "sum")) == 0
    grad = np.array(0.5, dtype)
    check(fused.mse_loss_backward(on_device(grad), transposed(x), on_device(y), 2 / 12),
          CPU["mse_loss_backward"](grad, x, y, 2 / 12), "mse_loss_backward", exact)


@pytest.mark.parametrize("dtype", FLOATS)
def test_addmm_with_a_transposed_weight_and_broadcast_biases(dtype):
    for rows, inner, columns, bias_shape in ((4, 3, 5, (5,)), (1, 7, 2, (1, 2)), (3, 4, 2, (3, 2)), (2, 0, 3, (3,))):
        a, weight = values((rows, inner), dtype, 6), values((columns, inner), dtype, 7)
        bias = values(bias_shape, dtype, 8)
        result = fused.addmm(on_device(bias), on_device(a), on_device(weight).T)
        expected = CPU["addmm"](bias, a, weight.T)
        check(result, expected, f"addmm {rows}x{inner}x{columns} + {bias_shape}", exact=False, terms=inner + 1,
              magnitude=np.abs(expected) + 4)


OFFSET_ROWS = np.array([[0.0, 1.0, 2.0, 3.0], [1000.0, 1001.0, 999.0, 1000.5], [-1000.0, -999.0, -1001.0, -1000.0],
                        [0.0, 300.0, -200.0, 100.0], [500.0, -500.0, 0.0, 499.0]])


def _softmax_cases(dtype):
    yield OFFSET_ROWS.astype(dtype), 1
    yield OFFSET_ROWS.astype(dtype), 0
    yield values((2, 3, 4), dtype, 9), 1
    yield values((7,), dtype, 10), 0
    yield values((2, 1), dtype, 11), 1


@pytest.mark.parametrize("op", ("softmax", "log_softmax"))
@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_forward_and_backward_along_any_axis(op, dtype):
    for host, axis in _softmax_cases(dtype):
        what = f"{op}({host.shape}, axis={axis}, {dtype})"
        result = fused.kernels()[op](on_device(host) if host.ndim != 2 else transposed(host), axis)
        expected = CPU[op](host, axis)
        check(result, expected, what, exact=False, terms=host.shape[axis], magnitude=np.abs(expected) + 8)
        assert result.flags.c_contiguous
        grad = values(host.shape, dtype, 12)
        backward = fused.kernels()[op + "_backward"](on_device(grad), on_device(expected), axis)
        reference = CPU[op + "_backward"](grad, expected, axis)
        check(backward, reference, f"{what} backward", exact=False, terms=host.shape[axis] + 1,
              magnitude=np.abs(reference) + 4)


@pytest.mark.parametrize("dtype", FLOATS)
def test_cross_entropy_forward_and_backward(dtype):
    logits = OFFSET_ROWS.astype(dtype)
    target = np.array([0, 3, 1, 2, 0], dtype=np.int64)
    losses, probs = fused.cross_entropy(transposed(logits), on_device(target))
    expected_losses, expected_probs = CPU["cross_entropy"](logits, target)
    check(losses, expected_losses, "losses", exact=False, terms=4, magnitude=np.abs(expected_losses) + 8)
    check(probs, expected_probs, "probs", exact=False, terms=4)
    kept = np.array([True, False, True, True, True])
    per_row = np.array([1.0, np.nan, -2.0, 0.5, 3.0], dtype)
    for grad, scale, mask in ((np.array(1.5, dtype), 0.2, None), (per_row, 1.0, kept),
                              (np.array(2.0, dtype), np.array(0.25, dtype), kept)):
        result = fused.cross_entropy_backward(
            on_device(grad), on_device(expected_probs), on_device(target),
            scale if isinstance(scale, float) else on_device(scale), None if mask is None else on_device(mask))
        check(result, CPU["cross_entropy_backward"](grad, expected_probs, target, scale, mask),
              f"cross_entropy_backward(scale={scale}, kept={mask})", exact=dtype != "float16")


@pytest.mark.parametrize("dtype", FLOATS)
def test_cross_entropy_backward_of_a_dropped_row_is_its_probabilities_times_0(dtype):
    """An ignored target's row: its gradient (inf here) is dropped, its probabilities are not: NaN ones (an
    infinite logit's) stay NaN, as the CPU's and PyTorch's."""
    probs = np.array([[np.nan, np.nan], [0.25, 0.75], [0.5, 0.5]], dtype)
    target, kept = np.array([0, 1, 0], np.int64), np.array([False, False, True])
    grad = np.array([1.0, np.inf, 2.0], dtype)
    result = fused.cross_entropy_backward(on_device(grad), on_device(probs), on_device(target), 0.5, on_device(kept))
    check(result, CPU["cross_entropy_backward"](grad, probs, target, 0.5, kept), "dropped rows", exact=True)


def test_cross_entropy_clamps_targets_out_of_range():
    """Core judges targets on the device and raises at the next synchronisation; meanwhile the kernel
    reads inside the row (the target clamped into [0, classes))."""
    logits = OFFSET_ROWS.astype(np.float32)
    losses, _ = fused.cross_entropy(on_device(logits), on_device(np.array([-5, 4, 100, 0, 3], np.int64)))
    expected, _ = CPU["cross_entropy"](logits, np.array([0, 3, 3, 0, 3], np.int64))
    check(losses, expected, "clamped targets", exact=False, terms=4, magnitude=np.abs(expected) + 8)


SGD_OPTIONS = ((0.0, 0.0, 0.0, False, False), (0.9, 0.0, 0.0, False, False), (0.9, 0.1, 0.01, False, False),
               (0.9, 0.0, 0.01, True, False), (0.0, 0.0, 0.1, False, True), (0.5, 0.5, 0.0, False, True))
SHAPES = ((3, 4), (5,), ()) + ((2, 3),) * 35  # 38 parameters: two launches of GROUP (32)


@pytest.mark.parametrize("options", SGD_OPTIONS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_sgd_step_matches_the_cpu_on_many_parameters(dtype, options):
    momentum = options[0]
    hosts = [values(shape, dtype, k) for k, shape in enumerate(SHAPES)]
    params = [on_device(h.copy()) for h in hosts]
    params[0] = transposed(hosts[0])  # a strided parameter: updated through a dense copy
    expected = [h.copy() for h in hosts]
    bufs = expected_bufs = [None] * len(hosts) if momentum else None
    for step in range(3):
        grads = [values(shape, dtype, 100 + 10 * step + k) for k, shape in enumerate(SHAPES)]
        bufs = fused.sgd_step(params, [on_device(g) for g in grads], bufs, 0.1, *options)
        expected_bufs = CPU["sgd_step"](expected, grads, expected_bufs, 0.1, *options)
        for k in range(len(hosts)):
            what = f"sgd_step {options} step {step}, parameter {k}"
            check(params[k], expected[k], what, exact=dtype != "float16", terms=4, magnitude=2.0)
            if momentum:
                check(bufs[k], expected_bufs[k], what + " buf", exact=dtype != "float16", terms=4, magnitude=2.0)
            else:
                assert bufs is None


ADAM_OPTIONS = ((False, False, 0.0, False), (True, False, 0.0, False), (False, True, 0.1, False),
                (True, True, 0.1, True), (False, False, 0.1, True))


@pytest.mark.parametrize("options", ADAM_OPTIONS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_adam_step_matches_the_cpu_on_many_parameters(dtype, options):
    amsgrad, maximize, weight_decay, decoupled = options
    hosts = [values(shape, dtype, k) for k, shape in enumerate(SHAPES)]
    params = [on_device(h.copy()) for h in hosts]
    params[1] = on_device(np.stack([hosts[1], hosts[1]]))[0]  # a view at an offset
    moments = [[on_device(np.zeros_like(h)) for h in hosts] for _ in range(3)]
    expected = [h.copy() for h in hosts]
    expected_moments = [[np.zeros_like(h) for h in hosts] for _ in range(3)]
    for step in (1, 2, 3):
        steps = [float(step)] * (len(hosts) - 1) + [float(step + 4)]
        grads = [values(shape, dtype, 200 + 10 * step + k) for k, shape in enumerate(SHAPES)]
        arguments = (steps, 0.01, 0.9, 0.99, weight_decay, 1e-3, amsgrad, maximize, decoupled)
        assert fused.adam_step(params, [on_device(g) for g in grads], moments[0], moments[1],
                               moments[2] if amsgrad else None, *arguments) is None
        CPU["adam_step"](expected, grads, expected_moments[0], expected_moments[1],
                         expected_moments[2] if amsgrad else None, *arguments)
        for k in range(len(hosts)):
            what = f"adam_step {options} step {step}, parameter {k}"
            check(params[k], expected[k], what, exact=False, terms=8, magnitude=np.abs(expected[k]) + 0.1)
            for name, moment, reference in zip(("exp_avg", "exp_avg_sq", "max_exp_avg_sq"), moments,
                                               expected_moments[:3 if amsgrad else 2]):
                check(moment[k], reference[k], f"{what}: {name}", exact=False, terms=4,
                      magnitude=np.abs(reference[k]) + 1e-3)


def test_kernels_lists_every_fused_kernel_by_its_contract_name():
    table = fused.kernels()
    assert sorted(table) == sorted(["relu", "sigmoid", "tanh_backward", "sigmoid_backward", "threshold_backward",
                                    "softmax", "log_softmax", "softmax_backward", "log_softmax_backward",
                                    "cross_entropy", "cross_entropy_checked", "cross_entropy_backward",
                                    "binary_cross_entropy_with_logits",
                                    "mse_loss", "mse_loss_backward", "addmm", "sgd_step", "adam_step"])
    assert table is not fused.kernels(), "a new dict each call: the plugin may merge it"


def _on_host_arrays(kernel):
    """`kernel` taking and returning the CPU backend's numpy buffers, over HostArray views of them (an
    argument returned, as `out`, comes back as itself)."""
    def adapted(*args, **kwargs):
        originals: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # the view kept alive: ids are not reused

        def into(value):
            if isinstance(value, np.ndarray):
                view = value.view(cuda_host.HostArray)
                originals[id(view)] = (view, value)
                return view
            return [into(v) for v in value] if isinstance(value, list) else value

        def back(value):
            if isinstance(value, np.ndarray):
                view, original = originals.get(id(value), (None, None))
                return original if view is value else value.view(np.ndarray)
            return type(value)(back(v) for v in value) if isinstance(value, (list, tuple)) else value

        return back(kernel(*(into(a) for a in args), **{name: into(v) for name, v in kwargs.items()}))
    return adapted


def test_the_conformance_kit_passes_with_the_fused_kernels(where):
    """The kit's optional-kernel checks (against numpy, special values, layouts, and core's composition
    through ember's ops) run on the CPU device with every fused kernel replaced by its host build."""
    if where == "gpu":
        pytest.skip("on a GPU the kit runs over the cuda device itself (--ember-device=cuda)")
    mutations = pytest.importorskip("test_kit_mutations")
    table = {name: _on_host_arrays(kernel) for name, kernel in fused.kernels().items()}
    code, output = mutations.run_kit(["--pyargs", "ember.testing.test_optional_kernels", "--ember-device=cpu"],
                                     (mutations._KernelOverride("cpu", table), "ember-cuda-fused-on-host"))
    assert code == pytest.ExitCode.OK, output[-3000:]
