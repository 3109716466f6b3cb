"""Everyday basics against PyTorch: nonzero (and argwhere, where(cond)), finfo, equal, the tensor queries
(is_signed, is_nonzero, nbytes...), the complex ops' real-tensor forms (conj, real, adjoint, mH, H...),
post-accumulate-grad hooks and the deterministic-algorithms switches: values, dtypes, identities, grad_fn
names, warnings and the exact errors."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from outcomes import same_message

torch = pytest.importorskip("torch")

import ember  # noqa: E402

pytestmark = pytest.mark.oracle


def both(array, requires_grad=False):
    return ember.tensor(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad)


def same_error(call):
    """`call(lib)` raises in both libraries, the same type with PyTorch's message."""
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type) as got:
        call(ember)
    assert same_message(got.value, expected.value), (str(got.value), str(expected.value))


def warned(call):
    """(result, warning messages) of `call()`."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [str(w.message).split(" (Triggered internally")[0] for w in caught]


# ----- nonzero ------------------------------------------------------------------------------------------
NONZERO_INPUTS = {
    "2-d float": np.array([[1.0, 0.0, -2.0], [0.0, 0.0, 3.0]], dtype=np.float32),
    "nan and signed zero": np.array([0.0, np.nan, -0.0, np.inf], dtype=np.float32),
    "bool 3-d": np.random.default_rng(0).random((2, 3, 4)) < 0.4,
    "int": np.array([0, 5, 0, -1], dtype=np.int64),
    "all zero": np.zeros((2, 2), dtype=np.float32),
    "empty": np.zeros((0, 3), dtype=np.float32),
    "0-d nonzero": np.array(3.0, dtype=np.float32),
    "0-d zero": np.array(0.0, dtype=np.float32),
}


@pytest.mark.parametrize("name", NONZERO_INPUTS)
@pytest.mark.parametrize("form", ["function", "method", "as_tuple", "method as_tuple", "argwhere", "where"])
def test_nonzero(oracle, name, form):
    calls = {
        "function": lambda lib, x: lib.nonzero(x),
        "method": lambda lib, x: x.nonzero(),
        "as_tuple": lambda lib, x: lib.nonzero(x, as_tuple=True),
        "method as_tuple": lambda lib, x: x.nonzero(as_tuple=True),
        "argwhere": lambda lib, x: lib.argwhere(x),
        "where": lambda lib, x: lib.where(x),
    }
    got, expected = oracle.check(calls[form], NONZERO_INPUTS[name], grad=False)
    assert isinstance(got, tuple) == isinstance(expected, tuple)


def test_nonzero_of_a_view(oracle):
    array = oracle.array(oracle.rng(3), (5, 4), domain="small_int")
    for layout in oracle.layouts:
        e, t = both(oracle.layout_array(oracle.rng(4), (3, 4), layout, "float32", "small_int"))
        oracle.assert_same(oracle.view_as_layout(e, layout).nonzero(), oracle.view_as_layout(t, layout).nonzero())
    oracle.check(lambda lib, x: (x > 0).nonzero(), array, grad=False)


def test_nonzero_records_no_gradient():
    e, t = both(np.array([1.0, 0.0, 2.0], dtype=np.float32), requires_grad=True)
    got, expected = e.nonzero(), t.nonzero()
    assert (got.requires_grad, got.grad_fn) == (expected.requires_grad, expected.grad_fn) == (False, None)


def test_nonzero_out(oracle):
    array = np.array([[1, 0], [1, 1]], dtype=np.int64)
    e, t = both(array)
    outs = ember.empty(0, dtype=ember.int64), torch.empty(0, dtype=torch.int64)
    results = ember.nonzero(e, out=outs[0]), torch.nonzero(t, out=outs[1])
    assert results[0] is outs[0] and results[1] is outs[1]
    oracle.assert_same(outs[0], outs[1])
    # an out of the right shape keeps its strides (here a transposed one)
    outs = ember.empty(2, 3, dtype=ember.int64).t(), torch.empty(2, 3, dtype=torch.int64).t()
    ember.nonzero(e, out=outs[0]), torch.nonzero(t, out=outs[1])
    oracle.assert_same(outs[0], outs[1])
    assert outs[0].stride() == outs[1].stride()


@pytest.mark.parametrize("call", [
    lambda lib: lib.nonzero(lib.ones(2), out=lib.empty(0, dtype=lib.int32)),
    lambda lib: lib.nonzero(lib.ones(2), out=lib.empty(0, dtype=lib.int64), as_tuple=True),
    lambda lib: lib.nonzero(3),
    lambda lib: lib.nonzero(lib.ones(2), out=3),
    lambda lib: lib.ones(2).nonzero(as_tuple=1),
    lambda lib: lib.argwhere([1, 2]),
], ids=["out int32", "out with as_tuple", "not a tensor", "out not a tensor", "as_tuple int", "argwhere list"])
def test_nonzero_errors(call):
    same_error(call)


def test_nonzero_positional_as_tuple_is_refused():
    with pytest.raises(TypeError):
        torch.nonzero(torch.ones(2), True)
    with pytest.raises(TypeError):
        ember.nonzero(ember.ones(2), True)


# ----- finfo --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo(name):
    got, expected = ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(got, field) == getattr(expected, field), field
        assert type(getattr(got, field)) is type(getattr(expected, field)), field
    assert repr(got) == repr(expected)
    assert ember.finfo(type=getattr(ember, name)) == got


def test_finfo_of_the_default_dtype():
    assert ember.finfo() == ember.finfo(ember.float32)
    assert ember.finfo().eps == torch.finfo().eps
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.finfo().bits == 64
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.finfo() != ember.finfo(ember.float16)
    with pytest.raises(TypeError):
        hash(ember.finfo())


@pytest.mark.parametrize("name", ["int32", "uint8", "bool", 3, "float32"])
def test_finfo_errors(name):
    same_error(lambda lib: lib.finfo(getattr(lib, name) if name in ("int32", "uint8", "bool") else name))


# ----- equal --------------------------------------------------------------------------------------------
EQUAL_CASES = {
    "same": ([1.0, 2.0], "float32", [1.0, 2.0], "float32"),
    "differ": ([1.0, 2.0], "float32", [1.0, 2.5], "float32"),
    "int and float": ([1.0, 2.0], "float32", [1, 2], "int64"),
    "float32 and float64 promoted": ([0.1], "float32", [0.1], "float64"),
    "bool and int": ([True, False], "bool", [1, 0], "int64"),
    "nan": ([np.nan], "float32", [np.nan], "float32"),
    "signed zeros": ([-0.0], "float32", [0.0], "float32"),
    "shape differs": ([1.0], "float32", 1.0, "float32"),
    "empty of two dtypes": ([], "float32", [], "int64"),
    "int64 and uint8 promoted": ([300], "int64", [44], "uint8"),
}


@pytest.mark.parametrize("name", EQUAL_CASES)
@pytest.mark.parametrize("form", ["function", "method"])
def test_equal(name, form):
    a, a_dtype, b, b_dtype = EQUAL_CASES[name]
    results = []
    for lib in (ember, torch):
        x, y = lib.tensor(a, dtype=getattr(lib, a_dtype)), lib.tensor(b, dtype=getattr(lib, b_dtype))
        results.append(lib.equal(x, y) if form == "function" else x.equal(y))
    assert results[0] is results[1]  # both Python bools, the same one


def test_equal_of_views_and_grad():
    e, t = both(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    assert ember.equal(e.t().contiguous(), e.t()) is torch.equal(t.t().contiguous(), t.t()) is True
    assert ember.equal(e, e.view(3, 2)) is torch.equal(t, t.view(3, 2)) is False


@pytest.mark.parametrize("call", [
    lambda lib: lib.equal(lib.ones(2), 1), lambda lib: lib.equal(1, lib.ones(2)),
    lambda lib: lib.ones(2).equal([1.0, 1.0]),
], ids=["other", "input", "method other"])
def test_equal_errors(call):
    same_error(call)


# ----- queries ------------------------------------------------------------------------------------------
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


@pytest.mark.parametrize("name", DTYPES)
def test_dtype_queries(name):
    tensors = ember.ones(2, 3, dtype=getattr(ember, name)), torch.ones(2, 3, dtype=getattr(torch, name))
    for query in (lambda lib, x: x.is_signed(), lambda lib, x: lib.is_signed(x), lambda lib, x: x.is_complex(),
                  lambda lib, x: lib.is_complex(x), lambda lib, x: x.nbytes, lambda lib, x: x.itemsize,
                  lambda lib, x: x[:, :2].nbytes, lambda lib, x: x.expand(4, 2, 3).nbytes,
                  lambda lib, x: x.is_neg(), lambda lib, x: lib.is_neg(x), lambda lib, x: x.is_conj(),
                  lambda lib, x: lib.is_conj(x), lambda lib, x: x.is_same_size(x[:1]),
                  lambda lib, x: lib.is_same_size(x, x.clone())):
        got, expected = query(ember, tensors[0]), query(torch, tensors[1])
        assert got == expected and type(got) is type(expected)


def test_device_queries_name_the_tensors_device():
    x = ember.ones(2)
    assert x.is_cpu is (x.device.type == "cpu")
    assert x.get_device() == ember.get_device(x) == (-1 if x.device.type == "cpu" else x.device.index)
    assert ember.ones(2, device="cpu").get_device() == torch.ones(2).get_device() == -1


@pytest.mark.parametrize("values", [[1.0], 0.0, [False], float("nan"), [[3]], [], [1.0, 2.0]],
                         ids=["one", "zero", "false", "nan", "nested", "empty", "two"])
def test_is_nonzero(values):
    for call in (lambda lib: lib.tensor(values).is_nonzero(), lambda lib: lib.is_nonzero(lib.tensor(values))):
        try:
            expected = call(torch)
        except RuntimeError:
            same_error(call)
        else:
            assert call(ember) is expected


@pytest.mark.parametrize("call", [
    lambda lib: lib.is_signed(3), lambda lib: lib.is_complex(3), lambda lib: lib.is_nonzero(3),
    lambda lib: lib.is_same_size(lib.ones(1), 3), lambda lib: lib.ones(1).is_same_size(3),
    lambda lib: lib.get_device(3), lambda lib: lib.is_neg(3), lambda lib: lib.is_conj(3),
], ids=["is_signed", "is_complex", "is_nonzero", "is_same_size", "method is_same_size", "get_device", "is_neg",
        "is_conj"])
def test_query_errors(call):
    same_error(call)


# ----- the complex ops on real tensors -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["conj", "conj_physical", "resolve_conj", "resolve_neg", "positive", "real"])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_identities(name, dtype):
    for lib in (ember, torch):
        x = lib.ones(2, 3, dtype=getattr(lib, dtype), requires_grad=dtype == "float32")
        results = [getattr(lib, name)(x), getattr(x, name) if name == "real" else getattr(x, name)()]
        assert all(r is x for r in results), (lib.__name__, name)
        assert all(r.grad_fn is None for r in results)


def test_conj_physical_in_place_and_out(oracle):
    for lib in (ember, torch):
        x = lib.ones(2)
        assert x.conj_physical_() is x and lib.conj_physical_(x) is x
    e, t = both(np.arange(4, dtype=np.float32))
    outs = ember.empty(0), torch.empty(0)
    assert ember.conj_physical(e, out=outs[0]) is outs[0]
    torch.conj_physical(t, out=outs[1])
    oracle.assert_same(outs[0], outs[1])


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2).imag, lambda lib: lib.imag(lib.ones(2)), lambda lib: lib.tensor([True]).positive(),
    lambda lib: +lib.tensor([True]), lambda lib: lib.positive(lib.tensor([True])), lambda lib: lib.conj(3),
    lambda lib: lib.real(3), lambda lib: lib.resolve_conj(3), lambda lib: lib.positive(3), lambda lib: lib.adjoint(3),
], ids=["imag", "torch.imag", "positive bool", "+bool", "torch.positive bool", "conj", "real", "resolve_conj",
        "positive", "adjoint"])
def test_complex_op_errors(call):
    same_error(call)


TRANSPOSES = {
    "mH": lambda lib, x: x.mH, "H": lambda lib, x: x.H, "adjoint": lambda lib, x: x.adjoint(),
    "torch.adjoint": lambda lib, x: lib.adjoint(x), "mT": lambda lib, x: x.mT,
}


@pytest.mark.parametrize("name", TRANSPOSES)
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (4, 2, 3)])
def test_conjugate_transposes(oracle, name, shape):
    call = TRANSPOSES[name]
    e, t = both(oracle.array(oracle.rng(1), shape), requires_grad=True)
    try:
        expected, expected_warnings = warned(lambda: call(torch, t))
    except RuntimeError:
        same_error(lambda lib: call(lib, lib.ones(*shape)))
        return
    got, got_warnings = warned(lambda: call(ember, e))
    # PyTorch warns once per process (TORCH_WARN_ONCE): each 0-d call warns in ember, its message PyTorch's
    assert len(got_warnings) == (shape == ())
    assert not expected_warnings or got_warnings == expected_warnings
    assert (got is e) == (expected is t)
    assert oracle.grad_fn_name(got) == oracle.grad_fn_name(expected)
    assert (got._base is e) == (expected._base is t)
    if expected is not t:
        oracle.check(lambda lib, x: call(lib, x), oracle.array(oracle.rng(2), shape))


# ----- post-accumulate-grad hooks --------------------------------------------------------------------------
def hook_log(lib, program):
    """What the hooks of `program(lib, leaf, log)` saw: ("pre", grad) / ("post", tensor is leaf, grad) rows."""
    leaf = lib.tensor([1.0, 2.0], requires_grad=True)
    log: list = []
    program(lib, leaf, log)
    return [tuple(v.tolist() if hasattr(v, "tolist") else v for v in row) for row in log]


HOOK_PROGRAMS = {
    "after the tensor hook, twice": lambda lib, x, log: (
        x.register_hook(lambda g: log.append(("pre", g.clone()))),
        x.register_post_accumulate_grad_hook(lambda t: log.append(("post", t is x, t.grad.clone()))),
        (x * 3).sum().backward(), (x * x).sum().backward()),
    "in registration order": lambda lib, x, log: (
        x.register_post_accumulate_grad_hook(lambda t: log.append((1,))),
        x.register_post_accumulate_grad_hook(lambda t: log.append((2,))), (x * x).sum().backward()),
    "once for two uses": lambda lib, x, log: (
        x.register_post_accumulate_grad_hook(lambda t: log.append(("post", t.grad.clone()))),
        (x.sum() + (2 * x).sum()).backward()),
    "removed": lambda lib, x, log: (
        x.register_post_accumulate_grad_hook(lambda t: log.append(("post",))).remove(),
        (x * 3).sum().backward()),
    "not for autograd.grad": lambda lib, x, log: (
        x.register_post_accumulate_grad_hook(lambda t: log.append(("post",))),
        lib.autograd.grad((x * 3).sum(), x)),
    "backward(inputs=)": lambda lib, x, log: (
        x.register_post_accumulate_grad_hook(lambda t: log.append(("post", t.grad.clone()))),
        (x * x).sum().backward(inputs=[x])),
    "not when inputs= leaves it out": lambda lib, x, log: (
        x.register_post_accumulate_grad_hook(lambda t: log.append(("post",))),
        (lambda y: (y.retain_grad(), (y * y).sum().backward(inputs=[y])))(x * 2)),
    "writes to .grad": lambda lib, x, log: (
        x.register_post_accumulate_grad_hook(lambda t: (t.grad.mul_(10), None)[1]),
        (x * 3).sum().backward(), log.append(("grad", x.grad.clone()))),
}


@pytest.mark.parametrize("name", HOOK_PROGRAMS)
def test_post_accumulate_grad_hook(name):
    assert hook_log(ember, HOOK_PROGRAMS[name]) == hook_log(torch, HOOK_PROGRAMS[name])


@pytest.mark.parametrize("call", [
    lambda lib: (lib.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(print),
    lambda lib: lib.ones(2).register_post_accumulate_grad_hook(print),
    lambda lib: (lambda x: (x.register_post_accumulate_grad_hook(lambda t: 5), x.sum().backward()))(
        lib.ones(2, requires_grad=True)),
    lambda lib: (lambda x: (x.register_post_accumulate_grad_hook(lambda t: t * 1), x.sum().backward()))(
        lib.ones(2, requires_grad=True)),
], ids=["non-leaf", "no grad", "returns a number", "returns a tensor"])
def test_post_accumulate_grad_hook_errors(call):
    same_error(call)


# ----- deterministic algorithms ----------------------------------------------------------------------------
@pytest.fixture
def restore_determinism():
    yield
    for lib in (ember, torch):
        lib.use_deterministic_algorithms(False)
        lib.utils.deterministic.fill_uninitialized_memory = True


def determinism_state(lib):
    return (lib.are_deterministic_algorithms_enabled(), lib.is_deterministic_algorithms_warn_only_enabled(),
            lib.get_deterministic_debug_mode())


SWITCHES = {
    "on": lambda lib: lib.use_deterministic_algorithms(True),
    "warn only": lambda lib: lib.use_deterministic_algorithms(True, warn_only=True),
    "off keeps warn_only": lambda lib: (lib.use_deterministic_algorithms(True, warn_only=True),
                                        lib.use_deterministic_algorithms(False, warn_only=True)),
    "mode=": lambda lib: lib.use_deterministic_algorithms(mode=True),
    **{f"debug mode {m!r}": functools.partial(lambda m, lib: lib.set_deterministic_debug_mode(m), m)
       for m in ("default", "warn", "error", 0, 1, 2)},
    "debug mode 0 after warn": lambda lib: (lib.set_deterministic_debug_mode(1), lib.set_deterministic_debug_mode(0)),
}


@pytest.mark.parametrize("name", SWITCHES)
def test_deterministic_state(name, restore_determinism):
    assert determinism_state(ember) == determinism_state(torch) == (False, False, 0)
    SWITCHES[name](ember), SWITCHES[name](torch)
    assert determinism_state(ember) == determinism_state(torch)


@pytest.mark.parametrize("call", [
    lambda lib: lib.use_deterministic_algorithms(1), lambda lib: lib.use_deterministic_algorithms("x"),
    lambda lib: lib.use_deterministic_algorithms(True, warn_only=1),
    lambda lib: lib.use_deterministic_algorithms(True, False),
    lambda lib: lib.set_deterministic_debug_mode("foo"), lambda lib: lib.set_deterministic_debug_mode(3),
    lambda lib: lib.set_deterministic_debug_mode(1.0),
    lambda lib: setattr(lib.utils.deterministic, "fill_uninitialized_memory", 1),
], ids=["int mode", "str mode", "int warn_only", "positional warn_only", "unknown name", "unknown level", "float",
        "fill not bool"])
def test_deterministic_errors(call, restore_determinism):
    same_error(call)
    assert determinism_state(ember) == (False, False, 0)


EMPTIES = {
    "empty": lambda lib, dt: lib.empty(2, 3, dtype=dt),
    "empty_like": lambda lib, dt: lib.empty_like(lib.ones(2, 3, dtype=dt)),
    "new_empty": lambda lib, dt: lib.ones(1, dtype=dt).new_empty(4),
    "empty_strided": lambda lib, dt: lib.empty_strided((2, 2), (1, 2), dtype=dt),
}


@pytest.mark.parametrize("name", EMPTIES)
@pytest.mark.parametrize("dtype", ["float32", "float16", "float64", "int32", "int64", "uint8", "int8", "bool"])
def test_deterministic_mode_fills_empty_tensors(oracle, name, dtype, restore_determinism):
    for lib in (ember, torch):
        lib.use_deterministic_algorithms(True)
    oracle.assert_same(EMPTIES[name](ember, getattr(ember, dtype)), EMPTIES[name](torch, getattr(torch, dtype)))


def test_filling_can_be_turned_off(restore_determinism):
    ember.use_deterministic_algorithms(True)
    ember.utils.deterministic.fill_uninitialized_memory = False
    assert ember.utils.deterministic.fill_uninitialized_memory is False
    ember.utils.deterministic.fill_uninitialized_memory = True
    assert ember.empty(3).isnan().all()


# ----- pinned memory ----------------------------------------------------------------------------------------
def test_pinned_memory(monkeypatch):
    assert ember.ones(2).is_pinned() is torch.ones(2).is_pinned() is False
    from ember import accelerator

    monkeypatch.setattr(accelerator, "_accelerator_status", lambda check_available: None)  # as on this torch
    if torch.accelerator.is_available():
        pytest.skip("this torch has an accelerator: it would pin")
    same_error(lambda lib: lib.ones(2).pin_memory())


def test_equal_refuses_two_devices():
    """PyTorch's CUDA `equal` checks the devices before the shapes (aten/src/ATen/native/cuda/Equal.cpp)."""
    from outcomes import devices

    if "opencl" not in devices():
        pytest.skip("one device only")
    for other in (ember.ones(2, device="opencl"), ember.ones(3, device="opencl")):
        with pytest.raises(RuntimeError, match="^Cannot compare two tensors on different devices. Got: cpu and "
                                               "opencl:0$"):
            ember.equal(ember.ones(2, device="cpu"), other)


