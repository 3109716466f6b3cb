"""ember.autograd.functional (vjp, jvp, jacobian, hessian, vhp, hvp) against torch.autograd.functional: values,
the nesting of results, create_graph (results that can be differentiated again), strict mode and the errors."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from outcomes import assert_same_error, assert_same_tree  # noqa: E402

import ember  # noqa: E402

pytestmark = pytest.mark.oracle

RNG = np.random.default_rng(7)
X = RNG.standard_normal((2, 3))
Y = RNG.standard_normal(3)
V_OUT = RNG.standard_normal(2)
V_X = RNG.standard_normal((2, 3))
V_Y = RNG.standard_normal(3)


def _both(lib, *arrays):
    return tuple(lib.tensor(a) for a in arrays)


def exp_reducer(lib):
    return lambda x: x.exp().sum(1)


def two_in_two_out(lib):
    return lambda x, y: ((x * y).sin().sum(0), (x ** 2).sum() + y.tanh().sum())


def scalar_of_two(lib):
    return lambda x, y: (x.sin() * y).sum() + (y ** 3).sum()


def scalar_of_one(lib):
    return lambda x: (x ** 3).sum() + x.prod()


def _compare(got, expected, graph=True):
    """Same nesting, values and (unless not `graph`) whether each result has a graph as PyTorch's result."""
    assert_same_tree(got, expected, graph, rtol=1e-10)


CASES = {
    "vjp_single": ("vjp", exp_reducer, (X,), (V_OUT,), False),
    "vjp_tuple": ("vjp", two_in_two_out, (X, Y), (RNG.standard_normal(3), np.array(0.5)), True),
    "vjp_scalar_no_v": ("vjp", scalar_of_one, (X,), None, False),
    "jvp_single": ("jvp", exp_reducer, (X,), (V_X,), False),
    "jvp_tuple": ("jvp", two_in_two_out, (X, Y), (V_X, V_Y), True),
    "vhp_one": ("vhp", scalar_of_one, (X,), (V_X,), False),
    "vhp_two": ("vhp", scalar_of_two, (X, Y), (V_X, V_Y), True),
    "hvp_one": ("hvp", scalar_of_one, (X,), (V_X,), False),
    "hvp_two": ("hvp", scalar_of_two, (X, Y), (V_X, V_Y), True),
}


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("name", list(CASES))
def test_products_match_torch(name, create_graph):
    fn, make, inputs, v, tupled = CASES[name]

    def run(lib):
        args = _both(lib, *inputs)
        if create_graph:
            args = tuple(a.requires_grad_() for a in args)
        vec = None if v is None else _both(lib, *v)
        if not tupled:
            args = args[0]
            vec = None if vec is None else vec[0]
        return getattr(lib.autograd.functional, fn)(make(lib), args, vec, create_graph=create_graph)

    _compare(run(ember), run(torch))


@pytest.mark.parametrize("vectorize", [False, True])
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("make,inputs,tupled", [
    (exp_reducer, (X,), False),
    (two_in_two_out, (X, Y), True),
    (scalar_of_one, (X,), False),
])
def test_jacobian_matches_torch(make, inputs, tupled, create_graph, vectorize):
    def run(lib):
        args = _both(lib, *inputs)
        args = args if tupled else args[0]
        return lib.autograd.functional.jacobian(make(lib), args, create_graph=create_graph, vectorize=vectorize)

    _compare(run(ember), run(torch))


@pytest.mark.parametrize("make,inputs,tupled", [(exp_reducer, (X,), False), (two_in_two_out, (X, Y), True),
                                                (lambda lib: lambda x: (x.exp(), x.sum()), (X,), False),
                                                (lambda lib: lambda x, y: (x * y).sum(0), (X, Y), True)])
def test_jacobian_forward_strategy_gives_the_same_values_and_nesting(make, inputs, tupled):
    def run(lib):
        args = _both(lib, *inputs)
        return lib.autograd.functional.jacobian(make(lib), args if tupled else args[0], vectorize=True,
                                                strategy="forward-mode")

    _compare(run(ember), run(torch))


def test_hessian_forward_over_reverse_matches_torch():
    """Values only: PyTorch's forward-over-reverse results keep a graph of its forward-AD internals."""

    def run(lib):
        return lib.autograd.functional.hessian(scalar_of_two(lib), _both(lib, X, Y), vectorize=True,
                                               outer_jacobian_strategy="forward-mode")

    _compare(run(ember), run(torch), graph=False)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("make,inputs,tupled", [(scalar_of_one, (X,), False), (scalar_of_two, (X, Y), True)])
