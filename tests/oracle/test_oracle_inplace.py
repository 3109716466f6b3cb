"""In-place ops against PyTorch: add_ sub_ mul_ div_ pow_ zero_ fill_ copy_ clamp_ neg_ exp_ on non-leaf
tensors and on views of them, gradients through them, dtype rules, and the errors autograd raises."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from outcomes import assert_same_error, devices, same_message  # noqa: E402

import ember  # noqa: E402

pytestmark = pytest.mark.oracle

# name -> op(y, other): y is a (3, 4) non-leaf, other a (4,) leaf that broadcasts into it.
INPLACE = {
    "add_(tensor)": lambda y, o: y.add_(o),
    "add_(tensor, alpha=2)": lambda y, o: y.add_(o, alpha=2),
    "add_(scalar)": lambda y, o: y.add_(1.5),
    "sub_(tensor)": lambda y, o: y.sub_(o),
    "sub_(scalar)": lambda y, o: y.sub_(2),
    "mul_(tensor)": lambda y, o: y.mul_(o),
    "mul_(scalar)": lambda y, o: y.mul_(-3),
    "div_(tensor)": lambda y, o: y.div_(o),
    "div_(scalar)": lambda y, o: y.div_(4.0),
    "pow_(scalar)": lambda y, o: y.pow_(2),
    "zero_": lambda y, o: y.zero_(),
    "fill_": lambda y, o: y.fill_(0.25),
    "copy_(broadcast)": lambda y, o: y.copy_(o),
    "clamp_(min,max)": lambda y, o: y.clamp_(-1.0, 1.0),
    "clamp_(min=)": lambda y, o: y.clamp_(min=0.5),
    "clamp_(max=)": lambda y, o: y.clamp_(max=0.5),
    "neg_": lambda y, o: y.neg_(),
    "exp_": lambda y, o: y.exp_(),
    "+=": lambda y, o: y.__iadd__(o),
    "-=": lambda y, o: y.__isub__(o),
    "*=": lambda y, o: y.__imul__(o),
    "/=": lambda y, o: y.__itruediv__(o),
}

# Regions of y that an in-place op can be applied to through a view.
VIEWS = {
    "whole": lambda y: y,
    "transposed": lambda y: y.t(),
    "row": lambda y: y[1],
    "stepped columns": lambda y: y[:, ::2],
    "offset, permuted": lambda y: y[1:].permute(1, 0),
}


def _inputs(oracle, seed=0):
    rng = oracle.rng(seed)
    return oracle.array(rng, (3, 4), "float64", "real"), oracle.array(rng, (4,), "float64", "real")


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_op_matches_torch(oracle, name):
    """The result, the gradient through the overwritten values, and that of the other operand."""
    op = INPLACE[name]

    def run(lib, x, other):
        y = x * 2
        op(y, other)
        return y * x

    oracle.check(run, *_inputs(oracle))


@pytest.mark.parametrize(
    "name", ["add_(tensor)", "mul_(tensor)", "copy_(broadcast)", "zero_", "clamp_(min,max)", "exp_", "fill_"]
)
@pytest.mark.parametrize("view", list(VIEWS))
def test_inplace_op_on_a_view_matches_torch(oracle, name, view):
    """Writing into a view of y updates y, and gradients flow through y's other elements untouched."""
    op = INPLACE[name]

    def run(lib, x, other):
        y = x.sin()
        region = VIEWS[view](y)
        op(region, other[: region.shape[-1]])
        return y

    oracle.check(run, *_inputs(oracle, seed=1))


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_op_returns_the_same_tensor(oracle, name):
    y = oracle.ember.ones(3, 4)
    assert INPLACE[name](y, oracle.ember.ones(4)) is y


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(lambda lib, x, o: x.add_(o), id="float32.add_(float64)"),
        pytest.param(lambda lib, x, o: x.mul_(o.to(lib.int64)), id="float32.mul_(int64)"),
        pytest.param(lambda lib, x, o: x.to(lib.int32).mul_(3), id="int32.mul_(int)"),
        pytest.param(lambda lib, x, o: x.to(lib.int32).add_(1.5), id="int32.add_(float) raises"),
        pytest.param(lambda lib, x, o: x.to(lib.int64).div_(2), id="int64.div_(int) raises"),
        pytest.param(lambda lib, x, o: x.to(lib.int64).copy_(o), id="int64.copy_(float64) truncates"),
        pytest.param(lambda lib, x, o: x.to(lib.bool).fill_(0), id="bool.fill_(0)"),
        pytest.param(lambda lib, x, o: o.add_(x), id="broadcast into a smaller tensor raises"),
        pytest.param(lambda lib, x, o: x[:, :3].copy_(o), id="copy_ of a mismatched shape raises"),
    ],
)
def test_inplace_dtype_and_shape_rules_match_torch(oracle, op):
    x = np.array([[1.5, -2.0, 3.25, 4.0]] * 3, dtype="float32")
    other = np.array([0.5, 2.75, -1.0, 2.0], dtype="float64")
    oracle.check_forward(op, x, other)


