"""Everyday API against PyTorch: formatting of 0-d tensors, range indices, to(), typed constructors,
torch.accelerator, numpy keywords of reductions, norms, logsumexp, isclose, and the shape ops."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

INF = math.inf


# ----- formatting and indexing ------------------------------------------------------------------------
@pytest.mark.parametrize("value, dtype", [(3.14159, "float32"), (2.5, "float64"), (3, "int64"), (True, "bool"),
                                          (2.5, "float16")])
@pytest.mark.parametrize("spec", ["{}", "{:.3f}", "{:>10}", "{!s}", "{!r}"])
def test_format_of_0d_tensor(oracle, value, dtype, spec):
    import ember

    e, t = ember.tensor(value, dtype=getattr(ember, dtype)), torch.tensor(value, dtype=getattr(torch, dtype))
    try:
        expected = spec.format(t)
    except (TypeError, ValueError) as error:
        with pytest.raises(type(error)):
            spec.format(e)
        return
    assert spec.format(e) == expected.replace("torch.", "ember.")


@pytest.mark.parametrize("spec", ["{}", "{:.3f}", "{:>30}"])
def test_format_of_other_tensors(oracle, spec):
    import ember

    pairs = [(ember.tensor([1.5, 2.0]), torch.tensor([1.5, 2.0])),
             (ember.nn.Parameter(ember.tensor(2.5)), torch.nn.Parameter(torch.tensor(2.5)))]
    for e, t in pairs:
        try:
            expected = spec.format(t)
        except TypeError:
            with pytest.raises(TypeError):
                spec.format(e)
            continue
        assert spec.format(e) == expected


@pytest.mark.parametrize("key", ["rows_y", "range_only", "range_step", "trailing_range", "empty_range"])
def test_range_indices(oracle, key):
    keys = {"rows_y": lambda lib: (range(3), lib.tensor([1, 2, 0])), "range_only": lambda lib: range(1, 3),
            "range_step": lambda lib: (range(0, 3, 2), slice(None)), "trailing_range": lambda lib: (slice(None),
                                                                                                   range(2)),
            "empty_range": lambda lib: range(0)}
    x = np.arange(12, dtype="float32").reshape(3, 4)
    oracle.check(lambda lib, a: a[keys[key](lib)], x)

    def assign(lib, a):
        out = a.detach().clone()
        out[keys[key](lib)] = 7.0
        out[keys[key](lib)] -= 1
        return out
    oracle.check(assign, x, grad=False)


def test_range_index_in_place_subtract_with_grad(oracle):
    def fn(lib, a):
        out = a * 1
        out[range(3), lib.tensor([1, 2, 0])] -= 1
        return out
    oracle.check(fn, np.ones((3, 4), dtype="float32"))


# ----- to() and devices --------------------------------------------------------------------------------
def test_cpu_0_is_the_cpu(oracle):
    import ember

    for lib in (ember, torch):
        a = lib.tensor([1.0, 2.0], device="cpu:0")
        assert str(a.device) == "cpu"
        assert str((a + lib.tensor([1.0, 1.0])).device) == "cpu"
        assert str(lib.tensor(1.0).to("cpu:0").device) == "cpu"
        assert (lib.device("cpu:0") == lib.device("cpu")) is False


@pytest.mark.parametrize("call", [lambda lib: lib.tensor(1.0).to(0), lambda lib: lib.nn.Linear(2, 2).to(0),
                                  lambda lib: lib.device(0), lambda lib: lib.accelerator.current_device_index(),
                                  lambda lib: lib.tensor(1.0).to(1, lib.float64)])
def test_bare_index_needs_an_accelerator(oracle, call, cpu_only_install):
    if torch.accelerator.is_available():
        pytest.skip("torch sees an accelerator here")
    import ember

    with pytest.raises(RuntimeError) as expected:
        call(torch)
    with pytest.raises(RuntimeError, match=str(expected.value)):
        call(ember)


@pytest.mark.parametrize("args", [("float64",), ("float64", False, True), ("cpu", "float16"), ("cpu", "int64", False),
                                  ("float64", True)])
def test_to_forms(oracle, args):
    def fn(lib, a):
        converted = [getattr(lib, arg) if arg in ("float64", "float16", "int64") else arg for arg in args]
        return a.to(*converted)
    oracle.check(fn, np.arange(4, dtype="float32") / 3, grad=False)


def test_accelerator_queries_on_this_machine(oracle, cpu_only_install):
    if torch.accelerator.is_available():
        pytest.skip("torch sees an accelerator here")
    import ember

    assert ember.accelerator.is_available() is torch.accelerator.is_available()
    assert ember.accelerator.device_count() == torch.accelerator.device_count()
    assert ember.accelerator.current_accelerator() is None is torch.accelerator.current_accelerator()
    assert ember.accelerator.current_accelerator(check_available=True) is None


@pytest.mark.parametrize("name", ["is_sparse", "is_sparse_csr", "is_quantized", "is_nested"])
def test_layout_queries_of_dense_tensors(oracle, name):
    """Code written for PyTorch's other layouts (optimizers refusing ``grad.is_sparse``) asks these of every
    tensor: a dense strided tensor, a view and a gradient all answer False."""
    import ember

    for lib in (ember, torch):
        x = lib.ones(2, 3, requires_grad=True)
        (x * 2).sum().backward()
        assert [getattr(t, name) for t in (x, x.t(), x.grad)] == [False] * 3

def test_mps_queries_on_this_machine(oracle, cpu_only_install):
    import ember

    assert ember.backends.mps.is_available() is torch.backends.mps.is_available()
    assert ember.backends.mps.is_built() is torch.backends.mps.is_built()


@pytest.fixture
def sharing_strategies():
    import ember

    saved = [lib.multiprocessing.get_sharing_strategy() for lib in (ember, torch)]
    yield ember.multiprocessing, torch.multiprocessing
    for lib, strategy in zip((ember, torch), saved):
        lib.multiprocessing.set_sharing_strategy(strategy)


def test_multiprocessing_sharing_strategies_as_pytorch(oracle, sharing_strategies):
    ours, theirs = sharing_strategies
    assert ours.get_all_sharing_strategies() == theirs.get_all_sharing_strategies()
    assert ours.get_sharing_strategy() == theirs.get_sharing_strategy()
    for mp in sharing_strategies:
        mp.set_sharing_strategy("file_system")
        assert mp.get_sharing_strategy() == "file_system"
        with pytest.raises(AssertionError, match="^invalid sharing strategy 'memory', expected one of"):
            mp.set_sharing_strategy("memory")
        assert mp.get_sharing_strategy() == "file_system"
    assert set(theirs.__all__) <= set(ours.__all__)  # the names PyTorch exports, Python's among them


@pytest.fixture
def cudnn_switches():
    """Both libraries' cuDNN switches, put back after the test."""
    import ember

    names = ("enabled", "benchmark", "deterministic", "allow_tf32")
    saved = [{name: getattr(lib.backends.cudnn, name) for name in names} for lib in (ember, torch)]
    yield ember.backends.cudnn, torch.backends.cudnn
    for lib, values in zip((ember, torch), saved):
        for name, value in values.items():
            setattr(lib.backends.cudnn, name, value)


