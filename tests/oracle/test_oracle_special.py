"""torch.special against PyTorch: values over each function's domain with its poles and edges in float16,
float32 and float64 within stated ulp tolerances; gradients (first and second), grad_fn names, the
function/method/in-place/out= forms of lgamma, digamma, erfinv, i0, polygamma and mvlgamma, and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

EDGES = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, -2.5, 8.0, -8.0, 1e-30, -1e-30, 1e30, -1e30,
         math.inf, -math.inf, math.nan]

# name -> (call on a library, values to draw from (low, high), extra edges, ulps per dtype, error
# allowance beyond ulps: ``slack(x, expected)`` ulps of 1 (the dtype's eps), for the ill-conditioned places where
# PyTorch's own rounding dominates (lgamma and digamma next to their zeros and poles, erfinv near +-1)).
def _terms(x, expected):
    """The size of the terms summed (digamma's log(x) and pi / tan(pi x), lgamma's x log x), a multiple
    of whose ulp is the rounding PyTorch's float arithmetic leaves next to a zero of the result."""
    with np.errstate(all="ignore"):
        size = np.abs(np.log(np.abs(x) + 1)) * (np.abs(x) + 1) + 1
    return np.where(np.isfinite(size), size, 0)


def _rounded_square(x, expected):
    """PyTorch's erfcx below 0 is 2 exp(x*x) - erfcx(-x) with x*x rounded: off by x² ulps of its value."""
    with np.errstate(all="ignore"):
        slack = np.where(x < 0, 2 * x.astype(np.float64) ** 2 * np.abs(expected.astype(np.float64)), 0)
    return np.where(np.isfinite(slack), slack, 0)


def _erfinv_slack(x, expected):
    """erfinv's conditioning: an ulp of erf near |x| = 1 moves erfinv by ulp / erf'(erfinv)."""
    with np.errstate(all="ignore"):
        slack = 4 * np.abs(x.astype(np.float64)) / (2 / math.sqrt(math.pi) * np.exp(-expected.astype(np.float64) ** 2))
    return np.where(np.isfinite(slack), slack, 0)


