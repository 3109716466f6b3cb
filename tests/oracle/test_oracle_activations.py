"""torch.nn.functional's activations and their modules against PyTorch, rows generated from the registry's
activation entries (ember/_ops/unary.py ACTIVATIONS) and their parameters: values in every dtype, special
values, errors, in-place forms, gradients, grad_fn names, second derivatives, and module reprs."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import outcome

import ember
from ember._ops.unary import ACTIVATIONS

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

# Non-default parameters per entry, beside each entry's defaults; the F name when it is not the entry's.
PARAMS = {"gelu": [{"approximate": "tanh"}], "elu": [{"alpha": 0.5}], "celu": [{"alpha": 2.0}],
          "leaky_relu": [{"negative_slope": 0.2}], "softplus": [{"beta": 2.0, "threshold": 5.0}, {"beta": 0.5}],
          "hardtanh": [{"min_val": -0.5, "max_val": 2.0}], "hardshrink": [{"lambd": 1.0}],
          "softshrink": [{"lambd": 1.0}], "threshold": [{"threshold": -1.0, "value": 3.0}]}
REQUIRED = {"threshold": {"threshold": 0.5, "value": -2.0}}  # parameters without a default
F_NAMES = {"log_sigmoid": "logsigmoid"}
# torch.nn.functional's activations that are compositions (of the entries, or of plain ops).
COMPOSED = [("selu", {}), ("relu6", {}), ("softsign", {}), ("tanhshrink", {}), ("softmin", {"dim": 1}),
            ("softmin", {"dim": 0, "dtype": "float64"})]
CALLS = [(F_NAMES.get(entry.name, entry.name), kwargs) for entry in ACTIVATIONS
         for kwargs in (REQUIRED.get(entry.name, {}), *PARAMS.get(entry.name, ()))] + COMPOSED
IDS = [f"{name}({', '.join(f'{k}={v}' for k, v in kwargs.items())})" for name, kwargs in CALLS]

VALUES = [-3.5, -3.0, -1.0, -0.5, -0.25, 0.0, 0.3, 0.5, 1.0, 2.0, 3.0, 6.5]
SPECIALS = [float("nan"), float("inf"), -float("inf"), 0.0, -0.0, 1e30, -1e30, 30.0, -30.0, 1e-30, 20.0, 2.5]
DTYPES = ["float32", "float64", "float16", "int64", "int32", "bool"]
# float32's absolute rounding where 1 + erf(x) cancels (gelu): PyTorch's float32 erf is not ours.
ATOL = {"float32": 1e-6}
RTOL = {"float16": 2e-3, "float32": 2e-6, "float64": 1e-12, "int64": 2e-6, "int32": 2e-6, "bool": 2e-6}


def _call(lib, name, kwargs, x, **extra):
    if "dtype" in kwargs:
        kwargs = {**kwargs, "dtype": getattr(lib, kwargs["dtype"])}
    return getattr(lib.nn.functional, name)(x, **kwargs, **extra)


def _input(lib, values, dtype):
    host = np.array(values, dtype=np.float64)
    if dtype == "bool":
        host = host > 0.4
    elif dtype.startswith("int"):
        host = np.round(np.clip(host, -10, 10))
    return lib.tensor(host.astype(dtype).reshape(3, 4))


def _assert_same(ours, theirs, what, rtol, atol=1e-30):
    if isinstance(theirs, str) or isinstance(ours, str):
        assert ours == theirs, f"{what}: ember {ours}, torch {theirs}"
        return
    assert ours[0] == theirs[0], f"{what}: dtype {ours[0]}, torch {theirs[0]}"
    np.testing.assert_allclose(ours[1].astype(np.float64), theirs[1].astype(np.float64), rtol=rtol, atol=atol,
                               equal_nan=True, err_msg=what)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "kwargs"), CALLS, ids=IDS)
def test_values_dtypes_and_errors_are_pytorchs(name, kwargs, dtype):
    for values in (VALUES, SPECIALS):
        what = f"{name}({dtype} {values}, {kwargs})"
        call = lambda lib, v=values: _call(lib, name, kwargs, _input(lib, v, dtype))  # noqa: E731
        theirs = outcome(torch, call)
        if name == "gelu" and dtype == "float32":  # PyTorch's vectorized float32 erf gives gelu(inf) = NaN
            theirs[1][np.array(values).reshape(3, 4) == np.inf] = np.inf
        _assert_same(outcome(ember, call), theirs, what, RTOL[dtype], ATOL.get(dtype, 1e-30))


def _takes_inplace(name: str) -> bool:
    code = getattr(getattr(torch.nn.functional, name), "__code__", None)
    return code is not None and "inplace" in code.co_varnames


# In place, elu, celu and leaky_relu take their gradient from the result, refused for a negative slope.
INPLACE = [(name, kwargs) for name, kwargs in CALLS if _takes_inplace(name)] + [
    ("elu", {"alpha": -0.5}), ("celu", {"alpha": -0.5}), ("leaky_relu", {"negative_slope": -0.2})]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "kwargs"), INPLACE, ids=[f"{n}{k}" for n, k in INPLACE])
def test_in_place_forms_are_pytorchs(name, kwargs, dtype):
    def run(lib):
        leaf = _input(lib, VALUES, dtype).requires_grad_()
        x = leaf * 1
        returned = _call(lib, name, kwargs, x, inplace=True)
        assert returned is x
        plain = _input(lib, VALUES, dtype)
        _call(lib, name, kwargs, plain, inplace=True)  # without autograd: written straight in
        try:
            g, = lib.autograd.grad((x * x).sum(), leaf, create_graph=True)
            gg, = lib.autograd.grad(g.sum(), leaf)
        except RuntimeError as error:
            return type(x.grad_fn).__name__, str(error), x.detach().cpu().numpy(), plain.cpu().numpy()
        return (type(x.grad_fn).__name__, g.detach().cpu().numpy(), gg.cpu().numpy(), x.detach().cpu().numpy(),
                plain.cpu().numpy())
    ours, theirs = run(ember), run(torch)
    assert ours[:1] == theirs[:1] and len(ours) == len(theirs)
    for mine, torchs in zip(ours[1:], theirs[1:], strict=True):
        if isinstance(torchs, str):
            assert mine == torchs
        else:
            np.testing.assert_allclose(mine, torchs, rtol=1e-5, atol=1e-6, err_msg=f"in-place {name}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "kwargs"), CALLS, ids=IDS)
def test_gradients_grad_fn_and_second_derivatives_are_pytorchs(name, kwargs, dtype):
    host = np.array(VALUES + SPECIALS, dtype=dtype).reshape(6, 4).T  # special points and a transposed view
    weights = np.linspace(-1.0, 2.0, 24).reshape(4, 6)

    def run(lib):
        x = lib.tensor(host, requires_grad=True)
        y = _call(lib, name, kwargs, x)
        g, = lib.autograd.grad((y * lib.tensor(weights, dtype=y.dtype)).sum(), x, create_graph=True)
        try:
            gg = lib.autograd.grad((g * g).sum(), x, allow_unused=True)[0] if g.requires_grad else None
        except RuntimeError as error:  # PyTorch has no second derivative of hardsigmoid
            gg = str(error)
        values = (y, g, gg)  # added into zeros: PyTorch's zero gradients are ZeroTensors numpy refuses
        y, g, gg = (t if t is None or isinstance(t, str) else
                    lib.zeros(t.shape, dtype=t.dtype).add_(t.detach()).cpu().numpy() for t in values)
        return type(values[0].grad_fn).__name__, y, g, values[1].requires_grad, gg
    ours, theirs = run(ember), run(torch)
    assert ours[0] == theirs[0]
    assert ours[3] == theirs[3], f"gradient requires_grad: ember {ours[3]}, torch {theirs[3]}"
    for i, what in ((1, "value"), (2, "gradient"), (4, "second derivative")):
        if isinstance(theirs[i], str) or isinstance(ours[i], str):
            assert ours[i] == theirs[i]
            continue
        if theirs[i] is None or ours[i] is None:
            assert (ours[i] is None) == (theirs[i] is None) or not np.any(theirs[i] if ours[i] is None else ours[i])
            continue
        np.testing.assert_allclose(ours[i], theirs[i], rtol=1e-5, atol=1e-6, equal_nan=True,
                                   err_msg=f"{name} {what}")


BAD_CALLS = [("gelu", (), {"approximate": "erf"}), ("elu", ("a",), {}), ("leaky_relu", (), {"slope": 0.1}),
             ("softplus", (1.0, 20.0, 3.0), {}), ("hardtanh", (1.0, -1.0), {}), ("softshrink", (-1.0,), {}),
             ("gelu", (), {"approximate": 1}), ("celu", (None,), {})]


@pytest.mark.parametrize(("name", "args", "kwargs"), BAD_CALLS)
def test_errors_are_pytorchs(name, args, kwargs):
    def call(lib):
        return getattr(lib.nn.functional, name)(lib.tensor([0.5, -1.0]), *args, **kwargs)
    assert outcome(ember, call) == outcome(torch, call)


MODULES = [("GELU", ()), ("GELU", ("tanh",)), ("SiLU", ()), ("SiLU", (True,)), ("ELU", ()), ("ELU", (0.5, True)),
           ("SELU", ()), ("SELU", (True,)), ("CELU", (2.0,)), ("LeakyReLU", ()), ("LeakyReLU", (0.2, True)),
           ("Softplus", ()), ("Softplus", (2, 10)), ("Softsign", ()), ("Hardtanh", ()), ("Hardtanh", (-2, 2, True)),
           ("ReLU6", ()), ("ReLU6", (True,)), ("Hardswish", ()), ("Hardswish", (True,)), ("Hardsigmoid", (True,)),
           ("Mish", (True,)), ("Mish", ()), ("LogSigmoid", ()), ("Softmin", (1,)), ("Tanhshrink", ()),
           ("Hardshrink", ()), ("Softshrink", (0.3,))]


@pytest.mark.parametrize(("name", "args"), MODULES, ids=[f"{n}{a}" for n, a in MODULES])
def test_modules_are_pytorchs(name, args):
    def run(lib):
        module = getattr(lib.nn, name)(*args)
        x = _input(lib, VALUES, "float64").requires_grad_()
        y = module(x * 1)
        # A weighted sum: the plain sum's gradient through Softmin is zero up to rounding noise, whose sign
        # and size follow the reduction order of the device.
        (y * lib.linspace(0.5, 2.0, 12, dtype=lib.float64).reshape(3, 4)).sum().backward()
        state = sorted(k for k in vars(module) if k[0] != "_")
        return repr(module), y.detach().cpu().numpy(), x.grad.cpu().numpy(), state
    ours, theirs = run(ember), run(torch)
    assert ours[0] == theirs[0]
    assert ours[3] == [k for k in theirs[3] if k != "training"] or ours[3] == theirs[3]
    for i in (1, 2):
        np.testing.assert_allclose(ours[i], theirs[i], rtol=1e-12, atol=1e-300, equal_nan=True)
