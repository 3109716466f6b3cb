"""Every reduction entry of the registry (sum, mean, prod, any, all: ember/_ops/reduction.py REDUCTIONS)
against PyTorch, rows generated from the entries: function and method, every dim form (none, an int, a
negative one, a tuple where the entry takes one, keepdim, numpy's axis/keepdims), dtype=, every input dtype
(values, result dtypes, errors), inputs with no elements, and gradients with grad_fn names."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import outcome

import ember
from ember._ops.reduction import REDUCTIONS

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
VALUES = [1.5, 0.0, -2.0, 3.25, 1.0, -0.5, 2.0, 4.0, 0.0, 1.0, -1.0, 0.5]
FORMS = {
    "all": ((), {}), "dim": ((1,), {}), "negative dim": ((-1,), {}), "keepdim": ((0,), {"keepdim": True}),
    "dims": (((0, 2),), {}), "axis": ((), {"axis": 2}), "keepdims": ((1,), {"keepdims": True}),
    "axis keepdims": ((), {"axis": 0, "keepdims": True}),
}


def _tensor(lib, dtype, shape=(2, 3, 2)):
    host = np.array(VALUES[:int(np.prod(shape))], dtype=np.float64).reshape(shape)
    if dtype == "bool":
        host = host != 0
    elif dtype.startswith(("int", "uint")):
        host = np.round(host).astype(np.int64)
    return lib.tensor(host.astype(dtype))


def _compare(call, what):
    ours, theirs = outcome(ember, call), outcome(torch, call)
    if isinstance(ours, str) or isinstance(theirs, str):
        assert ours == theirs, f"{what}: ember {ours}, torch {theirs}"
        return
    assert ours[0] == theirs[0], f"{what}: dtype {ours[0]}, torch {theirs[0]}"
    assert ours[1].shape == theirs[1].shape, what
    rtol = 1e-3 if ours[0] == "float16" else 1e-6
    np.testing.assert_allclose(ours[1].astype(np.float64), theirs[1].astype(np.float64), rtol=rtol, atol=1e-12,
                               equal_nan=True, err_msg=what)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("entry", REDUCTIONS, ids=lambda e: e.name)
def test_every_form_and_dtype_is_pytorchs(entry, form, dtype):
    args, kwargs = FORMS[form]  # prod takes no tuple of dims: PyTorch's TypeError
    _compare(lambda lib: getattr(lib, entry.name)(_tensor(lib, dtype), *args, **kwargs), f"{entry.name} {form} {dtype}")
    _compare(lambda lib: getattr(_tensor(lib, dtype), entry.name)(*args, **kwargs),
             f"Tensor.{entry.name} {form} {dtype}")


@pytest.mark.parametrize("result_dtype", ["int64", "float32", "float64"])
@pytest.mark.parametrize("dtype", ["int32", "float16", "float32"])
@pytest.mark.parametrize("entry", REDUCTIONS, ids=lambda e: e.name)
def test_dtype_keyword_is_pytorchs(entry, dtype, result_dtype):
    for args in ((), (1,)):
        _compare(lambda lib, args=args: getattr(lib, entry.name)(_tensor(lib, dtype), *args,
                                                                  dtype=getattr(lib, result_dtype)),
                 f"{entry.name}{args} {dtype} dtype={result_dtype}")


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0)])
@pytest.mark.parametrize("entry", REDUCTIONS, ids=lambda e: e.name)
def test_no_elements_is_pytorchs(entry, shape):
    for args in ((), (0,), (-1,), ((0, 1),) if len(shape) == 2 and not entry.one_dim else (0,)):
        for keepdim in (False, True):
            _compare(lambda lib, args=args, keepdim=keepdim: getattr(lib, entry.name)(
                lib.zeros(shape), *args, **({"keepdim": keepdim} if args else {})),
                f"{entry.name}{args} keepdim={keepdim} of {shape}")


def _gradient(lib, entry, args, kwargs):
    x = lib.tensor(np.array(VALUES).reshape(2, 3, 2) + 0.25, dtype=lib.float64, requires_grad=True)
    result = getattr(x, entry.name)(*args, **kwargs)
    weights = lib.tensor(np.linspace(0.5, 2.0, result.numel()).reshape(tuple(result.shape)), dtype=lib.float64)
    (result * weights).sum().backward()
    return type(result.grad_fn).__name__, x.grad.cpu().numpy()


@pytest.mark.parametrize("form", [f for f in FORMS if f != "dims"])
@pytest.mark.parametrize("entry", [e for e in REDUCTIONS if e.backward is not None], ids=lambda e: e.name)
def test_gradients_and_grad_fn_names_are_pytorchs(entry, form):
    args, kwargs = FORMS[form]
    ours, theirs = _gradient(ember, entry, args, kwargs), _gradient(torch, entry, args, kwargs)
    assert ours[0] == theirs[0], f"{entry.name} {form}: grad_fn {ours[0]}, torch {theirs[0]}"
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10, atol=1e-12, err_msg=f"{entry.name} {form}")