def test_cudnn_switches_as_pytorch(oracle, cudnn_switches):
    """The seeding preamble of ordinary scripts (``cudnn.deterministic = True; cudnn.benchmark = False``),
    reading the switches, the `flags` context and the queries, with PyTorch's values and refusals."""
    ours, theirs = cudnn_switches
    names = ("enabled", "benchmark", "deterministic", "allow_tf32")
    state = lambda cudnn: [getattr(cudnn, name) for name in names]  # noqa: E731
    assert state(ours) == state(theirs)
    assert ours.is_available() is False and ours.version() is None  # ember has no cuDNN path
    if not theirs.is_available():  # a PyTorch build or machine without cuDNN: ember's facts
        assert theirs.version() is None and ours.benchmark_limit is theirs.benchmark_limit
    for cudnn in cudnn_switches:
        cudnn.deterministic, cudnn.benchmark = True, True
    assert state(ours) == state(theirs)
    for cudnn in cudnn_switches:
        with cudnn.flags(deterministic=True, benchmark_limit=3):
            inside = state(cudnn)
        assert state(cudnn) != inside
        assert (inside, state(cudnn)) == ([False, False, True, True], [True, True, True, True])
    for name in ("enabled", "benchmark", "deterministic"):
        with pytest.raises(RuntimeError) as expected:
            setattr(theirs, name, 1)
        with pytest.raises(RuntimeError, match=f"^{expected.value}$"):
            setattr(ours, name, 1)
        with pytest.raises(RuntimeError, match=f"^{expected.value}$"):
            with ours.flags(**{name: 1}):
                pass
    assert state(ours) == state(theirs)  # a refused value changed nothing, not even the switches before it
    with pytest.raises(AttributeError, match="has no attribute 'foo'"):
        ours.foo  # noqa: B018


