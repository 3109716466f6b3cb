"""The session-8 math ops against PyTorch: float_power, fmax/fmin, deg2rad/rad2deg, sinc, ldexp, frexp,
nextafter (values bit for bit on special values, dtypes, in-place forms), aminmax, dist, renorm, cov,
corrcoef, histc, histogram, quantile/nanquantile, trapezoid/trapz/cumulative_trapezoid, inner and vander
(values, gradients, grad_fn names, gradcheck and PyTorch's errors)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from outcomes import same_message

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

NAN, INF = float("nan"), float("inf")
FLOATS = ["float16", "float32", "float64"]


def _specials(dtype: str) -> np.ndarray:
    """Zeros of both signs, ±1, infinities, NaN, the extremes, the smallest normal and subnormal, and a spread
    of ordinary values, in `dtype`."""
    info = np.finfo(dtype)
    fixed = [0.0, -0.0, 1.0, -1.0, 0.5, 180.0, 3.0, -2.5, INF, -INF, NAN, float(info.max), -float(info.max),
             float(info.tiny), float(info.smallest_subnormal), -float(info.smallest_subnormal), 1e-3, 2.0 ** 10]
    spread = np.random.default_rng(3).standard_normal(40) * 7
    with np.errstate(over="ignore"):
        return np.concatenate([np.array(fixed), spread]).astype(dtype)


def _same_bits(got, expected, what: str = "result", rtol: float = 0.0) -> None:
    """Equal values (within `rtol`, for the ops on a sine whose last bit is the library's) with equal signs of
    zero (NaN anywhere NaN), equal dtype and shape."""
    assert str(got.dtype).rsplit(".", 1)[-1] == str(expected.dtype).rsplit(".", 1)[-1], what
    g, e = got.detach().cpu().numpy(), expected.detach().numpy()
    assert g.shape == e.shape, what
    if rtol:
        np.testing.assert_allclose(g, e, rtol=rtol, atol=0, err_msg=what)
    else:
        np.testing.assert_array_equal(g, e, err_msg=what)
    if g.dtype.kind == "f":
        assert (np.signbit(g) == np.signbit(e))[~np.isnan(e)].all(), f"{what}: signs of zero differ"


def _pair(oracle, array, requires_grad=False):
    return oracle.ember.tensor(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad)


# --- elementwise ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("op", ["deg2rad", "rad2deg", "sinc"])
def test_unary_special_values_match_torch(oracle, op, dtype):
    e, t = _pair(oracle, _specials(dtype))
    rtol = {"float16": 1e-3, "float32": 3e-7, "float64": 1e-15}[dtype] if op == "sinc" else 0.0
    _same_bits(getattr(oracle.ember, op)(e), getattr(torch, op)(t), op, rtol)
    _same_bits(getattr(e, op)(), getattr(t, op)(), f"Tensor.{op}", rtol)
    e2, t2 = e.clone(), t.clone()
    getattr(e2, op + "_")()
    getattr(t2, op + "_")()
    _same_bits(e2, t2, f"{op}_", rtol)


@pytest.mark.parametrize("dtype", ["int64", "uint8", "bool"])
@pytest.mark.parametrize("op", ["deg2rad", "rad2deg", "sinc"])
def test_unary_integer_inputs_give_the_default_float(oracle, op, dtype):
    array = np.array([0, 1, 3, 180 if dtype != "bool" else 1]).astype(dtype)
    e, t = _pair(oracle, array)
    _same_bits(getattr(oracle.ember, op)(e), getattr(torch, op)(t), op)
    with pytest.raises(RuntimeError) as torch_error:
        getattr(t.clone(), op + "_")()
    with pytest.raises(RuntimeError) as ember_error:
        getattr(e.clone(), op + "_")()
    assert same_message(ember_error.value, torch_error.value)


def _binary_specials(dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of special values (signed zeros, infinities, NaN, extremes, subnormals)."""
    values = _specials(dtype)[:18]
    a, b = np.meshgrid(values, values, indexing="ij")
    return a.ravel(), b.ravel()


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("op", ["fmax", "fmin", "nextafter"])
def test_binary_special_values_match_torch(oracle, op, dtype):
    a, b = _binary_specials(dtype)
    (ea, ta), (eb, tb) = _pair(oracle, a), _pair(oracle, b)
    _same_bits(getattr(oracle.ember, op)(ea, eb), getattr(torch, op)(ta, tb), op)
    _same_bits(getattr(ea, op)(eb), getattr(ta, op)(tb), f"Tensor.{op}")


@pytest.mark.parametrize("dtype", FLOATS)
def test_nextafter_in_place_steps_one_ulp_each_way(oracle, dtype):
    a, b = _binary_specials(dtype)
    (ea, ta), (eb, tb) = _pair(oracle, a), _pair(oracle, b)
    ea.nextafter_(eb)
    ta.nextafter_(tb)
    _same_bits(ea, ta, "nextafter_")
    _same_bits(oracle.ember.nextafter(ea, eb), torch.nextafter(ta, tb), "twice")


@pytest.mark.parametrize(("left", "right"), [("int64", "int64"), ("int32", "int64"), ("uint8", "bool"),
                                             ("int8", "float16"), ("float32", "float64"), ("bool", "bool")])
@pytest.mark.parametrize("op", ["fmax", "fmin"])
def test_fmax_fmin_promote_as_torch(oracle, op, left, right):
    a = np.array([0, 1, 5, 2]).astype(left)
    b = np.array([1, 0, 3, 2]).astype(right)
    (ea, ta), (eb, tb) = _pair(oracle, a), _pair(oracle, b)
    _same_bits(getattr(oracle.ember, op)(ea, eb), getattr(torch, op)(ta, tb), op)


def _float_power_cases():
    return {
        "tensor, int": (lambda lib, x: lib.float_power(x, 2), "float32"),
        "tensor, float": (lambda lib, x: lib.float_power(x, 0.5), "float32"),
        "tensor, tensor": (lambda lib, x: lib.float_power(x, x), "float64"),
        "number, tensor": (lambda lib, x: lib.float_power(2, x), "float32"),
        "int tensor": (lambda lib, x: lib.float_power(x.long(), 3), "float32"),
        "Tensor.float_power": (lambda lib, x: x.float_power(x.detach().float()), "float64"),
        "float16": (lambda lib, x: lib.float_power(x.half(), 1.5), "float32"),
    }


@pytest.mark.parametrize("name", list(_float_power_cases()))
def test_float_power_computes_in_float64(oracle, name):
    fn, dtype = _float_power_cases()[name]
    array = np.array([0.5, 1.5, 2.0, 3.25]).astype(dtype)
    ember_result, torch_result = oracle.check(fn, array)
    assert oracle.grad_fn_name(ember_result) == oracle.grad_fn_name(torch_result)


def test_float_power_in_place_needs_a_double_base(oracle):
    for lib in (oracle.ember, torch):
        x = lib.tensor([2.0, 3.0], dtype=lib.float64)
        assert x.float_power_(lib.tensor([2, 3])) is x
        assert x.tolist() == [4.0, 27.0]
        x.float_power_(0.5)
        assert x.tolist() == pytest.approx([2.0, 27.0 ** 0.5])
    with pytest.raises(RuntimeError) as torch_error:
        torch.tensor([1.0]).float_power_(2)
    with pytest.raises(RuntimeError) as ember_error:
        oracle.ember.tensor([1.0]).float_power_(2)
    assert same_message(ember_error.value, torch_error.value)


@pytest.mark.parametrize(("dtype", "exponent_dtype"), [("float16", "int64"), ("float32", "int64"),
                                                       ("float64", "int32"), ("int64", "int64"),
                                                       ("float32", "float64"), ("float16", "float16")])
def test_ldexp_values_and_dtypes(oracle, dtype, exponent_dtype):
    x = np.array([1.0, -3.0, 0.75, 0.0, 5.0, 2.0]).astype(dtype)
    n = np.array([2, -3, 10, 4, -20, 0]).astype(exponent_dtype)
    (ex, tx), (en, tn) = _pair(oracle, x), _pair(oracle, n)
    _same_bits(oracle.ember.ldexp(ex, en), torch.ldexp(tx, tn), "ldexp")
    if np.dtype(dtype).kind == "f":
        _same_bits(ex.clone().ldexp_(en), tx.clone().ldexp_(tn), "ldexp_")


def test_ldexp_gradients_and_node(oracle):
    ember_result, torch_result = oracle.check(lambda lib, x, n: lib.ldexp(x, n), np.array([1.5, -2.0, 0.25]),
                                              np.array([1.0, -2.0, 3.0]))
    assert oracle.grad_fn_name(ember_result) == oracle.grad_fn_name(torch_result) == "LdexpBackward0"
    ember_x = oracle.ember.tensor([1.5, -2.0], dtype=oracle.ember.float64, requires_grad=True)
    assert oracle.ember.autograd.gradcheck(lambda x: oracle.ember.ldexp(x, oracle.ember.tensor([3, -1])), (ember_x,))


@pytest.mark.parametrize("dtype", FLOATS)
def test_frexp_is_exact(oracle, dtype):
    rng = np.random.default_rng(7)
    wide = rng.standard_normal(3000) * np.exp(rng.uniform(-80, 80, 3000))
    with np.errstate(over="ignore"):
        powers = np.exp2(np.arange(-30, 30)).astype(dtype)
        zero, inf = np.dtype(dtype).type(0), np.dtype(dtype).type(INF)
        values = np.concatenate([_specials(dtype), wide.astype(dtype), powers, np.nextafter(powers, zero),
                                 np.nextafter(powers, inf)])
    e, t = _pair(oracle, values)
    got, expected = oracle.ember.frexp(e), torch.frexp(t)
    _same_bits(got.mantissa, expected.mantissa, "mantissa")
    _same_bits(got.exponent, expected.exponent, "exponent")
    _same_bits(e.frexp()[0], t.frexp()[0], "Tensor.frexp")
    assert type(got).__name__ == "frexp"


def test_frexp_gradient_and_out(oracle):
    ember_result, torch_result = oracle.check(lambda lib, x: lib.frexp(x)[0], np.array([1.5, -6.0, 0.1, 0.0]))
    assert oracle.grad_fn_name(ember_result) == oracle.grad_fn_name(torch_result) == "FrexpBackward0"
    assert not oracle.ember.frexp(oracle.ember.ones(2, requires_grad=True)).exponent.requires_grad
    x = np.array([3.0, 0.375], dtype=np.float32)
    outs = []
    for lib in (oracle.ember, torch):
        mantissa, exponent = lib.empty(2), lib.empty(2, dtype=lib.int32)
        result = lib.frexp(lib.tensor(x), out=(mantissa, exponent))
        assert result[0] is mantissa and result[1] is exponent
        outs.append((mantissa.tolist(), exponent.tolist()))
    assert outs[0] == outs[1]


ELEMENTWISE_GRADS = {
    "fmax": (lambda lib, a, b: lib.fmax(a, b), "FmaxBackward0"),
    "fmin": (lambda lib, a, b: lib.fmin(a, b), "FminBackward0"),
    "nextafter": (lambda lib, a, b: lib.nextafter(a, b), "NextafterBackward0"),
    "deg2rad": (lambda lib, a, b: lib.deg2rad(a) * b, "MulBackward0"),
    "rad2deg": (lambda lib, a, b: lib.rad2deg(a), "Rad2DegBackward0"),
    "sinc": (lambda lib, a, b: lib.sinc(a), "SincBackward0"),
}


@pytest.mark.parametrize("name", list(ELEMENTWISE_GRADS))
def test_elementwise_gradients_match_torch(oracle, name):
    fn, node = ELEMENTWISE_GRADS[name]
    # ties, NaN on either side and sinc's 0
    a = np.array([1.0, 2.0, 3.0, NAN, 0.0, 2.0, -1.5])
    b = np.array([1.0, 1.0, 4.0, 1.0, 0.0, NAN, -1.5])
    ember_result, torch_result = oracle.check(fn, a, b)
    assert oracle.grad_fn_name(ember_result) == oracle.grad_fn_name(torch_result) == node


@pytest.mark.parametrize("op", ["fmax", "fmin", "sinc", "deg2rad", "rad2deg"])
def test_elementwise_gradcheck(oracle, op):
    ember = oracle.ember
    rng = np.random.default_rng(1)
    leaves = [ember.tensor(rng.uniform(-2, 2, 5), requires_grad=True) for _ in range(2)]
    def fn(a, b):
        return getattr(ember, op)(a, b) if op in ("fmax", "fmin") else getattr(ember, op)(a) * b
    assert ember.autograd.gradcheck(fn, tuple(leaves))
    assert ember.autograd.gradgradcheck(fn, tuple(leaves))


def test_sinc_gradient_at_zero_is_zero(oracle):
    for lib in (oracle.ember, torch):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        lib.sinc(x).sum().backward()
        assert x.grad[0].item() == 0.0


# --- reductions and statistics --------------------------------------------------------------------------

REDUCTIONS = {
    "aminmax": (lambda lib, x: tuple(lib.aminmax(x)), [(3, 4)]),
    "aminmax dim": (lambda lib, x: tuple(lib.aminmax(x, dim=1)), [(3, 4)]),
    "aminmax dim keepdim": (lambda lib, x: tuple(x.aminmax(dim=-2, keepdim=True)), [(3, 4)]),
    "aminmax keepdim": (lambda lib, x: tuple(lib.aminmax(x, keepdim=True)), [(2, 3, 2)]),
    "aminmax 0-d": (lambda lib, x: tuple(lib.aminmax(x, dim=0)), [()]),
    "aminmax max only": (lambda lib, x: lib.aminmax(x, dim=0).max, [(3, 4)]),
    "dist": (lambda lib, a, b: lib.dist(a, b), [(3, 4), (3, 4)]),
    "dist broadcast": (lambda lib, a, b: lib.dist(a, b, 3), [(3, 4), (4,)]),
    "dist p=1": (lambda lib, a, b: a.dist(b, 1), [(5,), (5,)]),
    "dist p=inf": (lambda lib, a, b: lib.dist(a, b, INF), [(2, 3), (2, 3)]),
    "dist p=-inf": (lambda lib, a, b: lib.dist(a, b, -INF), [(2, 3), (2, 3)]),
    "dist p=0.5": (lambda lib, a, b: lib.dist(a, b, 0.5), [(2, 3), (2, 3)]),
    "renorm": (lambda lib, x: lib.renorm(x, 2, 0, 1.0), [(3, 4)]),
    "renorm dim 1 p 1": (lambda lib, x: x.renorm(1, 1, 1.5), [(3, 4)]),
    "renorm 3-d p 3": (lambda lib, x: lib.renorm(x, 3, -1, 0.8), [(2, 3, 2)]),
    "renorm_": (lambda lib, x: (x * 1).renorm_(2, 0, 1.0), [(3, 4)]),
    "cov": (lambda lib, x: lib.cov(x), [(3, 5)]),
    "cov 1-d": (lambda lib, x: lib.cov(x), [(6,)]),
    "cov correction 0": (lambda lib, x: x.cov(correction=0), [(2, 4)]),
    "cov correction 2": (lambda lib, x: lib.cov(x, correction=2), [(2, 4)]),
    "corrcoef": (lambda lib, x: lib.corrcoef(x), [(3, 5)]),
    "corrcoef 1-d": (lambda lib, x: x.corrcoef(), [(4,)]),
    "trapezoid": (lambda lib, y: lib.trapezoid(y), [(3, 4)]),
    "trapezoid dx dim": (lambda lib, y: lib.trapezoid(y, dx=0.5, dim=0), [(3, 4)]),
    "trapezoid x": (lambda lib, y, x: lib.trapezoid(y, x), [(3, 4), (4,)]),
    "trapezoid x 2-d": (lambda lib, y, x: lib.trapezoid(y, x, dim=0), [(3, 4), (3, 4)]),
    "trapezoid x broadcast": (lambda lib, y, x: lib.trapezoid(y, x), [(2, 3, 4), (3, 4)]),
    "trapz": (lambda lib, y, x: lib.trapz(y, x), [(3, 4), (4,)]),
    "trapz dx": (lambda lib, y: lib.trapz(y, dx=2.0), [(3, 4)]),
    "cumulative_trapezoid": (lambda lib, y: lib.cumulative_trapezoid(y), [(3, 4)]),
    "cumulative_trapezoid dx": (lambda lib, y: lib.cumulative_trapezoid(y, dx=3.0, dim=0), [(3, 4)]),
    "cumulative_trapezoid x": (lambda lib, y, x: lib.cumulative_trapezoid(y, x), [(3, 4), (4,)]),
    "quantile": (lambda lib, x: lib.quantile(x, 0.3), [(3, 4)]),
    "quantile dim": (lambda lib, x: lib.quantile(x, 0.75, dim=1), [(3, 4)]),
    "quantile q tensor keepdim": (lambda lib, x, q: lib.quantile(x, q.detach(), dim=0, keepdim=True), [(3, 4), (2,)]),
    "quantile keepdim all": (lambda lib, x: x.quantile(0.5, keepdim=True), [(3, 4)]),
    "quantile 0-d": (lambda lib, x: lib.quantile(x, 0.5, dim=0, keepdim=True), [()]),
    "quantile 0-d q tensor": (lambda lib, x, q: lib.quantile(x, q.detach()), [(), (2,)]),
    "nanquantile": (lambda lib, x: lib.nanquantile(x, 0.4, dim=-1), [(3, 4)]),
    "inner": (lambda lib, a, b: lib.inner(a, b), [(2, 3), (4, 3)]),
    "inner 1-d": (lambda lib, a, b: lib.inner(a, b), [(3,), (3,)]),
    "inner 3-d": (lambda lib, a, b: a.inner(b), [(2, 2, 3), (3,)]),
    "inner 0-d": (lambda lib, a, b: lib.inner(a, b), [(), (2, 3)]),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reductions_values_gradients_and_nodes(oracle, name, dtype):
    fn, shapes = REDUCTIONS[name]
    rng = oracle.rng(len(name))
    arrays = [oracle.array(rng, s, dtype, "any") for s in shapes]
    if "q tensor" in name:
        arrays[1] = np.array([0.2, 0.9], dtype=dtype)
    if "x" in name.split() and "trapezoid" in name or name == "cumulative_trapezoid x" or name == "trapz":
        arrays[1] = np.cumsum(np.abs(arrays[1]), axis=-1)
    ember_result, torch_result = oracle.check(fn, *arrays)
    for e, t in zip(ember_result if isinstance(ember_result, tuple) else (ember_result,),
                    torch_result if isinstance(torch_result, tuple) else (torch_result,)):
        assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t)


def test_dist_p0_counts_the_differences(oracle):
    """p=0 counts the non-zero differences; PyTorch's backward of it fails (an undefined gradient), ember's
    gives none."""
    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.5])
    ember_result, torch_result = oracle.check(lambda lib, a, b: lib.dist(a, b, 0), a, b, grad=False)
    assert oracle.ember.dist(oracle.ember.tensor(a), oracle.ember.tensor(b), 0).item() == 2.0


