"""Reductions against PyTorch: sum mean max min argmax argmin var std prod over dims with keepdim, and
softmax/log_softmax, forward values and gradients."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

FLOAT_DTYPES = st.sampled_from(["float32", "float64"])
SEEDS = st.integers(0, 2**16)


def _method(name):
    def op(lib, x, dim, keepdim):
        return getattr(x, name)() if dim is None else getattr(x, name)(dim, keepdim=keepdim)

    return op


def _function(name):
    def op(lib, x, dim, keepdim):
        function = getattr(lib, name)
        return function(x) if dim is None else function(x, dim=dim, keepdim=keepdim)

    return op


# name -> (op, smallest side, smallest ndim, whether dim may be a tuple)
REDUCTIONS = {
    "Tensor.sum": (_method("sum"), 0, 0, True),
    "lib.sum": (_function("sum"), 0, 0, True),
    "Tensor.mean": (_method("mean"), 0, 0, True),
    "lib.mean": (_function("mean"), 0, 0, True),
    "Tensor.prod": (_method("prod"), 0, 0, False),
    "Tensor.max": (_method("max"), 1, 0, False),
    "lib.max": (_function("max"), 1, 0, False),
    "Tensor.min": (_method("min"), 1, 0, False),
    "lib.min": (_function("min"), 1, 0, False),
    "Tensor.argmax": (_method("argmax"), 1, 0, False),
    "Tensor.argmin": (_method("argmin"), 1, 0, False),
    "lib.argmax": (_function("argmax"), 1, 0, False),
    # var/std of a single element divide by zero (correction=1): keep at least two per reduction.
    "Tensor.var": (_method("var"), 2, 1, True),
    "lib.var": (_function("var"), 2, 1, True),
    "Tensor.std": (_method("std"), 2, 1, True),
    "lib.std": (_function("std"), 2, 1, True),
}

SOFTMAXES = {
    "lib.softmax": lambda lib, x, dim: lib.softmax(x, dim),
    "Tensor.softmax": lambda lib, x, dim: x.softmax(dim),
    "F.softmax": lambda lib, x, dim: lib.nn.functional.softmax(x, dim=dim),
    "lib.log_softmax": lambda lib, x, dim: lib.log_softmax(x, dim),
    "Tensor.log_softmax": lambda lib, x, dim: x.log_softmax(dim),
    "F.log_softmax": lambda lib, x, dim: lib.nn.functional.log_softmax(x, dim=dim),
}


@st.composite
def reduction_cases(draw, min_side, min_dims, tuple_dims):
    """A shape and a valid `dim` for it (None, an int, or a tuple of distinct dims, negative or not)."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=4, min_side=min_side, max_side=4))
    ndim = max(len(shape), 1)
    signed = lambda d: st.sampled_from([d, d - ndim])  # noqa: E731
    choices = [st.none(), st.integers(0, ndim - 1).flatmap(signed)]
    if tuple_dims:
        distinct = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)
        choices.append(distinct.flatmap(lambda dims: st.tuples(*[signed(d) for d in dims])))
    return shape, draw(st.one_of(choices)), draw(st.booleans())


@pytest.mark.parametrize("name", list(REDUCTIONS))
@settings(max_examples=12, deadline=None)
@given(dtype=FLOAT_DTYPES, seed=SEEDS, data=st.data())
def test_reduction_matches_torch(oracle, name, dtype, seed, data):
    op, min_side, min_dims, tuple_dims = REDUCTIONS[name]
    shape, dim, keepdim = data.draw(
        reduction_cases(min_side, min_dims, tuple_dims), label="shape, dim, keepdim"
    )
    layout = data.draw(st.sampled_from(oracle.layouts), label="layout")
    x = oracle.layout_array(oracle.rng(seed), shape, layout, dtype, "real")
    oracle.check(lambda lib, leaf: op(lib, oracle.view_as_layout(leaf, layout), dim, keepdim), x, seed=seed)