# ----- typed constructors ------------------------------------------------------------------------------
NAMES = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "BoolTensor"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("args", [(2, 3), ([1.7, 0, -2],), ((2, 3),), ([[1, 0], [2, 3]],), (), ("size",),
                                  (2.5,), ("a",), ([[1, 2], [3]],), (-1,)])
def test_typed_constructor(oracle, name, args):
    def build(lib):
        return getattr(lib, name)(*(lib.Size([2, 2]) if a == "size" else a for a in args))
    got, expected = _constructed_alike(build, args)
    if got is not None:
        assert got.type() == expected.type().replace("torch", "ember")


def _constructed_alike(build, args):
    """(ember's, PyTorch's) tensors from `build(lib)`, of one shape and dtype and, built from data, of equal
    values; (None, None) when PyTorch refuses, after checking that ember refuses with its exception type."""
    import ember

    try:
        expected = build(torch)
    except Exception as error:
        with pytest.raises(type(error)):
            build(ember)
        return None, None
    got = build(ember)
    assert tuple(got.shape) == tuple(expected.shape) and str(got.dtype)[6:] == str(expected.dtype)[6:]
    if args and isinstance(args[0], list):
        np.testing.assert_array_equal(got.cpu().numpy(), expected.cpu().numpy())
    return got, expected


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_typed_constructor_isinstance_and_tensors(oracle, name, dtype):
    import ember

    e, t = ember.ones(2, dtype=getattr(ember, dtype)), torch.ones(2, dtype=getattr(torch, dtype))
    assert isinstance(e, getattr(ember, name)) is isinstance(t, getattr(torch, name))
    try:
        expected = getattr(torch, name)(t)
    except TypeError:
        with pytest.raises(TypeError):
            getattr(ember, name)(e)
        return
    got = getattr(ember, name)(e)
    got[0] = 0  # PyTorch's result aliases its argument
    assert not bool(e[0]) and expected.data_ptr() == t.data_ptr()


@pytest.mark.parametrize("dtype", ["float64", "int32", "bool"])
@pytest.mark.parametrize("args", [(2, 3), ([1.7, 0, -2],), ((2, 3),), ([[1, 0], [2, 3]],), (), ("size",), (2.5,),
                                  ("a",), (-1,)])
def test_tensor_new(oracle, dtype, args):
    """Old code's ``weight.new(n, h).zero_()`` and ``x.new(data)``: the typed constructors' forms, of the
    tensor's dtype and device."""
    import ember

    def build(lib):
        converted = [lib.Size([2]) if arg == "size" else arg for arg in args]
        return lib.ones(2, dtype=getattr(lib, dtype)).new(*converted)
    got, _ = _constructed_alike(build, args)
    if got is not None:
        assert got.device == ember.ones(1).device and not got.requires_grad


# ----- reductions ---------------------------------------------------------------------------------------
REDUCTION_NAMES = ["sum", "mean", "var", "std", "prod", "any", "all", "amax", "amin", "max", "min", "argmax", "argmin",
                   "logsumexp"]


@pytest.mark.parametrize("name", REDUCTION_NAMES)
@pytest.mark.parametrize("keywords", [{"axis": 0}, {"axis": 1, "keepdims": True}, {"dim": 1, "keepdims": True},
                                      {"axis": -1, "keepdim": True}])
@pytest.mark.parametrize("form", ["method", "function"])
def test_numpy_keywords(oracle, name, keywords, form):
    x = oracle.array(oracle.rng(1), (3, 4), "float64")

    def fn(lib, a):
        return getattr(a, name)(**keywords) if form == "method" else getattr(lib, name)(a, **keywords)
    oracle.check(fn, x, grad=name not in ("any", "all", "argmax", "argmin"))


ORDERS = [2, 1, INF, -INF, 0, 3, 0.5, -1, -2]