@pytest.mark.parametrize(("N", "increasing"), [(None, False), (3, True), (1, False), (5, False), (None, True)])
def test_vander_values_and_nodes(oracle, N, increasing):
    """Values and grad_fn names; the backward fails as PyTorch's does (its running product saves the slice it
    is then written into)."""
    x = np.array([1.5, -2.0, 0.5, 3.0])
    ember_result, torch_result = oracle.check(lambda lib, x: lib.vander(x, N, increasing), x, grad=False)
    e, t = oracle.ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    assert oracle.grad_fn_name(oracle.ember.vander(e, N, increasing)) == oracle.grad_fn_name(
        torch.vander(t, N, increasing))
    if (N or 4) > 2:
        for lib, leaf in ((torch, t), (oracle.ember, e)):
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                lib.vander(leaf, N, increasing).sum().backward()


def test_aminmax_ties_share_the_gradient(oracle):
    array = np.array([[1.0, 5.0, 5.0], [2.0, 2.0, 0.0]])
    oracle.check(lambda lib, x: tuple(lib.aminmax(x)), array)
    oracle.check(lambda lib, x: tuple(lib.aminmax(x, dim=1)), array)
    result = oracle.ember.aminmax(oracle.ember.tensor(array))
    assert type(result).__name__ == "aminmax" and result.min.item() == 0.0 and result.max.item() == 5.0