def test_inplace_op_on_a_leaf_that_requires_grad_raises(oracle):
    for lib in (torch, oracle.ember):
        leaf = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf"):
            leaf.add_(1)


def test_inplace_update_of_a_leaf_under_no_grad_matches_torch(oracle):
    """The optimizer idiom: step a parameter in place, then keep training it."""

    def step_then_use(lib, w):
        (w * w).sum().backward(retain_graph=False)
        with lib.no_grad():
            w.sub_(0.1 * w.grad)
            w.grad.zero_()
        assert w.is_leaf and w.requires_grad
        return (w**3).sum()

    oracle.check(step_then_use, oracle.array(oracle.rng(2), (3,), "float64", "real"))


def _exp_output(lib, x):
    y = x.exp()
    return y, y


def _sigmoid_output(lib, x):
    y = x.sigmoid()
    return y, y


def _tanh_output(lib, x):
    y = x.tanh()
    return y, y


def _sin_input(lib, x):
    h = x * 1
    return h.sin(), h


def _mul_input(lib, x):
    h = x * 1
    return h * x, h


@pytest.mark.parametrize(
    "build",
    [_exp_output, _sigmoid_output, _tanh_output, _sin_input, _mul_input],
    ids=[
        "exp saves its result",
        "sigmoid saves its result",
        "tanh saves its result",
        "sin saves its input",
        "mul saves its input",
    ],
)
def test_backward_after_modifying_a_saved_tensor_raises(oracle, build):
    """PyTorch's version check: "... has been modified by an inplace operation"."""
    for lib in (torch, oracle.ember):
        x = lib.ones(3, requires_grad=True)
        output, saved = build(lib, x)
        saved.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            output.sum().backward()


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(lambda lib, a, b, out: lib.add(a, b, out=out), id="add"),
        pytest.param(lambda lib, a, b, out: lib.mul(a, b, out=out), id="mul"),
        pytest.param(lambda lib, a, b, out: lib.exp(a, out=out), id="exp"),
        pytest.param(lambda lib, a, b, out: lib.matmul(a, lib.ones(4, 4), out=out), id="matmul"),
    ],
)
def test_out_argument_writes_into_the_given_tensor(oracle, op):
    rng = oracle.rng(3)
    a, b = oracle.array(rng, (3, 4), "float32", "any"), oracle.array(rng, (4,), "float32", "any")

    def run(lib, x, y):
        out = lib.empty(3, 4)
        assert op(lib, x, y, out) is out
        return out

    oracle.check_forward(run, a, b)


# --- Tensor.apply_ / map_: a Python callable per element (CPU tensors only) --------------------------------

RESULTS = [2.7, -1, -1.5, 300, 2**70, float("nan"), float("inf"), True, "a", 1 + 2j, None, 1e300, 2**1100]


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool", "float16", "float32",
                                   "float64"])