@pytest.mark.parametrize("ord", ORDERS)
@pytest.mark.parametrize("dim, keepdim", [(None, False), (1, False), ((0, 1), True), (0, True)])
@pytest.mark.parametrize("values", ["real", "zeros", "some_zeros"])
def test_vector_norm(oracle, ord, dim, keepdim, values):
    x = {"real": oracle.array(oracle.rng(2), (3, 4), "float64"), "zeros": np.zeros((3, 4)),
         "some_zeros": np.array([[0.0, 0, 3, -1], [0, 0, 0, 0], [1, -2, 2, 0]])}[values]
    oracle.check(lambda lib, a: lib.linalg.vector_norm(a, ord, dim, keepdim), x)


@pytest.mark.parametrize("call", [
    lambda lib, a: a.norm(), lambda lib, a: lib.norm(a), lambda lib, a: a.norm(1), lambda lib, a: a.norm(2, 1),
    lambda lib, a: lib.norm(a, p="fro", dim=(0, 1)), lambda lib, a: lib.norm(a, p=INF, dim=1, keepdim=True),
    lambda lib, a: a.data.norm(), lambda lib, a: a.norm(dtype=lib.float64), lambda lib, a: lib.norm(a, "fro", 1),
    lambda lib, a: lib.linalg.vector_norm(a, 2, dtype=lib.float64), lambda lib, a: lib.norm(a, 3, (0, 1)),
])
def test_norm_forms(oracle, call):
    oracle.check(call, oracle.array(oracle.rng(3), (3, 4), "float32"))


@pytest.mark.parametrize("call", [
    lambda lib: lib.norm(lib.tensor([1, 2])), lambda lib: lib.linalg.vector_norm(lib.ones(2), "fro"),
    lambda lib: lib.linalg.vector_norm(lib.ones(2), 2, dtype=lib.int64),
    lambda lib: lib.linalg.vector_norm(lib.ones(0, 3), INF),
])
def test_norm_errors(oracle, call):
    import ember

    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type):
        call(ember)


def test_norm_grad_fn_names(oracle):
    import ember

    for lib in (ember, torch):
        a = lib.ones(3, requires_grad=True)
        assert type(a.norm().grad_fn).__name__ == "LinalgVectorNormBackward0"
        assert type(lib.logsumexp(a, 0).grad_fn).__name__ == "LogsumexpBackward0"


@pytest.mark.parametrize("rows", [[[-INF, -INF], [1.0, 2.0]], [[INF, 1.0], [0.5, -1.0]], [[1e30, 1e30], [-3, 4]]])
@pytest.mark.parametrize("dim, keepdim", [(1, False), (0, True), ((0, 1), False)])
def test_logsumexp(oracle, rows, dim, keepdim):
    oracle.check(lambda lib, a: lib.logsumexp(a, dim, keepdim), np.array(rows))


def test_logsumexp_of_integers_and_empty(oracle):
    oracle.check_forward(lambda lib, a: lib.logsumexp(a, 0), np.array([1, 2]))
    oracle.check_forward(lambda lib, a: lib.logsumexp(a, 1), np.ones((2, 0), dtype="float32"))
    oracle.check_forward(lambda lib, a: lib.logsumexp(a, 0), np.ones((2, 0), dtype="float32"))


@pytest.mark.parametrize("call", [lambda lib, a: lib.count_nonzero(a), lambda lib, a: lib.count_nonzero(a, 0),
                                  lambda lib, a: a.count_nonzero(dim=(0, 1)), lambda lib, a: a.count_nonzero(axis=1)])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_count_nonzero(oracle, call, dtype):
    oracle.check_forward(call, np.array([[0, 1, 2], [3, 0, 0]]).astype(dtype))


CLOSE_A = [1.0, math.nan, INF, 1e-9, -INF, INF, 1.0, 2.0]
CLOSE_B = [1.0000001, math.nan, INF, 0.0, INF, 1.0, math.nan, 2.1]


@pytest.mark.parametrize("kwargs", [{}, {"equal_nan": True}, {"rtol": 0, "atol": 0}, {"atol": 0.2},
                                    {"rtol": 0.1, "atol": 0}])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_isclose_allclose(oracle, kwargs, dtype):
    a, b = np.array(CLOSE_A, dtype=dtype), np.array(CLOSE_B, dtype=dtype)
    oracle.check_forward(lambda lib, x, y: lib.isclose(x, y, **kwargs), a, b)
    oracle.check_forward(lambda lib, x, y: x.isclose(y, **kwargs), a, b)
    for pick in (slice(None), slice(0, 1), [0, 2, 7]):
        import ember
        assert ember.allclose(ember.tensor(a[pick]), ember.tensor(b[pick]), **kwargs) is \
            torch.allclose(torch.tensor(a[pick]), torch.tensor(b[pick]), **kwargs)