@pytest.mark.parametrize("dtype", ["int64", "uint8", "bool", "float16"])
def test_aminmax_other_dtypes(oracle, dtype):
    array = np.array([[3, 0, 1], [2, 1, 1]]).astype(dtype)
    oracle.check_forward(lambda lib, x: tuple(lib.aminmax(x, dim=0)), array)
    oracle.check_forward(lambda lib, x: tuple(lib.aminmax(x)), array)


def test_dist_integer_and_mixed_dtypes(oracle):
    oracle.check_forward(lambda lib, a, b: lib.dist(a, b), np.ones((2, 2), np.float32), np.zeros(2, np.float64))
    oracle.check_forward(lambda lib, a, b: lib.dist(a, b), np.ones(2, np.int64), np.zeros(2, np.int64))


def test_renorm_leaves_small_slices_alone(oracle):
    array = np.array([[0.1, 0.2], [3.0, 4.0], [0.0, 0.0]], dtype=np.float64)
    oracle.check(lambda lib, x: lib.renorm(x, 2, 0, 1.0), array)
    oracle.check_forward(lambda lib, x: lib.renorm(x, 2, 0, 1.0), array.astype(np.float16), rtol=0, atol=0)


def _weights():
    return np.array([1, 2, 0, 3, 1]), np.array([0.5, 1.0, 2.0, 0.25, 1.5])


