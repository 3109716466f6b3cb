"""ember.amp against PyTorch's torch.amp: autocast's result dtypes for each policy class of ops (lower
precision, float32, promote), values within float16 tolerance, gradients in the weights' dtype, nesting,
disabling, the weight-cast cache, unsupported dtypes, and a GradScaler training loop whose injected inf skips a
step and backs the scale off. PyTorch runs on the CPU with dtype=float16; ember on its default device, its
autocast region for that device type (opencl follows PyTorch's CUDA lists, where they differ from the CPU's)."""

from __future__ import annotations

import pickle
import threading
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402
import ember.nn.functional as EF  # noqa: E402

pytestmark = pytest.mark.oracle

DEVICE = ember.get_default_device().type
HALF = {"rtol": 1e-2, "atol": 1e-2}


def pair(array: np.ndarray, requires_grad: bool = False):
    """The same values as an ember tensor (default device) and a torch tensor."""
    e = ember.tensor(array).requires_grad_(requires_grad)
    t = torch.tensor(array).requires_grad_(requires_grad)
    return e, t


def values(rng, *shape) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


def name(dtype) -> str:
    return repr(dtype).rsplit(".", 1)[-1]


def same(got, expected, **tolerance) -> None:
    assert name(got.dtype) == name(expected.dtype)
    np.testing.assert_allclose(got.detach().float().cpu().numpy(), expected.detach().float().cpu().numpy(), **tolerance)


# name -> (call on lib and functional module, operand shapes): PyTorch runs these in float16 on every device.
LOWER = {
    "matmul": (lambda lib, F, a, b: lib.matmul(a, b), [(3, 4), (4, 5)]),
    "@": (lambda lib, F, a, b: a @ b, [(2, 3, 4), (4, 5)]),
    "mm": (lambda lib, F, a, b: lib.mm(a, b), [(3, 4), (4, 5)]),
    "bmm": (lambda lib, F, a, b: lib.bmm(a, b), [(2, 3, 4), (2, 4, 5)]),
    "addmm": (lambda lib, F, i, a, b: lib.addmm(i, a, b), [(5,), (3, 4), (4, 5)]),
    "baddbmm": (lambda lib, F, i, a, b: lib.baddbmm(i, a, b), [(2, 3, 5), (2, 3, 4), (2, 4, 5)]),
    "addbmm": (lambda lib, F, i, a, b: lib.addbmm(i, a, b), [(3, 5), (2, 3, 4), (2, 4, 5)]),
    "linear": (lambda lib, F, x, w, b: F.linear(x, w, b), [(3, 4), (5, 4), (5,)]),
    "conv1d": (lambda lib, F, x, w: F.conv1d(x, w, padding=1), [(1, 2, 6), (3, 2, 3)]),
    "conv2d": (lambda lib, F, x, w, b: F.conv2d(x, w, b), [(1, 2, 5, 5), (3, 2, 3, 3), (3,)]),
    "conv_transpose2d": (lambda lib, F, x, w: F.conv_transpose2d(x, w), [(1, 2, 4, 4), (2, 3, 3, 3)]),
    "prelu": (lambda lib, F, x, w: F.prelu(x, w), [(3, 4), (1,)]),
    "scaled_dot_product_attention": (lambda lib, F, q, k, v: F.scaled_dot_product_attention(q, k, v),
                                     [(2, 3, 4), (2, 3, 4), (2, 3, 4)]),
    "einsum": (lambda lib, F, a, b: lib.einsum("ij,jk->ik", a, b), [(3, 4), (4, 5)]),
}

