"""Elementwise ops against PyTorch: unary, binary with broadcasting, scalars and reflected operators,
comparisons, where, clamp, and the dtypes of results (type promotion)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)
BROADCAST_SHAPES = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3)
FLOAT_DTYPES = st.sampled_from(["float32", "float64"])
SEEDS = st.integers(0, 2**16)

UNARY_DOMAINS = {
    "neg": "real",
    "abs": "real",
    "exp": "real",
    "log": "positive",
    "sin": "any",
    "cos": "any",
    "tanh": "real",
    "sqrt": "positive",
    "sigmoid": "real",
    "relu": "real",
}


def _unary_forms():
    for name, domain in UNARY_DOMAINS.items():
        yield pytest.param(lambda lib, x, name=name: getattr(lib, name)(x), domain, id=f"lib.{name}")
        yield pytest.param(lambda lib, x, name=name: getattr(x, name)(), domain, id=f"Tensor.{name}")
    yield pytest.param(lambda lib, x: -x, "real", id="-x")
    yield pytest.param(lambda lib, x: abs(x), "real", id="abs(x)")
    yield pytest.param(lambda lib, x: lib.nn.functional.relu(x), "real", id="F.relu")


BINARY = {
    "a+b": (lambda lib, a, b: a + b, "real"),
    "a-b": (lambda lib, a, b: a - b, "real"),
    "a*b": (lambda lib, a, b: a * b, "real"),
    "a/b": (lambda lib, a, b: a / b, "real"),
    "a**b": (lambda lib, a, b: a**b, "positive"),
    "lib.add": (lambda lib, a, b: lib.add(a, b), "real"),
    "Tensor.add(alpha=2)": (lambda lib, a, b: a.add(b, alpha=2), "real"),
    "lib.sub": (lambda lib, a, b: lib.sub(a, b), "real"),
    "Tensor.sub(alpha=0.5)": (lambda lib, a, b: a.sub(b, alpha=0.5), "real"),
    "lib.mul": (lambda lib, a, b: lib.mul(a, b), "real"),
    "Tensor.mul": (lambda lib, a, b: a.mul(b), "real"),
    "lib.div": (lambda lib, a, b: lib.div(a, b), "real"),
    "Tensor.div": (lambda lib, a, b: a.div(b), "real"),
    "lib.pow": (lambda lib, a, b: lib.pow(a, b), "positive"),
    "Tensor.pow": (lambda lib, a, b: a.pow(b), "positive"),
    "lib.maximum": (lambda lib, a, b: lib.maximum(a, b), "real"),
    "lib.minimum": (lambda lib, a, b: lib.minimum(a, b), "real"),
    "Tensor.maximum": (lambda lib, a, b: a.maximum(b), "real"),
    "lib.where": (lambda lib, a, b: lib.where(a > 0, a, b), "real"),
}

SCALAR = {
    "x+2": (lambda lib, x: x + 2, "real"),
    "2+x": (lambda lib, x: 2 + x, "real"),
    "x-2.5": (lambda lib, x: x - 2.5, "real"),
    "2.5-x": (lambda lib, x: 2.5 - x, "real"),
    "x*3": (lambda lib, x: x * 3, "real"),
    "3*x": (lambda lib, x: 3 * x, "real"),
    "x/4": (lambda lib, x: x / 4, "real"),
    "4/x": (lambda lib, x: 4 / x, "real"),
    "x**2": (lambda lib, x: x**2, "real"),
    "x**3": (lambda lib, x: x**3, "real"),
    "x**0.5": (lambda lib, x: x**0.5, "positive"),
    "x**-1.5": (lambda lib, x: x**-1.5, "positive"),
    "x**0": (lambda lib, x: x**0, "real"),
    "2**x": (lambda lib, x: 2**x, "real"),
    "1.5**x": (lambda lib, x: 1.5**x, "real"),
    "Tensor.add(2)": (lambda lib, x: x.add(2), "real"),
    "Tensor.sub(1)": (lambda lib, x: x.sub(1), "real"),
    "Tensor.mul(0.5)": (lambda lib, x: x.mul(0.5), "real"),
    "Tensor.div(2)": (lambda lib, x: x.div(2), "real"),
    "Tensor.pow(3)": (lambda lib, x: x.pow(3), "real"),
    "lib.pow(2,x)": (lambda lib, x: lib.pow(2, x), "real"),
    "clamp(-1,1)": (lambda lib, x: x.clamp(-1, 1), "real"),
    "clamp(min=0.5)": (lambda lib, x: x.clamp(min=0.5), "real"),
    "clamp(max=-0.5)": (lambda lib, x: x.clamp(max=-0.5), "real"),
    "lib.clamp(x,-0.5,1.5)": (lambda lib, x: lib.clamp(x, -0.5, 1.5), "real"),
    "lib.where(x>0,x,0.)": (lambda lib, x: lib.where(x > 0, x, 0.0), "real"),
    "lib.where(x>0,1.,x)": (lambda lib, x: lib.where(x > 0, 1.0, x), "real"),
}

COMPARISONS = {
    "==": lambda lib, a, b: a == b,
    "!=": lambda lib, a, b: a != b,
    "<": lambda lib, a, b: a < b,
    "<=": lambda lib, a, b: a <= b,
    ">": lambda lib, a, b: a > b,
    ">=": lambda lib, a, b: a >= b,
    "lib.eq": lambda lib, a, b: lib.eq(a, b),
    "Tensor.ne": lambda lib, a, b: a.ne(b),
    "Tensor.lt": lambda lib, a, b: a.lt(b),
    "Tensor.le": lambda lib, a, b: a.le(b),
    "lib.gt": lambda lib, a, b: lib.gt(a, b),
    "Tensor.ge": lambda lib, a, b: a.ge(b),
}

SCALAR_COMPARISONS = {
    "x==1": lambda lib, x: x == 1,
    "x!=1": lambda lib, x: x != 1,
    "x<0.5": lambda lib, x: x < 0.5,
    "0.5<x": lambda lib, x: 0.5 < x,
    "x<=1": lambda lib, x: x <= 1,
    "x>-1": lambda lib, x: x > -1,
    "1>=x": lambda lib, x: 1 >= x,
}

DTYPES = ("bool", "int32", "int64", "float16", "float32", "float64")
# Values for dtype checks: no zeros (true division) and no negatives (integer powers).
DTYPE_DOMAINS = {
    "bool": "bool",
    "int32": "positive_int",
    "int64": "positive_int",
    "float16": "positive",
    "float32": "positive",
    "float64": "positive",
}

DTYPE_BINARY = {
    "+": lambda lib, a, b: a + b,
    "-": lambda lib, a, b: a - b,
    "*": lambda lib, a, b: a * b,
    "/": lambda lib, a, b: a / b,
    "**": lambda lib, a, b: a**b,
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "minimum": lambda lib, a, b: lib.minimum(a, b),
    "==": lambda lib, a, b: a == b,
    "<": lambda lib, a, b: a < b,
    "@": lambda lib, a, b: a @ b,
    "where": lambda lib, a, b: lib.where(b > 1, a, b),
}

DTYPE_SCALAR = {
    "x+s": lambda lib, x, s: x + s,
    "s+x": lambda lib, x, s: s + x,
    "x-s": lambda lib, x, s: x - s,
    "s-x": lambda lib, x, s: s - x,
    "x*s": lambda lib, x, s: x * s,
    "x/s": lambda lib, x, s: x / s,
    "s/x": lambda lib, x, s: s / x,
    "x**s": lambda lib, x, s: x**s,
    "s**x": lambda lib, x, s: s**x,
    "x<s": lambda lib, x, s: x < s,
    "x==s": lambda lib, x, s: x == s,
    "clamp(min=s)": lambda lib, x, s: x.clamp(min=s),
}

DTYPE_UNARY = {
    "neg": lambda lib, x: -x,
    "abs": lambda lib, x: x.abs(),
    "exp": lambda lib, x: x.exp(),
    "log": lambda lib, x: x.log(),
    "sin": lambda lib, x: x.sin(),
    "sqrt": lambda lib, x: x.sqrt(),
    "tanh": lambda lib, x: x.tanh(),
    "sigmoid": lambda lib, x: x.sigmoid(),
    "relu": lambda lib, x: x.relu(),
}


def _view(oracle, tensor, layout):
    return oracle.view_as_layout(tensor, layout)


@pytest.mark.parametrize(("op", "domain"), list(_unary_forms()))
@settings(max_examples=8, deadline=None)
@given(shape=SHAPES, dtype=FLOAT_DTYPES, seed=SEEDS, data=st.data())
def test_unary_op_matches_torch(oracle, op, domain, shape, dtype, seed, data):
    layout = data.draw(st.sampled_from(oracle.layouts), label="layout")
    x = oracle.layout_array(oracle.rng(seed), shape, layout, dtype, domain)
    oracle.check(lambda lib, leaf: op(lib, _view(oracle, leaf, layout)), x, seed=seed)


@pytest.mark.parametrize("name", list(BINARY))
@settings(max_examples=10, deadline=None)
@given(shapes=BROADCAST_SHAPES, dtype=FLOAT_DTYPES, seed=SEEDS, data=st.data())
def test_binary_op_broadcasts_like_torch(oracle, name, shapes, dtype, seed, data):
    op, domain = BINARY[name]
    layouts = data.draw(
        st.tuples(st.sampled_from(oracle.layouts), st.sampled_from(oracle.layouts)), "layouts"
    )
    rng = oracle.rng(seed)
    a = oracle.layout_array(rng, shapes.input_shapes[0], layouts[0], dtype, domain)
    b = oracle.layout_array(rng, shapes.input_shapes[1], layouts[1], dtype, "real")
    oracle.check(
        lambda lib, x, y: op(lib, _view(oracle, x, layouts[0]), _view(oracle, y, layouts[1])), a, b, seed=seed
    )


@pytest.mark.parametrize("name", list(SCALAR))
@settings(max_examples=6, deadline=None)
@given(shape=SHAPES, dtype=FLOAT_DTYPES, seed=SEEDS, data=st.data())
def test_scalar_and_reflected_op_matches_torch(oracle, name, shape, dtype, seed, data):
    op, domain = SCALAR[name]
    layout = data.draw(st.sampled_from(oracle.layouts), label="layout")
    x = oracle.layout_array(oracle.rng(seed), shape, layout, dtype, domain)
    oracle.check(lambda lib, leaf: op(lib, _view(oracle, leaf, layout)), x, seed=seed)


@pytest.mark.parametrize("name", list(COMPARISONS))
@settings(max_examples=6, deadline=None)
@given(shapes=BROADCAST_SHAPES, dtype=st.sampled_from(["float32", "float64", "int32", "int64"]), seed=SEEDS)
def test_comparison_gives_bool_without_grad(oracle, name, shapes, dtype, seed):
    rng = oracle.rng(seed)
    # Small integers make equal elements common, so == and <= are really exercised.
    a, b = (oracle.array(rng, shape, dtype, "small_int") for shape in shapes.input_shapes)
    ember_result, _ = oracle.check(COMPARISONS[name], a, b)
    assert oracle.grad_fn_name(ember_result) is None


@pytest.mark.parametrize("name", list(SCALAR_COMPARISONS))
def test_scalar_comparison_gives_bool(oracle, name):
    x = np.array([[-1.0, 0.5, 1.0], [2.0, 1.0, -0.5]], dtype="float32")
    oracle.check(SCALAR_COMPARISONS[name], x)


KINKS = {
    "relu at 0": (lambda lib, x: x.relu(), [[-1.0, 0.0, 2.0]]),
    "abs at 0": (lambda lib, x: x.abs(), [[-1.0, 0.0, 2.0]]),
    "clamp at its bounds": (lambda lib, x: x.clamp(-1.0, 1.0), [[-2.0, -1.0, 0.0, 1.0, 2.0]]),
    "clamp(min) at its bound": (lambda lib, x: x.clamp(min=0.0), [[-1.0, 0.0, 1.0]]),
    "x**2 at 0": (lambda lib, x: x**2, [[0.0, 1.0]]),
    "maximum with ties": (lambda lib, a, b: lib.maximum(a, b), [[1.0, 2.0, 3.0], [1.0, 0.0, 3.0]]),
    "minimum with ties": (lambda lib, a, b: lib.minimum(a, b), [[1.0, 2.0, 3.0], [1.0, 0.0, 3.0]]),
    "where with a broadcast condition": (
        lambda lib, a, b: lib.where(a[:1] > 0, a, b),
        [[[1.0, -1.0], [2.0, 3.0]], [4.0, 5.0]],
    ),
}


@pytest.mark.parametrize("name", list(KINKS))
def test_gradient_at_a_kink_or_tie_matches_torch(oracle, name):
    op, values = KINKS[name]
    oracle.check(op, *[np.array(v, dtype="float64") for v in values])


@pytest.mark.parametrize("name", list(DTYPE_BINARY))
@pytest.mark.parametrize(("dtype_a", "dtype_b"), list(itertools.product(DTYPES, DTYPES)))
def test_binary_result_dtype_follows_torch_promotion(oracle, name, dtype_a, dtype_b):
    rng = oracle.rng(1)
    a = oracle.array(rng, (2, 3), dtype_a, DTYPE_DOMAINS[dtype_a])
    b = oracle.array(rng, (3,) if name != "@" else (3, 2), dtype_b, DTYPE_DOMAINS[dtype_b])
    oracle.check_forward(DTYPE_BINARY[name], a, b)


@pytest.mark.parametrize("name", list(DTYPE_SCALAR))
@pytest.mark.parametrize("scalar", [True, 2, 2.5], ids=["True", "2", "2.5"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_scalar_result_dtype_follows_torch_promotion(oracle, name, scalar, dtype):
    x = oracle.array(oracle.rng(2), (2, 3), dtype, DTYPE_DOMAINS[dtype])
    oracle.check_forward(lambda lib, t: DTYPE_SCALAR[name](lib, t, scalar), x)


@pytest.mark.parametrize(("dtype", "zero_dim_dtype"), list(itertools.product(DTYPES, DTYPES)))
def test_zero_dim_tensor_promotes_like_a_scalar(oracle, dtype, zero_dim_dtype):
    """A 0-d tensor only decides the result dtype when its category (bool < int < float) is higher."""
    x = oracle.array(oracle.rng(3), (2, 3), dtype, DTYPE_DOMAINS[dtype])
    y = np.asarray(oracle.array(oracle.rng(4), (), zero_dim_dtype, DTYPE_DOMAINS[zero_dim_dtype]))
    oracle.check_forward(lambda lib, a, b: a * b, x, y)


@pytest.mark.parametrize("name", list(DTYPE_UNARY))
@pytest.mark.parametrize("dtype", DTYPES)
def test_unary_result_dtype_follows_torch(oracle, name, dtype):
    x = oracle.array(oracle.rng(5), (2, 3), dtype, DTYPE_DOMAINS[dtype])
    oracle.check_forward(DTYPE_UNARY[name], x)


def test_integer_to_negative_integer_power_raises(oracle):
    assert oracle.check_raises(lambda lib, x: x**-1, np.array([1, 2], dtype="int64")) is RuntimeError


@pytest.mark.parametrize("dtype", ["bool", "int32", "int64"])
def test_integer_tensor_cannot_require_grad(oracle, dtype):
    array = np.ones(3, dtype=dtype)
    with pytest.raises(RuntimeError):
        torch.tensor(array, requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        oracle.ember.tensor(array, requires_grad=True)
