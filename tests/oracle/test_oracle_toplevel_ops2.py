"""Session-9 top-level ops against PyTorch: unsafe_split/unsafe_chunk/unsafe_split_with_sizes, put/put_,
index_reduce, and the out= and argument refusals of isposinf/isneginf and kaiser_window; values, dtypes,
gradients, grad_fn names and errors."""

from __future__ import annotations

import numpy as np
import outcomes
import pytest

torch = pytest.importorskip("torch")

pytestmark = [pytest.mark.oracle, pytest.mark.filterwarnings(r"ignore:index_reduce\(\) is in beta")]

SPLITS = {
    "unsafe_split": lambda lib, x: lib.unsafe_split(x, 2, 1),
    "unsafe_split uneven": lambda lib, x: lib.unsafe_split(x, 3, dim=-1),
    "Tensor.unsafe_split": lambda lib, x: x.unsafe_split(1),
    "unsafe_chunk": lambda lib, x: lib.unsafe_chunk(x, 2, 1),
    "Tensor.unsafe_chunk": lambda lib, x: x.unsafe_chunk(3, dim=1),
    "unsafe_split_with_sizes": lambda lib, x: lib.unsafe_split_with_sizes(x, [1, 4], 1),
    "Tensor.unsafe_split_with_sizes": lambda lib, x: x.unsafe_split_with_sizes([2, 1], dim=0),
}


@pytest.mark.parametrize("name", list(SPLITS))
def test_unsafe_splits_match_torch(oracle, name):
    ember_result, torch_result = oracle.check(SPLITS[name], oracle.array(oracle.rng(1), (3, 5), "float64", "any"))
    assert [oracle.grad_fn_name(t) for t in ember_result] == [oracle.grad_fn_name(t) for t in torch_result]


@pytest.mark.parametrize("name", ["unsafe_split", "unsafe_split_with_sizes"])
def test_unsafe_split_pieces_share_memory_and_may_be_modified_in_place(oracle, name):
    """Unlike split's views, the pieces are not autograd views: an in-place change is allowed, reaches
    the input's memory and records on the piece alone."""
    results = []
    for lib in (oracle.ember, oracle.torch):
        x = lib.arange(6.0, dtype=lib.float64).requires_grad_()
        base = x * 1
        pieces = getattr(lib, name)(base, 2 if name == "unsafe_split" else [2, 4])
        pieces[0].mul_(3)
        pieces[0].sum().backward()
        results.append((base.detach().cpu().numpy(), x.grad.cpu().numpy(), oracle.grad_fn_name(pieces[0]),
                        oracle.grad_fn_name(base)))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert results[0][2:] == results[1][2:]


def test_unsafe_split_double_backward(oracle):
    x = oracle.ember.tensor([1.0, 2.0, 3.0], dtype=oracle.ember.float64, requires_grad=True)
    assert oracle.ember.autograd.gradcheck(lambda t: oracle.ember.unsafe_chunk(t * t, 2)[1], (x,))
    assert oracle.ember.autograd.gradgradcheck(lambda t: oracle.ember.unsafe_split(t * t, 2)[0], (x,))


@pytest.mark.parametrize("build", [
    lambda lib: lib.unsafe_split(lib.ones(4), [1, 3]),
    lambda lib: lib.unsafe_split(lib.ones(4), -1),
    lambda lib: lib.unsafe_split_with_sizes(lib.ones(4), [1, 2]),
    lambda lib: lib.unsafe_chunk(lib.ones(4), 0),
    lambda lib: lib.unsafe_split(lib.ones(4), 2, 1),
])
def test_unsafe_split_refusals_match_torch(oracle, build):
    with pytest.raises(Exception) as expected:
        build(oracle.torch)
    with pytest.raises(type(expected.value)):
        build(oracle.ember)


@pytest.mark.parametrize("name", ["isposinf", "isneginf"])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_isposinf_refuses_non_boolean_out(oracle, name, dtype):
    oracle.raises_alike(lambda lib: getattr(lib, name)(lib.tensor([1.0, float("inf"), -float("inf")]),
                                                       out=lib.empty(3, dtype=getattr(lib, dtype))))


@pytest.mark.parametrize("name", ["isposinf", "isneginf"])
def test_isposinf_writes_a_boolean_out(oracle, name):
    got = []
    for lib in (oracle.ember, oracle.torch):
        out = lib.empty(3, dtype=lib.bool)
        getattr(lib, name)(lib.tensor([1.0, float("inf"), -float("inf")]), out=out)
        got.append(out.cpu().numpy())
    np.testing.assert_array_equal(got[0], got[1])


