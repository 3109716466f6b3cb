"""Scans and sorting against PyTorch: cumsum, cumprod, cummax, cummin, sort, argsort, msort, topk, kthvalue,
median, nanmedian, mode, unique and unique_consecutive; every dtype, 0-d and empty shapes, each dim, their
flags, ties and NaN, values and indices, out=, methods and in-place forms, gradients and their grad_fn
names, second derivatives, and errors.

PyTorch leaves the order of equal elements unspecified for ``sort(stable=False)`` (it is stable only below
a size), topk, kthvalue and median along a dim: those rows use distinct values, the others ties.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

SHAPES = ((), (0,), (6,), (3, 4), (2, 0, 3), (2, 3, 20))
DTYPES = ("float32", "float64", "float16", "int32", "int64", "bool")
NAN = float("nan")


def dims_of(shape):
    return (0, -1) if len(shape) < 3 else (0, 1, -1)


def data(shape, dtype, kind="ties", seed=0):
    """Host data: "ties" (whole numbers in [-2, 2]), "nan" (ties with NaNs where the dtype has them) or
    "distinct" (a permutation: no two elements equal)."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if kind == "distinct":
        size = int(np.prod(shape))
        values = rng.permutation(size).reshape(shape) - size // 2
        return np.asarray(values * (0.5 if dtype.startswith("float") else 1), dtype=dtype)
    values = rng.integers(-2, 3, size=shape).astype(dtype)
    if kind == "nan" and dtype.startswith("float") and values.size:
        values.reshape(-1)[rng.random(values.size) < 0.2] = NAN
    return values


# name -> (fn(lib, x, dim), data kind); each returns what the two libraries must agree on.
TIED = {
    "cumsum": lambda lib, x, d: lib.cumsum(x, d),
    "cumsum(dtype=float64)": lambda lib, x, d: lib.cumsum(x, d, dtype=lib.float64),
    "cumsum(dtype=int32)": lambda lib, x, d: lib.cumsum(x, dim=d, dtype=lib.int32),
    "Tensor.cumsum": lambda lib, x, d: x.cumsum(d),
    "cumprod": lambda lib, x, d: lib.cumprod(x, d),
    "Tensor.cumprod(dtype=float32)": lambda lib, x, d: x.cumprod(d, dtype=lib.float32),
    "cummax": lambda lib, x, d: tuple(lib.cummax(x, d)),
    "Tensor.cummin": lambda lib, x, d: tuple(x.cummin(d)),
    "sort(stable=True)": lambda lib, x, d: tuple(lib.sort(x, dim=d, stable=True)),
    "sort(descending, stable)": lambda lib, x, d: tuple(lib.sort(x, stable=True, dim=d, descending=True)),
    "Tensor.sort values": lambda lib, x, d: x.sort(d).values,
    "argsort(stable=True)": lambda lib, x, d: lib.argsort(x, dim=d, stable=True),
    "Tensor.argsort(descending, stable)": lambda lib, x, d: x.argsort(dim=d, descending=True, stable=True),
    "msort": lambda lib, x, d: lib.msort(x),
    "topk values": lambda lib, x, d: lib.topk(x, min(2, x.shape[d] if x.dim() else 1), d).values,
    "topk(largest=False) values": lambda lib, x, d: x.topk(1 if x.numel() else 0, d, largest=False).values,
    "mode values": lambda lib, x, d: lib.mode(x, d).values,
    "mode": lambda lib, x, d: tuple(lib.mode(x, d)),
    "Tensor.mode(keepdim)": lambda lib, x, d: tuple(x.mode(d, True)),
    "median": lambda lib, x, d: lib.median(x),
    "nanmedian": lambda lib, x, d: x.nanmedian(),
    "median(dim) values": lambda lib, x, d: lib.median(x, d).values,
    "kthvalue values": lambda lib, x, d: lib.kthvalue(x, 1, d, keepdim=True).values,
    "unique": lambda lib, x, d: lib.unique(x),
    "unique(inverse, counts)": lambda lib, x, d: lib.unique(x, return_inverse=True, return_counts=True),
    "Tensor.unique(counts)": lambda lib, x, d: x.unique(return_counts=True),
    "unique_consecutive(inverse, counts)": lambda lib, x, d: lib.unique_consecutive(x, True, True),
}

