"""torch.linalg's composed functions against PyTorch: linalg.norm, linalg.matrix_norm, torch.norm /
Tensor.norm, torch.frobenius_norm, linalg.diagonal, linalg.multi_dot, linalg.vecdot, linalg.matrix_power
(torch.matrix_power, Tensor.matrix_power) and linalg.vander; values, dtypes, gradients (and gradcheck),
grad_fn names and the graphs PyTorch's decompositions record, out=, and the exact errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from outcomes import raised, same_message

torch = pytest.importorskip("torch")

pytestmark = [pytest.mark.oracle, pytest.mark.filterwarnings("ignore:.*frobenius_norm is deprecated")]

INF = math.inf

# name -> (the call on lib, the shapes of its floating operands)
CASES = {
    "linalg.norm": (lambda L, a: L.linalg.norm(a), [(2, 3, 4)]),
    "linalg.norm fro": (lambda L, a: L.linalg.norm(a, "fro"), [(3, 4)]),
    "linalg.norm ord 1 matrix": (lambda L, a: L.linalg.norm(a, 1), [(3, 4)]),
    "linalg.norm ord -1 matrix": (lambda L, a: L.linalg.norm(a, -1), [(3, 4)]),
    "linalg.norm ord inf matrix": (lambda L, a: L.linalg.norm(a, INF), [(3, 4)]),
    "linalg.norm ord -inf matrix": (lambda L, a: L.linalg.norm(a, -INF), [(3, 4)]),
    "linalg.norm ord 3 vector": (lambda L, a: L.linalg.norm(a, 3), [(5,)]),
    "linalg.norm ord inf vector": (lambda L, a: L.linalg.norm(a, INF), [(5,)]),
    "linalg.norm dim int": (lambda L, a: L.linalg.norm(a, 0.5, dim=1), [(2, 3, 4)]),
    "linalg.norm dim pair": (lambda L, a: L.linalg.norm(a, 1, dim=(0, 2)), [(2, 3, 4)]),
    "linalg.norm dim pair keepdim": (lambda L, a: L.linalg.norm(a, INF, dim=(2, 0), keepdim=True), [(2, 3, 4)]),
    "linalg.norm None pair": (lambda L, a: L.linalg.norm(a, None, (0, 1)), [(3, 4)]),
    "linalg.norm dtype": (lambda L, a: L.linalg.norm(a, 1, dtype=L.float64), [(3, 4)]),
    "matrix_norm": (lambda L, a: L.linalg.matrix_norm(a), [(2, 3, 4)]),
    "matrix_norm 1": (lambda L, a: L.linalg.matrix_norm(a, 1), [(2, 3, 4)]),
    "matrix_norm -1": (lambda L, a: L.linalg.matrix_norm(a, -1), [(2, 3, 4)]),
    "matrix_norm inf": (lambda L, a: L.linalg.matrix_norm(a, INF), [(2, 3, 4)]),
    "matrix_norm -inf keepdim": (lambda L, a: L.linalg.matrix_norm(a, -INF, keepdim=True), [(2, 3, 4)]),
    "matrix_norm dims": (lambda L, a: L.linalg.matrix_norm(a, 1, dim=(2, 0)), [(2, 3, 4)]),
    "matrix_norm dims keepdim": (lambda L, a: L.linalg.matrix_norm(a, -1, dim=(0, 2), keepdim=True), [(2, 3, 4)]),
    "matrix_norm fro dims": (lambda L, a: L.linalg.matrix_norm(a, "fro", (0, -1), True), [(2, 3, 4)]),
    "matrix_norm float ord": (lambda L, a: L.linalg.matrix_norm(a, 1.0), [(3, 4)]),
    "matrix_norm dtype": (lambda L, a: L.linalg.matrix_norm(a, INF, dtype=L.float64), [(3, 4)]),
    "torch.norm": (lambda L, a: L.norm(a), [(2, 3, 4)]),
    "torch.norm fro dims": (lambda L, a: L.norm(a, "fro", dim=(0, 1)), [(2, 3, 4)]),
    "torch.norm fro dim int": (lambda L, a: L.norm(a, "fro", 1, True), [(2, 3, 4)]),
    "torch.norm p None": (lambda L, a: L.norm(a, p=None), [(3, 4)]),
    "torch.norm p 1 dim": (lambda L, a: L.norm(a, 1, dim=1), [(3, 4)]),
    "torch.norm p inf dims": (lambda L, a: L.norm(a, INF, dim=(0, 1)), [(3, 4)]),
    "torch.norm dtype": (lambda L, a: L.norm(a, 3, dtype=L.float64), [(3, 4)]),
    "Tensor.norm": (lambda L, a: a.norm(1, 0, True), [(3, 4)]),
    "Tensor.norm fro": (lambda L, a: a.norm("fro", [0, 1]), [(2, 3, 4)]),
    "frobenius_norm": (lambda L, a: L.frobenius_norm(a, (0, 1)), [(3, 4)]),
    "frobenius_norm dim int keepdim": (lambda L, a: L.frobenius_norm(a, 1, True), [(3, 4)]),
    "frobenius_norm no dims": (lambda L, a: L.frobenius_norm(a, []), [(3, 4)]),
    "linalg.diagonal": (lambda L, a: L.linalg.diagonal(a), [(2, 3, 4)]),
    "linalg.diagonal offset dims": (lambda L, a: L.linalg.diagonal(a, offset=1, dim1=0, dim2=2), [(2, 3, 4)]),
    "linalg.diagonal negative offset": (lambda L, a: L.linalg.diagonal(a, offset=-1), [(3, 4)]),
    "multi_dot two": (lambda L, a, b: L.linalg.multi_dot([a, b]), [(3, 4), (4, 2)]),
    "multi_dot vector matrix": (lambda L, a, b: L.linalg.multi_dot([a, b]), [(3,), (3, 4)]),
    "multi_dot matrix vector": (lambda L, a, b: L.linalg.multi_dot((a, b)), [(3, 4), (4,)]),
    "multi_dot two vectors": (lambda L, a, b: L.linalg.multi_dot([a, b]), [(4,), (4,)]),
    "multi_dot three left first": (lambda L, a, b, c: L.linalg.multi_dot([a, b, c]), [(2, 5), (5, 6), (6, 7)]),
    "multi_dot three right first": (lambda L, a, b, c: L.linalg.multi_dot([a, b, c]), [(7, 6), (6, 5), (5, 2)]),
    "multi_dot three vectors": (lambda L, a, b, c: L.linalg.multi_dot([a, b, c]), [(3,), (3, 4), (4,)]),
    "multi_dot four": (lambda L, a, b, c, d: L.linalg.multi_dot([a, b, c, d]), [(3, 4), (4, 5), (5, 2), (2, 6)]),
    "multi_dot five": (lambda L, *m: L.linalg.multi_dot(m), [(6,), (6, 2), (2, 7), (7, 3), (3, 5)]),
    "vecdot": (lambda L, a, b: L.linalg.vecdot(a, b), [(3, 4), (3, 4)]),
    "vecdot dim broadcast": (lambda L, a, b: L.linalg.vecdot(a, b, dim=0), [(3, 4), (3, 1)]),
    "vecdot 0-d": (lambda L, a, b: L.linalg.vecdot(a, b), [(), ()]),
    "matrix_power 0": (lambda L, a: L.linalg.matrix_power(a, 0), [(3, 3)]),
    "matrix_power 1": (lambda L, a: L.linalg.matrix_power(a, 1), [(3, 3)]),
    "matrix_power 2": (lambda L, a: L.linalg.matrix_power(a, 2), [(3, 3)]),
    "matrix_power 3": (lambda L, a: L.linalg.matrix_power(a, 3), [(3, 3)]),
    "matrix_power 6": (lambda L, a: L.linalg.matrix_power(a, 6), [(3, 3)]),
    "matrix_power 7 batched": (lambda L, a: L.linalg.matrix_power(a, n=7), [(2, 3, 3)]),
    "torch.matrix_power": (lambda L, a: L.matrix_power(a, 5), [(3, 3)]),
    "Tensor.matrix_power": (lambda L, a: a.matrix_power(4), [(2, 2, 2)]),
    "vander": (lambda L, x: L.linalg.vander(x), [(4,)]),
    "vander N": (lambda L, x: L.linalg.vander(x, N=5), [(2, 3)]),
    "vander 0-d": (lambda L, x: L.linalg.vander(x, N=3), [()]),
}


def _graph(tensor, depth: int = 2):
    """The names of a result's node and of the nodes below it, `depth` levels deep (None for no node)."""
    node = tensor.grad_fn
    if node is None or depth == 0:
        return None if node is None else type(node).__name__
    return type(node).__name__, tuple(_graph_of(n, depth - 1) for n, _ in node.next_functions)