# ----- inference tensors ------------------------------------------------------------------------------------
def inference_flags(lib):
    x = lib.ones(2)
    with lib.inference_mode():
        made, result, view_of_normal = lib.ones(2), x * 2, x.view(2)
        with lib.inference_mode(False):
            reopened, grad_on = lib.ones(2), lib.is_grad_enabled()
    decorated = lib.inference_mode()(lambda: lib.zeros(1))()
    with lib.no_grad():
        under_no_grad = lib.zeros(1)
    flags = [t.is_inference() for t in (x, made, result, view_of_normal, reopened, decorated, under_no_grad,
                                         made[0:1], made.detach(), made * 2, made.clone())]
    return flags + [lib.is_inference(made), lib.is_inference(x), grad_on, lib.is_inference_mode_enabled()]


def test_inference_tensors():
    assert inference_flags(ember) == inference_flags(torch)


def test_is_inference_refuses_a_non_tensor():
    same_error(lambda lib: lib.is_inference(3))


def test_assigning_the_real_and_imaginary_parts(oracle):
    e, t = both(np.arange(3, dtype=np.float32))
    e.real, t.real = ember.zeros(3) + 2, torch.zeros(3) + 2
    oracle.assert_same(e, t)
    same_error(lambda lib: setattr(lib.ones(2), "imag", lib.zeros(2)))
    for name in ("H", "mH", "nbytes", "itemsize", "is_cpu"):
        with pytest.raises(AttributeError):
            setattr(torch.ones(2, 2), name, 3)
        with pytest.raises(AttributeError):
            setattr(ember.ones(2, 2), name, 3)