def test_kaiser_window_refuses_beta_without_periodic(oracle):
    for lib in (oracle.ember, oracle.torch):
        with pytest.raises(TypeError, match="kaiser_window"):
            lib.kaiser_window(5, beta=3.0)


@pytest.mark.parametrize("call", [
    lambda lib: lib.kaiser_window(6),
    lambda lib: lib.kaiser_window(6, False),
    lambda lib: lib.kaiser_window(6, True, 3.0),
    lambda lib: lib.kaiser_window(6, periodic=False, beta=5.0, dtype=lib.float64),
])
def test_kaiser_window_forms_match_torch(oracle, call):
    oracle.assert_same(call(oracle.ember), call(oracle.torch))


PUTS = {
    "put": lambda lib, x, s: lib.put(x, lib.tensor([[1, -1]]), s),
    "put repeated": lambda lib, x, s: lib.put(x, lib.tensor([[0, 5]]), s),
    "put accumulate": lambda lib, x, s: lib.put(x, lib.tensor([[4, 4]]), s, accumulate=True),
    "Tensor.put": lambda lib, x, s: x.put(lib.tensor([[-6, 2]]), s, True),
    "put_": lambda lib, x, s: (x * 1).put_(lib.tensor([[3, 1]]), s),
    "put_ accumulate": lambda lib, x, s: (x * 1).put_(lib.tensor([[3, 3]]), s, accumulate=True),
    "put transposed": lambda lib, x, s: lib.put(x.t(), lib.tensor([[1, 2]]), s),
}


@pytest.mark.parametrize("name", list(PUTS))
def test_put_matches_torch(oracle, name):
    rng = oracle.rng(2)
    ember_result, torch_result = oracle.check(PUTS[name], oracle.array(rng, (2, 3), "float64", "any"),
                                              oracle.array(rng, (1, 2), "float64", "any"))
    assert oracle.grad_fn_name(ember_result) == oracle.grad_fn_name(torch_result)


def test_put_integers_match_torch(oracle):
    oracle.check_forward(lambda lib, x, s: lib.put(x, lib.tensor([0, 0, 3]), s, accumulate=True),
                         np.arange(6, dtype=np.int32), np.array([5, 6, 7], dtype=np.int32))


@pytest.mark.parametrize("accumulate", [False, True])
def test_put_double_backward(oracle, accumulate):
    e = oracle.ember
    x = e.tensor([0.5, -1.0, 2.0, 3.0], dtype=e.float64, requires_grad=True)
    s = e.tensor([1.5, -0.5], dtype=e.float64, requires_grad=True)
    assert e.autograd.gradgradcheck(lambda a, b: e.put(a * a, e.tensor([3, -4]), b * b, accumulate), (x, s))


@pytest.mark.parametrize("build", [
    lambda lib: lib.put(lib.ones(4), lib.tensor([1], dtype=lib.int32), lib.ones(1)),
    lambda lib: lib.put(lib.ones(4), lib.tensor([4]), lib.ones(1)),
    lambda lib: lib.put(lib.ones(4), lib.tensor([-5]), lib.ones(1)),
    lambda lib: lib.put(lib.ones(4), lib.tensor([1, 2]), lib.ones(3)),
    lambda lib: lib.put(lib.ones(4), lib.tensor([1]), lib.ones(1, dtype=lib.float64)),
    lambda lib: lib.ones(4).put_(lib.tensor([0]), lib.ones(1), accumulate=True).put_(lib.tensor([9]), lib.ones(1)),
])
def test_put_refusals_match_torch(oracle, build):
    _refused_alike(oracle, build)


def _refused_alike(oracle, build):
    """`build(torch)` raises, and `build(ember)` the same type with PyTorch's message (a queued device's
    deferred error included)."""
    with pytest.raises(Exception) as expected:
        build(oracle.torch)
    with pytest.raises(type(expected.value)) as got:
        outcomes.settled(build(oracle.ember))
    assert outcomes.same_message(got.value, expected.value)