def test_hessian_matches_torch(make, inputs, tupled, create_graph):
    def run(lib):
        args = _both(lib, *inputs)
        return lib.autograd.functional.hessian(make(lib), args if tupled else args[0], create_graph=create_graph)

    _compare(run(ember), run(torch))


def test_create_graph_results_differentiate_again():
    def run(lib):
        x = lib.tensor(X, requires_grad=True)
        _, product = lib.autograd.functional.vjp(exp_reducer(lib), x, lib.tensor(V_OUT), create_graph=True)
        (product ** 2).sum().backward()
        return x.grad

    _compare(run(ember), run(torch))


def test_unused_input_gives_zeros_or_strict_error():
    def fn(x, y):
        return x.exp().sum()

    for lib in (ember, torch):
        out, grads = lib.autograd.functional.vjp(fn, _both(lib, X, Y))
        assert np.all(grads[1].cpu().numpy() == 0)
    assert_same_error(lambda lib: lib.autograd.functional.vjp(fn, _both(lib, X, Y), strict=True), ember, torch)


ERRORS = {
    "not_tensor": lambda lib: lib.autograd.functional.vjp(lambda x: x, [1.0]),
    "not_tensor_in_tuple": lambda lib: lib.autograd.functional.jacobian(lambda x, y: x, (lib.ones(2), 3)),
    "output_not_tensor": lambda lib: lib.autograd.functional.vjp(lambda x: 2.0, lib.ones(2), lib.ones(2)),
    "v_missing": lambda lib: lib.autograd.functional.vjp(lambda x: x * 2, lib.ones(2)),
    "v_bad_size": lambda lib: lib.autograd.functional.vjp(lambda x: x * 2, lib.ones(2), lib.ones(3)),
    "v_bad_length": lambda lib: lib.autograd.functional.jvp(lambda x, y: x * y, (lib.ones(2), lib.ones(2)),
                                                            (lib.ones(2),)),
    "v_bad_entry": lambda lib: lib.autograd.functional.jvp(lambda x, y: x * y, (lib.ones(2), lib.ones(2)),
                                                           (lib.ones(2), lib.ones(3))),
    "jvp_v_missing": lambda lib: lib.autograd.functional.jvp(lambda x: x * 2, lib.ones(2)),
    "hvp_not_scalar": lambda lib: lib.autograd.functional.hvp(lambda x: x * 2, lib.ones(2), lib.ones(2)),
    "vhp_tuple_out": lambda lib: lib.autograd.functional.vhp(lambda x: (x.sum(), x.sum()), lib.ones(2),
                                                             lib.ones(2)),
    "hessian_not_scalar": lambda lib: lib.autograd.functional.hessian(lambda x: x * 2, lib.ones(2)),
    "strict_constant_output": lambda lib: lib.autograd.functional.jacobian(lambda x: lib.ones(2), lib.ones(2),
                                                                           strict=True),
    "strict_linear_hessian": lambda lib: lib.autograd.functional.hessian(lambda x: (3 * x).sum(), lib.ones(2),
                                                                         strict=True),
    "strict_linear_vhp": lambda lib: lib.autograd.functional.vhp(lambda x: (3 * x).sum(), lib.ones(2),
                                                                 lib.ones(2), strict=True),
    "strict_jvp_independent": lambda lib: lib.autograd.functional.jvp(lambda x: lib.ones(2) * 1, lib.ones(2),
                                                                      lib.ones(2), strict=True),
    "bad_strategy": lambda lib: lib.autograd.functional.jacobian(lambda x: x, lib.ones(2), strategy="other"),
    "forward_without_vectorize": lambda lib: lib.autograd.functional.jacobian(lambda x: x, lib.ones(2),
                                                                              strategy="forward-mode"),
    "forward_create_graph": lambda lib: lib.autograd.functional.jacobian(
        lambda x: x, lib.ones(2), create_graph=True, vectorize=True, strategy="forward-mode"),
    "vectorize_strict": lambda lib: lib.autograd.functional.jacobian(lambda x: x, lib.ones(2), strict=True,
                                                                     vectorize=True),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    assert_same_error(ERRORS[name], ember, torch)


def test_results_do_not_keep_the_graph_or_touch_grad():
    x = ember.tensor(X, requires_grad=True)
    out, product = ember.autograd.functional.vjp(exp_reducer(ember), x, ember.tensor(V_OUT))
    assert out.grad_fn is None and product.grad_fn is None and not product.requires_grad
    assert x.grad is None
