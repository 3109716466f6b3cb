"""ember.tensor of numpy scalars, alone and inside sequences, against PyTorch: each numpy scalar (and array)
keeps its own dtype and is promoted with the other elements' (a Python int's int64, a float's default
dtype, a tensor's own), so `tensor(np.float64(1.5))` is float64 and `tensor([np.float16(1), 2])` float16."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

SCALARS = {name: getattr(np, name) for name in ("float64", "float32", "float16", "int64", "int32", "int16",
                                                   "int8", "uint8", "bool_")}
PYTHON = {"int": 2, "float": 2.5, "bool": True}


def _cases():
    cases = {f"np.{name}": (lambda lib, k=kind: k(1)) for name, kind in SCALARS.items()}
    for name, kind in SCALARS.items():
        for other, value in PYTHON.items():
            cases[f"[np.{name}, {other}]"] = lambda lib, k=kind, v=value: [k(1), v]
            cases[f"[{other}, np.{name}]"] = lambda lib, k=kind, v=value: [v, k(1)]
        for second, kind2 in SCALARS.items():
            cases[f"[np.{name}, np.{second}]"] = lambda lib, k=kind, k2=kind2: [k(1), k2(0)]
        cases[f"[[np.{name}], [int]]"] = lambda lib, k=kind: [[k(1)], [3]]
        cases[f"[tensor, np.{name}]"] = lambda lib, k=kind: [lib.tensor(1.0), k(1)]
        cases[f"[np.array({name})]"] = lambda lib, k=kind: [np.array([1, 0], dtype=k)]
    return cases


CASES = _cases()


def _outcome(lib, make):
    """("ok", dtype name, values) or ("error", exception class name)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's "a list of numpy.ndarrays is extremely slow"
            result = lib.tensor(make(lib))
    except Exception as error:  # noqa: BLE001 - the class is what is compared
        return ("error", type(error).__name__)
    return ("ok", str(result.dtype).split(".")[1], result.tolist())


@pytest.mark.parametrize("name", list(CASES))
def test_tensor_of_numpy_scalars_takes_pytorchs_dtype(name):
    """Also PyTorch's TypeError for a numpy bool among integers ("'numpy.bool' object cannot be
    interpreted as an integer")."""
    assert _outcome(ember, CASES[name]) == _outcome(torch, CASES[name])
