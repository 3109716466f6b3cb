"""Every elementwise op of the registry (ember/_ops/unary.py) against PyTorch, rows generated from the
registry: function, method, alias and in-place forms, out=; every dtype (results, result dtypes, errors);
special values; gradients, grad_fn names and second derivatives."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import outcome

import ember
from ember._ops.unary import IN_PLACE, UNARY

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

NAMES = [(entry, name) for entry in UNARY for name in (entry.name, *entry.aliases)]
DOMAIN_VALUES = {"real": [-1.7, -0.4, 0.0, 0.3, 1.2, 2.0], "positive": [0.6, 1.0, 1.7, 2.4, 3.1, 0.9],
                 "any": [-7.5, -2.5, -0.5, 0.5, 1.5, 8.25], "unit": [-0.9, -0.4, 0.0, 0.2, 0.7, 0.95],
                 "above_one": [1.1, 1.5, 2.0, 3.3, 4.0, 1.05], "above_two": [2.5, 3.1, 4.0, 5.5, 2.75, 6.0]}
SPECIALS = [float("nan"), float("inf"), -float("inf"), 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e30, -1e-30]
DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _input(lib, values, dtype):
    host = np.array(values, dtype=np.float64)
    if dtype == "bool":
        host = host > 0.5
    elif dtype.startswith(("int", "uint")):
        host = np.round(host).astype(np.int64)  # then wrapped into narrow ints (-4 is uint8's 252)
    return lib.tensor(host.astype(dtype).reshape(2, 3) if len(values) == 6 else host.astype(dtype))


def _assert_same(ours, theirs, what, rtol):
    if isinstance(theirs, str) or isinstance(ours, str):
        assert ours == theirs, f"{what}: ember {ours}, torch {theirs}"
        return
    assert ours[0] == theirs[0], f"{what}: dtype {ours[0]}, torch {theirs[0]}"
    np.testing.assert_allclose(ours[1].astype(np.float64), theirs[1].astype(np.float64), rtol=rtol, atol=1e-30,
                               equal_nan=True, err_msg=what)


RTOL = {"float16": 1e-3, "float32": 2e-6, "float64": 1e-12, **{name: 2e-6 for name in DTYPES if "int" in name},
        "bool": 2e-6}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("entry", "name"), NAMES, ids=[name for _, name in NAMES])
def test_values_dtypes_and_errors_are_pytorchs(entry, name, dtype):
    for values in (DOMAIN_VALUES[entry.domain], SPECIALS):
        for form, call in (("function", lambda lib, v=values: getattr(lib, name)(_input(lib, v, dtype))),
                           ("method", lambda lib, v=values: getattr(_input(lib, v, dtype), name)())):
            what = f"{form} {name}({dtype} {values})"
            _assert_same(outcome(ember, call), outcome(torch, call), what, RTOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", IN_PLACE)
def test_in_place_and_out_forms_are_pytorchs(name, dtype):
    entry = next(e for e in UNARY if name in (e.name, *e.aliases))
    values = DOMAIN_VALUES[entry.domain]

    def in_place(lib):
        x = _input(lib, values, dtype)
        getattr(x, name + "_")()
        return x

    def with_out(lib):
        out = lib.zeros(2, 3, dtype=getattr(lib, dtype))
        result = getattr(lib, name)(_input(lib, values, dtype), out=out)
        assert result is out
        return out
    for form, call in (("in place", in_place), ("out=", with_out)):
        _assert_same(outcome(ember, call), outcome(torch, call), f"{form} {name} {dtype}", RTOL[dtype])


DIFFERENTIABLE = [entry for entry in UNARY if entry.differentiable]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("entry", DIFFERENTIABLE, ids=[entry.name for entry in DIFFERENTIABLE])
def test_gradients_and_grad_fn_are_pytorchs(entry, dtype):
    host = np.array(DOMAIN_VALUES[entry.domain], dtype=dtype).reshape(2, 3).T  # a transposed view too
    weights = np.linspace(-1.0, 2.0, 6).reshape(3, 2)

    def run(lib):
        x = lib.tensor(host, requires_grad=True)
        y = getattr(lib, entry.name)(x)
        g, = lib.autograd.grad((y * lib.tensor(weights, dtype=y.dtype)).sum(), x, create_graph=True)
        gg = lib.autograd.grad((g * g).sum(), x, allow_unused=True)[0] if g.requires_grad else None
        values = (y, g, gg)  # added into zeros: PyTorch's zero gradients are ZeroTensors numpy refuses
        y, g, gg = (None if t is None else lib.zeros(t.shape, dtype=t.dtype).add_(t.detach()).cpu().numpy()
                    for t in values)
        return type(values[0].grad_fn).__name__, y, g, values[1].requires_grad, gg
    ours, theirs = run(ember), run(torch)
    assert ours[0] == theirs[0]
    assert ours[3] == theirs[3], f"gradient requires_grad: ember {ours[3]}, torch {theirs[3]}"
    for i, what in ((1, "value"), (2, "gradient"), (4, "second derivative")):
        if theirs[i] is None or ours[i] is None:
            assert (ours[i] is None) == (theirs[i] is None) or not np.any(theirs[i] if ours[i] is None else ours[i])
            continue
        np.testing.assert_allclose(ours[i], theirs[i], rtol=1e-5, atol=1e-6, err_msg=f"{entry.name} {what}")
