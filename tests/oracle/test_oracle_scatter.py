"""gather, scatter and their family against PyTorch: values and dtypes over shapes with empty and 0-d
tensors, negative dims, repeated indices; errors (type and message) raised before any write; gradients,
grad_fn names and the grad_fn names of the gradients (second derivatives); in-place and out= forms."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from outcomes import settled

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

DTYPES = ("float16", "float32", "float64", "int64", "int32", "bool")


def _long(lib, values):
    return lib.tensor(values, dtype=lib.int64)


def _mask(lib, values):
    return lib.tensor(np.array(values, dtype=bool))


# name -> fn(lib, x) for x of shape (3, 4) in every dtype; indices are built per library. Writes that
# repeat an index (without reducing) are left out: which write wins is unspecified in PyTorch.
FORWARD = {
    "gather": lambda lib, x: x.gather(1, _long(lib, [[0, 3, 3], [1, 1, 0], [2, 0, 0]])),
    "gather dim 0": lambda lib, x: lib.gather(x, 0, _long(lib, [[2, 0, 1, 1]])),
    "gather negative dim": lambda lib, x: x.gather(-1, _long(lib, [[3], [0]])),
    "gather int32 index": lambda lib, x: x.gather(1, lib.tensor([[1, 2]], dtype=lib.int32)),
    "gather empty index": lambda lib, x: x.gather(1, _long(lib, np.zeros((3, 0), np.int64))),
    "gather wider along dim": lambda lib, x: x.gather(1, _long(lib, [[0, 1, 2, 3, 3, 0]])),
    "gather 0-d": lambda lib, x: x[1, 2].gather(0, _long(lib, 0)),
    "gather 0-d into 1-d index": lambda lib, x: x[1, 2].gather(0, _long(lib, [0, 0])),
    "gather 1-d with 0-d index": lambda lib, x: x[1].gather(0, _long(lib, 3)),
    "gather of a transposed view": lambda lib, x: x.t().gather(0, _long(lib, [[3, 0, 1], [0, 0, 2]])),
    "scatter": lambda lib, x: x.scatter(1, _long(lib, [[0, 3], [2, 1]]), x.flip(0)),
    "scatter value": lambda lib, x: x.scatter(0, _long(lib, [[2, 0, 1, 1]]), 1),
    "scatter value keyword": lambda lib, x: lib.scatter(x, 0, _long(lib, [[2, 0, 1, 1]]), value=0),
    "scatter reduce add": lambda lib, x: x.scatter(1, _long(lib, [[0, 0, 3]]), x, reduce="add"),
    "scatter reduce multiply": lambda lib, x: x.scatter(1, _long(lib, [[0, 0, 3]]), x, reduce="multiply"),
    "scatter value reduce multiply": lambda lib, x: x.scatter(1, _long(lib, [[0, 0, 3]]), 2, reduce="multiply"),
    "scatter empty index": lambda lib, x: x.scatter(0, _long(lib, np.zeros((0, 4), np.int64)), x),
    "scatter_add": lambda lib, x: x.scatter_add(0, _long(lib, [[0, 0, 2, 2], [0, 1, 2, 0]]), x),
    "scatter_add negative dim": lambda lib, x: lib.scatter_add(x, -1, _long(lib, [[3, 3, 3]]), x),
    "scatter_add 0-d": lambda lib, x: x[0, 0].scatter_add(0, _long(lib, 0), x[1, 1]),
    **{f"scatter_reduce {reduce}{' without self' * (not include_self)}":
       (lambda lib, x, r=reduce, s=include_self:
        x.scatter_reduce(1, _long(lib, [[0, 0, 3, 0], [1, 1, 1, 1]]), x.flip(1), r, include_self=s))
       for reduce in ("sum", "prod", "mean", "amax", "amin") for include_self in (True, False)},
    "index_select": lambda lib, x: x.index_select(1, _long(lib, [3, 0, 3])),
    "index_select negative dim, empty index": lambda lib, x: lib.index_select(x, -2, _long(lib, [])),
    "index_select 0-d index": lambda lib, x: x.index_select(0, _long(lib, 2)),
    "index_select int32": lambda lib, x: x.index_select(0, lib.tensor([2, 2], dtype=lib.int32)),
    "index_select 0-d input": lambda lib, x: x[0, 1].index_select(0, _long(lib, [0, 0])),
    "index_add": lambda lib, x: x.index_add(0, _long(lib, [2, 2]), x[:2]),
    "index_add alpha": lambda lib, x: x.index_add(1, _long(lib, [0, 3, 0]), x[:, :3], alpha=2),
    "index_copy": lambda lib, x: x.index_copy(1, _long(lib, [3, 0]), x[:, 1:3]),
    "index_copy 0-d index": lambda lib, x: x.index_copy(0, _long(lib, 1), x[2:]),
    "index_fill": lambda lib, x: x.index_fill(1, _long(lib, [0, -1]), 1),
    "index_fill 0-d tensor": lambda lib, x: lib.index_fill(x, 0, _long(lib, [1]), lib.tensor(0)),
    "masked_select": lambda lib, x: x.masked_select(_mask(lib, np.arange(12).reshape(3, 4) % 3 == 0)),
    "masked_select broadcast mask": lambda lib, x: lib.masked_select(x, _mask(lib, [True, False, False, True])),
    "masked_select broadcast input": lambda lib, x: x[0].masked_select(_mask(lib, [[True] * 4, [False] * 4])),
    "masked_scatter": lambda lib, x: x.masked_scatter(_mask(lib, np.arange(12).reshape(3, 4) % 5 == 0), x.t()),
    "masked_scatter broadcast mask": lambda lib, x: lib.masked_scatter(x, _mask(lib, [False, True, True, False]),
                                                                       x.flip(0)),
    "take": lambda lib, x: x.take(_long(lib, [[0, 11], [-1, 5]])),
    "take of a transposed view": lambda lib, x: lib.take(x.t(), _long(lib, [1, 1, 4])),
    "take 0-d index": lambda lib, x: x.take(_long(lib, 7)),
    "take_along_dim": lambda lib, x: lib.take_along_dim(x, _long(lib, [[1], [0], [3]]), 1),
    "take_along_dim broadcast": lambda lib, x: x.take_along_dim(_long(lib, [[0, 2]]), dim=1),
    "take_along_dim flattened": lambda lib, x: lib.take_along_dim(x, _long(lib, [11, 0, 0])),
    "index_put": lambda lib, x: lib.index_put(x, (_long(lib, [0, 2]), _long(lib, [3, 1])), x[1, :2]),
    "index_put accumulate": lambda lib, x: lib.index_put(x, (_long(lib, [0, 0, 2]),), x[:3], accumulate=True),
    "index_put mask": lambda lib, x: x.index_put([_mask(lib, [True, False, True])], x[0, 0]),
    "gather from an empty input": lambda lib, x: x[:0].gather(0, _long(lib, np.zeros((0, 4), np.int64))),
    "index_select from an empty input": lambda lib, x: x[:, :0].index_select(0, _long(lib, [2, 0])),
    "scatter_add into an empty input": lambda lib, x: x[:0].scatter_add(1, _long(lib, np.zeros((0, 2), np.int64)),
                                                                        x[:0]),
    "index_add into an empty input": lambda lib, x: x[:0].index_add(1, _long(lib, [9]), x[:0, :1]),
    "index_fill of an empty input": lambda lib, x: x[:0].index_fill(1, _long(lib, [9]), 1),
    "index_select along an empty dim": lambda lib, x: x[:, :0].index_select(1, _long(lib, [0])),
    "index_select out of range of an empty input": lambda lib, x: x[:0].index_select(1, _long(lib, [4])),
    "index_select out of range of an empty vector": lambda lib, x: x[0, :0].index_select(0, _long(lib, [0])),
    "repeat_interleave": lambda lib, x: x.repeat_interleave(2),
    "repeat_interleave dim": lambda lib, x: lib.repeat_interleave(x, 3, dim=-1),
    "repeat_interleave tensor": lambda lib, x: x.repeat_interleave(_long(lib, [1, 0, 2]), dim=0),
    "repeat_interleave one-element tensor": lambda lib, x: x.repeat_interleave(_long(lib, [2]), dim=1),
    "repeat_interleave output_size": lambda lib, x: x.repeat_interleave(_long(lib, [2, 0, 1]), 0, output_size=3),
    "repeat_interleave 0-d": lambda lib, x: x[1, 1].repeat_interleave(3),
}


def _input(lib, dtype):
    values = np.random.default_rng(3).uniform(-3, 3, (3, 4)).round(1)
    if dtype == "bool":
        return lib.tensor(values > 0)
    return lib.tensor(values.astype(dtype))


def _run(fn, lib, *args):
    """fn's result, or the exception it raised (warnings off: PyTorch's deprecation of scatter's reduce)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return settled(fn(lib, *args))
        except Exception as error:  # noqa: BLE001 - compared with PyTorch's
            return error


