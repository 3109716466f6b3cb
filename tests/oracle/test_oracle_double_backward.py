"""Double backward against PyTorch: for every differentiable op, the first gradient taken with
``create_graph=True`` must require grad exactly when PyTorch's does, and the gradient of that gradient
(weighted by a random tensor, so that no term cancels) must have PyTorch's values."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def F(lib):
    return lib.nn.functional


def _long(lib, values):
    return lib.tensor(values, dtype=lib.int64)


def _assigned(y, v, key=0):
    y[key] = v * v
    return y


def _filled(y):
    y[0].fill_(0.5)
    return y


def _zeroed(y):
    y[:, 1].zero_()
    return y


def _view_after_write(y):
    row = y[1]
    y.mul_(2.0)
    return row


def _square(lib):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    return Square


def _constant(lib, values):
    return lib.tensor(values, dtype=lib.float64)


# name -> (fn(lib, *leaves), shapes of the leaves, domain of their values)
OPS = {
    # unary pointwise
    "neg": (lambda L, x: -x, [(2, 3)], "real"),
    "abs": (lambda L, x: x.abs(), [(2, 3)], "real"),
    "exp": (lambda L, x: x.exp(), [(2, 3)], "real"),
    "log": (lambda L, x: x.log(), [(2, 3)], "positive"),
    "sin": (lambda L, x: x.sin(), [(2, 3)], "real"),
    "cos": (lambda L, x: x.cos(), [(2, 3)], "real"),
    "tanh": (lambda L, x: x.tanh(), [(2, 3)], "real"),
    "sqrt": (lambda L, x: x.sqrt(), [(2, 3)], "positive"),
    "reciprocal": (lambda L, x: x.reciprocal(), [(2, 3)], "real"),
    "sign": (lambda L, x: x.sign() * x, [(2, 3)], "real"),
    "pow scalar": (lambda L, x: x ** 3, [(2, 3)], "real"),
    "pow fractional": (lambda L, x: x ** 2.5, [(2, 3)], "positive"),
    "rpow": (lambda L, x: 2.0 ** x, [(2, 3)], "real"),
    "clamp": (lambda L, x: x.clamp(-1.0, 1.0) * x, [(2, 3)], "real"),
    "clamp tensor": (lambda L, x, lo: x.clamp(min=lo) * x, [(2, 3), (2, 3)], "real"),
    "sigmoid": (lambda L, x: x.sigmoid(), [(2, 3)], "real"),
    "relu": (lambda L, x: x.relu() * x, [(2, 3)], "real"),
    "relu linear": (lambda L, x: x.relu(), [(2, 3)], "real"),
    "F.relu": (lambda L, x: F(L).relu(x) * x, [(2, 3)], "real"),
    "F.tanh": (lambda L, x: F(L).tanh(x), [(2, 3)], "real"),
    "F.sigmoid": (lambda L, x: F(L).sigmoid(x), [(2, 3)], "real"),
    "softmax": (lambda L, x: x.softmax(-1), [(2, 3)], "any"),
    "log_softmax": (lambda L, x: x.log_softmax(0), [(2, 3)], "any"),
    "F.softmax": (lambda L, x: F(L).softmax(x, dim=1), [(2, 3)], "any"),
    "F.log_softmax": (lambda L, x: F(L).log_softmax(x, dim=1), [(2, 3)], "any"),
    # the first gradient is the upstream gradient masked or moved: PyTorch's still requires grad or not
    "abs pure": (lambda L, x: x.abs(), [(2, 3)], "real"),
    "sign pure": (lambda L, x: x.sign(), [(2, 3)], "real"),
    "clamp pure": (lambda L, x: x.clamp(-1.0, 1.0), [(2, 3)], "real"),
    "clamp min pure": (lambda L, x: x.clamp(min=0.0), [(2, 3)], "real"),
    "clamp tensor pure": (lambda L, x, lo: x.clamp(min=lo), [(2, 3), (2, 3)], "real"),
    "maximum pure": (lambda L, x, y: L.maximum(x, y), [(2, 3), (2, 3)], "real"),
    "minimum pure": (lambda L, x, y: L.minimum(x, y), [(2, 3), (2, 3)], "real"),
    "where pure": (lambda L, x, y: L.where(x > 0, x, y), [(2, 3), (2, 3)], "real"),
    "masked_fill pure": (lambda L, x: x.masked_fill(x > 0, 0.5), [(2, 3)], "real"),
    "max pure": (lambda L, x: x.max(), [(2, 3)], "real"),
    "max dim pure": (lambda L, x: x.max(1)[0], [(2, 3)], "real"),
    "amax pure": (lambda L, x: x.amax(0), [(2, 3)], "real"),
    "amin pure": (lambda L, x: x.amin(), [(2, 3)], "real"),
    "sum pure": (lambda L, x: x.sum(0), [(2, 3)], "real"),
    "mean pure": (lambda L, x: x.mean(), [(2, 3)], "real"),
    "mul scalar pure": (lambda L, x: x * 2.0, [(2, 3)], "real"),
    "index pure": (lambda L, x: x[_long(L, [1, 1])], [(2, 3)], "real"),
    "l1 pure": (lambda L, x, y: F(L).l1_loss(x, y), [(2, 3), (2, 3)], "real"),
    "nll pure": (lambda L, x: F(L).nll_loss(x, _long(L, [1, 0])), [(2, 3)], "any"),
    "nll weight pure": (lambda L, x: F(L).nll_loss(x, _long(L, [1, 0]), weight=_constant(L, [0.5, 1, 2])),
                        [(2, 3)], "any"),
    "pow 1 pure": (lambda L, x: x ** 1, [(2, 3)], "real"),
    "pow 0 pure": (lambda L, x: x ** 0, [(2, 3)], "real"),
    "pow 2 pure": (lambda L, x: x ** 2, [(2, 3)], "real"),
    "add scalar pure": (lambda L, x: x + 1.5, [(2, 3)], "real"),
    "div scalar pure": (lambda L, x: x / 2.0, [(2, 3)], "real"),
    "mul constant pure": (lambda L, x: x * _constant(L, [1.0, -2.0, 3.0]), [(2, 3)], "real"),
    "matmul constant pure": (lambda L, x: x @ _constant(L, [[1.0], [-2.0], [3.0]]), [(2, 3)], "real"),
    "maximum constant pure": (lambda L, x: L.maximum(x, _constant(L, [0.0, 0.0, 0.0])), [(2, 3)], "real"),
    "cat pure": (lambda L, x, y: L.cat([x, y], 1), [(2, 3), (2, 1)], "real"),
    "relu with zeros": (lambda L, x: (x * _constant(L, [0.0, 1.0, 1.0])).relu() * x, [(2, 3)], "real"),
    "relu_": (lambda L, x: (x * 1).relu_(), [(2, 3)], "real"),
    "F.relu inplace": (lambda L, x: F(L).relu(x * 1, inplace=True), [(2, 3)], "real"),
    "sigmoid_": (lambda L, x: (x * 1).sigmoid_(), [(2, 3)], "real"),
    "exp_": (lambda L, x: (x * 1).exp_(), [(2, 3)], "real"),
    "mul_": (lambda L, x, y: (x * 1).mul_(y), [(2, 3), (2, 3)], "real"),
    "clamp_": (lambda L, x: (x * x).clamp_(max=1.0), [(2, 3)], "real"),
    "setitem": (lambda L, x, v: _assigned(x * x, v), [(2, 3), (3,)], "real"),
    "masked_fill tensor value": (lambda L, x, v: (x * x).masked_fill(x > 0, v), [(2, 3), ()], "real"),
    "index_put": (lambda L, x, v: _assigned(x * x, v, _long(L, [1])), [(2, 3), (3,)], "real"),
    "fill_": (lambda L, x: _filled(x * x), [(2, 3)], "real"),
    "zero_": (lambda L, x: _zeroed(x * x), [(2, 3)], "real"),
    "copy_": (lambda L, x, y: (x * x).copy_(y * y), [(2, 3), (3,)], "real"),
    "view after in-place": (lambda L, x: _view_after_write(x * x), [(2, 3)], "real"),
    "nll 4-d": (lambda L, x: F(L).nll_loss(x * x, _long(L, [[[0, 1]], [[1, 0]]])), [(2, 2, 1, 2)], "real"),
    "custom Function": (lambda L, x: _square(L).apply(x), [(2, 3)], "real"),
    # binary pointwise
    "add": (lambda L, x, y: (x + y) * x, [(2, 3), (3,)], "real"),
    "sub": (lambda L, x, y: (x - y) * y, [(2, 3), (3,)], "real"),
    "rsub": (lambda L, x: (1.0 - x) * x, [(2, 3)], "real"),
    "mul": (lambda L, x, y: x * y, [(2, 3), (3,)], "real"),
    "div": (lambda L, x, y: x / y, [(2, 3), (2, 1)], "real"),
    "rdiv": (lambda L, x: 2.0 / x, [(2, 3)], "real"),
    "pow tensor": (lambda L, x, y: x ** y, [(2, 3), (2, 3)], "positive"),
    "maximum": (lambda L, x, y: L.maximum(x, y) * x, [(2, 3), (2, 3)], "real"),
    "minimum": (lambda L, x, y: L.minimum(x, y) * y, [(2, 3), (2, 3)], "real"),
    "where": (lambda L, x, y: L.where(x > 0, x * y, y * y), [(2, 3), (2, 3)], "real"),
    "masked_fill": (lambda L, x: x.masked_fill(x > 0, 0.5) * x, [(2, 3)], "real"),
    # reductions
    "sum": (lambda L, x: x.sum() * x, [(2, 3)], "real"),
    "sum dim": (lambda L, x: x.sum(1) ** 2, [(2, 3)], "real"),
    "mean": (lambda L, x: x.mean() * x, [(2, 3)], "real"),
    "mean dim": (lambda L, x: x.mean(0, keepdim=True) * x, [(2, 3)], "real"),
    "max": (lambda L, x: x.max() * x, [(2, 3)], "real"),
    "min": (lambda L, x: x.min() * x, [(2, 3)], "real"),
    "max dim": (lambda L, x: x.max(1)[0] ** 2, [(2, 3)], "real"),
    "min dim": (lambda L, x: x.min(0, keepdim=True)[0] * x, [(2, 3)], "real"),
    "amax": (lambda L, x: x.amax(1) ** 2, [(2, 3)], "real"),
    "amin": (lambda L, x: x.amin() * x, [(2, 3)], "real"),
    "var": (lambda L, x: x.var(), [(2, 3)], "real"),
    "var dim": (lambda L, x: x.var(1, keepdim=True), [(2, 3)], "real"),
    "std": (lambda L, x: x.std(), [(2, 3)], "real"),
    "std dim": (lambda L, x: x.std(0), [(2, 3)], "real"),
    "prod": (lambda L, x: x.prod(), [(2, 3)], "real"),
    "prod dim": (lambda L, x: x.prod(1), [(2, 3)], "real"),
    "prod keepdim": (lambda L, x: x.prod(0, keepdim=True), [(2, 3)], "real"),
    # matmul family
    "matmul": (lambda L, a, b: a @ b, [(2, 3), (3, 4)], "real"),
    "mm": (lambda L, a, b: a.mm(b), [(2, 3), (3, 2)], "real"),
    "matmul 3-d": (lambda L, a, b: a @ b, [(2, 2, 3), (2, 3, 2)], "real"),
    "mv": (lambda L, a, v: a.mv(v), [(2, 3), (3,)], "real"),
    "dot": (lambda L, a, b: a.dot(b) * a, [(3,), (3,)], "real"),
    "matmul batched": (lambda L, a, b: a @ b, [(2, 2, 3), (3,)], "real"),
    "linear": (lambda L, x, w, b: F(L).linear(x, w, b) ** 2, [(2, 3), (4, 3), (4,)], "real"),
    "linear nobias": (lambda L, x, w: F(L).linear(x, w), [(2, 3), (4, 3)], "real"),
    # views, indexing, joining, copies
    "view": (lambda L, x: x.view(3, 2) * x.t(), [(2, 3)], "real"),
    "reshape": (lambda L, x: x.reshape(-1) ** 2, [(2, 3)], "real"),
    "t": (lambda L, x: x.t() ** 2, [(2, 3)], "real"),
    "transpose": (lambda L, x: x.transpose(0, 1) ** 2, [(2, 3)], "real"),
    "permute": (lambda L, x: x.permute(1, 0) ** 2, [(2, 3)], "real"),
    "expand": (lambda L, x: x.expand(2, 3) ** 2, [(1, 3)], "real"),
    "squeeze": (lambda L, x: x.squeeze() ** 2, [(1, 3)], "real"),
    "unsqueeze": (lambda L, x: x.unsqueeze(0) ** 2, [(2, 3)], "real"),
    "flatten": (lambda L, x: x.flatten() ** 2, [(2, 3)], "real"),
    "select": (lambda L, x: x[1] ** 2, [(2, 3)], "real"),
    "slice": (lambda L, x: x[:, 1:] ** 2, [(2, 3)], "real"),
    "narrow": (lambda L, x: x.narrow(1, 0, 2) ** 2, [(2, 3)], "real"),
    "index tensor": (lambda L, x: x[_long(L, [1, 0, 1])] ** 2, [(2, 3)], "real"),
    "index mask": (lambda L, x: x[x > 0] ** 2, [(2, 3)], "real"),
    "cat": (lambda L, x, y: L.cat([x, y]) ** 2, [(2, 3), (1, 3)], "real"),
    "stack": (lambda L, x, y: L.stack([x, y]) ** 2, [(2, 3), (2, 3)], "real"),
    "clone": (lambda L, x: x.clone() ** 2, [(2, 3)], "real"),
    "contiguous": (lambda L, x: x.t().contiguous() ** 2, [(2, 3)], "real"),
    "to double": (lambda L, x: x.double() ** 2, [(2, 3)], "real"),
    # losses
    "mse": (lambda L, x, y: F(L).mse_loss(x, y), [(2, 3), (2, 3)], "real"),
    "mse sum": (lambda L, x, y: F(L).mse_loss(x, y, reduction="sum"), [(2, 3), (2, 3)], "real"),
    "l1": (lambda L, x, y: F(L).l1_loss(x, y) * x, [(2, 3), (2, 3)], "real"),
    "bce": (lambda L, p, y: F(L).binary_cross_entropy(p, y), [(2, 3), (2, 3)], "unit"),
    "bce weight": (lambda L, p, y: F(L).binary_cross_entropy(p, y, weight=_constant(L, [0.5, 1.0, 2.0])),
                   [(2, 3), (2, 3)], "unit"),
    "bce_with_logits": (lambda L, x, y: F(L).binary_cross_entropy_with_logits(x, y), [(2, 3), (2, 3)], "real"),
    "bce_with_logits weights": (
        lambda L, x, y: F(L).binary_cross_entropy_with_logits(x, y, weight=_constant(L, [0.5, 1.0, 2.0]),
                                                              pos_weight=_constant(L, [2.0, 1.0, 0.5])),
        [(2, 3), (2, 3)], "real"),
    "cross_entropy": (lambda L, x: F(L).cross_entropy(x, _long(L, [0, 2])), [(2, 3)], "any"),
    "cross_entropy weight": (lambda L, x: F(L).cross_entropy(x, _long(L, [0, 2]), weight=_constant(L, [0.5, 1, 2])),
                             [(2, 3)], "any"),
    "nll weight": (lambda L, x: F(L).nll_loss(x * x, _long(L, [1, 0]), weight=_constant(L, [0.5, 1, 2])),
                   [(2, 3)], "any"),
    "cross_entropy smoothing": (lambda L, x: F(L).cross_entropy(x, _long(L, [0, 2]), label_smoothing=0.2),
                                [(2, 3)], "any"),
    "cross_entropy probabilities": (lambda L, x, p: F(L).cross_entropy(x, p.softmax(1)), [(2, 3), (2, 3)], "any"),
    "nll": (lambda L, x: F(L).nll_loss(x.log_softmax(1), _long(L, [1, 0])) * x.sum(), [(2, 3)], "any"),
}


def _pairs(oracle, shapes, domain, seed):
    rng = oracle.rng(seed)
    arrays = [oracle.array(rng, shape, "float64", domain) for shape in shapes]
    return [oracle.pair(a) for a in arrays]


def _grads(lib, fn, leaves, weights, create_graph):
    out = fn(lib, *leaves)
    return lib.autograd.grad(out, leaves, grad_outputs=lib.tensor(weights), create_graph=create_graph,
                             allow_unused=True)


def _second(lib, first, leaves, weights):
    """The gradient of ``sum_i (first_i * weights_i).sum()`` with respect to every leaf (None when unused)."""
    total = None
    for g, w in zip(first, weights):
        if g is not None and g.requires_grad:
            term = (g * lib.tensor(w)).sum()
            total = term if total is None else total + term
    if total is None:
        return [None] * len(leaves)
    return lib.autograd.grad(total, leaves, allow_unused=True)


def _materialized(g, leaf):
    return np.zeros(tuple(leaf.shape)) if g is None else g.detach().numpy(force=True)


@pytest.mark.parametrize("name", list(OPS))
def test_gradient_of_the_gradient_is_pytorchs(oracle, name):
    fn, shapes, domain = OPS[name]
    pairs = _pairs(oracle, shapes, domain, seed=len(name))
    ember_leaves, torch_leaves = [p[0] for p in pairs], [p[1] for p in pairs]
    rng = oracle.rng(1)
    upstream = oracle.array(rng, tuple(fn(torch, *torch_leaves).shape), "float64", "any")
    torch_first = _grads(torch, fn, torch_leaves, upstream, True)
    ember_first = _grads(oracle.ember, fn, ember_leaves, upstream, True)
    for i, (e, t) in enumerate(zip(ember_first, torch_first)):
        assert (e is None) == (t is None), f"first gradient of input {i}: {e} (torch {t})"
        if t is not None:
            oracle.assert_same(e, t, f"first gradient of input {i}")
            assert e.requires_grad == t.requires_grad, f"first gradient of input {i}: requires_grad"
    weights = [oracle.array(rng, tuple(leaf.shape), "float64", "any") for leaf in torch_leaves]
    torch_second = _second(torch, torch_first, torch_leaves, weights)
    ember_second = _second(oracle.ember, ember_first, ember_leaves, weights)
    for i, (e, t, leaf) in enumerate(zip(ember_second, torch_second, torch_leaves)):
        np.testing.assert_allclose(_materialized(e, leaf), _materialized(t, leaf), rtol=1e-7, atol=1e-10,
                                   err_msg=f"second gradient of input {i}")


PROD_INPUTS = {
    "no zero": [[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]],
    "one zero": [[1.5, 0.0, 3.0], [0.5, 4.0, -1.0]],
    "two zeros in a row": [[0.0, 0.0, 3.0], [0.5, 4.0, -1.0]],
    "zeros in two rows": [[0.0, 2.0, 3.0], [0.5, 0.0, -1.0]],
    "all zeros": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
    "three zeros": [[0.0, 2.0, 0.0], [0.5, 0.0, -1.0]],
}
PROD_CALLS = {
    "all": lambda x: x.prod(),
    "dim 0": lambda x: x.prod(0),
    "dim 1": lambda x: x.prod(1),
    "dim -1 keepdim": lambda x: x.prod(-1, keepdim=True),
    "size-1 dim": lambda x: x[:, :1].prod(1),
    "0-d": lambda x: x[0, 0].prod(),
    "0-d dim": lambda x: x[0, 1].prod(0),
}


@pytest.mark.parametrize("call", list(PROD_CALLS))
@pytest.mark.parametrize("values", list(PROD_INPUTS))
def test_prod_first_and_second_derivatives_are_pytorchs(oracle, values, call):
    fn = PROD_CALLS[call]
    array = np.array(PROD_INPUTS[values])
    ember_x, torch_x = oracle.pair(array)
    torch_out, ember_out = fn(torch_x), fn(ember_x)
    upstream = oracle.array(oracle.rng(3), tuple(torch_out.shape), "float64", "any")
    (torch_first,) = torch.autograd.grad(torch_out, torch_x, torch.tensor(upstream), create_graph=True)
    (ember_first,) = oracle.ember.autograd.grad(ember_out, ember_x, oracle.ember.tensor(upstream),
                                                create_graph=True)
    oracle.assert_same(ember_first, torch_first, "first derivative")
    assert ember_first.requires_grad == torch_first.requires_grad
    if not torch_first.requires_grad:  # a 0-d input or a dim of size 1 with a zero: the gradient passes as is
        return
    weights = oracle.array(oracle.rng(4), array.shape, "float64", "any")
    (torch_second,) = torch.autograd.grad((torch_first * torch.tensor(weights)).sum(), torch_x, allow_unused=True)
    (ember_second,) = oracle.ember.autograd.grad((ember_first * oracle.ember.tensor(weights)).sum(), ember_x,
                                                 allow_unused=True)
    np.testing.assert_allclose(_materialized(ember_second, torch_x), _materialized(torch_second, torch_x),
                               rtol=1e-7, atol=1e-10)