CASES = {
    "gammaln": (lambda lib, x: lib.special.gammaln(x), (-20, 60), [171.5, 1e306, -3.5, 1.5, 3.0],
                {"float64": 4, "float32": 2, "float16": 1}, _terms),
    "digamma": (lambda lib, x: lib.special.digamma(x), (-20, 60), [1.4616321449683622, -3.0, -3.25, 10.0, 1e17],
                {"float64": 8, "float32": 8, "float16": 1}, _terms),
    "psi": (lambda lib, x: lib.special.psi(x), (0.1, 20), [], {"float64": 8, "float32": 4, "float16": 1}, _terms),
    "erfinv": (lambda lib, x: lib.special.erfinv(x), (-1, 1), [0.7, -0.7, 0.999999, -0.9999, 1.5, -1.5],
               {"float64": 4, "float32": 2, "float16": 1}, _erfinv_slack),
    "i0": (lambda lib, x: lib.special.i0(x), (-40, 40), [700.0, -700.0, 8.0001],
           {"float64": 8, "float32": 8, "float16": 1}, None),
    "i0e": (lambda lib, x: lib.special.i0e(x), (-40, 40), [700.0, -700.0, 8.0001],
            {"float64": 8, "float32": 8, "float16": 1}, None),
    "i1": (lambda lib, x: lib.special.i1(x), (-40, 40), [700.0, -700.0, 8.0001],
           {"float64": 8, "float32": 8, "float16": 1}, None),
    "i1e": (lambda lib, x: lib.special.i1e(x), (-40, 40), [700.0, -700.0, 8.0001],
            {"float64": 8, "float32": 8, "float16": 1}, None),
    "erfcx": (lambda lib, x: lib.special.erfcx(x), (-10, 40), [26.0, 25.99, -26.0, -27.0, 1e10],
              {"float64": 16, "float32": 4, "float16": 1}, _rounded_square),
    "log_ndtr": (lambda lib, x: lib.special.log_ndtr(x), (-40, 10), [-1.0, -1.0001, 6.0, -1e10],
                 {"float64": 4, "float32": 128, "float16": 1}, None),
    "ndtri": (lambda lib, x: lib.special.ndtri(x), (0, 1), [0.0, 1.0, -0.5, 1.5, 0.135, 0.865, 1e-20, 1e-300, 0.5],
              {"float64": 4, "float32": 4, "float16": 1}, None),
    "ndtr": (lambda lib, x: lib.special.ndtr(x), (-10, 10), [], {"float64": 4, "float32": 2, "float16": 1},
             lambda x, expected: 1.0),  # (1 + erf) / 2 as PyTorch: its erf's last bit, relative to 1
    "entr": (lambda lib, x: lib.special.entr(x), (-1, 5), [], {"float64": 2, "float32": 2, "float16": 1}, None),
    "sinc": (lambda lib, x: lib.special.sinc(x), (-9, 9), [], {"float64": 8, "float32": 8, "float16": 1}, _terms),
    "polygamma(1)": (lambda lib, x: lib.special.polygamma(1, x), (-10, 30), [0.25, -3.0],
                     {"float64": 8, "float32": 8, "float16": 1}, _terms),
    "polygamma(2)": (lambda lib, x: lib.special.polygamma(2, x), (-10, 30), [-3.0, 1e-3],
                     {"float64": 16, "float32": 16, "float16": 1}, _terms),
    "polygamma(3)": (lambda lib, x: lib.special.polygamma(3, x), (0.05, 40), [-3.0, -2.5],
                     {"float64": 16, "float32": 16, "float16": 1}, _terms),
    "multigammaln(p=3)": (lambda lib, x: lib.special.multigammaln(x, 3), (1.01, 30), [],
                          {"float64": 8, "float32": 4, "float16": 2}, _terms),
}


def _values(low, high, extra, dtype):
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.uniform(low, high, 400), EDGES if low < 0 else [], extra])
    with np.errstate(over="ignore"):  # 1e30 is inf in float16
        return values.astype(dtype)


def _ulps_off(ours, theirs, dtype, slack):
    """How many ulps of `theirs` (or of the allowed slack) ours is off, elementwise; 0 where equal."""
    ours, theirs = ours.astype(np.float64), theirs.astype(np.float64)
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
    with np.errstate(all="ignore"):
        unit = np.spacing(np.abs(theirs).astype(dtype)).astype(np.float64) + slack
        off = np.abs(ours - theirs) / unit
    return np.where(same, 0.0, np.where(np.isnan(off), np.inf, off))


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
@pytest.mark.parametrize("name", list(CASES))
def test_values_are_pytorchs_within_a_few_ulps(name, dtype):
    call, (low, high), extra, ulps, slack = CASES[name]
    values = _values(low, high, extra, dtype)
    if name.startswith("multigammaln"):
        values = values[values > 1]
    try:
        theirs = call(torch, torch.tensor(values)).numpy()
    except NotImplementedError:  # PyTorch has no float16 kernel: neither has ember
        with pytest.raises(NotImplementedError):
            call(ember, ember.tensor(values))
        return
    ours = call(ember, ember.tensor(values))
    assert ours.dtype == getattr(ember, dtype)
    ours = ours.cpu().numpy()
    allowance = 0.0 if slack is None else slack(values, theirs) * np.finfo(dtype).eps
    off = _ulps_off(ours, theirs, dtype, allowance)
    worst = int(np.argmax(off))
    assert off[worst] <= ulps[dtype], (f"{name}({values[worst]!r}) = {ours[worst]!r}, PyTorch {theirs[worst]!r}: "
                                       f"{off[worst]:.1f} ulps (allowed {ulps[dtype]})")