def _same_outcome(oracle, got, expected, what):
    if isinstance(expected, NotImplementedError):
        pytest.skip(f"torch has no kernel here: {expected}")
    if isinstance(expected, Exception):
        assert isinstance(got, Exception), f"{what}: expected {type(expected).__name__}: {expected}, got {got!r}"
        assert type(got) is type(expected), f"{what}: {type(got).__name__}: {got}, expected {type(expected).__name__}"
        assert str(got) == str(expected), f"{what}: message {str(got)!r}, expected {str(expected)!r}"
        return
    assert not isinstance(got, Exception), f"{what}: raised {type(got).__name__}: {got}"
    oracle.assert_same(got, expected, what)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", FORWARD)
def test_forward_matches_pytorch(oracle, name, dtype):
    fn = FORWARD[name]
    expected = _run(fn, torch, _input(torch, dtype))
    _same_outcome(oracle, _run(fn, oracle.ember, _input(oracle.ember, dtype)), expected, name)


# name -> fn(lib, x, y): x of shape (3, 4) and y of shape (2, 4), float64, both requiring grad.
GRADIENTS = {
    "gather": lambda lib, x, y: x.gather(1, _long(lib, [[0, 3, 3], [1, 1, 0]])),
    "scatter": lambda lib, x, y: x.scatter(0, _long(lib, [[2, 0, 1, 1], [0, 2, 2, 0]]), y),
    "scatter value": lambda lib, x, y: x.scatter(1, _long(lib, [[3], [0]]), 2.5),
    "scatter_add": lambda lib, x, y: x.scatter_add(0, _long(lib, [[2, 2, 1, 1], [2, 0, 2, 0]]), y),
    **{f"scatter_reduce {reduce}{' without self' * (not include_self)}":
       (lambda lib, x, y, r=reduce, s=include_self:
        x.scatter_reduce(0, _long(lib, [[2, 2, 1, 1], [2, 0, 2, 0]]), y, r, include_self=s))
       for reduce in ("sum", "prod", "mean", "amax", "amin") for include_self in (True, False)},
    "scatter_reduce prod with zeros": lambda lib, x, y: (x * _mask(lib, [[1, 0, 1, 1]] * 3)).scatter_reduce(
        0, _long(lib, [[2, 2, 1, 1], [2, 0, 2, 0]]), y * _mask(lib, [[0, 1, 0, 1], [1, 1, 1, 0]]), "prod"),
    "scatter_reduce amax with ties": lambda lib, x, y: x.round().scatter_reduce(
        0, _long(lib, [[2, 2, 1, 1], [2, 0, 2, 0]]), y.round(), "amax"),
    "index_select": lambda lib, x, y: x.index_select(1, _long(lib, [3, 0, 3])),
    "index_add": lambda lib, x, y: x.index_add(0, _long(lib, [1, 1]), y, alpha=-2),
    "index_copy": lambda lib, x, y: x.index_copy(0, _long(lib, [2, 0]), y),
    "index_fill": lambda lib, x, y: x.index_fill(1, _long(lib, [0, 2]), -1.0),
    "index_fill tensor": lambda lib, x, y: x.index_fill(1, _long(lib, [0, 2]), y[1, 1]),
    "masked_select": lambda lib, x, y: x.masked_select(_mask(lib, [True, False, True, True])),
    "masked_scatter": lambda lib, x, y: x.masked_scatter(_mask(lib, [[True, False, True, True]] * 2 + [[False] * 4]),
                                                         y),
    "take": lambda lib, x, y: x.take(_long(lib, [0, 0, -1, 6])),
    "take_along_dim": lambda lib, x, y: x.take_along_dim(_long(lib, [[0, 0, 3]]), 1),
    "index_put": lambda lib, x, y: lib.index_put(x, (_long(lib, [0, 2]),), y),
    "index_put accumulate": lambda lib, x, y: lib.index_put(x, (_long(lib, [0, 0]),), y, True),
    "repeat_interleave": lambda lib, x, y: x.repeat_interleave(2, dim=1),
    "repeat_interleave tensor": lambda lib, x, y: y.repeat_interleave(_long(lib, [3, 1]), dim=0),
}