def _graph_of(node, depth):
    if node is None:
        return None
    if depth == 0:
        return type(node).__name__
    return type(node).__name__, tuple(_graph_of(n, depth - 1) for n, _ in node.next_functions)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_values_gradients_and_graphs_match_torch(oracle, name, dtype):
    """Values, dtypes, shapes, the gradients of a random upstream gradient, and the graph (two levels of
    node names below the result: the decomposition PyTorch records)."""
    fn, shapes = CASES[name]
    rng = oracle.rng(len(name))
    ember_result, torch_result = oracle.check(fn, *(oracle.array(rng, s, dtype, "real") for s in shapes))
    assert _graph(ember_result) == _graph(torch_result)


GRADCHECKED = ["linalg.norm ord 3 vector", "linalg.norm dim pair", "matrix_norm 1", "matrix_norm -inf keepdim",
               "matrix_norm dims keepdim", "torch.norm fro dims", "frobenius_norm", "multi_dot four",
               "multi_dot three vectors", "vecdot dim broadcast", "matrix_power 6", "matrix_power 7 batched",
               "vander N"]


@pytest.mark.parametrize("name", GRADCHECKED)
def test_gradcheck(oracle, name):
    fn, shapes = CASES[name]
    rng = oracle.rng(len(name))
    leaves = tuple(oracle.ember.tensor(oracle.array(rng, s, "float64", "real"), requires_grad=True) for s in shapes)
    assert oracle.ember.autograd.gradcheck(lambda *t: fn(oracle.ember, *t), leaves)
    assert oracle.ember.autograd.gradgradcheck(lambda *t: fn(oracle.ember, *t), leaves)