@pytest.mark.parametrize("call", [
    lambda lib: lib.isclose(lib.tensor([1, 2]), lib.tensor([1, 3])),
    lambda lib: lib.isclose(lib.tensor([1, 2]), lib.tensor([1, 3]), atol=1.5),
    lambda lib: lib.isclose(lib.tensor([True, False]), lib.tensor([True, True])),
    lambda lib: lib.isclose(lib.ones(2, 1), lib.ones(3)),
    lambda lib: lib.isclose(lib.tensor([1, 2]), lib.tensor([1.0, 3])),
    lambda lib: lib.isclose(lib.ones(2), 1.0), lambda lib: lib.isclose(lib.ones(2), lib.ones(2), rtol=-1),
    lambda lib: lib.allclose(lib.ones(2), lib.ones(3)),
])
def test_isclose_forms_and_errors(oracle, call):
    import ember

    try:
        expected = call(torch)
    except Exception as error:
        with pytest.raises(type(error)):
            call(ember)
        return
    oracle.assert_same(call(ember), expected)


@pytest.mark.parametrize("call", [
    lambda lib, a: lib.clamp_min(a, 0.5), lambda lib, a: a.clamp_max(-0.25), lambda lib, a: a.clamp_min(lib.ones(4)),
    lambda lib, a: lib.clamp_max(a, lib.zeros(3, 1)), lambda lib, a: (a * 1).clamp_min_(0.0),
    lambda lib, a: (a * 1).clamp_max_(0.0),
])
def test_clamp_min_max(oracle, call):
    oracle.check(call, oracle.array(oracle.rng(4), (3, 4), "float32"))


# ----- shape ops ----------------------------------------------------------------------------------------
SHAPE_CALLS = {
    "split_int": lambda lib, a: a.split(2, 1), "split_sizes": lambda lib, a: lib.split(a, [1, 3], dim=1),
    "split_rows": lambda lib, a: lib.split(a, 2), "chunk": lambda lib, a: a.chunk(2),
    "chunk_dim": lambda lib, a: lib.chunk(a, 3, 1), "chunk_more": lambda lib, a: a.reshape(-1).chunk(5),
    "unbind": lambda lib, a: a.unbind(1), "unbind_fn": lambda lib, a: lib.unbind(a),
    "flip": lambda lib, a: a.flip(0), "flip_both": lambda lib, a: lib.flip(a, (0, -1)),
    "flip_args": lambda lib, a: a.flip(1, 0), "roll": lambda lib, a: a.roll(1),
    "roll_flat": lambda lib, a: lib.roll(a, -13), "roll_dims": lambda lib, a: a.roll((1, 2), (0, 1)),
    "roll_zero": lambda lib, a: a.roll(4, 1), "tril": lambda lib, a: a.tril(),
    "tril_k": lambda lib, a: lib.tril(a, -1), "triu": lambda lib, a: a.triu(1), "triu_neg": lambda lib, a: a.triu(-2),
    "tril_batch": lambda lib, a: a.reshape(2, 3, 2).tril(), "diag2d": lambda lib, a: lib.diag(a),
    "diag2d_k": lambda lib, a: lib.diag(a, 1), "diag1d": lambda lib, a: lib.diag(a[0]),
    "diag1d_k": lambda lib, a: a[1].diag(-2), "diagonal": lambda lib, a: a.diagonal(),
    "diagonal_k": lambda lib, a: lib.diagonal(a, 1), "diagonal_neg": lambda lib, a: a.diagonal(-1, 1, 0),
    "diagonal_past": lambda lib, a: a.diagonal(5), "diagonal_3d": lambda lib, a: a.reshape(2, 3, 2).diagonal(0, 0, 2),
    "repeat": lambda lib, a: a.repeat(2, 1), "repeat_new_dims": lambda lib, a: a.repeat(2, 1, 3),
    "repeat_tuple": lambda lib, a: a.repeat((1, 2)), "movedim": lambda lib, a: a.movedim(0, 1),
    "movedim_3d": lambda lib, a: lib.movedim(a.reshape(2, 3, 2), (0, 1), (2, 0)),
    "moveaxis": lambda lib, a: lib.moveaxis(a.reshape(2, 3, 2), -1, 0),
}