# float16 inputs that PyTorch's autocast runs in float32 on the CPU and on CUDA alike.
FLOAT32 = {
    "cross_entropy": (lambda lib, F, x: F.cross_entropy(x, lib.tensor([0, 2, 1])), [(3, 4)]),
    "nll_loss": (lambda lib, F, x: F.nll_loss(x, lib.tensor([0, 2, 1])), [(3, 4)]),
    "mse_loss": (lambda lib, F, a, b: F.mse_loss(a, b), [(3, 4), (3, 4)]),
    "l1_loss": (lambda lib, F, a, b: F.l1_loss(a, b), [(3, 4), (3, 4)]),
    "smooth_l1_loss": (lambda lib, F, a, b: F.smooth_l1_loss(a, b), [(3, 4), (3, 4)]),
    "huber_loss": (lambda lib, F, a, b: F.huber_loss(a, b), [(3, 4), (3, 4)]),
    "binary_cross_entropy_with_logits": (lambda lib, F, a, b: F.binary_cross_entropy_with_logits(a, b.sigmoid()),
                                         [(3, 4), (3, 4)]),
    "kl_div": (lambda lib, F, a, b: F.kl_div(a, b.softmax(1), reduction="batchmean"), [(3, 4), (3, 4)]),
    "cdist": (lambda lib, F, a, b: lib.cdist(a, b), [(3, 4), (2, 4)]),
    "prod": (lambda lib, F, a: lib.prod(a, 1), [(3, 4)]),
    "cosine_embedding_loss": (lambda lib, F, a, b: F.cosine_embedding_loss(a, b, lib.tensor([1.0, -1.0, 1.0])),
                              [(3, 4), (3, 4)]),
}

# float16 inputs that PyTorch's CUDA autocast runs in float32 and its CPU autocast leaves in float16.
GPU_FLOAT32 = {
    "exp": (lambda lib, F, a: lib.exp(a), [(3, 4)]),
    "log": (lambda lib, F, a: lib.log(a.abs()), [(3, 4)]),
    "pow": (lambda lib, F, a: lib.pow(a, 2), [(3, 4)]),
    "sum": (lambda lib, F, a: lib.sum(a, 1), [(3, 4)]),
    "cumsum": (lambda lib, F, a: lib.cumsum(a, 1), [(3, 4)]),
    "softmax": (lambda lib, F, a: F.softmax(a, 1), [(3, 4)]),
    "log_softmax": (lambda lib, F, a: F.log_softmax(a, 1), [(3, 4)]),
    "layer_norm": (lambda lib, F, a: F.layer_norm(a, (4,)), [(3, 4)]),
    "logsumexp": (lambda lib, F, a: lib.logsumexp(a, 1), [(3, 4)]),
}


def run_both(call, shapes, cast=None, requires_grad=True, seed=0):
    """`call` inside an autocast region in both libraries on the same float32 leaves (cast first by `cast`)."""
    rng = np.random.default_rng(seed)
    leaves = [pair(values(rng, *shape), requires_grad) for shape in shapes]
    e_in = [e if cast is None else cast(e) for e, _ in leaves]
    t_in = [t if cast is None else cast(t) for _, t in leaves]
    with ember.autocast(DEVICE, dtype=ember.float16):
        got = call(ember, EF, *e_in)
    with torch.autocast("cpu", dtype=torch.float16):
        expected = call(torch, torch.nn.functional, *t_in)
    return leaves, got, expected