INTEGER_CASES = {
    "matrix_power int": (lambda L, a: L.linalg.matrix_power(a, 5), [(3, 3)]),
    "matrix_power int 0": (lambda L, a: L.linalg.matrix_power(a, 0), [(2, 2, 2)]),
    "multi_dot int": (lambda L, a, b, c: L.linalg.multi_dot([a, b, c]), [(2, 3), (3, 4), (4, 2)]),
    "vander int": (lambda L, x: L.linalg.vander(x), [(4,)]),
    "vander int N": (lambda L, x: L.linalg.vander(x, N=3), [(2, 4)]),
}


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
@pytest.mark.parametrize("name", INTEGER_CASES)
def test_integer_operands_match_torch(oracle, name, dtype):
    fn, shapes = INTEGER_CASES[name]
    domain = "positive_int" if dtype == "uint8" else "small_int"
    oracle.check_forward(fn, *(oracle.array(oracle.rng(1), s, dtype, domain) for s in shapes))


EMPTY = [((0, 3), 1), ((3, 0), 1), ((0, 3), INF), ((3, 0), INF), ((3, 0), -INF), ((0, 0), 1), ((2, 0, 3), -1),
         ((0, 2, 3), INF), ((0, 3), "fro")]


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize(("shape", "ord"), EMPTY)
def test_matrix_norm_of_empty_matrices_matches_torch(oracle, shape, ord, keepdim):
    """An empty max is 0 (a fresh zero outside the graph, as PyTorch); an empty min is refused."""
    fn = lambda L, a: L.linalg.matrix_norm(a, ord, keepdim=keepdim)  # noqa: E731
    ember_result, torch_result = oracle.check(fn, np.zeros(shape, np.float32))
    assert _graph(ember_result) == _graph(torch_result)