@pytest.mark.parametrize("name", ["Tensor.sum", "Tensor.prod", "Tensor.max", "Tensor.min", "Tensor.argmax"])
@pytest.mark.parametrize("dtype", ["bool", "int32", "int64"])
@pytest.mark.parametrize("dim", [None, 1])
def test_integer_reduction_result_dtype_follows_torch(oracle, name, dtype, dim):
    """sum/prod of bool or int widen to int64; max/min keep the dtype; argmax gives int64 (ties: first)."""
    x = oracle.array(oracle.rng(0), (3, 4), dtype, "bool" if dtype == "bool" else "small_int")
    op = REDUCTIONS[name][0]
    oracle.check_forward(lambda lib, t: op(lib, t, dim, False), x)


@pytest.mark.parametrize("name", ["Tensor.mean", "Tensor.var", "Tensor.std"])
def test_mean_var_std_of_integers_raise(oracle, name):
    op = REDUCTIONS[name][0]
    oracle.check_raises(lambda lib, t: op(lib, t, None, False), np.arange(6, dtype="int64"))


def test_max_over_dim_returns_values_and_indices(oracle):
    x = oracle.array(oracle.rng(1), (3, 4), "float32")
    ember_result, torch_result = oracle.check(lambda lib, t: t.max(dim=1), x)
    values, indices = ember_result
    oracle.assert_same(ember_result.values, torch_result.values)
    oracle.assert_same(ember_result.indices, torch_result.indices)
    assert ember_result.values is values and ember_result.indices is indices


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(lambda lib, x: x.max(), id="max()"),
        pytest.param(lambda lib, x: x.min(), id="min()"),
        pytest.param(lambda lib, x: x.max(1)[0], id="max(1)"),
        pytest.param(lambda lib, x: x.min(0, keepdim=True)[0], id="min(0,keepdim)"),
        pytest.param(lambda lib, x: x.argmax(1), id="argmax(1)"),
        pytest.param(lambda lib, x: x.argmin(), id="argmin()"),
    ],
)
def test_reduction_with_ties_matches_torch(oracle, op):
    """Full max/min spread the gradient evenly over ties; max(dim) sends it to the reported index."""
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, -1.0], [-1.0, 0.0, -1.0]])
    oracle.check(op, x)


@pytest.mark.parametrize(
    "values",
    [[2.0, 0.0, 3.0, -1.5], [0.0, 2.0, 0.0, 3.0], [[0.0, 2.0], [3.0, 0.0], [1.5, -2.0]]],
    ids=["one zero", "two zeros", "zeros per row"],
)
@pytest.mark.parametrize("dim", [None, 0, -1])
def test_prod_gradient_with_zeros_matches_torch(oracle, values, dim):
    oracle.check(lambda lib, t: t.prod() if dim is None else t.prod(dim), np.array(values))


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(lambda lib, x: x.var(1, unbiased=False), id="var(1,unbiased=False)"),
        pytest.param(lambda lib, x: x.var(1, correction=0), id="var(1,correction=0)"),
        pytest.param(lambda lib, x: x.var(dim=(0, 1), correction=2, keepdim=True), id="var(correction=2)"),
        pytest.param(lambda lib, x: x.std(0, unbiased=True), id="std(0,unbiased=True)"),
        pytest.param(lambda lib, x: x.std(correction=0), id="std(correction=0)"),
        pytest.param(lambda lib, x: lib.std(x, dim=-1, keepdim=True), id="lib.std(-1,keepdim)"),
    ],
)
def test_var_std_correction_matches_torch(oracle, op):
    oracle.check(op, oracle.array(oracle.rng(2), (4, 5), "float64"))


@pytest.mark.parametrize(
    "op",
    [lambda lib, x: x.sum(1), lambda lib, x: x.mean(0), lambda lib, x: x.prod(1)],
    ids=["sum(1)", "mean(0)", "prod(1)"],
)
def test_reduction_over_empty_dims_matches_torch(oracle, op):
    oracle.check(op, np.zeros((0, 3)))


@pytest.mark.parametrize(
    "op",
    [lambda lib, x: x.max(), lambda lib, x: x.max(0), lambda lib, x: x.argmax()],
    ids=["max()", "max(0)", "argmax()"],
)
def test_max_of_empty_raises(oracle, op):
    oracle.check_raises(op, np.zeros((0, 3)))


