"""In-place ops against PyTorch: add_ sub_ mul_ div_ pow_ zero_ fill_ copy_ clamp_ neg_ exp_ on non-leaf
tensors and on views of them, gradients through them, dtype rules, and the errors autograd raises."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

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