@pytest.mark.parametrize("name", sorted(SHAPE_CALLS))
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_shape_ops(oracle, name, layout):
    x = oracle.layout_array(oracle.rng(5), (3, 4), layout, "float64")
    call = SHAPE_CALLS[name]

    def fn(lib, a):
        return call(lib, oracle.view_as_layout(a, layout))
    ember_result, torch_result = oracle.check(fn, x)
    expected_names = [oracle.grad_fn_name(t) for t in (torch_result if isinstance(torch_result, tuple)
                                                       else (torch_result,))]
    got_names = [oracle.grad_fn_name(t) for t in (ember_result if isinstance(ember_result, tuple)
                                                  else (ember_result,))]
    if not name.startswith(("split", "chunk", "unbind")):  # pieces are narrow/select views in ember
        assert got_names == expected_names


@pytest.mark.parametrize("name", ["roll", "flip", "tril", "diag2d", "repeat", "roll_zero"])
def test_shape_copies_do_not_alias(oracle, name):
    import ember

    a = ember.arange(12.0).reshape(3, 4)
    result = SHAPE_CALLS[name](ember, a)
    result.fill_(-1)
    assert float(a.min()) == 0.0


@pytest.mark.parametrize("name", ["diagonal", "diagonal_k", "split_sizes", "unbind"])
def test_shape_views_write_through(oracle, name):
    import ember

    def fn(lib):
        a = lib.arange(12.0).reshape(3, 4)
        piece = SHAPE_CALLS[name](lib, a)
        (piece[0] if isinstance(piece, tuple) else piece).fill_(-1)
        return a
    oracle.assert_same(fn(ember), fn(torch))


@pytest.mark.parametrize("call", [
    lambda lib, a: a.split(0), lambda lib, a: a.split([1, 2], 1), lambda lib, a: a.chunk(0),
    lambda lib, a: a.repeat(2), lambda lib, a: a[0].tril(), lambda lib, a: a.diagonal(0, 0, 0),
    lambda lib, a: a.flip(0, 0), lambda lib, a: lib.diag(a.reshape(2, 3, 2)), lambda lib, a: a.roll((1, 2), 0),
    lambda lib, a: a.movedim((0, 1), 0), lambda lib, a: a.unbind(2),
])
def test_shape_errors(oracle, call):
    oracle.check_raises(call, np.zeros((3, 4), dtype="float32"))


@pytest.mark.parametrize("values", [[0, 2, 1], [[0], [2]], [3, 3], []])
@pytest.mark.parametrize("num_classes", [-1, 4])
def test_one_hot(oracle, values, num_classes):
    oracle.check_forward(lambda lib, a: lib.nn.functional.one_hot(a, num_classes), np.array(values, dtype="int64"))


@pytest.mark.parametrize("values", [[0.0, 1.0], [-1], [4]])
def test_one_hot_errors(oracle, values):
    array = np.array(values, dtype="float32" if isinstance(values[0], float) else "int64")
    oracle.check_raises(lambda lib, a: lib.nn.functional.one_hot(a, 4), array)


@pytest.mark.parametrize("condition", [[[0, 1], [1, 1]], [[True, False, True]], [0.0, 2.0, -1.0], [[[1, 0], [0, 1]]],
                                       [], [[0, 0]]])
def test_where_with_one_argument(oracle, condition):
    oracle.check_forward(lambda lib, c: lib.where(c), np.array(condition))


def test_where_of_0d(oracle):
    for value in (0, 3):
        oracle.check_forward(lambda lib, c: lib.where(c), np.array(value))


def test_version_module_has_pytorchs_names():
    """`torch.version.cuda` and its siblings: the names PyTorch's CPU build gives, with its values where ember's
    build is alike (no CUDA, HIP or ROCm toolkit; a release build). A CUDA build of PyTorch reports its
    toolkit; ember compiles none, whatever backend runs its kernels."""
    import torch

    import ember
    for name in ("cuda", "hip", "rocm", "debug", "git_version", "__version__"):
        assert hasattr(ember.version, name), name
    assert ember.version.hip is torch.version.hip is None
    assert ember.version.cuda is None  # PyTorch's is None in a CPU build (its CUDA build's is the toolkit's version)
    assert ember.version.debug is torch.version.debug is False
    assert ember.__version__ == ember.version.__version__