@pytest.mark.parametrize(("shape", "ord"), [((0, 3), -INF), ((3, 0), -1), ((0, 0), -INF)])
def test_matrix_norm_empty_min_is_refused(oracle, shape, ord):
    assert oracle.check_raises(lambda L, a: L.linalg.matrix_norm(a, ord), np.zeros(shape, np.float32)) is IndexError


# out= forms: (the dtype of out=, a call (lib, x, out) -> its result)
OUT_CALLS = [
    ("float32", lambda L, x, out: L.linalg.matrix_norm(x, 1, out=out)),
    ("float32", lambda L, x, out: L.linalg.norm(x, out=out)),
    ("float32", lambda L, x, out: L.norm(x, "fro", 1, False, out)),
    ("float32", lambda L, x, out: L.linalg.vector_norm(x, 3, out=out)),
    ("float32", lambda L, x, out: L.linalg.multi_dot([x, x, x], out=out)),
    ("float32", lambda L, x, out: L.linalg.matrix_power(x, 4, out=out)),
    ("float32", lambda L, x, out: L.linalg.matrix_power(x, 0, out=out)),
    ("float32", lambda L, x, out: L.linalg.vecdot(x, x, out=out)),
    ("float32", lambda L, x, out: L.frobenius_norm(x, [0], out=out)),
    ("float64", lambda L, x, out: L.linalg.matrix_power(x, 1, out=out)),  # a copy: cast into out=
]
# those PyTorch implements itself refuse an input that requires grad ...
OUT_REFUSED = [
    lambda L, x, out: L.linalg.vector_norm(x, out=out),
    lambda L, x, out: L.linalg.vecdot(x, x, out=out),
    lambda L, x, out: L.linalg.multi_dot([x, x], out=out),
    lambda L, x, out: L.frobenius_norm(x, [0], out=out),
    lambda L, x, out: L.linalg.matrix_power(x, 5, out=out),  # its last product is matmul's out=
]
# ... and those it composes copy the result into out= (CopyBackwards)
OUT_COPIED = [
    lambda L, x, out: L.linalg.matrix_norm(x, 1, out=out),
    lambda L, x, out: L.linalg.norm(x, out=out),
    lambda L, x, out: L.linalg.matrix_power(x, 4, out=out),  # a lone square, copied
]


@pytest.mark.parametrize("index", range(len(OUT_CALLS)))
def test_out_matches_torch(oracle, index):
    """out= holds the result (resized to it) and is returned."""
    a = oracle.array(oracle.rng(3), (3, 3), "float32", "real")
    results = []
    dtype, call = OUT_CALLS[index]
    for L in (oracle.torch, oracle.ember):
        out = L.empty(0, dtype=getattr(L, dtype))
        assert call(L, L.tensor(a), out) is out
        results.append(out.cpu().numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-5)


@pytest.mark.parametrize("index", range(len(OUT_REFUSED)))
def test_out_refuses_grad_as_torch(oracle, index):
    for L in (oracle.torch, oracle.ember):
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            OUT_REFUSED[index](L, L.ones(3, 3, requires_grad=True), L.empty(0))


@pytest.mark.parametrize("index", range(len(OUT_COPIED)))
def test_out_of_composed_ops_records_the_copy_as_torch(oracle, index):
    grads = []
    for L in (oracle.torch, oracle.ember):
        x = L.tensor(oracle.array(oracle.rng(4), (3, 3), "float64", "real"), requires_grad=True)
        out = L.empty(0, dtype=L.float64)
        assert OUT_COPIED[index](L, x, out) is out and type(out.grad_fn).__name__ == "CopyBackwards"
        out.sum().backward()
        grads.append(x.grad.cpu().numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-7)


@pytest.mark.parametrize("call", [
    lambda L, a: L.linalg.matrix_norm(a, "nuc"),
    lambda L, a: L.linalg.matrix_norm(a, 2),
    lambda L, a: L.linalg.norm(a, -2),
    lambda L, a: L.norm(a, "nuc"),
    lambda L, a: a.norm("nuc", dim=(0, 1)),
])
def test_singular_value_orders_match_torch(oracle, call):
    """'nuc' and ±2 from the singular values (test_oracle_linalg_svd.py checks them in depth)."""
    oracle.check(call, oracle.array(oracle.rng(5), (3, 4), "float64", "any"))


