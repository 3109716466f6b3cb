"""vstack, hstack, dstack, column_stack, row_stack, atleast_Nd, ravel, tile, meshgrid, cartesian_prod,
block_diag, kron, tensordot, rot90, diff, trace, diag_embed and diagflat against PyTorch: values, dtypes,
gradients, grad_fn names where ember's composition gives PyTorch's node, errors; gradcheck on float64."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle

CASES = {
    "vstack": ([(3,), (2, 3)], lambda lib, a, b: lib.vstack([a, b])),
    "row_stack": ([(2, 3), (1, 3)], lambda lib, a, b: lib.row_stack((a, b))),
    "hstack_1d": ([(3,), (2,)], lambda lib, a, b: lib.hstack([a, b])),
    "hstack_2d": ([(2, 3), (2, 1)], lambda lib, a, b: lib.hstack([a, b])),
    "dstack": ([(3,), (1, 3)], lambda lib, a, b: lib.dstack([a, b])),
    "column_stack": ([(3,), (3,), (3, 2)], lambda lib, a, b, c: lib.column_stack([a, b, c])),
    "column_stack_0d": ([(), (1, 2)], lambda lib, a, b: lib.column_stack([a, b])),
    "atleast_1d": ([()], lambda lib, a: lib.atleast_1d(a)),
    "atleast_2d": ([(), (3,), (2, 3)], lambda lib, *ts: lib.atleast_2d(*ts)),
    "atleast_3d": ([(), (3,), (2, 3), (1, 2, 3, 1)], lambda lib, *ts: lib.atleast_3d(list(ts))),
    "ravel": ([(2, 3)], lambda lib, a: lib.ravel(a.t())),
    "ravel_method": ([(2, 3)], lambda lib, a: a.ravel()),
    "tile": ([(2, 3)], lambda lib, a: lib.tile(a, (2,))),
    "tile_more": ([(2, 3)], lambda lib, a: a.tile(2, 1, 3)),
    "tile_list": ([(3,)], lambda lib, a: a.tile([2, 2])),
    "meshgrid_ij": ([(2,), (3,), ()], lambda lib, *ts: lib.meshgrid(*ts, indexing="ij")),
    "meshgrid_xy": ([(2,), (3,), (4,)], lambda lib, *ts: lib.meshgrid(ts, indexing="xy")),
    "meshgrid_xy_one": ([(2,)], lambda lib, a: lib.meshgrid(a, indexing="xy")),
    "cartesian_prod": ([(2,), (3,), (2,)], lambda lib, *ts: lib.cartesian_prod(*ts)),
    "cartesian_prod_one": ([(3,)], lambda lib, a: lib.cartesian_prod(a)),
    "block_diag": ([(2, 2), (3,), (), (0, 2), (1, 0)], lambda lib, *ts: lib.block_diag(*ts)),
    "kron": ([(2, 3), (4, 2, 2)], lambda lib, a, b: lib.kron(a, b)),
    "kron_method": ([(3,), (2,)], lambda lib, a, b: a.kron(b)),
    "tensordot_int": ([(2, 3, 4), (3, 4, 5)], lambda lib, a, b: lib.tensordot(a, b)),
    "tensordot_zero": ([(2, 3), (4,)], lambda lib, a, b: lib.tensordot(a, b, 0)),
    "tensordot_lists": ([(2, 3, 4), (4, 5, 2)], lambda lib, a, b: lib.tensordot(a, b, ([0, 2], [2, 0]))),
    "tensordot_ints": ([(2, 3), (3, 5)], lambda lib, a, b: lib.tensordot(a, b, dims=([1], [0]))),
    "rot90": ([(2, 3)], lambda lib, a: lib.rot90(a)),
    "rot90_k": ([(2, 3, 4)], lambda lib, a: [a.rot90(k, [2, 0]) for k in (-1, 0, 2, 3, 5)]),
    "diff": ([(3, 5)], lambda lib, a: lib.diff(a)),
    "diff_n_dim": ([(4, 3)], lambda lib, a: a.diff(n=2, dim=0)),
    "diff_pre_append": ([(2, 3), (2, 1), (2, 2)], lambda lib, a, p, q: lib.diff(a, 3, 1, p, q)),
    "diff_long": ([(2, 3)], lambda lib, a: lib.diff(a, n=5)),
    "diff_zero": ([(2, 3)], lambda lib, a: lib.diff(a, n=0)),
    "trace": ([(3, 4)], lambda lib, a: lib.trace(a)),
    "diag_embed": ([(2, 3)], lambda lib, a: lib.diag_embed(a)),
    "diag_embed_dims": ([(2, 3)], lambda lib, a: a.diag_embed(1, 0, 2)),
    "diag_embed_negative": ([(2, 3)], lambda lib, a: lib.diag_embed(a, -2, -1, 1)),
    "diagflat": ([(2, 2)], lambda lib, a: lib.diagflat(a)),
    "diagflat_offset": ([(3,)], lambda lib, a: a.diagflat(-1)),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_torch(oracle, name, dtype):
    shapes, fn = CASES[name]
    rng = oracle.rng(3)
    oracle.check(fn, *[oracle.array(rng, s, dtype) for s in shapes])


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("dtype", ["int32", "int64", "bool"])
def test_integer_and_bool_dtypes_match_torch(oracle, name, dtype):
    shapes, fn = CASES[name]
    rng = oracle.rng(4)
    oracle.check_forward(fn, *[oracle.array(rng, s, dtype, "bool" if dtype == "bool" else "small_int")
                               for s in shapes])


@pytest.mark.parametrize("fn", [
    lambda lib, a, b: lib.vstack([a.int(), b]),
    lambda lib, a, b: lib.block_diag(a.int(), b.double()),
    lambda lib, a, b: lib.kron(a.int(), b),
    lambda lib, a, b: lib.hstack([a.bool(), b.int()]),
])
def test_mixed_dtypes_promote_as_torch(oracle, fn):
    rng = oracle.rng(5)
    oracle.check_forward(fn, oracle.array(rng, (2, 3)), oracle.array(rng, (2, 3)))


@pytest.mark.parametrize("name, expected", [
    ("ravel_method", "ViewBackward0"), ("vstack", "CatBackward0"), ("atleast_1d", "ViewBackward0"),
    ("tile", "RepeatBackward0"), ("meshgrid_ij", "ExpandBackward0"), ("cartesian_prod", "StackBackward0"),
    ("diff", "SubBackward0"), ("diag_embed", "DiagEmbedBackward0"), ("diagflat", "DiagEmbedBackward0"),
    ("tensordot_ints", "ViewBackward0"),
])
def test_grad_fn_names_match_torch(oracle, name, expected):
    shapes, fn = CASES[name]
    rng = oracle.rng(6)
    e, t = oracle.check(fn, *[oracle.array(rng, s) for s in shapes])
    e, t = (e[0], t[0]) if isinstance(t, (tuple, list)) else (e, t)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == expected


def test_atleast_returns_a_lone_tensor_itself_and_a_tuple_otherwise():
    x = ember.ones(2, 3)
    assert ember.atleast_1d(x) is x and ember.atleast_3d(ember.ones(1, 2, 3, 4)).shape == (1, 2, 3, 4)
    assert isinstance(ember.atleast_2d([x]), tuple) and isinstance(ember.atleast_1d(x, x), tuple)
    assert ember.atleast_1d() == torch.atleast_1d() == ()


def test_meshgrid_without_indexing_warns_as_torch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        grids = ember.meshgrid(ember.arange(2), ember.arange(3))
    assert [g.shape for g in grids] == [(2, 3), (2, 3)]
    assert len(caught) == 1 and caught[0].category is UserWarning
    assert "it will be required to pass the indexing argument" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.meshgrid(ember.arange(2), ember.arange(3), indexing="xy")


def test_block_diag_of_nothing_matches_torch(oracle):
    oracle.assert_same(ember.block_diag(), torch.block_diag())


ERRORS = [
    lambda lib: lib.vstack([]),
    lambda lib: lib.hstack([]),
    lambda lib: lib.dstack([]),
    lambda lib: lib.column_stack([]),
    lambda lib: lib.tile(lib.ones(2), 2),
    lambda lib: lib.meshgrid(lib.ones(2, 2), indexing="ij"),
    lambda lib: lib.meshgrid(lib.ones(2), lib.ones(2, dtype=lib.int64), indexing="ij"),
    lambda lib: lib.meshgrid(lib.ones(2), indexing="foo"),
    lambda lib: lib.meshgrid(indexing="ij"),
    lambda lib: lib.cartesian_prod(lib.ones(2, 2)),
    lambda lib: lib.block_diag(lib.ones(2, 2, 2)),
    lambda lib: lib.kron(lib.ones(2), 3),
    lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(4, 3), dims=1),
    lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(4, 3), dims=-1),
    lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(3, 4), 3),
    lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(3, 4), ([1, 0], [0])),
    lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(4, 3), dims=([1], [0])),
    lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(3, 4, dtype=lib.float64), 1),
    lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(3, 4), ([1], [5])),
    lambda lib: lib.rot90(lib.ones(2, 3), 1, [0, 0]),
    lambda lib: lib.rot90(lib.ones(2), 1),
    lambda lib: lib.rot90(lib.ones(2, 3), 1, [0]),
    lambda lib: lib.diff(lib.ones(())),
    lambda lib: lib.diff(lib.ones(3), n=-1),
    lambda lib: lib.diff(lib.ones(3), prepend=lib.ones(2, 2)),
    lambda lib: lib.diag_embed(lib.ones(3), dim1=0, dim2=0),
    lambda lib: lib.diag_embed(lib.ones(2), dim1=3),
    lambda lib: lib.trace(lib.ones(3)),
]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_match_torch(call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type) as got:
        call(ember)
    if "Expected 0D or 1D" not in str(expected.value):  # PyTorch prints the tensor its own way
        assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("fn", [
    lambda a, b: ember.kron(a, b),
    lambda a, b: ember.tensordot(a, b.t(), 1),
    lambda a, b: ember.block_diag(a, b),
    lambda a, b: ember.diff(a, 2, prepend=b),
    lambda a, b: ember.diag_embed(a, 1, 0, 2) * 2,
    lambda a, b: ember.rot90(a, 3) * b.t(),
    lambda a, b: ember.trace(a @ b.t()),
    lambda a, b: ember.cartesian_prod(a[0], b[1]),
])
def test_gradcheck_and_gradgradcheck(fn):
    rng = np.random.default_rng(7)
    a, b = (ember.tensor(rng.standard_normal((2, 3)), requires_grad=True) for _ in range(2))
    assert ember.autograd.gradcheck(fn, (a, b))
    assert ember.autograd.gradgradcheck(fn, (a, b))


@pytest.mark.parametrize("name, options", [("kron", {}), ("tensordot", {"dims": 1})])
def test_out_matches_torch(oracle, name, options):
    a, b = np.arange(6.0, dtype=np.float32).reshape(2, 3), np.ones((3, 2), np.float32)
    expected, got = torch.empty(0), ember.empty(0)
    getattr(torch, name)(torch.tensor(a), torch.tensor(b), out=expected, **options)
    assert getattr(ember, name)(ember.tensor(a), ember.tensor(b), out=got, **options) is got
    oracle.assert_same(got, expected)