def _leaves(lib):
    rng = np.random.default_rng(5)
    return [lib.tensor(rng.uniform(-2, 2, shape), requires_grad=True) for shape in ((3, 4), (2, 4))]


def _gradients(lib, fn):
    """(result grad_fn name, first gradients, their grad_fn names, second gradients) of fn."""
    x, y = _leaves(lib)
    result = fn(lib, x, y)
    upstream = lib.tensor(np.linspace(-1, 1, result.numel()).reshape(tuple(result.shape)), requires_grad=True)
    firsts = lib.autograd.grad(result, (x, y), upstream, create_graph=True, allow_unused=True)
    names = [None if g is None or g.grad_fn is None else type(g.grad_fn).__name__ for g in firsts]
    used = [g for g in firsts if g is not None and g.requires_grad]
    seconds = None
    if used:
        total = sum(((g * g).sum() for g in used), lib.tensor(0.0, dtype=lib.float64))
        seconds = lib.autograd.grad(total, (x, y, upstream), allow_unused=True)
    return type(result.grad_fn).__name__, firsts, names, seconds


@pytest.mark.parametrize("name", GRADIENTS)
def test_gradients_and_grad_fn_names_match_pytorch(oracle, name):
    fn = GRADIENTS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _gradients(torch, fn)
    got = _gradients(oracle.ember, fn)
    assert got[0] == expected[0], f"{name}: grad_fn {got[0]}, expected {expected[0]}"
    oracle.assert_same(list(got[1]), list(expected[1]), f"{name}: gradients")
    assert got[2] == expected[2], f"{name}: the gradients' grad_fn {got[2]}, expected {expected[2]}"
    if expected[3] is None:
        assert got[3] is None, f"{name}: second derivatives exist, PyTorch has none"
    else:
        oracle.assert_same(list(got[3]), list(expected[3]), f"{name}: second derivatives")