COV_CASES = {
    "fweights": lambda lib, x, f, a: lib.cov(x, fweights=f),
    "aweights": lambda lib, x, f, a: lib.cov(x, aweights=a),
    "both": lambda lib, x, f, a: lib.cov(x, fweights=f, aweights=a),
    "both correction 0": lambda lib, x, f, a: lib.cov(x, correction=0, fweights=f, aweights=a),
    "both correction 3": lambda lib, x, f, a: lib.cov(x, correction=3, fweights=f, aweights=a),
}


@pytest.mark.parametrize("name", list(COV_CASES))
def test_cov_weights(oracle, name):
    fn = COV_CASES[name]
    fweights, aweights = _weights()
    x = oracle.array(oracle.rng(2), (3, 5), "float64", "any")
    pairs = [_pair(oracle, x, True), _pair(oracle, fweights), _pair(oracle, aweights)]
    got, expected = fn(oracle.ember, *(p[0] for p in pairs)), fn(torch, *(p[1] for p in pairs))
    oracle.assert_same(got, expected)
    upstream = np.random.default_rng(3).standard_normal(tuple(expected.shape))
    got.backward(oracle.ember.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    oracle.assert_same(pairs[0][0].grad, pairs[0][1].grad, "grad")


def test_cov_of_integers_and_degenerate_counts(oracle):
    oracle.check_forward(lambda lib, x: lib.cov(x), np.array([[1, 2, 4], [0, 3, 3]]))
    oracle.check_forward(lambda lib, x: lib.corrcoef(x), np.array([[1, 2, 4], [0, 3, 3]]))
    oracle.check_forward(lambda lib, x: lib.corrcoef(x), np.array([[1.0, 1.0, 1.0], [0.0, 3.0, 3.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        oracle.check_forward(lambda lib, x: lib.cov(x), np.array([[1.0], [2.0]]))
        oracle.check_forward(lambda lib, x: lib.cov(x, correction=4), np.ones((2, 3)))
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        oracle.ember.cov(oracle.ember.ones(2, 3), correction=3)


def test_stat_gradcheck(oracle):
    ember = oracle.ember
    rng = np.random.default_rng(4)

    def leaf(*shape):
        return ember.tensor(rng.standard_normal(shape), requires_grad=True)
    checks = [
        (lambda x: ember.aminmax(x, dim=1).min * 2 + ember.aminmax(x, dim=1).max, [leaf(3, 4)]),
        (lambda a, b: ember.dist(a, b, 3), [leaf(3, 4), leaf(4)]),
        (lambda a, b: ember.dist(a, b), [leaf(5), leaf(5)]),
        (lambda x: ember.renorm(x, 2, 0, 0.5), [leaf(3, 4)]),
        (lambda x: ember.renorm(x, 1.5, 1, 0.5), [leaf(3, 4)]),
        (lambda x: ember.cov(x, aweights=ember.tensor([0.5, 1, 2, 1], dtype=ember.float64)), [leaf(2, 4)]),
        (lambda x: ember.corrcoef(x), [leaf(3, 5)]),
        (lambda y, x: ember.trapezoid(y, x), [leaf(3, 4), leaf(4)]),
        (lambda y: ember.cumulative_trapezoid(y, dx=0.5), [leaf(3, 4)]),
        (lambda x: ember.quantile(x, 0.3, dim=1), [leaf(3, 4)]),
        (lambda a, b: ember.inner(a, b), [leaf(2, 3), leaf(4, 3)]),
    ]
    for fn, leaves in checks:
        assert ember.autograd.gradcheck(fn, tuple(leaves))
        assert ember.autograd.gradgradcheck(fn, tuple(leaves))


@pytest.mark.parametrize("dim", [None, 1, 0])
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("op", ["quantile", "nanquantile"])
def test_quantile_interpolations_with_nan(oracle, op, interpolation, dim):
    array = np.array([[1.0, 5.0, 2.0, 7.0, 3.0], [5.0, 0.0, NAN, 3.0, 1.0], [NAN, NAN, NAN, NAN, NAN]])
    q = np.array([0.0, 0.25, 0.4, 0.5, 1.0])
    oracle.check(lambda lib, x, q: getattr(lib, op)(x, q.detach(), dim=dim, interpolation=interpolation), array, q)
    oracle.check(lambda lib, x: getattr(lib, op)(x, 0.65, dim=dim, keepdim=True, interpolation=interpolation), array)


def test_histc_matches_torch(oracle):
    array = np.array([1.0, 2.0, 1.0, 4.0, 2.5, 3.0, 0.0, -1.0, NAN, INF], dtype=np.float32)
    finite = array[:8]
    cases = [
        (lambda lib, x: lib.histc(x, bins=4, min=0, max=3), array),
        (lambda lib, x: lib.histc(x, bins=4), finite),
        (lambda lib, x: x.histc(7, -2, 5), array),
        (lambda lib, x: lib.histc(x, bins=3), np.array([2.0, 2.0])),
        (lambda lib, x: lib.histc(x, bins=2, min=1.0, max=1.0), finite),
        (lambda lib, x: lib.histc(x, bins=5), np.zeros(0, np.float32)),
        (lambda lib, x: lib.histc(x, bins=3), finite.astype(np.float64)),
        (lambda lib, x: lib.histc(x, bins=6, min=-1, max=4), finite.astype(np.float16)),
    ]
    for fn, values in cases:
        oracle.check(fn, values, grad=False)
    x = oracle.ember.tensor(finite, requires_grad=True)
    assert not oracle.ember.histc(x, bins=3).requires_grad


def test_histogram_matches_torch(oracle):
    values = np.array([1.0, 2.0, 1.0, 4.0, 2.5, 3.25, 0.5], dtype=np.float32)
    cases = [
        lambda lib, x: tuple(lib.histogram(x, bins=4)),
        lambda lib, x: tuple(lib.histogram(x, 3, range=(0.0, 3.0))),
        lambda lib, x: tuple(lib.histogram(x, bins=5, density=True)),
        lambda lib, x: tuple(x.histogram(lib.tensor([0.0, 1.0, 2.5, 5.0]))),
        lambda lib, x: tuple(lib.histogram(x, lib.tensor([0.0, 1.0, 2.5, 5.0]), weight=x * 2, density=True)),
        lambda lib, x: tuple(lib.histogram(x, bins=3, weight=lib.ones_like(x) * 0.5)),
        lambda lib, x: tuple(lib.histogram(x[:2] * 0 + 2, bins=2)),
        lambda lib, x: tuple(lib.histogram(x.reshape(1, 7), bins=4)),
        lambda lib, x: tuple(lib.histogram(x[:0], bins=3)),
        lambda lib, x: tuple(lib.histogram(x[:0], bins=3, range=(1.0, 1.0))),
        lambda lib, x: tuple(lib.histogram(x, bins=2, range=(1.0, 1.0))),
    ]
    for fn in cases:
        oracle.check(fn, values, grad=False)
    result = oracle.ember.histogram(oracle.ember.tensor(values), 2)
    assert type(result).__name__ == "histogram" and result.hist.tolist() == [4.0, 3.0]


def test_integer_inputs_of_trapezoid_and_vander(oracle):
    ints = np.array([[1, 2, 4], [0, 3, 9]])
    oracle.check_forward(lambda lib, y: lib.trapezoid(y), ints)
    oracle.check_forward(lambda lib, y: lib.trapezoid(y, dx=2), ints)
    oracle.check_forward(lambda lib, y, x: lib.trapezoid(y, x), ints, np.array([1, 2, 4]))
    oracle.check_forward(lambda lib, y: lib.cumulative_trapezoid(y), ints)
    oracle.check_forward(lambda lib, y: lib.trapezoid(y), np.zeros((2, 0)))
    oracle.check_forward(lambda lib, y: lib.cumulative_trapezoid(y), np.zeros((2, 0)))
    for dtype in ("int64", "int8", "bool"):
        oracle.check_forward(lambda lib, x: lib.vander(x), np.array([1, 0, 3]).astype(dtype))
    oracle.check_forward(lambda lib, x: lib.vander(x, N=0), np.array([1.0, 2.0]))
    oracle.check_forward(lambda lib, x: lib.vander(x), np.zeros(0))


OUT_FORMS = {
    "float_power": (lambda lib, x, out: lib.float_power(x, 2, out=out), "float64"),
    "ldexp": (lambda lib, x, out: lib.ldexp(x, lib.tensor([1, -2]), out=out), "float32"),
    "fmax": (lambda lib, x, out: lib.fmax(x, x.flip(0), out=out), "float32"),
    "nextafter": (lambda lib, x, out: lib.nextafter(x, x.flip(0), out=out), "float32"),
    "sinc": (lambda lib, x, out: lib.sinc(x, out=out), "float32"),
    "renorm": (lambda lib, x, out: lib.renorm(x, 2, 0, 1.0, out=out), "float32"),
    "histc": (lambda lib, x, out: lib.histc(x, 3, out=out), "float32"),
    "quantile": (lambda lib, x, out: lib.quantile(x, 0.5, dim=0, out=out), "float32"),
    "inner": (lambda lib, x, out: lib.inner(x, x, out=out), "float32"),
}


@pytest.mark.parametrize("name", list(OUT_FORMS))
def test_out_writes_the_result(oracle, name):
    fn, dtype = OUT_FORMS[name]
    x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    results = []
    for lib in (oracle.ember, torch):
        out = lib.empty(0, dtype=getattr(lib, dtype))
        assert fn(lib, lib.tensor(x), out) is out
        results.append(out)
    oracle.assert_same(*results)


# --- errors ---------------------------------------------------------------------------------------------

def _f(*shape, dtype="float32"):
    return np.ones(shape, dtype=dtype)


ERRORS = {
    "fmax number": (lambda lib, a: lib.fmax(a, 2), [_f(2)]),
    "fmin shapes": (lambda lib, a, b: lib.fmin(a, b), [_f(2), _f(3)]),
    "nextafter ints": (lambda lib, a, b: lib.nextafter(a, b), [_f(2, dtype="int64"), _f(2, dtype="int64")]),
    "nextafter number": (lambda lib, a: lib.nextafter(a, 1.0), [_f(2)]),
    "float_power numbers": (lambda lib: lib.float_power(2, 3), []),
    "float_power_ float": (lambda lib, a: a.float_power_(2), [_f(2)]),
    "float_power out float": (lambda lib, a: lib.float_power(a, 2, out=a), [_f(2)]),
    "ldexp number": (lambda lib, a: lib.ldexp(a, 2), [_f(2)]),
    "ldexp_ int": (lambda lib, a, b: a.ldexp_(b), [_f(2, dtype="int64"), _f(2, dtype="int64")]),
    "frexp int": (lambda lib, a: lib.frexp(a), [_f(2, dtype="int64")]),
    "aminmax empty": (lambda lib, a: lib.aminmax(a), [_f(0)]),
    "aminmax empty dim": (lambda lib, a: lib.aminmax(a, dim=1), [_f(2, 0)]),
    "aminmax dim tuple": (lambda lib, a: lib.aminmax(a, dim=(0, 1)), [_f(2, 2)]),
    "aminmax dim range": (lambda lib, a: lib.aminmax(a, dim=2), [_f(2, 2)]),
    "dist ints": (lambda lib, a, b: lib.dist(a, b), [_f(2, dtype="int64"), _f(2, dtype="int64")]),
    "dist shapes": (lambda lib, a, b: lib.dist(a, b), [_f(2), _f(3)]),
    "renorm p": (lambda lib, a: lib.renorm(a, -1, 0, 1.0), [_f(2, 2)]),
    "renorm maxnorm": (lambda lib, a: lib.renorm(a, 2, 0, -3.0), [_f(2, 2)]),
    "renorm 1-d": (lambda lib, a: lib.renorm(a, 2, 0, 1.0), [_f(3)]),
    "renorm dim": (lambda lib, a: lib.renorm(a, 2, 5, 1.0), [_f(2, 2)]),
    "renorm ints": (lambda lib, a: lib.renorm(a, 2, 0, 1.0), [_f(2, 2, dtype="int64")]),
    "cov 3-d": (lambda lib, a: lib.cov(a), [_f(2, 2, 2)]),
    "cov bool": (lambda lib, a: lib.cov(a), [_f(2, 2, dtype=bool)]),
    "cov fweights float": (lambda lib, a, w: lib.cov(a, fweights=w), [_f(2, 3), _f(3)]),
    "cov fweights 2-d": (lambda lib, a, w: lib.cov(a, fweights=w), [_f(2, 3), _f(1, 3, dtype="int64")]),
    "cov fweights numel": (lambda lib, a, w: lib.cov(a, fweights=w), [_f(2, 3), _f(2, dtype="int64")]),
    "cov fweights negative": (lambda lib, a, w: lib.cov(a, fweights=-w), [_f(2, 3), _f(3, dtype="int64")]),
    "cov aweights int": (lambda lib, a, w: lib.cov(a, aweights=w), [_f(2, 3), _f(3, dtype="int64")]),
    "cov aweights negative": (lambda lib, a, w: lib.cov(a, aweights=-w), [_f(2, 3), _f(3)]),
    "cov weights zero": (lambda lib, a, w: lib.cov(a, aweights=w * 0), [_f(2, 3), _f(3)]),
    "corrcoef 3-d": (lambda lib, a: lib.corrcoef(a), [_f(2, 2, 2)]),
    "histc ints": (lambda lib, a: lib.histc(a), [_f(3, dtype="int64")]),
    "histc bins": (lambda lib, a: lib.histc(a, bins=0), [_f(3)]),
    "histc min max": (lambda lib, a: lib.histc(a, bins=3, min=3, max=1), [_f(3)]),
    "histc infinite range": (lambda lib, a: lib.histc(a, bins=3, min=0, max=INF), [_f(3)]),
    "histogram ints": (lambda lib, a: lib.histogram(a, 3), [_f(3, dtype="int64")]),
    "histogram range": (lambda lib, a: lib.histogram(a, 3, range=(3.0, 1.0)), [_f(3)]),
    "histogram weight": (lambda lib, a, w: lib.histogram(a, 3, weight=w), [_f(3), _f(4)]),
    "quantile q above 1": (lambda lib, a: lib.quantile(a, 1.5), [_f(3)]),
    "quantile q below 0": (lambda lib, a: lib.quantile(a, -0.1), [_f(3)]),
    "quantile q tensor range": (lambda lib, a, q: lib.quantile(a, q * 2), [_f(3), _f(2)]),
    "quantile q 2-d": (lambda lib, a, q: lib.quantile(a, q), [_f(3), _f(1, 1)]),
    "quantile q dtype": (lambda lib, a, q: lib.quantile(a, q), [_f(3), _f(1, dtype="float64")]),
    "quantile ints": (lambda lib, a: lib.quantile(a, 0.5), [_f(3, dtype="int64")]),
    "quantile half": (lambda lib, a: lib.quantile(a, 0.5), [_f(3, dtype="float16")]),
    "quantile empty": (lambda lib, a: lib.quantile(a, 0.5), [_f(0)]),
    "quantile interpolation": (lambda lib, a: lib.quantile(a, 0.5, interpolation="foo"), [_f(3)]),
    "quantile dim": (lambda lib, a: lib.quantile(a, 0.5, dim=3), [_f(2, 2)]),
    "nanquantile q": (lambda lib, a: lib.nanquantile(a, 2.0), [_f(3)]),
    "trapezoid x size": (lambda lib, y, x: lib.trapezoid(y, x), [_f(2, 3), _f(2)]),
    "trapezoid 0-d": (lambda lib, y: lib.trapezoid(y), [_f()]),
    "trapezoid dim": (lambda lib, y: lib.trapezoid(y, dim=3), [_f(2, 3)]),
    "trapezoid bool": (lambda lib, y: lib.trapezoid(y), [_f(2, 3, dtype=bool)]),
    "cumulative_trapezoid x size": (lambda lib, y, x: lib.cumulative_trapezoid(y, x), [_f(2, 3), _f(4)]),
    "inner shapes": (lambda lib, a, b: lib.inner(a, b), [_f(2, 3), _f(2)]),
    "inner dtypes": (lambda lib, a, b: lib.inner(a, b), [_f(3, dtype="int64"), _f(3)]),
    "vander 2-d": (lambda lib, x: lib.vander(x), [_f(2, 2)]),
    "vander N": (lambda lib, x: lib.vander(x, N=-1), [_f(3)]),
}


@pytest.mark.parametrize("op", ["histc", "histogram"])
def test_nan_data_has_no_range(oracle, op):
    """A NaN in the data makes the default range not finite (PyTorch prints the NaN with its sign bit)."""
    error = oracle.check_raises(lambda lib, a: getattr(lib, op)(a, 3), np.array([1.0, NAN], np.float32))
    assert error is RuntimeError


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(oracle, name):
    fn, arrays = ERRORS[name]
    error_type = oracle.check_raises(fn, *arrays)
    with pytest.raises(error_type) as torch_error:
        fn(torch, *(torch.tensor(a) for a in arrays))
    with pytest.raises(error_type) as ember_error:
        fn(oracle.ember, *(oracle.ember.tensor(a) for a in arrays))
    assert same_message(ember_error.value, torch_error.value), (str(ember_error.value), str(torch_error.value))