@pytest.mark.parametrize("name", list(SOFTMAXES))
@settings(max_examples=10, deadline=None)
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5),
    dtype=FLOAT_DTYPES,
    seed=SEEDS,
    data=st.data(),
)
def test_softmax_matches_torch(oracle, name, shape, dtype, seed, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    layout = data.draw(st.sampled_from(oracle.layouts), label="layout")
    x = oracle.layout_array(oracle.rng(seed), shape, layout, dtype, "any")
    op = SOFTMAXES[name]
    oracle.check(lambda lib, leaf: op(lib, oracle.view_as_layout(leaf, layout), dim), x, seed=seed)


@pytest.mark.parametrize("name", list(SOFTMAXES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_is_stable_for_large_inputs(oracle, name, dtype):
    """Naive exp overflows here; PyTorch subtracts the max first and stays finite."""
    x = np.array([[1000.0, 0.0, -1000.0], [-500.0, -500.0, 88.0]], dtype=dtype)
    ember_result, _ = oracle.check(lambda lib, t: SOFTMAXES[name](lib, t, 1), x)
    assert np.isfinite(ember_result.detach().cpu().numpy()).all()


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("case", ["std dims keepdim", "std all", "var dim", "var_mean", "std_mean"])
def test_var_std_gradient_laid_out_as_a_transposed_input(oracle, case, create_graph):
    """var/std's gradient follows the input's layout, as PyTorch's (its grad stays of keepdim's shape)."""
    def run(lib):
        x = lib.tensor([[-1.0, 1.0], [-1.0, -1.0], [2.0, 3.5]], dtype=lib.float64).t().requires_grad_()
        out = {"std dims keepdim": lambda: x.std((0, 1), keepdim=True, unbiased=False), "std all": lambda: x.std(),
               "var dim": lambda: x.var(1), "var_mean": lambda: lib.var_mean(x, 0)[0],
               "std_mean": lambda: lib.std_mean(x, 1, correction=0)[0]}[case]()
        grad, = lib.autograd.grad(out.sum(), [x], create_graph=create_graph)
        return grad.stride(), grad.is_contiguous(), grad.detach().cpu().numpy()

    (strides, contiguous, values), (want_strides, want_contiguous, want) = run(oracle.ember), run(oracle.torch)
    assert (strides, contiguous) == (want_strides, want_contiguous)
    np.testing.assert_allclose(values, want, rtol=1e-12)


# Tensor.sum_to_size: PyTorch's at::sum_to (the sum undoing broadcasting) on a (2, 3) tensor
SUM_TO_SIZE = {
    "(1, 3)": lambda lib, x: x.sum_to_size(1, 3),
    "((2, 1))": lambda lib, x: x.sum_to_size((2, 1)),
    "(3,)": lambda lib, x: x.sum_to_size(3),
    "(1, 1)": lambda lib, x: x.sum_to_size(1, 1),
    "size=[1, 3]": lambda lib, x: x.sum_to_size(size=[1, 3]),
    "Size([2, 1])": lambda lib, x: x.sum_to_size(lib.Size([2, 1])),
    "()": lambda lib, x: x.sum_to_size(()),
    "same shape": lambda lib, x: x.sum_to_size(2, 3) * 1,
}
SUM_TO_SIZE_ERRORS = {
    "not expandable": lambda lib, x: x.sum_to_size(4),
    "more dims": lambda lib, x: x.sum_to_size(1, 2, 3),
    "no size": lambda lib, x: x.sum_to_size(),
    "size twice": lambda lib, x: x.sum_to_size(1, size=(1, 3)),
}


@pytest.mark.parametrize("name", list(SUM_TO_SIZE))
def test_sum_to_size_is_pytorchs(oracle, name):
    ours, theirs = oracle.check(SUM_TO_SIZE[name], oracle.array(oracle.rng(), (2, 3)))
    assert type(ours.grad_fn).__name__ == type(theirs.grad_fn).__name__


def test_sum_to_size_of_the_same_shape_is_the_tensor_itself(oracle):
    x = oracle.ember.ones(2, 3)
    assert x.sum_to_size(2, 3) is x


@pytest.mark.parametrize("name", list(SUM_TO_SIZE_ERRORS))
def test_sum_to_size_errors_are_pytorchs(oracle, name):
    from outcomes import assert_same_error

    x = np.zeros((2, 3), dtype="float32")
    assert_same_error(lambda lib: SUM_TO_SIZE_ERRORS[name](lib, lib.tensor(x)), oracle.ember, oracle.torch)