def test_apply_stores_each_result_as_pytorch(dtype):
    """A result is stored into the dtype as PyTorch stores a Python number (truncated, wrapped, rounded to inf)
    or refused with PyTorch's error; a refused one leaves ember's tensor unchanged."""
    for value in RESULTS:
        outcomes = []
        for lib in (torch, ember):
            x = lib.zeros(2, dtype=getattr(lib, dtype), device="cpu")
            try:
                outcomes.append(x.apply_(lambda v, value=value: value).tolist())
            except Exception as error:  # noqa: BLE001 (the error is what is compared)
                outcomes.append(error)
                assert lib is torch or x.tolist() == lib.zeros(2, dtype=x.dtype).tolist()
        t_out, e_out = outcomes
        if isinstance(t_out, Exception):
            assert type(e_out) is type(t_out) and same_message(e_out, t_out), (value, e_out, t_out)
        else:
            np.testing.assert_array_equal(np.array(e_out), np.array(t_out), err_msg=repr(value))


def test_apply_and_map_pass_python_elements_in_logical_order():
    """The callable sees Python numbers (of a transposed view too, in its logical order); map_ broadcasts
    `other`; both return the tensor itself, written through to a view's base."""
    results = []
    for lib in (torch, ember):
        seen: list = []
        base = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device="cpu")
        view = base.t()
        assert view.apply_(lambda v, seen=seen: seen.append(type(v).__name__) or v * 10 + len(seen)) is view
        ints = lib.tensor([[1, 2], [3, 4]], device="cpu")
        assert ints.map_(lib.tensor([10, 20], device="cpu"), lambda a, b: a * b - 0.5) is ints
        flags = lib.tensor([True, False, True], device="cpu")
        flags.map_(other=lib.tensor([False, False, True], device="cpu"), callable=lambda a, b: a != b)
        results.append((base.tolist(), seen, ints.tolist(), flags.tolist()))
    assert results[0] == results[1]


APPLY_ERRORS = [
    lambda lib: lib.ones(2, requires_grad=True).apply_(lambda v: v),
    lambda lib: (lib.ones(2, requires_grad=True) * 2).apply_(lambda v: v),
    lambda lib: lib.ones(2).map_(lib.ones(2, requires_grad=True), lambda a, b: a),
    lambda lib: lib.ones(2, device="cpu").map_(lib.ones(2, dtype=lib.int64, device="cpu"), lambda a, b: a),
    lambda lib: lib.ones(2, 2, device="cpu").map_(lib.ones(3, device="cpu"), lambda a, b: a),
    lambda lib: lib.ones(2, device="cpu").map_([1.0, 2.0], lambda a, b: a),
    lambda lib: lib.ones(2, device="cpu").apply_(3),
    lambda lib: lib.ones(2, device="cpu").apply_(lambda v: "x"),
]


@pytest.mark.parametrize("index", range(len(APPLY_ERRORS)))
def test_apply_and_map_errors_as_pytorch(index):
    assert_same_error(APPLY_ERRORS[index], ember, torch)


def test_apply_and_map_refuse_a_tensor_off_the_cpu():
    """PyTorch's apply_/map_ are CPU-only ("apply_ is only implemented on CPU tensors", a TypeError)."""
    if "opencl" not in devices():
        pytest.skip("no opencl device")
    x = ember.ones(2, device="opencl")
    with pytest.raises(TypeError, match="^apply_ is only implemented on CPU tensors$"):
        x.apply_(lambda v: v)
    with pytest.raises(TypeError, match="^map_ is only implemented on CPU tensors$"):
        x.map_(ember.ones(2, device="opencl"), lambda a, b: a)
    host = ember.ones(2, device="cpu")
    with pytest.raises(TypeError, match="^map_: expected a cpu tensor for 'other' \\(got one on opencl:0\\)$"):
        host.map_(x, lambda a, b: a)
    assert x.tolist() == host.tolist() == [1.0, 1.0]