@pytest.mark.parametrize("op", list(LOWER))
def test_lower_precision_ops_run_in_float16_and_grads_reach_the_float32_leaves(op):
    call, shapes = LOWER[op]
    leaves, got, expected = run_both(call, shapes)
    assert name(expected.dtype) == "float16"
    same(got, expected, **HALF)
    upstream = np.random.default_rng(1).standard_normal(tuple(expected.shape)).astype(np.float16)
    got.backward(ember.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    for e, t in leaves:
        same(e.grad, t.grad, **HALF)  # float32, as the leaves: the casts are ToCopyBackward0


def test_the_cast_is_a_differentiable_to():
    call, shapes = LOWER["mm"]
    _, got, expected = run_both(call, shapes)
    assert type(got.grad_fn).__name__ == type(expected.grad_fn).__name__ == "MmBackward0"
    got_inputs = [type(node).__name__ for node, _ in got.grad_fn.next_functions]
    expected_inputs = [type(node).__name__ for node, _ in expected.grad_fn.next_functions]
    assert got_inputs == expected_inputs == ["ToCopyBackward0", "ToCopyBackward0"]


@pytest.mark.parametrize("op", list(FLOAT32))
def test_float32_ops_run_float16_inputs_in_float32(op):
    call, shapes = FLOAT32[op]
    leaves, got, expected = run_both(call, shapes, cast=lambda x: x.half())
    assert name(expected.dtype) == "float32"
    same(got, expected, rtol=1e-3, atol=1e-3)
    got.sum().backward()
    expected.sum().backward()
    for e, t in leaves:
        same(e.grad, t.grad, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("op", list(GPU_FLOAT32))
def test_ops_float32_on_gpus_only_follow_the_device_types_list(op):
    call, shapes = GPU_FLOAT32[op]
    leaves, got, expected = run_both(call, shapes, cast=lambda x: x.half(), requires_grad=False)
    if DEVICE == "cpu":
        assert name(expected.dtype) == "float16"  # PyTorch's CPU list leaves them alone
        same(got, expected, **HALF)
    else:  # PyTorch's CUDA list: the float16 inputs computed in float32
        reference = call(torch, torch.nn.functional, *[t.half().float() for _, t in leaves])
        same(got, reference, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("op", ["cat", "stack"])
def test_promote_ops_take_the_widest_input_dtype(op):
    def call(lib, F, a, b):
        return getattr(lib, op)([a.half(), b])
    leaves, got, expected = run_both(call, [(2, 3), (2, 3)])
    assert name(expected.dtype) == "float32"
    same(got, expected)
    got.sum().backward()
    expected.sum().backward()
    for e, t in leaves:
        same(e.grad, t.grad)


def test_float64_and_integer_tensors_are_not_cast():
    rng = np.random.default_rng(0)
    (a, ta), (b, tb) = pair(values(rng, 3, 3).astype(np.float64)), pair(values(rng, 3, 3).astype(np.float64))
    with ember.autocast(DEVICE, dtype=ember.float16):
        got = ember.mm(a, b)
        counts = ember.mm(ember.ones(2, 2, dtype=ember.int64), ember.ones(2, 2, dtype=ember.int64))
    with torch.autocast("cpu", dtype=torch.float16):
        expected = torch.mm(ta, tb)
    same(got, expected, rtol=1e-12)
    assert counts.dtype == ember.int64


def test_nested_regions_disable_and_restore():
    rng = np.random.default_rng(0)
    (a, ta), (b, tb) = pair(values(rng, 3, 3)), pair(values(rng, 3, 3))
    results = {}
    for lib, x, y, device in ((ember, a, b, DEVICE), (torch, ta, tb, "cpu")):
        with lib.autocast(device, dtype=lib.float16):
            outer = lib.mm(x, y)
            with lib.autocast(device, enabled=False):
                inner = lib.mm(x, y)
                inner_state = lib.is_autocast_enabled(device)
            after = lib.mm(x, y)
            state = (lib.is_autocast_enabled(device), name(lib.get_autocast_dtype(device)))
        results[lib.__name__] = (name(outer.dtype), name(inner.dtype), inner_state, name(after.dtype), state,
                                 lib.is_autocast_enabled(device))
    assert results["ember"] == results["torch"] == ("float16", "float32", False, "float16", (True, "float16"), False)


def test_decorator_form_and_errors():
    @ember.autocast(DEVICE, dtype=ember.float16)
    def product(x, y):
        return ember.mm(x, y), ember.is_autocast_enabled(DEVICE)

    a = ember.ones(2, 2)
    result, enabled = product(a, a)
    assert result.dtype == ember.float16 and enabled and not ember.is_autocast_enabled(DEVICE)
    with pytest.raises(TypeError) as got:
        ember.autocast(DEVICE, dtype=ember.float16)(3)
    with pytest.raises(TypeError) as expected:
        torch.autocast("cpu", dtype=torch.float16)(3)
    assert str(got.value) == str(expected.value)
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        ember.autocast(3)
    with pytest.raises(RuntimeError, match="device type at start of device string: foo"):
        ember.autocast("foo")


def test_state_is_thread_local():
    seen = []
    with ember.autocast(DEVICE, dtype=ember.float16):
        thread = threading.Thread(target=lambda: seen.append((ember.is_autocast_enabled(DEVICE),
                                                              ember.mm(ember.ones(2, 2), ember.ones(2, 2)).dtype)))
        thread.start()
        thread.join()
    assert seen == [(False, ember.float32)]


def test_leaf_weight_casts_are_cached_per_region():
    weight = ember.ones(3, 3, requires_grad=True)
    x = ember.ones(2, 3)
    with ember.autocast(DEVICE, dtype=ember.float16):
        first, second = ember.mm(x, weight), ember.mm(x, weight)
        cast_nodes = [out.grad_fn.next_functions[1][0] for out in (first, second)]
        assert cast_nodes[0] is cast_nodes[1]
        with ember.autocast(DEVICE, dtype=ember.float16, cache_enabled=False):
            uncached = ember.mm(x, weight)
        assert uncached.grad_fn.next_functions[1][0] is not cast_nodes[0]
    assert not ember._autocast.state.cache  # the outermost exit drops the casts
    with ember.autocast(DEVICE, dtype=ember.float16):
        assert ember.mm(x, weight).grad_fn.next_functions[1][0] is not cast_nodes[0]
    assert type(cast_nodes[0]).__name__ == "ToCopyBackward0"


def test_unsupported_dtype_warns_and_disables_as_pytorch():
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        region = ember.autocast("cpu", dtype=ember.float64)
        default = ember.autocast("cpu")  # PyTorch's bfloat16, which ember lacks
    with warnings.catch_warnings(record=True) as expected:
        warnings.simplefilter("always")
        torch.autocast("cpu", dtype=torch.float64)
    assert [w.category for w in got] == [UserWarning, UserWarning] and expected[0].category is UserWarning
    first_line = str(expected[0].message).splitlines()[0]
    assert [str(w.message).splitlines()[0] for w in got] == [first_line, first_line]
    with region, default:
        assert not ember.is_autocast_enabled("cpu")
        assert ember.mm(ember.ones(2, 2, device="cpu"), ember.ones(2, 2, device="cpu")).dtype == ember.float32
    assert ember.get_autocast_dtype("cuda") == ember.float16 and ember.get_autocast_dtype("cpu") is None


def test_deprecated_device_forms_warn_as_pytorch():
    for module in ("cpu", "cuda"):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            getattr(ember, module).amp.autocast()
        with warnings.catch_warnings(record=True) as expected:
            warnings.simplefilter("always")
            getattr(torch, module).amp.autocast()
        assert [(w.category, str(w.message).replace("torch.", "")) for w in got if w.category is FutureWarning] == \
            [(w.category, str(w.message).replace("torch.", "")) for w in expected if w.category is FutureWarning]
    warned = []
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            scaler = lib.cuda.amp.GradScaler()
            cpu_scaler = lib.cpu.amp.GradScaler(init_scale=8.0)
            lib.cuda.amp.custom_fwd(lambda ctx, x: x)
            lib.cuda.amp.custom_bwd(lambda ctx, grad: grad)
        warned.append([(w.category, str(w.message)) for w in got])
        assert scaler.is_enabled() == lib.cuda.is_available()
        assert cpu_scaler.is_enabled() and cpu_scaler.get_scale() == 8.0
    assert warned[0] == warned[1]
    with pytest.warns(DeprecationWarning):
        assert ember.is_autocast_cpu_enabled() is False
    with pytest.warns(DeprecationWarning):
        assert ember.get_autocast_gpu_dtype() == ember.float16


def test_custom_fwd_casts_inputs_and_runs_backward_under_the_forwards_state():
    seen = {}

    def function(lib):
        class Square(lib.autograd.Function):
            @staticmethod
            @lib.amp.custom_fwd(device_type=DEVICE if lib is ember else "cpu", cast_inputs=lib.float32)
            def forward(ctx, x):
                seen[lib.__name__] = (name(x.dtype), lib.is_autocast_enabled(DEVICE if lib is ember else "cpu"))
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @lib.amp.custom_bwd(device_type=DEVICE if lib is ember else "cpu")
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return 2 * x * grad
        return Square

    rng = np.random.default_rng(0)
    e, t = pair(values(rng, 3), requires_grad=True)
    with ember.autocast(DEVICE, dtype=ember.float16):
        got = function(ember).apply(e.half())
    with torch.autocast("cpu", dtype=torch.float16):
        expected = function(torch).apply(t.half())
    assert seen["ember"] == seen["torch"] == ("float32", False)
    same(got, expected, rtol=1e-3)
    got.sum().backward()
    expected.sum().backward()
    same(e.grad, t.grad, rtol=1e-3)


def train(lib, device, optimizer_name, steps=6, inject_at=(2,)):
    """A GradScaler loop on a float32 linear model under float16 autocast; an inf written into a gradient at
    the steps `inject_at`. Returns the scales seen and the final parameters."""
    rng = np.random.default_rng(0)
    weight, bias = values(rng, 2, 4), values(rng, 2)
    model = lib.nn.Linear(4, 2)
    with lib.no_grad():
        model.weight.copy_(lib.tensor(weight))
        model.bias.copy_(lib.tensor(bias))
    if device != "cpu":
        model = model.to(device)
    options = {"SGD": {"lr": 0.1, "momentum": 0.9}, "Adadelta": {"lr": 1.0}}.get(optimizer_name, {"lr": 0.01})
    optimizer = getattr(lib.optim, optimizer_name)(model.parameters(), **options)
    scaler = lib.amp.GradScaler(device, init_scale=2.0**8, growth_interval=2)
    scales = []
    for step in range(steps):
        x = lib.tensor(values(rng, 5, 4))
        target = lib.tensor(values(rng, 5, 2))
        if device != "cpu":
            x, target = x.to(device), target.to(device)
        optimizer.zero_grad()
        with lib.autocast(device, dtype=lib.float16):
            loss = lib.nn.functional.mse_loss(model(x), target)
        scaler.scale(loss).backward()
        if step in inject_at:
            with lib.no_grad():
                model.weight.grad[0, 0] = float("inf")
        scaler.step(optimizer)
        scaler.update()
        scales.append(scaler.get_scale())
    return scales, [p.detach().cpu().numpy() for p in model.parameters()], scaler.state_dict()


@pytest.mark.parametrize("optimizer_name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_grad_scaler_training_loop_skips_the_inf_step_and_backs_off(optimizer_name):
    got_scales, got_params, got_state = train(ember, DEVICE, optimizer_name)
    expected_scales, expected_params, expected_state = train(torch, "cpu", optimizer_name)
    assert got_scales == expected_scales == [256.0, 512.0, 256.0, 256.0, 512.0, 512.0]
    assert got_state == expected_state
    for got, expected in zip(got_params, expected_params):
        np.testing.assert_allclose(got, expected, rtol=1e-2, atol=1e-3)  # float16 forward passes


def test_grad_scaler_skipped_step_leaves_parameters_unchanged():
    model = ember.nn.Linear(3, 1).to(DEVICE)
    optimizer = ember.optim.SGD(model.parameters(), lr=1.0)
    before = [p.detach().cpu().numpy().copy() for p in model.parameters()]
    scaler = ember.amp.GradScaler(DEVICE)
    scaler.scale(model(ember.ones(2, 3, device=DEVICE)).sum()).backward()
    with ember.no_grad():
        model.bias.grad.fill_(float("nan"))
    assert scaler.step(optimizer) is None
    scaler.update()
    assert scaler.get_scale() == 32768.0
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.detach().cpu().numpy(), old)


def scaled_setup(lib, device):
    model = lib.nn.Linear(3, 1).to(device)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
    scaler = lib.amp.GradScaler(device)
    scaler.scale(model(lib.ones(2, 3, device=device)).sum()).backward()
    return model, optimizer, scaler


def misuse_error(lib, device, misuse: str) -> str:
    """The RuntimeError of GradScaler `misuse` in `lib`."""
    _, optimizer, scaler = scaled_setup(lib, device)
    if misuse == "unscale twice":
        scaler.unscale_(optimizer)
    elif misuse in ("unscale after step", "step twice"):
        scaler.step(optimizer)
    with pytest.raises(RuntimeError) as error:
        if misuse.startswith("unscale"):
            scaler.unscale_(optimizer)
        elif misuse == "step twice":
            scaler.step(optimizer)
        else:
            scaler.step(optimizer, closure=lambda: None)
    return str(error.value)


@pytest.mark.parametrize("misuse", ["unscale twice", "unscale after step", "step twice", "closure"])
def test_grad_scaler_errors_as_pytorch(misuse):
    assert misuse_error(ember, DEVICE, misuse) == misuse_error(torch, "cpu", misuse)


def test_grad_scaler_refuses_float16_gradients():
    for lib, device in ((ember, DEVICE), (torch, "cpu")):
        weight = lib.ones(2, device=device, dtype=lib.float16, requires_grad=True)
        optimizer = lib.optim.SGD([weight], lr=0.1)
        scaler = lib.amp.GradScaler(device)
        scaler.scale((weight * 2).sum()).backward()
        with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients."):
            scaler.step(optimizer)


def test_grad_scaler_unscale_then_step_and_new_scale():
    results = []
    for lib, device in ((ember, DEVICE), (torch, "cpu")):
        model, optimizer, scaler = scaled_setup(lib, device)
        scaler.unscale_(optimizer)
        grad = model.weight.grad.detach().cpu().numpy().copy()
        scaler.step(optimizer)
        scaler.update(new_scale=4.0)
        scale = scaler.get_scale()
        results.append((grad, scale))
    np.testing.assert_allclose(results[0][0], results[1][0])
    assert results[0][1] == results[1][1] == 4.0


def test_grad_scaler_state_dict_round_trip_and_disabled_pass_through():
    scaler = ember.amp.GradScaler(DEVICE, init_scale=128.0, growth_interval=7)
    state = scaler.state_dict()
    assert state == torch.amp.GradScaler("cpu", init_scale=128.0, growth_interval=7).state_dict()
    other = ember.amp.GradScaler(DEVICE)
    other.load_state_dict(state)
    assert other.state_dict() == state
    with pytest.raises(RuntimeError, match="The source state dict is empty"):
        other.load_state_dict({})
    disabled = ember.amp.GradScaler(DEVICE, enabled=False)
    loss = ember.ones(())
    assert disabled.scale(loss) is loss and disabled.get_scale() == 1.0 and disabled.state_dict() == {}
    weight = ember.ones(2, device=DEVICE, requires_grad=True)
    optimizer = ember.optim.SGD([weight], lr=1.0)
    (weight * 3).sum().backward()
    disabled.step(optimizer)
    disabled.update()
    np.testing.assert_array_equal(weight.detach().cpu().numpy(), [-2.0, -2.0])


def test_grad_scaler_scales_lists_of_outputs_and_pickles_between_iterations():
    results = []
    for lib, device in ((ember, DEVICE), (torch, "cpu")):
        scaler = lib.amp.GradScaler(device, init_scale=4.0)
        outputs = scaler.scale([lib.ones(2, device=device), (lib.full((1,), 3.0, device=device),)])
        model, optimizer, _ = scaled_setup(lib, device)
        scaler.scale(model(lib.ones(2, 3, device=device)).sum()).backward()
        scaler.step(optimizer)
        with pytest.raises(AssertionError, match="may only be pickled at the beginning of an iteration"):
            pickle.dumps(scaler)
        scaler.update()
        copy = pickle.loads(pickle.dumps(scaler))
        results.append(([o.tolist() for o in (outputs[0], outputs[1][0])], type(outputs[1]).__name__,
                        copy.state_dict()))
    assert results[0] == results[1]


def test_state_functions_as_pytorch():
    for lib, device in ((ember, DEVICE), (torch, "cpu")):
        with lib.autocast(device, enabled=False):  # its exit restores the state set inside
            lib.set_autocast_dtype(device, lib.float16)
            lib.set_autocast_enabled(device, True)
            assert lib.is_autocast_enabled(device) and lib.mm(lib.ones(2, 2), lib.ones(2, 2)).dtype == lib.float16
        with pytest.raises(TypeError, match=r"argument 'enabled' \(position 2\) must be bool, not int"):
            lib.set_autocast_enabled(device, 1)
        assert lib.amp.is_autocast_available(device) and not lib.is_autocast_enabled(device)
    assert ember._autocast.regions == 0  # no region left on: ops skip autocast's branch
    with pytest.raises(RuntimeError, match="device type at start of device string: foo"):
        ember.is_autocast_enabled("foo")


def test_out_calls_are_not_cast():
    for lib, device in ((ember, DEVICE), (torch, "cpu")):
        out = lib.empty(2, 2, device=device)
        with lib.autocast(device, dtype=lib.float16):
            lib.mm(lib.ones(2, 2, device=device), lib.ones(2, 2, device=device), out=out)
        assert out.dtype == lib.float32 and out.tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_binary_cross_entropy_in_float32_on_the_cpu_refused_on_gpus():
    rng = np.random.default_rng(0)
    (p, tp) = pair(rng.uniform(0.1, 0.9, (3,)).astype(np.float32))
    (y, ty) = pair(np.array([0.0, 1.0, 1.0], np.float32))
    with torch.autocast("cpu", dtype=torch.float16):
        expected = torch.nn.functional.binary_cross_entropy(tp.half(), ty)
    with ember.autocast(DEVICE, dtype=ember.float16):
        if DEVICE == "cpu":
            same(EF.binary_cross_entropy(p.half(), y), expected, rtol=1e-3)
        else:  # PyTorch's CUDA autocast refuses it
            with pytest.raises(RuntimeError, match="binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast"):
                EF.binary_cross_entropy(p.half(), y)


def test_index_copy_promotes():
    rng = np.random.default_rng(0)
    (a, ta), (b, tb) = pair(values(rng, 3, 2)), pair(values(rng, 2, 2))
    index = [0, 2]
    with ember.autocast(DEVICE, dtype=ember.float16):
        got = a.half().index_copy(0, ember.tensor(index), b)
    with torch.autocast("cpu", dtype=torch.float16):
        expected = ta.half().index_copy(0, torch.tensor(index), tb)
    same(got, expected, **HALF)


# More ops by policy class: their result dtypes for float32 and for float16 inputs in PyTorch's CPU autocast.
CPU_TABLE = {
    "addmv": lambda lib, F, x, a, v: lib.addmv(v, a, v), "dot": lambda lib, F, x, a, v: lib.dot(v, v),
    "bilinear": lambda lib, F, x, a, v: F.bilinear(a, a, x(a[:2].reshape(2, 2, 2).repeat(1, 2, 2))),
    "multi_dot": lambda lib, F, x, a, v: lib.linalg.multi_dot([a, a, a]),
    "matrix_power": lambda lib, F, x, a, v: lib.linalg.matrix_power(a, 2),
    "vecdot": lambda lib, F, x, a, v: lib.linalg.vecdot(a, a), "inner": lambda lib, F, x, a, v: lib.inner(a, a),
    "quantile": lambda lib, F, x, a, v: lib.quantile(v, 0.5), "trace": lambda lib, F, x, a, v: lib.trace(a),
    "linalg_inv": lambda lib, F, x, a, v: lib.linalg.inv(a @ a.T + x(4 * lib.eye(4))),
    "cholesky_solve": lambda lib, F, x, a, v: lib.cholesky_solve(a, x(4 * lib.eye(4))),
    "group_norm": lambda lib, F, x, a, v: F.group_norm(a[None], 1), "gelu": lambda lib, F, x, a, v: F.gelu(a),
    "multi_margin_loss": lambda lib, F, x, a, v: F.multi_margin_loss(a, lib.tensor([0, 1, 2, 3])),
    "poisson_nll_loss": lambda lib, F, x, a, v: F.poisson_nll_loss(a, a.abs()),
    "triplet_margin_loss": lambda lib, F, x, a, v: F.triplet_margin_loss(a, a, a),
    "max_unpool2d": lambda lib, F, x, a, v: F.max_unpool2d(*F.max_pool2d(a[None, None], 2, return_indices=True), 2),
    "mean": lambda lib, F, x, a, v: a.mean(), "norm": lambda lib, F, x, a, v: lib.norm(a),
    "adaptive_max_pool3d": lambda lib, F, x, a, v: F.adaptive_max_pool3d(a[None, None], 2),
    "linalg_qr": lambda lib, F, x, a, v: lib.linalg.qr(a)[1], "geqrf": lambda lib, F, x, a, v: lib.geqrf(a)[0],
    "householder_product": lambda lib, F, x, a, v: lib.linalg.householder_product(a, v[:2]),
    "linalg_svd": lambda lib, F, x, a, v: lib.linalg.svd(a)[1],
    "svdvals": lambda lib, F, x, a, v: lib.linalg.svdvals(a),
    "svd": lambda lib, F, x, a, v: lib.svd(a)[0], "cond": lambda lib, F, x, a, v: lib.linalg.cond(a),
    "matrix_rank": lambda lib, F, x, a, v: lib.linalg.matrix_rank(a),
    "eigh": lambda lib, F, x, a, v: lib.linalg.eigh(a + a.mT)[1],
    "eigvalsh": lambda lib, F, x, a, v: lib.linalg.eigvalsh(a),
    "lstsq": lambda lib, F, x, a, v: lib.linalg.lstsq(a, v[:, None]).solution,
    "multihead_attention": lambda lib, F, x, a, v: F.multi_head_attention_forward(
        a[:, None], a[:, None], a[:, None], 4, 2, x(lib.ones(12, 4)), None, None, None, False, 0.0,
        x(lib.ones(4, 4)), None, need_weights=False)[0],
}


@pytest.mark.skipif(DEVICE != "cpu", reason="PyTorch's CPU lists (opencl takes its CUDA lists)")
@pytest.mark.parametrize("op", list(CPU_TABLE))
@pytest.mark.parametrize("inputs", ["float32", "float16"])
def test_result_dtypes_as_pytorchs_cpu_autocast(op, inputs):
    rng = np.random.default_rng(0)
    (a, ta), (v, tv) = pair(values(rng, 4, 4)), pair(values(rng, 4))
    dtypes = []
    for lib, operands, device in ((ember, (a, v), DEVICE), (torch, (ta, tv), "cpu")):
        x = (lambda t: t.half()) if inputs == "float16" else (lambda t: t)
        with lib.autocast(device, dtype=lib.float16):
            dtypes.append(name(CPU_TABLE[op](lib, lib.nn.functional, x, *[x(t) for t in operands]).dtype))
    assert dtypes[0] == dtypes[1]