def test_frobenius_norm_warns_of_its_deprecation(oracle):
    """PyTorch's warning (which PyTorch gives once per process, so it is not compared here)."""
    with pytest.warns(UserWarning, match="at::frobenius_norm is deprecated"):
        oracle.ember.frobenius_norm(oracle.ember.ones(2, 2), (0, 1))


A34 = lambda L: L.ones(3, 4)  # noqa: E731
B234 = lambda L: L.ones(2, 3, 4)  # noqa: E731
ERRORS = {
    "norm matrix order 3": lambda L: L.linalg.norm(A34(L), 3),
    "norm matrix order 0": lambda L: L.linalg.norm(A34(L), 0),
    "norm matrix order 1.5 dims": lambda L: L.linalg.norm(A34(L), 1.5, (0, 1)),
    "norm 3-D with ord": lambda L: L.linalg.norm(B234(L), 1),
    "norm 3-D with string": lambda L: L.linalg.norm(B234(L), "fro"),
    "norm three dims": lambda L: L.linalg.norm(B234(L), dim=(0, 1, 2)),
    "norm string three dims": lambda L: L.linalg.norm(B234(L), "fro", dim=(0, 1, 2)),
    "norm string one dim": lambda L: L.linalg.norm(B234(L), "fro", dim=1),
    "norm vector fro": lambda L: L.linalg.norm(L.ones(4), "fro"),
    "norm integer": lambda L: L.linalg.norm(L.ones(3, dtype=L.int64)),
    "norm integer dtype": lambda L: L.linalg.norm(A34(L), dtype=L.int64),
    "norm narrowing dtype": lambda L: L.linalg.norm(L.ones(3, dtype=L.float64), dtype=L.float32),
    "norm bad string": lambda L: L.linalg.norm(A34(L), "abc"),
    "norm same dims": lambda L: L.linalg.norm(A34(L), 1, dim=(1, -1)),
    "norm dim out of range": lambda L: L.linalg.norm(A34(L), 1, dim=(1, 5)),
    "norm half spectral": lambda L: L.linalg.norm(A34(L).half(), 2),
    "matrix_norm order": lambda L: L.linalg.matrix_norm(A34(L), 3),
    "matrix_norm vector": lambda L: L.linalg.matrix_norm(L.ones(4)),
    "matrix_norm integer": lambda L: L.linalg.matrix_norm(L.ones(3, 3, dtype=L.int32), 1),
    "matrix_norm bad string": lambda L: L.linalg.matrix_norm(A34(L), "foo"),
    "matrix_norm one dim": lambda L: L.linalg.matrix_norm(B234(L), dim=(0,)),
    "matrix_norm three dims": lambda L: L.linalg.matrix_norm(B234(L), dim=(0, 1, 2)),
    "matrix_norm int dim": lambda L: L.linalg.matrix_norm(B234(L), dim=0),
    "matrix_norm same dims": lambda L: L.linalg.matrix_norm(A34(L), 1, dim=(0, 0)),
    "matrix_norm integer dtype": lambda L: L.linalg.matrix_norm(A34(L), 1, dtype=L.int32),
    "matrix_norm narrowing dtype": lambda L: L.linalg.matrix_norm(L.ones(3, 3, dtype=L.float64), 1, dtype=L.float32),
    "matrix_norm dim out of range": lambda L: L.linalg.matrix_norm(B234(L), 1, dim=(0, 3)),
    "vector_norm narrowing dtype": lambda L: L.linalg.vector_norm(L.ones(3, dtype=L.float64), dtype=L.float32),
    "torch.norm nuc three dims": lambda L: L.norm(B234(L), "nuc"),
    "torch.norm fro three dims": lambda L: L.norm(B234(L), "fro", dim=(0, 1, 2)),
    "torch.norm bad string": lambda L: L.norm(A34(L), "abc"),
    "torch.norm integer": lambda L: L.norm(L.arange(3)),
    "torch.norm vector nuc": lambda L: L.norm(L.ones(4), "nuc"),
    "frobenius_norm no dim": lambda L: L.frobenius_norm(A34(L)),
    "frobenius_norm three dims": lambda L: L.frobenius_norm(B234(L), (0, 1, 2)),
    "frobenius_norm integer": lambda L: L.frobenius_norm(L.arange(4), [0]),
    "diagonal positional offset": lambda L: L.linalg.diagonal(B234(L), 1),
    "diagonal vector": lambda L: L.linalg.diagonal(L.ones(4)),
    "diagonal same dims": lambda L: L.linalg.diagonal(A34(L), dim1=1, dim2=1),
    "multi_dot one": lambda L: L.linalg.multi_dot([A34(L)]),
    "multi_dot none": lambda L: L.linalg.multi_dot([]),
    "multi_dot a tensor": lambda L: L.linalg.multi_dot(A34(L)),
    "multi_dot first 3-D": lambda L: L.linalg.multi_dot([B234(L), A34(L)]),
    "multi_dot last 3-D": lambda L: L.linalg.multi_dot([A34(L), B234(L)]),
    "multi_dot last 0-D": lambda L: L.linalg.multi_dot([L.ones(3), L.tensor(1.0)]),
    "multi_dot middle 1-D": lambda L: L.linalg.multi_dot([A34(L), L.ones(4), A34(L)]),
    "multi_dot shapes": lambda L: L.linalg.multi_dot([A34(L), A34(L)]),
    "multi_dot dtypes": lambda L: L.linalg.multi_dot([A34(L), L.ones(4, 2, dtype=L.float64)]),
    "vecdot positional dim": lambda L: L.linalg.vecdot(A34(L), A34(L), 0),
    "vecdot dtypes": lambda L: L.linalg.vecdot(A34(L), A34(L).double()),
    "vecdot integers": lambda L: L.linalg.vecdot(L.ones(3, dtype=L.int64), L.ones(3, dtype=L.int64)),
    "vecdot shapes": lambda L: L.linalg.vecdot(A34(L), L.ones(3)),
    "vecdot dim out of range": lambda L: L.linalg.vecdot(A34(L), A34(L), dim=3),
    "vecdot a number": lambda L: L.linalg.vecdot(A34(L), 2),
    "matrix_power not square": lambda L: L.linalg.matrix_power(A34(L), 2),
    "matrix_power vector": lambda L: L.linalg.matrix_power(L.ones(3), 2),
    "matrix_power float n": lambda L: L.linalg.matrix_power(L.ones(3, 3), 2.0),
    "matrix_power bool n": lambda L: L.linalg.matrix_power(L.ones(3, 3), True),
    "Tensor.matrix_power not square": lambda L: L.ones(2, 3, 4).matrix_power(3),
    "vander N 1": lambda L: L.linalg.vander(L.ones(3), N=1),
    "vander positional N": lambda L: L.linalg.vander(L.ones(3), 3),
    "vander 0-d": lambda L: L.linalg.vander(L.tensor(2.0)),
    "vander one element": lambda L: L.linalg.vander(L.ones(1)),
    "vander bool": lambda L: L.linalg.vander(L.ones(3, dtype=L.bool)),
    "vander half": lambda L: L.linalg.vander(L.ones(3, dtype=L.float16)),
    "vector_norm -1 of empty": lambda L: L.linalg.vector_norm(L.zeros(0, 3), -1.0),
    "vector_norm inf of empty, no dims": lambda L: L.linalg.vector_norm(L.zeros(0, 3), INF, dim=()),
    "vector_norm -0.5 over an empty dim": lambda L: L.linalg.vector_norm(L.zeros(0, 3), -0.5, dim=(1, -2)),
    "torch.norm -1 over an empty dim first": lambda L: L.norm(L.zeros(0, 3), -1, dim=(0, 2)),
    "linalg.norm -inf over an empty dim": lambda L: L.linalg.norm(L.zeros(3, 0), -INF, dim=1),
    "multi_dot int16 operand": lambda L: L.linalg.multi_dot([A34(L), L.ones(4, 2, dtype=L.int16)]),
    "mm int64 operand": lambda L: L.mm(A34(L), L.ones(4, 2, dtype=L.int64)),
    "mm uint8 operand": lambda L: L.mm(A34(L), L.ones(4, 2, dtype=L.uint8)),
}
# out= of another dtype than the result's: each op's own check (exact, but for matrix_power's copies)
for _name, _call in {
    "vector_norm": lambda L, out: L.linalg.vector_norm(A34(L), out=out),
    "matrix_norm": lambda L, out: L.linalg.matrix_norm(A34(L), out=out),
    "matrix_norm 1": lambda L, out: L.linalg.matrix_norm(A34(L), 1, out=out),
    "linalg.norm": lambda L, out: L.linalg.norm(A34(L), out=out),
    "linalg.norm 1": lambda L, out: L.linalg.norm(A34(L), 1, out=out),
    "torch.norm": lambda L, out: L.norm(A34(L), "fro", None, False, out),
    "frobenius_norm": lambda L, out: L.frobenius_norm(A34(L), [0], out=out),
    "vecdot": lambda L, out: L.linalg.vecdot(A34(L), A34(L), out=out),
    "multi_dot": lambda L, out: L.linalg.multi_dot([A34(L), A34(L).t()], out=out),
    "matrix_power 2": lambda L, out: L.linalg.matrix_power(L.ones(3, 3), 2, out=out),
    "matrix_power 5": lambda L, out: L.linalg.matrix_power(L.ones(3, 3), 5, out=out),
    "matrix_power 1 into int64": lambda L, out: L.linalg.matrix_power(L.ones(3, 3), 1, out=out),
}.items():
    for _dtype in ("float64", "float16", "int64"):
        if "into" not in _name or _dtype == "int64":
            ERRORS[f"{_name} out {_dtype}"] = (
                lambda L, call=_call, dtype=_dtype: call(L, L.empty(0, dtype=getattr(L, dtype))))