REDUCES = {
    "index_reduce": lambda lib, x, s, r, inc: lib.index_reduce(x, 1, lib.tensor([2, 0, 2]), s, r,
                                                               include_self=inc),
    "Tensor.index_reduce": lambda lib, x, s, r, inc: x.index_reduce(-1, lib.tensor([3, 3, 1]),
                                                                    s, r, include_self=inc),
    "index_reduce_": lambda lib, x, s, r, inc: (x * 1).index_reduce_(1, lib.tensor([0, 1, 0]), s, r,
                                                                     include_self=inc),
}


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("name", list(REDUCES))
def test_index_reduce_matches_torch(oracle, name, reduce, include_self):
    rng = oracle.rng(3)
    x, s = oracle.array(rng, (2, 4), "float64", "any"), oracle.array(rng, (2, 3), "float64", "any")
    s[0, 2] = x[0, 2]  # a tie between a source and the input's element: amax/amin share the gradient
    ember_result, torch_result = oracle.check(lambda lib, a, b: REDUCES[name](lib, a, b, reduce, include_self), x, s)
    assert oracle.grad_fn_name(ember_result) == oracle.grad_fn_name(torch_result)


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
def test_index_reduce_integers_match_torch(oracle, reduce):
    """Integer tensors (mean rounds down) and an int32 index (refused by PyTorch's backward, so forward only)."""
    oracle.check_forward(lambda lib, x, s: lib.index_reduce(x, 0, lib.tensor([1, 1, 4], dtype=lib.int32), s, reduce),
                         np.arange(6, dtype=np.int64), np.array([4, -3, 7], dtype=np.int64))


@pytest.mark.parametrize("reduce", ["prod", "amax"])
def test_index_reduce_double_backward(oracle, reduce):
    e = oracle.ember
    x = e.tensor([[0.5, -1.0, 2.0], [3.0, 1.5, -2.5]], dtype=e.float64, requires_grad=True)
    s = e.tensor([[1.5, -0.5], [0.25, 2.0]], dtype=e.float64, requires_grad=True)
    assert e.autograd.gradgradcheck(lambda a, b: e.index_reduce(a * a, 1, e.tensor([2, 0]), b * 2, reduce), (x, s))


@pytest.mark.parametrize("build", [
    lambda lib: lib.index_reduce(lib.ones(2, 3), 1, lib.tensor([0, 1]), lib.ones(2, 2), "sum"),
    lambda lib: lib.index_reduce(lib.ones(2, 3), 1, lib.tensor([0.0, 1.0]), lib.ones(2, 2), "prod"),
    lambda lib: lib.index_reduce(lib.ones(2, 3), 1, lib.tensor([3, 0]), lib.ones(2, 2), "prod"),
    lambda lib: lib.index_reduce(lib.ones(2, 3), 1, lib.tensor([-1, 0]), lib.ones(2, 2), "mean"),
    lambda lib: lib.index_reduce(lib.ones(2, 3), 1, lib.tensor([0, 1]), lib.ones(2, 2, dtype=lib.float64), "amax"),
    lambda lib: lib.index_reduce(lib.ones(2, 3), 1, lib.tensor([0]), lib.ones(2, 2), "amin"),
    lambda lib: lib.index_reduce(lib.ones(2, 3), 0, lib.tensor([0, 1]), lib.ones(2, 2), "amin"),
    lambda lib: lib.index_reduce(lib.ones(2, 3), 1, lib.tensor([[0, 1]]), lib.ones(2, 2), "amin"),
])
def test_index_reduce_refusals_match_torch(oracle, build):
    _refused_alike(oracle, build)


FROMBUFFER = {
    "all": {"dtype": "int32"},
    "count offset": {"dtype": "int16", "count": 3, "offset": 2},
    "float requires_grad": {"dtype": "float32", "requires_grad": True},
    "bytes": {"dtype": "uint8", "offset": 5},
}


@pytest.mark.parametrize("name", list(FROMBUFFER))
def test_frombuffer_matches_torch_and_shares_memory(oracle, name):
    options = dict(FROMBUFFER[name])
    got = []
    for lib in (oracle.ember, oracle.torch):
        buffer = bytearray(np.arange(1, 4, dtype=np.int32).tobytes())
        result = lib.frombuffer(buffer, **{**options, "dtype": getattr(lib, options["dtype"])})
        buffer[options.get("offset", 0)] ^= 0x7F  # the tensor sees a change of the buffer
        got.append(result)
    oracle.assert_same(got[0], got[1])
    assert got[0].requires_grad == got[1].requires_grad
    assert got[0].device.type == "cpu"


