"""grad_fn node names and next_functions against PyTorch: the expected names come from torch itself, so a
drift in ember's naming (or in torch's) shows up here."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def _inplace(method, *args):
    def op(lib, x, w):
        y = x * 1
        getattr(y, method)(*args)
        return y

    return op


def _assign(lib, x, w):
    y = x * 1
    y[0] = 3.0
    return y


# Each op gets x (3, 4) and w (4, 3), both float32 leaves that require grad.
OPS = {
    "x+y": lambda lib, x, w: x + x,
    "x+1": lambda lib, x, w: x + 1,
    "1+x": lambda lib, x, w: 1 + x,
    "x-y": lambda lib, x, w: x - x.t().t(),
    "1-x": lambda lib, x, w: 1 - x,
    "x*y": lambda lib, x, w: x * x,
    "2*x": lambda lib, x, w: 2 * x,
    "x/y": lambda lib, x, w: x / (x + 5),
    "x/2": lambda lib, x, w: x / 2,
    "x**2": lambda lib, x, w: x**2,
    "x**y": lambda lib, x, w: x**x,
    "2**x": lambda lib, x, w: 2**x,
    "-x": lambda lib, x, w: -x,
    "abs": lambda lib, x, w: x.abs(),
    "exp": lambda lib, x, w: x.exp(),
    "log": lambda lib, x, w: x.log(),
    "sin": lambda lib, x, w: x.sin(),
    "cos": lambda lib, x, w: x.cos(),
    "tanh": lambda lib, x, w: x.tanh(),
    "sqrt": lambda lib, x, w: x.sqrt(),
    "sigmoid": lambda lib, x, w: x.sigmoid(),
    "relu": lambda lib, x, w: x.relu(),
    "F.relu": lambda lib, x, w: lib.nn.functional.relu(x),
    "clamp(min,max)": lambda lib, x, w: x.clamp(-1, 1),
    "clamp(min)": lambda lib, x, w: x.clamp(min=0),
    "where": lambda lib, x, w: lib.where(x > 0, x, x * 2),
    "maximum": lambda lib, x, w: lib.maximum(x, x * 2),
    "minimum": lambda lib, x, w: lib.minimum(x, x * 2),
    "sum()": lambda lib, x, w: x.sum(),
    "sum(dim)": lambda lib, x, w: x.sum(1),
    "mean()": lambda lib, x, w: x.mean(),
    "mean(dim)": lambda lib, x, w: x.mean(0, keepdim=True),
    "max()": lambda lib, x, w: x.max(),
    "max(dim)": lambda lib, x, w: x.max(1)[0],
    "min()": lambda lib, x, w: x.min(),
    "min(dim)": lambda lib, x, w: x.min(0).values,
    "var()": lambda lib, x, w: x.var(),
    "var(dim)": lambda lib, x, w: x.var(1),
    "std()": lambda lib, x, w: x.std(),
    "prod()": lambda lib, x, w: x.prod(),
    "prod(dim)": lambda lib, x, w: x.prod(1),
    "softmax": lambda lib, x, w: x.softmax(1),
    "log_softmax": lambda lib, x, w: x.log_softmax(1),
    "x@w (2-d)": lambda lib, x, w: x @ w,
    "mm": lambda lib, x, w: x.mm(w),
    "matrix@vector": lambda lib, x, w: x @ w[:, 0],
    "vector@vector": lambda lib, x, w: x[0] @ w[:, 0],
    "view": lambda lib, x, w: x.view(12),
    "reshape (a view)": lambda lib, x, w: x.reshape(2, 6),
    "flatten": lambda lib, x, w: x.flatten(),
    "squeeze()": lambda lib, x, w: x[None].squeeze(),
    "squeeze(dim)": lambda lib, x, w: x[None].squeeze(0),
    "unsqueeze": lambda lib, x, w: x.unsqueeze(1),
    "transpose": lambda lib, x, w: x.transpose(0, 1),
    "t": lambda lib, x, w: x.t(),
    "T": lambda lib, x, w: x.T,
    "permute": lambda lib, x, w: x.permute(1, 0),
    "expand": lambda lib, x, w: x[None].expand(2, 3, 4),
    "expand_as": lambda lib, x, w: x.expand_as(lib.ones(2, 3, 4)),
    "contiguous (a copy)": lambda lib, x, w: x.t().contiguous(),
    "clone": lambda lib, x, w: x.clone(),
    "x[int]": lambda lib, x, w: x[0],
    "x[slice]": lambda lib, x, w: x[1:],
    "x[:, ::2]": lambda lib, x, w: x[:, ::2],
    "x[None]": lambda lib, x, w: x[None],
    "x[int tensor]": lambda lib, x, w: x[lib.tensor([0, 2])],
    "x[bool tensor]": lambda lib, x, w: x[x > 0],
    "cat": lambda lib, x, w: lib.cat([x, x]),
    "stack": lambda lib, x, w: lib.stack([x, x]),
    "add_": _inplace("add_", 1.0),
    "sub_": _inplace("sub_", 1.0),
    "mul_": _inplace("mul_", 2.0),
    "div_": _inplace("div_", 2.0),
    "pow_": _inplace("pow_", 2.0),
    "zero_": _inplace("zero_"),
    "fill_": _inplace("fill_", 1.0),
    "clamp_": _inplace("clamp_", 0.0, 1.0),
    "copy_": lambda lib, x, w: (x * 1).copy_(w.t()),
    "x[0] = v": _assign,
    "mse_loss": lambda lib, x, w: lib.nn.functional.mse_loss(x, w.t()),
    "cross_entropy": lambda lib, x, w: lib.nn.functional.cross_entropy(x, lib.tensor([0, 1, 3])),
    "nll_loss": lambda lib, x, w: lib.nn.functional.nll_loss(x, lib.tensor([0, 1, 3])),
    "binary_cross_entropy": lambda lib, x, w: lib.nn.functional.binary_cross_entropy(
        x.sigmoid(), w.t().sigmoid()
    ),
    "binary_cross_entropy_with_logits": lambda lib, x, w: lib.nn.functional.binary_cross_entropy_with_logits(
        x, w.t().sigmoid()
    ),
    "F.linear": lambda lib, x, w: lib.nn.functional.linear(x, w.t(), w[0]),
}

NO_GRAD_FN = {
    "leaf": lambda lib, x, w: x,
    "detach": lambda lib, x, w: x.detach(),
    "comparison": lambda lib, x, w: x > 0,
    "argmax": lambda lib, x, w: x.argmax(),
    "max(dim) indices": lambda lib, x, w: x.max(1)[1],
    "contiguous of a contiguous leaf": lambda lib, x, w: x.contiguous(),
}


def _leaves(oracle):
    rng = oracle.rng(0)
    x = oracle.array(rng, (3, 4), "float32", "positive")
    w = oracle.array(rng, (4, 3), "float32", "positive")
    return oracle.pair(x), oracle.pair(w)


def _graph(node, depth):
    """Names of a node and of its next_functions, `depth` levels down: (name, ((child, input_nr), ...))."""
    if node is None:
        return None
    children = () if depth == 0 else tuple((_graph(n, depth - 1), i) for n, i in node.next_functions)
    return type(node).__name__, children


@pytest.mark.parametrize("name", list(OPS))
def test_grad_fn_name_matches_torch(oracle, name):
    (x_e, x_t), (w_e, w_t) = _leaves(oracle)
    expected = oracle.grad_fn_name(OPS[name](torch, x_t, w_t))
    assert oracle.grad_fn_name(OPS[name](oracle.ember, x_e, w_e)) == expected


@pytest.mark.parametrize("name", list(NO_GRAD_FN))
def test_results_without_grad_fn_match_torch(oracle, name):
    (x_e, x_t), (w_e, w_t) = _leaves(oracle)
    assert oracle.grad_fn_name(NO_GRAD_FN[name](torch, x_t, w_t)) is None
    assert oracle.grad_fn_name(NO_GRAD_FN[name](oracle.ember, x_e, w_e)) is None


@pytest.mark.parametrize(
    "name", ["x+1", "1+x", "x*y", "x/y", "x**2", "2**x", "where", "x@w (2-d)", "F.linear", "cat", "x[0] = v"]
)
def test_next_functions_match_torch(oracle, name):
    """Constants appear as (None, 0), leaves as AccumulateGrad, in torch's order."""
    (x_e, x_t), (w_e, w_t) = _leaves(oracle)
    expected = _graph(OPS[name](torch, x_t, w_t).grad_fn, 3)
    assert _graph(OPS[name](oracle.ember, x_e, w_e).grad_fn, 3) == expected


def test_next_functions_of_the_tutorial_graph_match_torch(oracle):
    """The seed tutorial's chain: d = 2 * sin(a) + 1."""
    graphs = []
    for lib in (oracle.ember, torch):
        a = lib.tensor(np.linspace(0.0, 2.0 * np.pi, 25, dtype="float32"), requires_grad=True)
        d = 2 * lib.sin(a) + 1
        graphs.append(_graph(d.grad_fn, 4))
    assert graphs[0] == graphs[1]
