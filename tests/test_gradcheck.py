"""Finite-difference checks of ember's gradients: `ember.autograd.gradcheck` (float64) for every
differentiable op, and double backward (Jacobian of the first gradient, with respect to the inputs and the
upstream gradient) for the common ones."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember._ops.binary import BINARY
from ember._ops.reduction import REDUCTIONS
from ember._ops.unary import UNARY
from ember.autograd import gradcheck, gradgradcheck

F = ember.nn.functional
EPS = 1e-6


def _array(rng, shape, domain):
    """float64 values of a domain chosen away from kinks, poles and ties, so finite differences are exact
    enough: "real" (|x| in [0.25, 2]), "positive" ([0.5, 2]), "unit" ((0.1, 0.9)), "above_one" ([1.2, 3]),
    "above_two" ([2.5, 6], past lgamma's and digamma's zeros), "any" (normal)."""
    if domain == "real":
        return rng.uniform(0.25, 2.0, shape) * rng.choice([-1.0, 1.0], size=shape)
    if domain == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "unit":
        return rng.uniform(0.1, 0.9, shape)
    if domain == "above_one":
        return rng.uniform(1.2, 3.0, shape)
    if domain == "above_two":
        return rng.uniform(2.5, 6.0, shape)
    return rng.standard_normal(shape)


def _leaves(specs, seed=0):
    rng = np.random.default_rng(seed)
    return tuple(ember.tensor(_array(rng, shape, domain), requires_grad=True) for shape, domain in specs)


def _long(values):
    return ember.tensor(values, dtype=ember.int64)


def _inplace(method):
    def op(x, other):
        y = x * 1
        getattr(y, method)(other)
        return y

    return op


def _zero_at(shape, position):
    """Ones of `shape` but a 0 at `position`: multiplying by it puts a zero in the input of the next op."""
    mask = np.ones(shape)
    mask[position] = 0.0
    return ember.tensor(mask)


def _assign(key):
    def op(x, v):
        y = x * 1
        y[key] = v
        return y

    return op


R23, R3, P23 = ((2, 3), "real"), ((3,), "real"), ((2, 3), "positive")

# name -> (function of float64 leaves, (shape, domain) of each leaf)
OPS = {
    "add": (lambda a, b: a + b, [R23, R3]),
    "add(alpha)": (lambda a, b: a.add(b, alpha=-2.0), [R23, R3]),
    "sub": (lambda a, b: a - b, [R3, R23]),
    "mul": (lambda a, b: a * b, [R23, ((2, 1), "real")]),
    "div": (lambda a, b: a / b, [R23, R3]),
    "pow": (lambda a, b: a**b, [P23, R3]),
    "scalar ops": (lambda a: (a + 1) * 2 - a / 3, [R23]),
    "reflected scalar ops": (lambda a: 1 - 2 / a + 3 * a, [R23]),
    "x**2.5": (lambda a: a**2.5, [P23]),
    "x**-2": (lambda a: a**-2, [R23]),
    "2**x": (lambda a: 2**a, [R23]),
    "neg": (lambda a: -a, [R23]),
    "abs": (lambda a: a.abs(), [R23]),
    "exp": (lambda a: a.exp(), [R23]),
    "log": (lambda a: a.log(), [P23]),
    "sin": (lambda a: a.sin(), [R23]),
    "cos": (lambda a: a.cos(), [R23]),
    "tanh": (lambda a: a.tanh(), [R23]),
    "sqrt": (lambda a: a.sqrt(), [P23]),
    "sigmoid": (lambda a: a.sigmoid(), [R23]),
    "relu": (lambda a: a.relu(), [R23]),
    "clamp": (lambda a: a.clamp(-1.1, 0.9), [R23]),
    "clamp(min)": (lambda a: a.clamp(min=0.1), [R23]),
    "where": (lambda a, b: ember.where(a > 0, a, b), [R23, R3]),
    "maximum": (lambda a, b: ember.maximum(a, b), [R23, R3]),
    "minimum": (lambda a, b: ember.minimum(a, b), [R23, R3]),
    "matmul 2-d": (lambda a, b: a @ b, [((2, 3), "any"), ((3, 2), "any")]),
    "matmul batched": (lambda a, b: a @ b, [((2, 2, 3), "any"), ((3, 2), "any")]),
    "matmul vector": (lambda a, b: a @ b, [((2, 3), "any"), ((3,), "any")]),
    "matmul vector-vector": (lambda a, b: a @ b, [((3,), "any"), ((3,), "any")]),
    "mm": (lambda a, b: a.mm(b.t()), [((2, 3), "any"), ((2, 3), "any")]),
    "sum": (lambda a: a.sum(), [R23]),
    "sum(dim, keepdim)": (lambda a: a.sum(0, keepdim=True), [R23]),
    "sum(dims)": (lambda a: a.sum((0, 2)), [((2, 3, 2), "real")]),
    "mean": (lambda a: a.mean(), [R23]),
    "mean(dim)": (lambda a: a.mean(-1), [R23]),
    "max": (lambda a: a.max(), [R23]),
    "max(dim)": (lambda a: a.max(1)[0], [R23]),
    "min": (lambda a: a.min(), [R23]),
    "min(dim, keepdim)": (lambda a: a.min(0, keepdim=True).values, [R23]),
    "var": (lambda a: a.var(), [R23]),
    "var(dim, correction=0)": (lambda a: a.var(1, correction=0), [R23]),
    "std": (lambda a: a.std(), [R23]),
    "std(dim, keepdim)": (lambda a: a.std(0, keepdim=True), [R23]),
    "prod": (lambda a: a.prod(), [R23]),
    "prod(dim)": (lambda a: a.prod(1), [R23]),
    "softmax": (lambda a: a.softmax(1), [R23]),
    "softmax(dim=0)": (lambda a: F.softmax(a, dim=0), [R23]),
    "log_softmax": (lambda a: a.log_softmax(-1), [R23]),
    "view": (lambda a: a.view(3, 2) * 1, [R23]),
    "reshape": (lambda a: a.t().reshape(6), [R23]),
    "flatten": (lambda a: a.flatten(), [((2, 1, 3), "real")]),
    "squeeze": (lambda a: a.squeeze(1), [((2, 1, 3), "real")]),
    "unsqueeze": (lambda a: a.unsqueeze(0), [R23]),
    "transpose": (lambda a: a.transpose(0, 1), [R23]),
    "permute": (lambda a: a.permute(2, 0, 1), [((2, 1, 3), "real")]),
    "expand": (lambda a: a.expand(2, 2, 3), [((2, 1), "real")]),
    "expand_as": (lambda a, b: a.expand_as(b) * b, [R3, R23]),
    "contiguous": (lambda a: a.t().contiguous(), [R23]),
    "x[int]": (lambda a: a[1], [R23]),
    "x[slice with step]": (lambda a: a[:, ::2], [R23]),
    "x[None, ..., int]": (lambda a: a[None, ..., -1], [R23]),
    "x[1:].permute": (lambda a: a[1:].permute(1, 0), [((3, 2), "real")]),
    "x[int tensor with repeats]": (lambda a: a[_long([1, 0, 1])], [R23]),
    "x[bool mask]": (lambda a: a[ember.tensor([[True, False, True], [False, True, True]])], [R23]),
    "x[:, int tensor]": (lambda a: a[:, _long([2, 2])], [R23]),
    "y[int] = v": (_assign(0), [R23, R3]),
    "y[int tensor] = v": (_assign((slice(None), _long([2, 0]))), [R23, ((2, 1), "real")]),
    "cat": (lambda a, b: ember.cat([a, b, a], dim=1), [R23, ((2, 1), "real")]),
    "stack": (lambda a, b: ember.stack([a, b], dim=-1), [R23, R23]),
    "clone": (lambda a: a.clone(), [R23]),
    "add_": (_inplace("add_"), [R23, R3]),
    "mul_": (_inplace("mul_"), [R23, R3]),
    "sub_": (_inplace("sub_"), [R23, R3]),
    "div_": (_inplace("div_"), [R23, R3]),
    "copy_": (_inplace("copy_"), [R23, R3]),
    "clamp_": (lambda a: (a * 1).clamp_(-1.1, 0.9), [R23]),
    "mse_loss": (lambda a, b: F.mse_loss(a, b), [R23, R23]),
    "mse_loss(sum)": (lambda a, b: F.mse_loss(a, b, reduction="sum"), [R23, R23]),
    "l1_loss": (lambda a, b: F.l1_loss(a, b), [R23, ((2, 3), "unit")]),
    "l1_loss(none)": (lambda a, b: F.l1_loss(a, b, reduction="none"), [R23, ((2, 3), "unit")]),
    "cross_entropy": (lambda a: F.cross_entropy(a, _long([2, 0])), [R23]),
    "cross_entropy(sum)": (lambda a: F.cross_entropy(a, _long([1, 1]), reduction="sum"), [R23]),
    "nll_loss(none)": (lambda a: F.nll_loss(a.log_softmax(1), _long([2, 0]), reduction="none"), [R23]),
    "binary_cross_entropy": (lambda a, b: F.binary_cross_entropy(a, b), [((2, 3), "unit"), ((2, 3), "unit")]),
    "binary_cross_entropy_with_logits(sum)": (
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="sum"),
        [R23, ((2, 3), "unit")],
    ),
    "linear": (lambda x, w, b: F.linear(x, w, b), [((2, 3), "any"), ((2, 3), "any"), ((2,), "any")]),
    "cumsum": (lambda a: a.cumsum(1), [R23]),
    "cumprod": (lambda a: ember.cumprod(a, 0), [((3, 2), "real")]),
    "cumprod with a zero": (lambda a: (a * _zero_at((2, 3), (0, 1))).cumprod(1), [R23]),
    "cummax": (lambda a: ember.cummax(a, 1).values, [R23]),
    "sort": (lambda a: a.sort(1, descending=True).values, [R23]),
    "topk": (lambda a: ember.topk(a, 2, 0).values, [((3, 2), "real")]),
    "kthvalue": (lambda a: a.kthvalue(2, 1).values, [R23]),
    "median": (lambda a: a.median(), [R23]),
    "median(dim)": (lambda a: ember.median(a, 0, keepdim=True).values, [((3, 2), "real")]),
}

# Every elementwise op of the registry with a nonzero gradient, first and second order.
_REGISTRY = [entry for entry in UNARY if entry.differentiable and entry.backward is not None]
OPS.update({f"registry {entry.name}": (getattr(ember, entry.name), [((2, 3), entry.domain)]) for entry in _REGISTRY})
# And every binary one PyTorch differentiates, the second operand broadcast (its gradient is summed).
# igamma and igammac: PyTorch differentiates the second operand only (the first's gradient raises), so the first
# is a constant there.
_SECOND_ONLY = {"igamma", "igammac"}
_BINARY = [entry for entry in BINARY if entry.public and entry.differentiable and "float64" not in entry.refuses]
OPS.update({f"registry {entry.name}": (getattr(ember, entry.name), [((2, 3), "real" if d == "nonzero" else d)
                                                                     for d in entry.domains[:1]] +
                                       [((3,), "real" if entry.domains[1] == "nonzero" else entry.domains[1])])
            for entry in _BINARY if entry.name not in _SECOND_ONLY})
_CONSTANT_FIRST = ember.tensor(np.random.default_rng(7).uniform(0.5, 2.0, (2, 3)))
OPS.update({f"registry {entry.name}": (lambda x, name=entry.name: getattr(ember, name)(_CONSTANT_FIRST, x),
                                       [((3,), entry.domains[1])])
            for entry in _BINARY if entry.name in _SECOND_ONLY})

# And every reduction entry with a gradient (ember/_ops/reduction.py), over all elements and along a dim.
_REDUCTIONS = [entry for entry in REDUCTIONS if entry.backward is not None]
OPS.update({f"registry {entry.name}{form}": (lambda a, name=entry.name, args=args: getattr(a, name)(*args), [R23])
            for entry in _REDUCTIONS for form, args in (("", ()), ("(dim, keepdim)", (1, True)))})

# Gather and scatter (ember/_ops/scatter.py), indices repeating where the op allows it.
_ALONG = [[0, 2, 2], [1, 1, 0]]
SCATTER_OPS = {
    "gather": (lambda a: a.gather(1, _long(_ALONG)), [R23]),
    "scatter": (lambda a, s: a.scatter(1, _long([[2, 0], [1, 2]]), s), [R23, ((2, 2), "real")]),
    "scatter(value)": (lambda a: a.scatter(1, _long([[1], [2]]), 1.5), [R23]),
    "scatter_add": (lambda a, s: a.scatter_add(1, _long(_ALONG), s), [R23, R23]),
    **{f"scatter_reduce({reduce}{', include_self=False' * (not include_self)})":
       (lambda a, s, r=reduce, i=include_self: a.scatter_reduce(1, _long(_ALONG), s, r, include_self=i), [P23, P23])
       for reduce in ("sum", "prod", "mean", "amax", "amin") for include_self in (True, False)},
    "index_select": (lambda a: a.index_select(1, _long([2, 0, 2])), [R23]),
    "index_add(alpha)": (lambda a, s: a.index_add(1, _long([0, 0]), s, alpha=-2.0), [R23, ((2, 2), "real")]),
    "index_copy": (lambda a, s: a.index_copy(0, _long([1]), s), [R23, ((1, 3), "real")]),
    "index_fill(tensor)": (lambda a, v: a.index_fill(1, _long([0, 2]), v[0]), [R23, ((1,), "real")]),
    "masked_select": (lambda a: a.masked_select(ember.tensor([True, False, True])), [R23]),
    "masked_scatter": (lambda a, s: a.masked_scatter(ember.tensor([False, True, True]), s), [R23, ((5,), "real")]),
    "take": (lambda a: a.take(_long([[0, 5], [5, -2]])), [R23]),
    "take_along_dim": (lambda a: a.take_along_dim(_long([[2, 2, 0]]), 1), [R23]),
    "index_put(accumulate)": (lambda a, v: ember.index_put(a, (_long([1, 1]),), v, True), [R23, R3]),
    "repeat_interleave": (lambda a: a.repeat_interleave(2, dim=1), [R23]),
    "repeat_interleave(tensor)": (lambda a: a.repeat_interleave(_long([0, 3])), [((2,), "real")]),
}
OPS.update(SCATTER_OPS)

# Ops whose second derivatives are checked (relu away from 0, where its second derivative is 0).
SECOND_ORDER = [
    "add",
    "mul",
    "div",
    "pow",
    "exp",
    "log",
    "tanh",
    "sigmoid",
    "matmul 2-d",
    "matmul batched",
    "sum",
    "sum(dim, keepdim)",
    "mean",
    "mean(dim)",
    "softmax",
    "log_softmax",
    "relu",
    "prod",
    "prod(dim)",
    "cumsum",
    "cumprod",
    "cumprod with a zero",
    "sort",
    "topk",
    "median(dim)",
    *(f"registry {entry.name}" for entry in _REGISTRY + _BINARY),
    *(f"registry {entry.name}{form}" for entry in _REDUCTIONS for form in ("", "(dim, keepdim)")),
    *SCATTER_OPS,
]

# Matrix products, einsum, padding, unfold and lerp (issue 7), first and second order.
_A = ((2, 3), "any")
PRODUCTS_AND_WINDOWS = {
    "bmm": (lambda a, b: ember.bmm(a, b), [((2, 2, 3), "any"), ((2, 3, 2), "any")]),
    "addmm": (lambda i, a, b: ember.addmm(i, a, b, beta=0.5, alpha=2.0), [((3,), "any"), ((2, 2), "any"), _A]),
    "addmv": (lambda i, m, v: ember.addmv(i, m, v, beta=2.0, alpha=-1.0), [((2,), "any"), _A, ((3,), "any")]),
    "addr": (lambda i, a, b: ember.addr(i, a, b, alpha=0.5), [_A, ((2,), "any"), ((3,), "any")]),
    "baddbmm": (lambda i, a, b: ember.baddbmm(i, a, b, beta=-1.0), [((2, 1), "any"), ((2, 2, 3), "any"),
                                                                      ((2, 3, 2), "any")]),
    "addbmm": (lambda i, a, b: ember.addbmm(i, a, b, alpha=3.0), [((2, 2), "any"), ((2, 2, 3), "any"),
                                                                    ((2, 3, 2), "any")]),
    "vdot": (lambda a, b: ember.vdot(a, b), [((3,), "any"), ((3,), "any")]),
    "einsum matmul": (lambda a, b: ember.einsum("ij,jk->ik", a, b), [_A, ((3, 2), "any")]),
    "einsum batched ellipsis": (lambda a, b: ember.einsum("...ij,...jk", a, b), [((2, 2, 3), "any"), ((3, 2), "any")]),
    "einsum diagonal": (lambda a: ember.einsum("ii->i", a), [((3, 3), "any")]),
    "einsum three operands": (lambda a, b, c: ember.einsum("i,ij,j->", a, b, c), [((2,), "any"), _A, ((3,), "any")]),
    "pad constant": (lambda a: F.pad(a, (1, -1, 2, 0), value=1.5), [_A]),
    "pad reflect": (lambda a: F.pad(a, (2, 1), mode="reflect"), [((1, 2, 4), "any")]),
    "pad reflect 2-d": (lambda a: F.pad(a, (1, 2, 1, 0), mode="reflect"), [((1, 3, 4), "any")]),
    "pad replicate": (lambda a: F.pad(a, (2, 1), mode="replicate"), [((1, 2, 3), "any")]),
    "pad circular": (lambda a: F.pad(a, (2, 1, 1, 1), mode="circular"), [((1, 2, 3), "any")]),
    "unfold": (lambda a: a.unfold(1, 2, 1), [((2, 4), "any")]),
    "lerp": (lambda a, b: ember.lerp(a, b, 0.7), [_A, _A]),
    "lerp(tensor weight)": (lambda a, b, w: ember.lerp(a, b, w), [_A, ((3,), "any"), ((2, 1), "any")]),
}
OPS.update(PRODUCTS_AND_WINDOWS)
SECOND_ORDER += list(PRODUCTS_AND_WINDOWS)


@pytest.mark.parametrize("name", list(OPS))
def test_gradient_agrees_with_finite_differences(name):
    fn, specs = OPS[name]
    assert gradcheck(fn, _leaves(specs), eps=EPS, atol=1e-5, rtol=1e-3) is True


@pytest.mark.parametrize("name", list(OPS))
def test_forward_mode_agrees_with_finite_differences(name):
    fn, specs = OPS[name]
    assert gradcheck(fn, _leaves(specs), eps=EPS, atol=1e-5, rtol=1e-3, check_forward_ad=True,
                     check_backward_ad=False) is True


def _grad_of(fn, count):
    """(inputs..., upstream) -> the first gradients, built with create_graph=True so they differentiate."""

    def first_gradients(*args):
        inputs, upstream = args[:count], args[count]
        return ember.autograd.grad(fn(*inputs), inputs, grad_outputs=upstream, create_graph=True)

    return first_gradients


def _double_backward_case(name, seed=0):
    fn, specs = OPS[name]
    inputs = _leaves(specs, seed)
    with ember.no_grad():
        output_shape = tuple(fn(*inputs).shape)
    rng = np.random.default_rng(seed + 1)
    upstream = ember.tensor(rng.standard_normal(output_shape), requires_grad=True)
    return _grad_of(fn, len(inputs)), inputs + (upstream,)


def _projected(function, args, projections):
    """sum_i <function(args)_i, projections_i>: a scalar whose gradient is a vector-Jacobian product."""
    total = None
    for result, projection in zip(function(*args), projections):
        term = (result * ember.tensor(projection)).sum()
        total = term if total is None else total + term
    return total


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_double_backward_agrees_with_finite_differences(name):
    """d/d(args) <grad(f)(x, v), u> from double backward equals central differences of the first gradient,
    for the inputs x and the upstream gradient v alike."""
    first_gradients, args = _double_backward_case(name)
    rng = np.random.default_rng(7)
    projections = [rng.standard_normal(tuple(g.shape)) for g in first_gradients(*args)]
    analytic = ember.autograd.grad(_projected(first_gradients, args, projections), args, allow_unused=True)
    for index, arg in enumerate(args):
        base = arg.detach().numpy().copy()
        numeric = np.zeros_like(base)
        for position in np.ndindex(base.shape):
            values = []
            for sign in (1.0, -1.0):
                shifted = base.copy()
                shifted[position] += sign * EPS
                moved = list(args)
                moved[index] = ember.tensor(shifted, requires_grad=True)
                values.append(_projected(first_gradients, moved, projections).item())
            numeric[position] = (values[0] - values[1]) / (2 * EPS)
        got = np.zeros_like(base) if analytic[index] is None else analytic[index].detach().numpy(force=True)
        np.testing.assert_allclose(got, numeric, rtol=1e-3, atol=1e-5, err_msg=f"{name}: argument {index}")


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_gradgradcheck_passes(name):
    fn, specs = OPS[name]
    assert gradgradcheck(fn, _leaves(specs)) is True


class _Square(ember.autograd.Function):
    """x**2 with the correct backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 2 * x * grad_output