@pytest.mark.parametrize("options", [
    {"offset": 2}, {"count": 5}, {"offset": 12}, {"offset": -1}, {"count": 0},
])
def test_frombuffer_refusals_match_torch(oracle, options):
    oracle.raises_alike(lambda lib: lib.frombuffer(bytearray(12), dtype=lib.int32, **options))


def test_frombuffer_refuses_an_empty_buffer_and_a_non_buffer(oracle):
    oracle.raises_alike(lambda lib: lib.frombuffer(bytearray(), dtype=lib.int32))
    oracle.raises_alike(lambda lib: lib.frombuffer([1, 2], dtype=lib.int32))


GRADIENTS = {
    "default": lambda lib, x: lib.gradient(x),
    "spacing dim": lambda lib, x: lib.gradient(x, spacing=2.0, dim=1),
    "edge_order 2": lambda lib, x: lib.gradient(x, spacing=[0.5, 3], edge_order=2),
    "dim list": lambda lib, x: lib.gradient(x, spacing=[2], dim=[-1]),
    "coordinates": lambda lib, x: lib.gradient(x, spacing=[lib.tensor([0.0, 1.0, 3.0, 3.5]),
                                                            lib.tensor([-1.0, 0.0, 0.5, 2.0, 4.0])]),
    "coordinates edge_order 2": lambda lib, x: lib.gradient(x, spacing=(lib.tensor([0.0, 1.0, 3.0, 3.5]),),
                                                            dim=0, edge_order=2),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_gradient_matches_torch(oracle, name):
    ember_result, torch_result = oracle.check(GRADIENTS[name], oracle.array(oracle.rng(4), (4, 5), "float64", "any"))
    assert [oracle.grad_fn_name(t) for t in ember_result] == [oracle.grad_fn_name(t) for t in torch_result]


def test_gradient_of_integers_and_0d_match_torch(oracle):
    oracle.check_forward(lambda lib, x: lib.gradient(x, spacing=2), np.array([1, 2, 4, 7], dtype=np.int64))
    oracle.check_forward(lambda lib, x: lib.gradient(x, spacing=(lib.tensor([1, 2, 4, 5]),), edge_order=2),
                         np.array([1, 2, 4, 7], dtype=np.int64))
    oracle.check_forward(lambda lib, x: lib.gradient(x), np.array(3.0, dtype=np.float32))


@pytest.mark.parametrize("build", [
    lambda lib: lib.gradient(lib.ones(3, 4), spacing=[1.0, 2.0, 3.0]),
    lambda lib: lib.gradient(lib.ones(3, 4), spacing=[1.0], dim=(0, 1)),
    lambda lib: lib.gradient(lib.ones(3, 4), edge_order=3),
    lambda lib: lib.gradient(lib.ones(2, 3), edge_order=2),
    lambda lib: lib.gradient(lib.ones(3, 4), dim=(0, 0)),
    lambda lib: lib.gradient(lib.ones(3, 4), dim=2),
    lambda lib: lib.gradient(lib.ones(3, 4), spacing=[lib.ones(3, 1), lib.ones(4)]),
])
def test_gradient_refusals_match_torch(oracle, build):
    oracle.raises_alike(build)


def test_binomial_draws_have_torchs_distribution(oracle):
    """Draws cannot match PyTorch's one by one: the mean and variance of many draws match n p and n p (1 - p)
    (within 6 standard errors), as do PyTorch's, and the edge cases (p 0 or 1, n 0) are exact."""
    n, p = np.array([10.0, 40.0, 3.0, 0.0, 7.0, 5.0]), np.array([0.3, 0.75, 0.5, 0.4, 0.0, 1.0])
    for lib in (oracle.ember, oracle.torch):
        count = lib.tensor(np.broadcast_to(n, (4000, 6)).copy(), dtype=lib.float64)
        generator = lib.Generator(device=count.device).manual_seed(7)
        draws = lib.binomial(count, lib.tensor(p, dtype=lib.float64), generator=generator)
        assert draws.dtype == lib.float64 and tuple(draws.shape) == (4000, 6)
        values = draws.cpu().numpy()
        assert (values == np.floor(values)).all() and (values >= 0).all() and (values <= n).all()
        mean, variance = n * p, n * p * (1 - p)
        assert (np.abs(values.mean(0) - mean) <= 6 * np.sqrt(variance / 4000) + 1e-12).all()
        np.testing.assert_allclose(values.var(0), variance, rtol=0.15, atol=1e-12)


def test_binomial_is_reproducible_with_a_seeded_generator(oracle):
    e = oracle.ember
    count, prob = e.full((50,), 20.0), e.full((50,), 0.4)
    draws = [e.binomial(count, prob, generator=e.Generator(device=count.device).manual_seed(3)) for _ in range(2)]
    assert e.equal(draws[0], draws[1])


def test_binomial_clamps_like_torch(oracle):
    """Fractional counts round down, negative counts give 0, probabilities outside [0, 1] are clamped."""
    for lib in (oracle.ember, oracle.torch):
        result = lib.binomial(lib.tensor([5.0, -3.0, 4.0, 6.0]), lib.tensor([1.0, 0.5, 1.5, -0.5]))
        np.testing.assert_array_equal(result.cpu().numpy(), [5.0, 0.0, 4.0, 0.0])


def test_binomial_has_no_derivative_like_torch(oracle):
    names = []
    for lib in (oracle.ember, oracle.torch):
        result = lib.binomial(lib.tensor([5.0], requires_grad=True), lib.tensor([0.5], requires_grad=True))
        names.append(oracle.grad_fn_name(result))
        with pytest.raises(RuntimeError, match="derivative for aten::binomial is not implemented"):
            result.sum().backward()
    assert names[0] == names[1]


@pytest.mark.parametrize("build", [
    lambda lib: lib.binomial(lib.tensor([5, 3]), lib.tensor([0.5, 0.5])),
    lambda lib: lib.binomial(lib.tensor([5.0, 3.0]), lib.tensor([0.5, 0.5], dtype=lib.float64)),
    lambda lib: lib.binomial(lib.tensor([5.0, 3.0]), lib.tensor([0.5, 0.5, 0.5])),
])
def test_binomial_refusals_match_torch(oracle, build):
    _refused_alike(oracle, build)


HISTOGRAMDDS = {
    "bins per dim, weight": lambda lib, x, w: lib.histogramdd(x, bins=[3, 4], weight=w),
    "int bins, range, density": lambda lib, x, w: lib.histogramdd(x, bins=2, range=[-1.0, 1.0, -0.5, 2.0],
                                                                 density=True),
    "edges": lambda lib, x, w: lib.histogramdd(x, bins=[lib.tensor([-2.0, 0.0, 0.5, 3.0], dtype=x.dtype),
                                                        lib.tensor([-1.0, 1.0], dtype=x.dtype)]),
    "edges density weight": lambda lib, x, w: lib.histogramdd(x, bins=[lib.tensor([-2.0, 0.0, 3.0], dtype=x.dtype),
                                                                       lib.tensor([-3.0, 0.1, 3.0], dtype=x.dtype)],
                                                              weight=w, density=True),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(HISTOGRAMDDS))
def test_histogramdd_matches_torch(oracle, name, dtype):
    rng = oracle.rng(5)
    points = oracle.array(rng, (30, 2), dtype, "any")
    weight = oracle.array(rng, (30,), dtype, "positive")
    oracle.check(HISTOGRAMDDS[name], points, weight, grad=False)


def test_histogramdd_of_batched_points_matches_torch(oracle):
    oracle.check(lambda lib, x: lib.histogramdd(x, bins=(2, 3, 2)), oracle.array(oracle.rng(6), (4, 5, 3), "float32",
                                                                                   "any"), grad=False)


@pytest.mark.parametrize("build", [
    lambda lib: lib.histogramdd(lib.ones(5, 2), bins=[2]),
    lambda lib: lib.histogramdd(lib.ones(5, 2), bins=2, range=[0.0, 1.0]),
    lambda lib: lib.histogramdd(lib.ones(5, 2), bins=2, weight=lib.ones(4)),
    lambda lib: lib.histogramdd(lib.ones(5, 2), bins=[3, 0]),
    lambda lib: lib.histogramdd(lib.ones(5, 2), bins=2, range=[1.0, 0.0, 0.0, 1.0]),
    lambda lib: lib.histogramdd(lib.ones(3), bins=2),
])
def test_histogramdd_refusals_match_torch(oracle, build):
    oracle.raises_alike(build)


def test_histogramdd_refuses_integers_like_torch(oracle):
    oracle.check_raises(lambda lib, x: lib.histogramdd(x, bins=2), np.ones((3, 2), dtype=np.int64))