# name -> (call, input values): the gradient's formula and its grad_fn are PyTorch's (derivatives.yaml)
GRADIENTS = {
    "lgamma": (lambda lib, x: lib.lgamma(x), [2.5, 0.3, -1.5, 7.0]),
    "gammaln": (lambda lib, x: lib.special.gammaln(x), [2.5, 0.3, -1.5, 7.0]),
    "digamma": (lambda lib, x: lib.digamma(x), [2.5, 0.3, -1.5, 7.0]),
    "erfinv": (lambda lib, x: lib.erfinv(x), [-0.9, -0.2, 0.0, 0.6]),
    "i0": (lambda lib, x: lib.i0(x), [-9.0, -0.5, 0.0, 3.0]),
    "i0e": (lambda lib, x: lib.special.i0e(x), [-9.0, -0.5, 0.0, 3.0]),
    "i1": (lambda lib, x: lib.special.i1(x), [-9.0, -0.5, 0.0, 3.0]),
    "i1e": (lambda lib, x: lib.special.i1e(x), [-9.0, -0.5, 0.0, 3.0]),
    "erfcx": (lambda lib, x: lib.special.erfcx(x), [-2.0, 0.0, 3.0, 30.0]),
    "log_ndtr": (lambda lib, x: lib.special.log_ndtr(x), [-20.0, -1.5, 0.0, 3.0]),
    "ndtr": (lambda lib, x: lib.special.ndtr(x), [-2.0, 0.0, 0.5, 3.0]),
    "ndtri": (lambda lib, x: lib.special.ndtri(x), [0.01, 0.3, 0.5, 0.95]),
    "entr": (lambda lib, x: lib.special.entr(x), [0.1, 0.5, 1.0, 3.0]),
    "expit": (lambda lib, x: lib.special.expit(x), [-2.0, 0.0, 0.5, 3.0]),
    "logit": (lambda lib, x: lib.special.logit(x), [0.1, 0.5, 0.7, 0.9]),
    "erf": (lambda lib, x: lib.special.erf(x), [-2.0, 0.0, 0.5, 3.0]),
    "erfc": (lambda lib, x: lib.special.erfc(x), [-2.0, 0.0, 0.5, 3.0]),
    "exp2": (lambda lib, x: lib.special.exp2(x), [-2.0, 0.0, 0.5, 3.0]),
    "expm1": (lambda lib, x: lib.special.expm1(x), [-2.0, 0.0, 0.5, 3.0]),
    "log1p": (lambda lib, x: lib.special.log1p(x), [0.1, 0.0, 0.5, 3.0]),
    "sinc": (lambda lib, x: lib.special.sinc(x), [-2.5, 0.0, 0.5, 3.0]),
    "round": (lambda lib, x: lib.special.round(x), [-2.5, 0.0, 0.5, 3.2]),
    "round(decimals=1)": (lambda lib, x: lib.special.round(x, decimals=1), [-2.55, 0.0, 0.51, 3.25]),
    "softmax": (lambda lib, x: lib.special.softmax(x, 0), [-2.0, 0.0, 0.5, 3.0]),
    "log_softmax": (lambda lib, x: lib.special.log_softmax(x, 0), [-2.0, 0.0, 0.5, 3.0]),
    "logsumexp": (lambda lib, x: lib.special.logsumexp(x, 0), [-2.0, 0.0, 0.5, 3.0]),
    "polygamma(0)": (lambda lib, x: lib.special.polygamma(0, x), [2.5, 0.3, -1.5, 7.0]),
    "polygamma(1)": (lambda lib, x: lib.polygamma(1, x), [2.5, 0.3, -1.5, 7.0]),
    "polygamma(3)": (lambda lib, x: lib.special.polygamma(3, x), [2.5, 0.3, -1.5, 7.0]),
    "Tensor.polygamma": (lambda lib, x: x.polygamma(2), [2.5, 0.3, -1.5, 7.0]),
    "multigammaln": (lambda lib, x: lib.special.multigammaln(x, 3), [1.5, 2.0, 4.5, 9.0]),
    "Tensor.mvlgamma": (lambda lib, x: x.mvlgamma(2), [1.5, 2.0, 4.5, 9.0]),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_gradients_and_grad_fn_are_pytorchs(name):
    call, values = GRADIENTS[name]
    weights = [1.0, -0.5, 2.0, 0.25]

    def run(lib):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        y = call(lib, x)
        g, = lib.autograd.grad((y * lib.tensor(weights[:y.numel()], dtype=y.dtype).reshape(y.shape)).sum(), x,
                               create_graph=True)
        gg = lib.autograd.grad((g * g).sum(), x, allow_unused=True)[0] if g.requires_grad else None
        return (type(y.grad_fn).__name__, y.detach().cpu().numpy(), g.detach().cpu().numpy(),
                None if gg is None else gg.detach().cpu().numpy())
    ours, theirs = run(ember), run(torch)
    assert ours[0] == theirs[0]
    for i, what in ((1, "value"), (2, "gradient"), (3, "second derivative")):
        if theirs[i] is None or ours[i] is None:
            assert (ours[i] is None) == (theirs[i] is None) or not np.any(theirs[i] if ours[i] is None else ours[i])
            continue
        np.testing.assert_allclose(ours[i], theirs[i], rtol=1e-9, atol=1e-12, err_msg=f"{name} {what}")


@pytest.mark.parametrize("name", ["lgamma", "digamma", "erfinv", "i0"])
def test_function_method_in_place_and_out_forms(name):
    values = [0.2, 0.45, 0.7, 0.9]

    def forms(lib):
        x = lib.tensor(values)
        in_place = x.clone()
        assert getattr(in_place, name + "_")() is in_place
        out = lib.empty(4)
        assert getattr(lib, name)(x, out=out) is out
        return getattr(lib, name)(x), getattr(x, name)(), in_place, out, getattr(lib, name)(lib.tensor([1, 2]))
    for ours, theirs in zip(forms(ember), forms(torch)):
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
        np.testing.assert_allclose(ours.cpu().numpy(), theirs.numpy(), rtol=2e-6)


def test_polygamma_and_mvlgamma_forms():
    def forms(lib):
        x = lib.tensor([1.5, 2.0, 4.5])
        polygamma_, mvlgamma_, out = x.clone(), x.clone(), lib.empty(3)
        polygamma_.polygamma_(2)
        mvlgamma_.mvlgamma_(2)
        lib.polygamma(1, x, out=out)
        return (lib.polygamma(3, x), lib.mvlgamma(x, p=2), polygamma_, mvlgamma_, out,
                lib.special.polygamma(2, lib.tensor([1, 2])), lib.special.multigammaln(lib.tensor([3, 4]), 2))
    for ours, theirs in zip(forms(ember), forms(torch)):
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
        np.testing.assert_allclose(ours.cpu().numpy(), theirs.numpy(), rtol=2e-6)


def test_round_decimals_values_and_dtypes_are_pytorchs():
    values = np.array([1.25, -15.0, 2.35, 0.5, -2.5, 123.456, math.inf, math.nan])
    for dtype in ("float16", "float32", "float64"):
        for decimals in (-2, -1, 0, 1, 2):
            ours = ember.special.round(ember.tensor(values.astype(dtype)), decimals=decimals)
            theirs = torch.special.round(torch.tensor(values.astype(dtype)), decimals=decimals)
            assert str(ours.dtype) == str(theirs.dtype).replace("torch", "ember")
            np.testing.assert_array_equal(ours.cpu().numpy(), theirs.numpy(), err_msg=f"{dtype} decimals={decimals}")


def test_round_takes_decimals_in_every_form():
    """torch.round, Tensor.round and Tensor.round_ take ``decimals=`` (PyTorch's round.decimals overload,
    RoundBackward1 even for decimals=0); without it they are the plain round (RoundBackward0)."""
    values = np.array([1.2345, -2.55, 250.0, 0.05], dtype=np.float32)

    def forms(lib):
        x = lib.tensor(values, requires_grad=True)
        results = [lib.round(x, decimals=2), x.round(decimals=-1), x.round(decimals=0), lib.round(x), x.round(),
                   x.clone().round_(decimals=1), x.clone().round_()]
        names = [type(r.grad_fn).__name__ for r in results]
        grad, = lib.autograd.grad(sum(r.sum() for r in results), x)
        plain = lib.tensor(values)
        in_place = plain.round_(decimals=1)
        out = lib.round(lib.tensor(values), decimals=1, out=lib.empty(4))
        return names, [r.detach() for r in (*results, grad, in_place, plain, out)], in_place is plain
    (our_names, ours, ours_same), (their_names, theirs, theirs_same) = forms(ember), forms(torch)
    assert our_names == their_names and ours_same and theirs_same
    for mine, pytorch in zip(ours, theirs):
        np.testing.assert_array_equal(mine.cpu().numpy(), pytorch.numpy())


def test_xlog1py_and_xlogy_forms_values_and_gradients():
    a_values, b_values = [0.0, 1.5, -2.0, 0.0], [-1.0, 0.5, 3.0, math.nan]

    def run(lib):
        a = lib.tensor(a_values, dtype=lib.float64, requires_grad=True)
        b = lib.tensor(b_values, dtype=lib.float64, requires_grad=True)
        results = [lib.special.xlog1py(a, b), lib.special.xlog1py(a, 2.0), lib.special.xlog1py(3.0, b),
                   lib.special.xlogy(a, b)]
        names = [type(r.grad_fn).__name__ for r in results]
        grads = lib.autograd.grad(sum(r.nan_to_num().sum() for r in results), (a, b))
        return names, [r.detach().cpu().numpy() for r in results], [g.cpu().numpy() for g in grads]
    ours, theirs = run(ember), run(torch)
    assert ours[0] == theirs[0]
    for mine, pytorch in zip(ours[1] + ours[2], theirs[1] + theirs[2]):
        np.testing.assert_allclose(mine, pytorch, rtol=1e-12, equal_nan=True)


def test_aliases_are_the_ops_pytorch_records():
    x = ember.tensor([0.3, 0.6], requires_grad=True)
    assert type(ember.special.expit(x).grad_fn).__name__ == "SigmoidBackward0"
    assert ember.special.psi is ember.special.digamma is ember.digamma
    assert ember.special.gammaln is ember.lgamma and ember.special.multigammaln is ember.mvlgamma
    assert ember.special.erfinv is ember.erfinv and ember.special.i0 is ember.i0
    assert type(ember.special.gammaln(x).grad_fn).__name__ == "LgammaBackward0"


ERRORS = {
    "polygamma negative n": lambda lib: lib.special.polygamma(-1, lib.tensor([1.0])),
    "polygamma float n": lambda lib: lib.polygamma(1.0, lib.tensor([1.0])),
    "mvlgamma p=0": lambda lib: lib.mvlgamma(lib.tensor([3.0]), 0),
    "round of ints": lambda lib: lib.special.round(lib.tensor([1, 2])),
    "round of ints to 1 decimal": lambda lib: lib.round(lib.tensor([1, 2]), decimals=1),
    "Tensor.round_ of bools to 0 decimals": lambda lib: lib.tensor([True]).round_(decimals=0),
    "softmax without dim": lambda lib: lib.special.softmax(lib.tensor([1.0])),
    "expit out= with grad": lambda lib: lib.special.expit(lib.tensor([1.0], requires_grad=True), out=lib.empty(1)),
}


def _raised(lib, call):
    with pytest.raises(Exception) as error:
        call(lib)
    return type(error.value).__name__, str(error.value)


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_are_pytorchs(name):
    (ours, our_message), (theirs, their_message) = _raised(ember, ERRORS[name]), _raised(torch, ERRORS[name])
    assert ours == theirs, f"ember {ours}: {our_message}; torch {theirs}: {their_message}"
    if name not in ("softmax without dim", "polygamma float n"):  # Python's wording, not PyTorch's binding's
        assert our_message == their_message
