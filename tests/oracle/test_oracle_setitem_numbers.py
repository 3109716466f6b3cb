"""`t[key] = number` against PyTorch: the number is converted before the key is looked at (so an
overflowing number is reported even with an index out of range), and any Python int outside a C long long
is PyTorch's ValueError "Overflow when unpacking long long", whatever the tensor's dtype."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

KEYS = {"5": (5,), "0": (0,), "[:, 0] of empty": (slice(None), 0), "[0, 1]": (0, 1)}
NUMBERS = {"1": 1, "-1": -1, "300": 300, "2**63": 2**63, "-2**63": -2**63, "-2**63 - 1": -2**63 - 1,
           "2**70": 2**70, "1.5": 1.5, "nan": math.nan, "inf": math.inf, "True": True, "'a'": "a"}
DTYPES = ("int64", "int32", "uint8", "bool", "float32", "float16")


def _outcome(lib, dtype, key, number):
    x = lib.zeros((2, 0, 1) if key == (slice(None), 0) else (2, 3), dtype=getattr(lib, dtype))
    try:
        x[key] = number
    except Exception as error:  # noqa: BLE001 - the class is what is compared
        return type(error).__name__
    return repr(np.array(x.tolist()).tolist())  # repr: NaN equals NaN


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("number", list(NUMBERS))
@pytest.mark.parametrize("key", list(KEYS))
def test_setitem_of_a_number_is_pytorchs(key, number, dtype):
    expected = _outcome(torch, dtype, KEYS[key], NUMBERS[number])
    assert _outcome(ember, dtype, KEYS[key], NUMBERS[number]) == expected