# --- Tensor.resize_ / resize_as_ ----------------------------------------------------------------------------

def _layout(x):
    return tuple(x.shape), x.stride(), x.storage_offset()


def _version(x) -> int:
    """The in-place change count: PyTorch's int, ember's shared counter (None before any change)."""
    counter = x._version
    return counter if isinstance(counter, int) else 0 if counter is None else counter[0]


RESIZES = {
    "shrink": lambda lib: lib.arange(6.0).resize_(2, 2),
    "same shape keeps a view's strides": lambda lib: lib.arange(6.0).view(2, 3).t().resize_(3, 2),
    "new shape of a view": lambda lib: lib.arange(6.0).view(2, 3).t().resize_(2, 3),
    "contiguous_format restrides": lambda lib: lib.arange(6.0).view(2, 3).t().resize_(
        3, 2, memory_format=lib.contiguous_format),
    "tuple": lambda lib: lib.arange(6.0).resize_((3,)),
    "list": lambda lib: lib.arange(6.0).resize_([2, 1]),
    "Size": lambda lib: lib.arange(6.0).resize_(lib.Size([1, 3])),
    "keyword": lambda lib: lib.arange(6.0).resize_(size=(2, 3)),
    "empty": lambda lib: lib.arange(6.0).resize_(2, 3, 0),
    "a slice shrinks in its storage": lambda lib: lib.arange(6.0)[1:4].resize_(2),
    "a slice grows in its storage": lambda lib: lib.arange(6.0)[1:4].resize_(5),
    "resize_as_": lambda lib: lib.arange(6.0).resize_as_(lib.ones(2, 2, dtype=lib.int64)),
    "resize_as_ a template requiring grad": lambda lib: lib.arange(6.0).resize_as_(lib.ones(3, requires_grad=True)),
}


@pytest.mark.parametrize("name", RESIZES)
def test_resize_matches_pytorch(name):
    """Shape, strides, storage offset and the kept values (a grown tensor's new elements are uninitialized:
    only the old ones are compared); the version counter moves only when the shape changes."""
    original = torch.arange(6.0)
    results = []
    for lib in (torch, ember):
        x = RESIZES[name](lib)
        old = min(x.numel(), 6 - x.storage_offset())
        results.append((_layout(x), x.flatten()[:old].tolist(), _version(x)))
    assert results[0] == results[1]
    assert original.tolist() == list(range(6))


def test_resize_writes_through_to_the_base_and_grows_its_storage():
    for lib in (torch, ember):
        base = lib.arange(6.0)
        view = base[1:4]
        view.resize_(5).fill_(7.0)
        assert base.tolist() == [0.0, 7.0, 7.0, 7.0, 7.0, 7.0]
        grown = lib.arange(4.0)
        grown.resize_(3, 3)
        assert grown.shape == (3, 3) and grown.flatten()[:4].tolist() == [0.0, 1.0, 2.0, 3.0]
        grown[2, 2] = 9.0
        assert grown[2, 2].item() == 9.0


RESIZE_ERRORS = [
    lambda lib: lib.ones(3, requires_grad=True).resize_(2),
    lambda lib: lib.ones(3, requires_grad=True).resize_(3),
    lambda lib: (lib.ones(3, requires_grad=True) * 2).resize_(3),
    lambda lib: lib.ones(2, requires_grad=True).resize_as_(lib.ones(2)),
    lambda lib: lib.ones(3).resize_(),
    lambda lib: lib.ones(3).resize_as_(3),
]


@pytest.mark.parametrize("index", range(len(RESIZE_ERRORS)))
def test_resize_errors_as_pytorch(index):
    assert_same_error(RESIZE_ERRORS[index], ember, torch)