# PyTorch's argument parser words these (no ember function has its overload list); the type is compared.
TYPE_ONLY = {"matrix_norm int dim", "frobenius_norm no dim", "diagonal positional offset", "vecdot positional dim",
             "vander positional N", "norm dim out of range", "matrix_norm dim out of range", "vecdot dim out of range",
             "diagonal vector"}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(oracle, name):
    expected, got = raised(oracle.torch, ERRORS[name]), raised(oracle.ember, ERRORS[name])
    assert expected is not None and got is not None, (expected, got)
    assert type(got) is type(expected), (got, expected)
    if name not in TYPE_ONLY:
        assert same_message(got, expected), (str(got), str(expected))


@pytest.mark.filterwarnings("ignore:.*chain_matmul is deprecated")
@pytest.mark.parametrize("shapes", [[(2, 3)], [(2, 3), (3, 4)], [(2, 3), (3, 4), (4, 2)],
                                    [(5, 1), (1, 6), (6, 2), (2, 3)]])
def test_chain_matmul_matches_torch(shapes):
    import ember

    rng = np.random.default_rng(len(shapes))
    arrays = [rng.standard_normal(shape) for shape in shapes]
    results = []
    for lib in (ember, torch):
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = lib.chain_matmul(*leaves)
        out.sum().backward()
        results.append((out, [leaf.grad for leaf in leaves]))
    (e, e_grads), (t, t_grads) = results
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    np.testing.assert_allclose(e.detach().cpu().numpy(), t.detach().numpy(), rtol=1e-12)
    for eg, tg in zip(e_grads, t_grads):
        np.testing.assert_allclose(eg.cpu().numpy(), tg.numpy(), rtol=1e-12)


@pytest.mark.filterwarnings("ignore:.*chain_matmul is deprecated")
@pytest.mark.parametrize("call", [
    lambda L: L.chain_matmul(),
    lambda L: L.chain_matmul(L.ones(2)),
    lambda L: L.chain_matmul(L.ones(2, 2), L.ones(2, 2, 2)),
    lambda L: L.chain_matmul(L.ones(2, 3), L.ones(2, 3)),
])
def test_chain_matmul_errors_match_torch(call):
    import ember

    expected, got = raised(torch, call), raised(ember, call)
    assert type(got) is type(expected) and same_message(got, expected)


def test_chain_matmul_warns_as_deprecated():
    import ember

    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        ember.chain_matmul(ember.ones(2, 2), ember.ones(2, 2))