def test_scatter_with_reduce_has_no_derivative(oracle):
    for lib in (torch, oracle.ember):
        x = lib.zeros(3, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = x.scatter(0, _long(lib, [1]), lib.ones(1), reduce="add")
        assert type(result.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
            result.sum().backward()


def test_scatter_reduce_argument_with_a_tensor_is_deprecated(oracle):
    with pytest.warns(UserWarning, match="reduce argument of torch.scatter with Tensor src is deprecated"):
        oracle.ember.zeros(3).scatter(0, _long(oracle.ember, [1]), oracle.ember.ones(1), reduce="add")


def test_a_src_larger_than_the_index_gets_pytorchs_gradient_error(oracle):
    messages = []
    for lib in (torch, oracle.ember):
        src = lib.ones(4, requires_grad=True)
        with pytest.raises(RuntimeError) as error:
            lib.zeros(5).scatter_add(0, _long(lib, [1, 2]), src).sum().backward()
        messages.append(str(error.value))
    assert messages[1] == messages[0]


# name -> fn(lib, x) for x = arange(6.).reshape(2, 3): each raises in PyTorch; ember must raise the same
# exception class with the same message.
ERRORS = {
    "gather index out of range": lambda lib, x: x.gather(1, _long(lib, [[3]])),
    "gather negative index": lambda lib, x: x.gather(1, _long(lib, [[-1]])),
    "gather float index": lambda lib, x: x.gather(1, lib.tensor([[0.0]])),
    "gather bool index": lambda lib, x: x.gather(1, lib.tensor([[True]])),
    "gather dim out of range": lambda lib, x: x.gather(2, _long(lib, [[0]])),
    "gather index ndim": lambda lib, x: x.gather(0, _long(lib, [0])),
    "gather index too large": lambda lib, x: x.gather(1, _long(lib, [[0], [0], [0]])),
    "scatter index out of range": lambda lib, x: x.scatter(0, _long(lib, [[2]]), x),
    "scatter negative index": lambda lib, x: x.scatter(0, _long(lib, [[-1]]), 1.0),
    "scatter src dtype": lambda lib, x: x.scatter(0, _long(lib, [[0]]), x.double()),
    "scatter float index": lambda lib, x: x.scatter(0, lib.tensor([[0.0]]), x),
    "scatter index ndim": lambda lib, x: x.scatter(1, _long(lib, [0]), 1.0),
    "scatter index larger than src": lambda lib, x: x.scatter(1, _long(lib, [[0, 1, 2]]), x[:, :2]),
    "scatter index larger than self": lambda lib, x: x.scatter(1, _long(lib, [[0], [0], [0]]), 1.0),
    "scatter bad reduce": lambda lib, x: x.scatter(0, _long(lib, [[0]]), x, reduce="sum"),
    "scatter_add index out of range": lambda lib, x: x.scatter_add(1, _long(lib, [[3]]), x),
    "scatter_add dtype": lambda lib, x: x.scatter_add(1, _long(lib, [[0]]), x.double()),
    "scatter_reduce bad reduce": lambda lib, x: x.scatter_reduce(0, _long(lib, [[0]]), x, "add"),
    "scatter_reduce out of range": lambda lib, x: x.scatter_reduce(0, _long(lib, [[5]]), x, "amax"),
    "index_select out of range": lambda lib, x: x.index_select(0, _long(lib, [2])),
    "index_select negative": lambda lib, x: x.index_select(0, _long(lib, [-1])),
    "index_select 2-d index": lambda lib, x: x.index_select(0, _long(lib, [[0]])),
    "index_select float index": lambda lib, x: x.index_select(0, lib.tensor([0.0])),
    "index_add out of range": lambda lib, x: x.index_add(0, _long(lib, [2]), x[:1]),
    "index_add out of range along a middle dim": lambda lib, x: x.view(2, 3, 1).index_add(1, _long(lib, [3]),
                                                                                          x[:, :1, None]),
    "index_add out of range of a vector": lambda lib, x: x[0].index_add(0, _long(lib, [-1]), x[0, :1]),
    "index_add source shape": lambda lib, x: x.index_add(0, _long(lib, [0]), lib.ones(1, 2)),
    "index_add source dtype": lambda lib, x: x.index_add(0, _long(lib, [0]), x[:1].double()),
    "index_add count": lambda lib, x: x.index_add(0, _long(lib, [0, 1]), x[:1]),
    "index_add 2-d index": lambda lib, x: x.index_add(0, _long(lib, [[0]]), x[:1]),
    "index_add float index": lambda lib, x: x.index_add(0, lib.tensor([0.0]), x[:1]),
    "index_copy out of range": lambda lib, x: x.index_copy(0, _long(lib, [2]), x[:1]),
    "index_copy negative": lambda lib, x: x.index_copy(0, _long(lib, [-1]), x[:1]),
    "index_copy int32 index": lambda lib, x: x.index_copy(0, lib.tensor([0], dtype=lib.int32), x[:1]),
    "index_copy slice shape": lambda lib, x: x.index_copy(0, _long(lib, [0]), lib.ones(1, 2)),
    "index_copy count": lambda lib, x: x.index_copy(0, _long(lib, [0, 1]), x[:1]),
    "index_copy dtype": lambda lib, x: x.index_copy(0, _long(lib, [0]), x[:1].double()),
    "index_fill out of range": lambda lib, x: x.index_fill(1, _long(lib, [3]), 1.0),
    "index_fill below range": lambda lib, x: x.index_fill(1, _long(lib, [-4]), 1.0),
    "index_fill int32 index": lambda lib, x: x.index_fill(1, lib.tensor([0], dtype=lib.int32), 1.0),
    "index_fill 1-d value": lambda lib, x: x.index_fill(1, _long(lib, [0]), lib.ones(1)),
    "index_fill 2-d index": lambda lib, x: x.index_fill(1, _long(lib, [[0]]), 1.0),
    "masked_select int mask": lambda lib, x: x.masked_select(_long(lib, [1, 0, 1])),
    "masked_select shape": lambda lib, x: x.masked_select(_mask(lib, [True, False])),
    "masked_scatter int mask": lambda lib, x: x.masked_scatter(_long(lib, [1, 0, 1]), x),
    "masked_scatter short source": lambda lib, x: x.masked_scatter(_mask(lib, [True, True, True]), lib.ones(5)),
    "masked_scatter dtype": lambda lib, x: x.masked_scatter(_mask(lib, [True, True, True]), x.double()),
    "take out of range": lambda lib, x: x.take(_long(lib, [6])),
    "take below range": lambda lib, x: x.take(_long(lib, [-7])),
    "take int32 index": lambda lib, x: x.take(lib.tensor([0], dtype=lib.int32)),
    "take_along_dim int32": lambda lib, x: lib.take_along_dim(x, lib.tensor([[0]], dtype=lib.int32), 1),
    "take_along_dim ndim": lambda lib, x: lib.take_along_dim(x, _long(lib, [0]), 1),
    "index_put dtype": lambda lib, x: lib.index_put(x, (_long(lib, [0]),), _long(lib, [1])),
    "index_put out of range": lambda lib, x: lib.index_put(x, (_long(lib, [2]),), lib.tensor(1.0), True),
    "index_put not a tuple": lambda lib, x: lib.index_put(x, _long(lib, [0]), lib.tensor(1.0)),
    "index_put a number": lambda lib, x: lib.index_put(x, (_long(lib, [0]),), 1.0),
    "index_put float index": lambda lib, x: lib.index_put(x, (lib.tensor([0.0]),), lib.tensor(1.0)),
    "index_put shape": lambda lib, x: lib.index_put(x, (_long(lib, [1]),), lib.ones(2), True),
    "scatter_ out of range, in place": lambda lib, x: x.scatter_(1, _long(lib, [[0, 3]]), 1.0),
    "scatter_reduce_ out of range, in place": lambda lib, x: x.scatter_reduce_(1, _long(lib, [[0, 9]]), x, "prod"),
    "index_add_ out of range, in place": lambda lib, x: x.index_add_(1, _long(lib, [0, 3]), x[:, :2].clone()),
    "index_fill_ out of range, in place": lambda lib, x: x.index_fill_(1, _long(lib, [0, 3]), 1.0),
    "index_put_ out of range, in place": lambda lib, x: x.index_put_((_long(lib, [0, 2]),), x[0].clone(), True),
    "masked_scatter_ short source, in place": lambda lib, x: x.masked_scatter_(x > 0, lib.ones(4)),
    "repeat_interleave negative": lambda lib, x: x.repeat_interleave(-1),
    "repeat_interleave negative tensor": lambda lib, x: lib.repeat_interleave(_long(lib, [1, -1])),
    "repeat_interleave 2-d repeats": lambda lib, x: lib.repeat_interleave(_long(lib, [[1, 1]])),
    "repeat_interleave float repeats": lambda lib, x: x.repeat_interleave(1.5),
    "repeat_interleave count": lambda lib, x: x.repeat_interleave(_long(lib, [1, 2]), dim=1),
    "repeat_interleave output_size": lambda lib, x: x.repeat_interleave(_long(lib, [1, 2]), 0, output_size=2),
    "repeat_interleave int output_size": lambda lib, x: x.repeat_interleave(2, dim=0, output_size=3),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_pytorch_and_change_nothing(oracle, name):
    fn = ERRORS[name]
    expected = _run(fn, torch, torch.arange(6.0).reshape(2, 3))
    assert isinstance(expected, Exception), f"{name}: PyTorch raised nothing"
    x = oracle.ember.arange(6.0).reshape(2, 3)
    try:
        fn(oracle.ember, x)
    except Exception as error:  # noqa: BLE001 - compared with PyTorch's
        got = error
    else:
        got = None
    if isinstance(got, Exception):  # raised at the call: before any state changed
        assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    else:  # a value check a queued device defers to the next synchronisation, as CUDA's device asserts
        assert x.device.type != "cpu", f"{name}: raised nothing"
        got = _run(lambda lib, x: settled(x), oracle.ember, x)
    _same_outcome(oracle, got, expected, name)


# In-place forms: name -> fn(lib, x) writing into x (3, 4) float32 and returning it.
IN_PLACE = {
    "scatter_": lambda lib, x: x.scatter_(1, _long(lib, [[0, 3], [2, 1]]), x.flip(0).clone()),
    "scatter_ value": lambda lib, x: x.scatter_(1, _long(lib, [[0, 3], [2, 1]]), -1.0),
    "scatter_ reduce add": lambda lib, x: x.scatter_(1, _long(lib, [[0, 0]]), x.clone(), reduce="add"),
    "scatter_add_": lambda lib, x: x.scatter_add_(0, _long(lib, [[0, 0, 2, 2]]), x.clone()),
    "scatter_reduce_": lambda lib, x: x.scatter_reduce_(0, _long(lib, [[0, 0, 2, 2]]), x.clone(), "amin",
                                                        include_self=False),
    "index_add_": lambda lib, x: x.index_add_(0, _long(lib, [2, 2]), x[:2].clone(), alpha=3),
    "index_copy_": lambda lib, x: x.index_copy_(1, _long(lib, [3, 0]), x[:, 1:3].clone()),
    "index_fill_": lambda lib, x: x.index_fill_(1, _long(lib, [0, -1]), 7),
    "masked_scatter_": lambda lib, x: x.masked_scatter_(_mask(lib, [True, False, False, True]), x.t().clone()),
    "index_put_": lambda lib, x: x.index_put_((_long(lib, [0, 0]),), x[1].clone(), accumulate=True),
    "torch.index_put_": lambda lib, x: lib.index_put_(x, (_long(lib, [2]), _long(lib, [1])), lib.tensor(9.0)),
}


@pytest.mark.parametrize("name", IN_PLACE)
def test_in_place_forms_match_pytorch(oracle, name):
    fn = IN_PLACE[name]
    results = []
    for lib in (torch, oracle.ember):
        x = _input(lib, "float32")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            returned = fn(lib, x)
        assert returned is x, f"{name} returns its input"
        results.append(x)
    oracle.assert_same(results[1], results[0], name)


def test_in_place_form_on_a_leaf_that_requires_grad_refuses(oracle):
    x = oracle.ember.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        x.scatter_(0, _long(oracle.ember, [0]), 1.0)


def test_in_place_form_on_a_non_leaf_records_the_op(oracle):
    names = []
    for lib in (torch, oracle.ember):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        y.index_add_(0, _long(lib, [1, 1]), x[:2])
        y.sum().backward()
        names.append((type(y.grad_fn).__name__, x.grad.tolist()))
    assert names[1] == names[0]


# out= forms: name -> fn(lib, x, out)
OUT = {
    "gather": lambda lib, x, out: lib.gather(x, 1, _long(lib, [[0, 3, 3, 1]] * 3), out=out),
    "index_select": lambda lib, x, out: lib.index_select(x, 1, _long(lib, [0, 1, 1, 3]), out=out),
    "scatter_add": lambda lib, x, out: lib.scatter_add(x, 1, _long(lib, [[0, 0]]), x, out=out),
    "take": lambda lib, x, out: lib.take(x, _long(lib, [[0, 11, 5, 5]] * 3), out=out),
    "take_along_dim": lambda lib, x, out: lib.take_along_dim(x, _long(lib, [[3, 2, 1, 0]]), 1, out=out),
    "scatter": lambda lib, x, out: lib.scatter(x, 1, _long(lib, [[2, 0]]), x, out=out),
    "scatter_reduce": lambda lib, x, out: lib.scatter_reduce(x, 0, _long(lib, [[2, 2, 0, 0]]), x, "prod", out=out),
    "index_add": lambda lib, x, out: lib.index_add(x, 0, _long(lib, [1, 1]), x[:2], out=out),
    "index_copy": lambda lib, x, out: lib.index_copy(x, 1, _long(lib, [1]), x[:, :1], out=out),
}


@pytest.mark.parametrize("name", OUT)
def test_out_forms_match_pytorch(oracle, name):
    fn = OUT[name]
    results = []
    for lib in (torch, oracle.ember):
        x = _input(lib, "float64")
        out = lib.zeros(3, 4, dtype=lib.float64)
        assert fn(lib, x, out) is out
        results.append(out)
    oracle.assert_same(results[1], results[0], name)


# Writes whose source shares memory with the written tensor: name -> fn(lib, y) for y = arange(6.).
OVERLAPS = {
    "scatter_ from itself": lambda lib, y: y.scatter_(0, _long(lib, [1, 0, 2, 3, 4, 5]), y),
    "scatter_add_ from a part of itself": lambda lib, y: y.scatter_add_(0, _long(lib, [0, 1]), y[2:4]),
    "scatter_reduce_ from itself": lambda lib, y: y.scatter_reduce_(0, _long(lib, [0] * 6), y, "amax"),
    "index_add_ from itself": lambda lib, y: y.index_add_(0, _long(lib, [1, 0, 2, 3, 4, 5]), y),
    "index_copy_ from itself": lambda lib, y: y.index_copy_(0, _long(lib, [1, 0, 2, 3, 4, 5]), y),
    "index_put_ from a part of itself": lambda lib, y: y.index_put_((_long(lib, [0, 1]),), y[2:4]),
    "gather into its input": lambda lib, y: lib.gather(y, 0, _long(lib, [0] * 6), out=y),
    "index_select into its input": lambda lib, y: lib.index_select(y, 0, _long(lib, [0] * 6), out=y),
    "take into its input": lambda lib, y: lib.take(y, _long(lib, [5] * 6), out=y),
}


@pytest.mark.parametrize("name", OVERLAPS)
def test_overlapping_writes_are_refused_as_in_pytorch(oracle, name):
    fn = OVERLAPS[name]
    expected = _run(fn, torch, torch.arange(6.0))
    y = oracle.ember.arange(6.0)
    _same_outcome(oracle, _run(fn, oracle.ember, y), expected, name)
    assert y.tolist() == list(range(6))


def test_repeat_interleave_of_counts_alone(oracle):
    for dtype in ("int64", "int32"):
        expected = torch.repeat_interleave(torch.tensor([2, 0, 3], dtype=getattr(torch, dtype)))
        got = oracle.ember.repeat_interleave(oracle.ember.tensor([2, 0, 3], dtype=getattr(oracle.ember, dtype)))
        oracle.assert_same(got, expected, dtype)


def test_scatter_reduce_amax_propagates_nan(oracle):
    results = []
    for lib in (torch, oracle.ember):
        x = lib.tensor([1.0, float("nan"), 3.0])
        src = lib.tensor([float("nan"), 2.0, 5.0])
        results.append([x.scatter_reduce(0, _long(lib, [0, 0, 1]), src, reduce, include_self=include_self)
                        for reduce in ("amax", "amin", "prod", "mean") for include_self in (True, False)])
    oracle.assert_same(results[1], results[0], "NaN through scatter_reduce")


@pytest.mark.parametrize("value", [float("nan"), 2**70, 1e30, True, 2.9, -2.9])
def test_numbers_written_into_integer_tensors_convert_as_in_pytorch(oracle, value):
    fns = [lambda lib: lib.zeros(3, dtype=lib.int32).scatter(0, _long(lib, [1]), value),
           lambda lib: lib.zeros(3, dtype=lib.int64).index_fill(0, _long(lib, [1]), value)]
    for fn in fns:
        expected = _run(fn, torch)
        got = _run(fn, oracle.ember)
        if isinstance(expected, Exception):
            assert type(got) is type(expected), f"{value!r}: {got!r}, expected {expected!r}"
        else:
            oracle.assert_same(got, expected, repr(value))


def test_in_place_forms_on_views_record_copy_slices(oracle):
    results = []
    for lib in (torch, oracle.ember):
        x = lib.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
        source = lib.tensor(np.ones((2, 2)), requires_grad=True)
        y = x * 1
        y[1:].scatter_add_(1, _long(lib, [[0, 0], [3, 3]]), source)
        y[:, 0].index_fill_(0, _long(lib, [0]), 5.0)
        (y * y).sum().backward()
        results.append((type(y.grad_fn).__name__, y, x.grad, source.grad))
    assert results[1][0] == results[0][0]
    oracle.assert_same(list(results[1][1:]), list(results[0][1:]), "values and gradients")


def test_in_place_forms_write_through_transposed_views(oracle):
    results = []
    for lib in (torch, oracle.ember):
        x = lib.tensor(np.arange(12.0).reshape(3, 4))
        t = x.t()
        t.scatter_(0, _long(lib, [[3, 0, 1]]), -1.0)
        t.scatter_reduce_(1, _long(lib, [[0, 0], [2, 2]]), lib.tensor([[5.0, 6.0], [7.0, 8.0]], dtype=lib.float64),
                          "amax", include_self=False)
        t.index_add_(0, _long(lib, [1, 1]), lib.ones(2, 3, dtype=lib.float64))
        t[1:].index_copy_(1, _long(lib, [2]), lib.full((3, 1), 9.0, dtype=lib.float64))
        t.masked_scatter_(t > 8, lib.arange(20.0, dtype=lib.float64))
        x.index_fill_(1, _long(lib, [3]), 0.5)
        results.append(x)
    oracle.assert_same(results[1], results[0], "written through a transposed view")