@pytest.mark.parametrize("call", [lambda lib: lib.ones(3).resize_(2.5), lambda lib: lib.ones(3).resize_(2, -1),
                                  lambda lib: lib.ones(3).resize_(3, memory_format=3),
                                  lambda lib: lib.ones(3).resize_(2, memory_format=lib.preserve_format)])
def test_resize_refuses_bad_sizes_and_formats_with_pytorchs_error_types(call):
    """The error types are PyTorch's; ember's messages name the size or format (PyTorch's are terser)."""
    with pytest.raises(Exception) as expected:
        call(torch)
    x_error = pytest.raises(type(expected.value), call, ember)
    assert "resize_" in str(x_error.value)


@pytest.mark.parametrize("call", [lambda x, lib: x.resize(2, 3), lambda x, lib: x.resize_as(lib.ones(3, 2)),
                                  lambda x, lib: x.view(2, 3).t().resize(6)], ids=["resize", "resize_as", "copy"])
def test_deprecated_resize_matches_pytorch(call):
    """The out-of-place resize/resize_as: PyTorch's warning, values, ResizeBackward and its gradient; the result
    shares a contiguous input's memory and version counter (a non-contiguous one is copied first)."""
    upstream = np.arange(6.0).reshape(-1)
    results = []
    for lib in (torch, ember):
        x = lib.arange(6.0, requires_grad=True)
        with pytest.warns(UserWarning, match="^non-inplace resize(_as)? is deprecated$"):
            y = call(x, lib)
        (y * lib.tensor(upstream).view(y.shape)).sum().backward()
        plain = lib.arange(6.0)
        with pytest.warns(UserWarning):
            alias = call(plain, lib)
        alias.view(-1)[0] = 100.0
        results.append((y.tolist(), type(y.grad_fn).__name__, x.grad.tolist(), plain.tolist(), _version(plain)))
    assert results[0] == results[1]


def test_deprecated_resize_refuses_another_element_count():
    for lib in (torch, ember):
        with pytest.warns(UserWarning), pytest.raises(RuntimeError) as caught:
            lib.arange(6.0).resize(2, 2)
        assert str(caught.value).startswith("requested resize to 2x2 (4 elements in total), but the given tensor "
                                            "has a size of 6 (6 elements).")


# ----- fill_diagonal_ ------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, wrap, view", [
    (shape, wrap, view) for shape, wrap in [((3, 3), False), ((4, 6), False), ((7, 3), False), ((7, 3), True),
                                            ((8, 3), True), ((4, 3), True), ((3, 7), True)]
    for view in ("whole", "transposed", "offset rows")]
    + [((2, 2, 2), False, "whole"), ((3, 3, 3), True, "transposed")])
def test_fill_diagonal_matches_torch(oracle, shape, wrap, view):
    """The filled values, and the gradient through the elements off the diagonal (none through it)."""
    def run(lib, x):
        y = x * 2
        region = {"whole": y, "transposed": y.transpose(0, 1), "offset rows": y[1:]}[view]
        assert region.fill_diagonal_(-1.5, wrap=wrap) is region
        return y * x

    oracle.check(run, oracle.array(oracle.rng(0), shape, "float64", "real"))


def test_fill_diagonal_records_pytorch_node_and_dtype(oracle):
    for lib in (ember, torch):
        y = lib.ones(3, 3, requires_grad=True) * 1
        assert type(y.fill_diagonal_(2).grad_fn).__name__ == "CopySlices"
    oracle.check_forward(lambda lib, x: x.to(lib.int64).fill_diagonal_(7), np.zeros((3, 4), "float32"))


@pytest.mark.parametrize("call", [lambda lib: lib.zeros(3).fill_diagonal_(1),
                                  lambda lib: lib.zeros(2, 3, 3).fill_diagonal_(1),
                                  lambda lib: lib.zeros(3, 3, requires_grad=True).fill_diagonal_(1)])
def test_fill_diagonal_errors(call):
    assert_same_error(call, ember, torch)