# Rows whose tie order PyTorch keeps only up to 16 elements along the dim (its sort of (value, index) pairs is
# an insertion sort there, then an unstable one): mode's index of the last occurrence, unique's inverse of NaNs.
SMALL_TIES_ONLY = ("mode", "Tensor.mode(keepdim)", "unique(inverse, counts)")

# Ops whose indices PyTorch gives in an unspecified order among ties: distinct values only.
DISTINCT = {
    "sort": lambda lib, x, d: tuple(lib.sort(x, d)),
    "sort(descending)": lambda lib, x, d: tuple(x.sort(d, True)),
    "sort(dim=, descending=)": lambda lib, x, d: tuple(x.sort(dim=d, descending=True)),
    "argsort": lambda lib, x, d: lib.argsort(x, d),
    "topk": lambda lib, x, d: tuple(lib.topk(x, min(3, x.shape[d] if x.dim() else 1), d)),
    "topk(largest=False)": lambda lib, x, d: tuple(x.topk(min(2, x.shape[d] if x.dim() else 1), d, False)),
    "kthvalue": lambda lib, x, d: tuple(lib.kthvalue(x, max(1, (x.shape[d] if x.dim() else 1) // 2), d)),
    "median(dim)": lambda lib, x, d: tuple(lib.median(x, d)),
    "Tensor.median(dim, keepdim)": lambda lib, x, d: tuple(x.median(d, keepdim=True)),
    "nanmedian(dim)": lambda lib, x, d: tuple(lib.nanmedian(x, d)),
}

# Forward rows over NaN data: NaN sorts as the largest value, the running extremes stay NaN.
WITH_NAN = ("sort(stable=True)", "sort(descending, stable)", "argsort(stable=True)", "cummax", "Tensor.cummin",
            "cumsum", "cumprod", "median", "nanmedian", "median(dim) values", "unique(inverse, counts)", "msort",
            "topk values", "kthvalue values")


def _dims_for(shape):
    return [(shape, d) for d in dims_of(shape)]


# Ops that take no dim (or whose rows here ignore it) get one row per shape, at the first dim.
NO_DIM = ("unique", "Tensor.unique", "median", "nanmedian", "msort")


def _small_ties(name, shape):
    return name not in SMALL_TIES_ONLY or max(shape, default=0) <= 16


def _rows(names, dtypes):
    """(name, shape, dim, dtype) rows, leaving out what PyTorch leaves unspecified."""
    return [(name, shape, d, dtype) for name in names for shape in SHAPES for _, d in _dims_for(shape)
            for dtype in dtypes
            if not (name.startswith(NO_DIM) and d != 0) and _small_ties(name, shape)]


CASES = _rows(TIED, DTYPES)


@pytest.mark.parametrize("name, shape, dim, dtype", CASES)
def test_forward_matches_pytorch_on_ties(oracle, name, shape, dim, dtype):
    oracle.check_forward(lambda lib, x: TIED[name](lib, x, dim), data(shape, dtype))


@pytest.mark.parametrize("name, shape, dim, dtype", _rows(WITH_NAN, ("float32", "float64", "float16")))
def test_forward_matches_pytorch_with_nan(oracle, name, shape, dim, dtype):
    oracle.check_forward(lambda lib, x: TIED[name](lib, x, dim), data(shape, dtype, "nan", seed=3))


@pytest.mark.parametrize("name, shape, dim, dtype",
                         [(n, s, d, t) for n in DISTINCT for s in SHAPES for _, d in _dims_for(s)
                          for t in DTYPES if t != "bool"])
def test_indices_match_pytorch_on_distinct_values(oracle, name, shape, dim, dtype):
    oracle.check_forward(lambda lib, x: DISTINCT[name](lib, x, dim), data(shape, dtype, "distinct", seed=1))


def test_median_of_a_slice_with_nan_is_its_first_nan(oracle):
    x = np.array([[1.0, NAN, 3.0, NAN, 3.0, 0.0], [2.0, 1.0, 0.0, -1.0, 5.0, 4.0]])
    for fn in (lambda lib, t: tuple(lib.median(t, 1)), lambda lib, t: tuple(lib.nanmedian(t, 1)),
               lambda lib, t: tuple(lib.nanmedian(t[:1, [1, 3]], 1))):
        oracle.check_forward(fn, x)


def test_running_sums_accumulate_as_pytorch_does(oracle):
    """float32 running sums accumulate in float64, float16 ones in float32 (PyTorch's CPU kernels): 10000
    values give the same float32 sums, not merely close ones."""
    rng = np.random.default_rng(5)
    for dtype in ("float32", "float16"):
        x = rng.standard_normal(10000).astype(dtype)
        got = oracle.ember.cumsum(oracle.ember.tensor(x), 0).cpu().numpy()
        expected = torch.cumsum(torch.tensor(x), 0).cpu().numpy()
        np.testing.assert_array_equal(got, expected)


# ----- gradients ----------------------------------------------------------------------------------
GRADIENTS = {
    "cumsum": (lambda lib, x: lib.cumsum(x, 1), "distinct"),
    "cumsum(dim=0)": (lambda lib, x: x.cumsum(0), "distinct"),
    "cumsum(dtype=float64)": (lambda lib, x: lib.cumsum(x, -1, dtype=lib.float64), "distinct"),
    "cumprod": (lambda lib, x: lib.cumprod(x, 1), "distinct"),
    "cumprod with zeros": (lambda lib, x: x.cumprod(-1), "zeros"),
    "cumprod with zeros (dim=0)": (lambda lib, x: lib.cumprod(x, 0), "zeros"),
    "cummax": (lambda lib, x: lib.cummax(x, 1).values, "ties"),
    "cummin": (lambda lib, x: x.cummin(0).values, "ties"),
    "sort": (lambda lib, x: lib.sort(x, 1).values, "distinct"),
    "sort(dim=0, descending)": (lambda lib, x: x.sort(0, descending=True)[0], "ties"),
    "msort": (lambda lib, x: lib.msort(x), "distinct"),
    "topk": (lambda lib, x: lib.topk(x, 2).values, "distinct"),
    "topk(dim=0, largest=False)": (lambda lib, x: x.topk(1, 0, largest=False).values, "distinct"),
    "kthvalue": (lambda lib, x: lib.kthvalue(x, 2, 1).values, "distinct"),
    "kthvalue(keepdim)": (lambda lib, x: x.kthvalue(3, 0, True).values, "distinct"),
    "median": (lambda lib, x: lib.median(x), "distinct"),
    "median with ties": (lambda lib, x: x.median(), "ties"),
    "median(dim)": (lambda lib, x: lib.median(x, 1).values, "distinct"),
    "nanmedian": (lambda lib, x: lib.nanmedian(x), "nan"),
    "nanmedian(dim, keepdim)": (lambda lib, x: x.nanmedian(0, keepdim=True).values, "distinct"),
    "mode": (lambda lib, x: lib.mode(x, 1).values, "ties"),
    "cumsum_": (lambda lib, x: (x * 1).cumsum_(1), "distinct"),
    "cumprod_": (lambda lib, x: (x * 1).cumprod_(0), "zeros"),
}


def _gradient_data(kind, dtype="float64", shape=(3, 5)):
    if kind == "zeros":
        x = data(shape, dtype, "distinct", seed=2)
        x[0, 1] = x[1, 1] = x[1, 3] = x[2, 4] = 0
        return x
    return data(shape, dtype, kind, seed=2)


@pytest.mark.parametrize("dtype", ("float32", "float64"))
@pytest.mark.parametrize("name", GRADIENTS)
def test_gradient_and_grad_fn_match_pytorch(oracle, name, dtype):
    fn, kind = GRADIENTS[name]
    ember_result, torch_result = oracle.check(fn, _gradient_data(kind, dtype))
    assert oracle.grad_fn_name(ember_result) == oracle.grad_fn_name(torch_result)


SECOND_ORDER = ("cumsum", "cumprod", "cumprod with zeros", "cumprod with zeros (dim=0)", "cummax", "sort",
                "topk", "kthvalue", "median", "median(dim)", "mode", "cumprod_")


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_derivative_matches_pytorch(oracle, name):
    fn, kind = GRADIENTS[name]
    x = _gradient_data(kind)
    with torch.no_grad():
        shape = tuple(fn(torch, torch.tensor(x)).shape)
    upstream_values = np.random.default_rng(9).standard_normal(shape)
    results = []
    for lib in (oracle.ember, torch):
        leaf = lib.tensor(x, requires_grad=True)
        y = fn(lib, leaf)
        upstream = lib.tensor(upstream_values, requires_grad=True)
        (grad,) = lib.autograd.grad(y, leaf, upstream, create_graph=True)
        weights = lib.tensor(np.cos(np.arange(x.size)).reshape(x.shape))
        both = lib.autograd.grad((grad * weights).sum(), (leaf, upstream), allow_unused=True)
        results.append([np.zeros(x.shape) if g is None else g.detach().cpu().numpy() for g in both])
    for got, expected in zip(*results):
        np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-10)


def test_unique_results_require_grad_but_have_no_derivative(oracle):
    for lib in (oracle.ember, torch):
        x = lib.tensor([1.0, 2.0, 1.0], requires_grad=True)
        for fn, node in ((lib.unique, "Unique2Backward0"), (lib.unique_consecutive, "UniqueConsecutiveBackward0")):
            y = fn(x)
            assert type(y.grad_fn).__name__ == node
            with pytest.raises(NotImplementedError, match="is not implemented"):
                y.sum().backward()


# ----- forms: out=, in-place, return types ------------------------------------------------------------
def _out_pair(lib, shape, dtype):
    return lib.zeros(shape, dtype=getattr(lib, dtype)), lib.zeros(shape, dtype=lib.int64)


OUT_FORMS = {
    "cumsum": lambda lib, x: lib.cumsum(x, 1, out=lib.zeros(3, 4)),
    "cumsum into float64": lambda lib, x: lib.cumsum(x, 0, out=lib.zeros(3, 4, dtype=lib.float64)),
    "cumprod": lambda lib, x: lib.cumprod(x, 0, out=lib.zeros(3, 4)),
    "cummax": lambda lib, x: tuple(lib.cummax(x, 1, out=_out_pair(lib, (3, 4), "float32"))),
    "cummin": lambda lib, x: tuple(lib.cummin(x, 0, out=_out_pair(lib, (3, 4), "float32"))),
    "sort": lambda lib, x: tuple(lib.sort(x, stable=True, dim=1, out=_out_pair(lib, (3, 4), "float32"))),
    "msort": lambda lib, x: lib.msort(x, out=lib.zeros(3, 4)),
    "topk": lambda lib, x: tuple(lib.topk(x, 2, 0, out=_out_pair(lib, (2, 4), "float32"))),
    "kthvalue": lambda lib, x: tuple(lib.kthvalue(x, 2, 1, out=_out_pair(lib, (3,), "float32"))),
    "median": lambda lib, x: tuple(lib.median(x, 1, out=_out_pair(lib, (3,), "float32"))),
    "nanmedian(keepdim)": lambda lib, x: tuple(lib.nanmedian(x, 0, True, out=_out_pair(lib, (1, 4), "float32"))),
    "mode": lambda lib, x: tuple(lib.mode(x, 1, out=_out_pair(lib, (3,), "float32"))),
}


@pytest.mark.parametrize("name", OUT_FORMS)
def test_out_matches_pytorch(oracle, name):
    oracle.check_forward(OUT_FORMS[name], data((3, 4), "float32", "distinct", seed=4))


def test_out_is_the_result(oracle):
    ember = oracle.ember
    out = ember.zeros(3)
    assert ember.cumsum(ember.tensor([1.0, 2.0, 3.0]), 0, out=out) is out
    values, indices = ember.zeros(3), ember.zeros(3, dtype=ember.int64)
    result = ember.sort(ember.tensor([3.0, 1.0, 2.0]), out=(values, indices))
    assert result.values is values and result.indices is indices


IN_PLACE = {
    "cumsum_ float": (lambda lib, x: x.cumsum_(1), "float32"),
    "cumsum_ int64": (lambda lib, x: x.cumsum_(0), "int64"),
    "cumsum_ int32": (lambda lib, x: x.cumsum_(-1), "int32"),
    "cumprod_ float64": (lambda lib, x: x.cumprod_(0), "float64"),
    "cumsum_(dtype=float32) of float32": (lambda lib, x: x.cumsum_(0, dtype=lib.float32), "float32"),
}


@pytest.mark.parametrize("name", IN_PLACE)
def test_in_place_forms_match_pytorch(oracle, name):
    fn, dtype = IN_PLACE[name]
    x = data((3, 4), dtype, "ties", seed=6)
    results = []
    for lib in (oracle.ember, torch):
        t = lib.tensor(x)
        returned = fn(lib, t)
        assert returned is t
        results.append(t)
    oracle.assert_same(*results)


def test_named_tuples_are_pytorchs(oracle):
    ember = oracle.ember
    x = ember.tensor([[3.0, 1.0], [2.0, 2.0]])
    for result, name in ((x.sort(), "sort"), (x.topk(1), "topk"), (x.kthvalue(1), "kthvalue"),
                         (x.median(0), "median"), (x.nanmedian(0), "nanmedian"), (x.mode(), "mode"),
                         (x.cummax(0), "cummax"), (x.cummin(1), "cummin"), (x.max(0), "max")):
        assert type(result) is getattr(ember.return_types, name)
        assert type(result).__name__ == type(getattr(torch.return_types, name)(((), ()))).__name__
        values, indices = result
        assert values is result.values and indices is result.indices and result._fields == ("values", "indices")


def test_named_tuples_print_as_pytorchs(oracle):
    """A result tuple prints as PyTorch's structseq: its qualified name, then one ``field=repr`` a line."""
    ember = oracle.ember
    x = np.arange(12.0, dtype=np.float32).reshape(2, 3, 2)
    for fn in (lambda lib, t: t.max(2), lambda lib, t: lib.aminmax(t), lambda lib, t: t.flatten().topk(2),
               lambda lib, t: lib.linalg.slogdet(t[:, :2] + lib.eye(2))):
        got, expected = fn(ember, ember.tensor(x)), fn(torch, torch.tensor(x))
        assert repr(got).replace("ember.", "torch.") == repr(expected)
        assert str(got) == repr(got)


# ----- errors ---------------------------------------------------------------------------------------
ERRORS = {
    "cumsum without dim": lambda lib, x: lib.cumsum(x),
    "Tensor.cumprod without dim": lambda lib, x: x.cumprod(),
    "cumsum dim out of range": lambda lib, x: lib.cumsum(x, 2),
    "cumsum float dim": lambda lib, x: lib.cumsum(x, 0.5),
    "cumsum dtype positional": lambda lib, x: x.cumsum(0, lib.float64),
    "cumsum dtype=bool": lambda lib, x: lib.cumsum(x, 0, dtype=lib.bool),
    "cumsum_ with another dtype=": lambda lib, x: x.cumsum_(0, dtype=lib.float64),
    "cumprod_ of bool": lambda lib, x: (x > 0).cumprod_(0),
    "cumsum out of another dtype than dtype=": lambda lib, x: lib.cumsum(x, 0, dtype=lib.float64,
                                                                         out=lib.zeros(2, 3)),
    "cummax without dim": lambda lib, x: lib.cummax(x),
    "cummin dim out of range": lambda lib, x: x.cummin(-3),
    "sort dim out of range": lambda lib, x: lib.sort(x, 2),
    "sort with stable= and a positional dim": lambda lib, x: lib.sort(x, 0, stable=True),
    "sort with three positional arguments": lambda lib, x: x.sort(0, True, True),
    "argsort with stable= and a positional dim": lambda lib, x: lib.argsort(x, 0, stable=True),
    "sort out of the wrong index dtype": lambda lib, x: lib.sort(x, out=(lib.zeros(2, 3), lib.zeros(2, 3))),
    "argsort dim out of range": lambda lib, x: lib.argsort(x, -3),
    "topk k too large": lambda lib, x: lib.topk(x, 4),
    "topk negative k": lambda lib, x: x.topk(-1),
    "topk of bool": lambda lib, x: (x > 0).topk(1),
    "kthvalue k 0": lambda lib, x: lib.kthvalue(x, 0),
    "kthvalue k too large": lambda lib, x: x.kthvalue(4, 1),
    "kthvalue of bool": lambda lib, x: (x > 0).kthvalue(1),
    "kthvalue over an empty dim": lambda lib, x: lib.kthvalue(x[:, :0], 1),
    "median over an empty dim": lambda lib, x: lib.median(x[:0], 0),
    "median of bool": lambda lib, x: lib.median(x > 0),
    "nanmedian dim out of range": lambda lib, x: x.nanmedian(5),
    "mode over an empty dim": lambda lib, x: lib.mode(x[:, :0]),
    "unique dim out of range": lambda lib, x: lib.unique(x, dim=2),
    "unique over a tensor with other empty dims": lambda lib, x: lib.unique(x[:, :0], dim=0),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_pytorch(oracle, name):
    oracle.check_raises(ERRORS[name], data((2, 3), "float32", "distinct"))