class _SquareWithWrongBackward(ember.autograd.Function):
    """x**2 whose backward forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return x * grad_output


def test_gradcheck_accepts_a_correct_custom_function():
    assert gradcheck(_Square.apply, _leaves([R23])) is True


def test_gradcheck_raises_on_a_wrong_backward():
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradcheck(_SquareWithWrongBackward.apply, _leaves([R23]))


def test_gradcheck_returns_false_on_a_wrong_backward_when_told_not_to_raise():
    assert gradcheck(_SquareWithWrongBackward.apply, _leaves([R23]), raise_exception=False) is False


def test_gradcheck_fails_on_a_small_error_above_its_tolerance():
    """An error of 1% (above rtol=1e-3) must be caught, not only a factor of 2."""

    class _SlightlyWrong(_Square):
        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return 2.02 * x * grad_output

    assert gradcheck(_SlightlyWrong.apply, _leaves([P23]), raise_exception=False) is False


class _SquareWithJvp(_Square):
    """x**2 with a forward-mode formula; `factor` 2 is right."""

    factor = 2.0

    @classmethod
    def jvp(cls, ctx, tangent):
        (x,) = ctx.saved_tensors
        return cls.factor * x * tangent

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)
        return x * x


def test_forward_mode_gradcheck_accepts_a_correct_jvp_and_refuses_a_wrong_one():
    assert gradcheck(_SquareWithJvp.apply, _leaves([R23]), check_forward_ad=True, check_backward_ad=False) is True

    class _WrongJvp(_SquareWithJvp):
        factor = 3.0

    with pytest.raises(RuntimeError, match="Jacobian computed with forward mode mismatch"):
        gradcheck(_WrongJvp.apply, _leaves([R23]), check_forward_ad=True, check_backward_ad=False)
    assert gradcheck(_WrongJvp.apply, _leaves([R23])) is True  # reverse mode only, by default
