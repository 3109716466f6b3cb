"""Python numbers beyond a float tensor's range against PyTorch: comparisons and maximum/minimum take them
as the dtype holds them (inf, silently: ``h < 1e6``), clamp and hardtanh refuse them with PyTorch's
RuntimeError (``clamp(h, max=1e6)``), where and one-step linspace refuse them for float32 but round them to
inf for float16."""

from __future__ import annotations

import math

import numpy as np
import pytest
from outcomes import outcome

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

VALUES = [1.0, -3.0, 65504.0, -65504.0, math.inf, -math.inf, math.nan, 0.5]
# Numbers around each dtype's largest finite value: past it (an error or inf), and just below the
# half-way point where rounding still gives the largest value (65519 is float16's 65504).
NUMBERS = {"float16": (1e6, -1e6, 70000.0, 65519.0, 65520.0, 65505.0, 1e39, math.inf, -math.inf, math.nan),
           "float32": (1e39, -1e39, 3.4028235e38, 3.5e38, math.inf)}


def _compare(name):
    return lambda lib, x, v: getattr(lib, name)(x, v)


CALLS = {
    **{name: _compare(name) for name in ("eq", "ne", "lt", "le", "gt", "ge")},
    "x < v": lambda lib, x, v: x < v,
    "v >= x": lambda lib, x, v: v >= x,
    "maximum(x, tensor(v))": lambda lib, x, v: lib.maximum(x, lib.tensor(v)),
    "minimum(x, tensor(v, float64))": lambda lib, x, v: lib.minimum(x, lib.tensor(v, dtype=lib.float64)),
    "maximum(tensor(v), x)": lambda lib, x, v: lib.maximum(lib.tensor(v), x),
    "clamp(max=v)": lambda lib, x, v: lib.clamp(x, max=v),
    "clamp(min=v)": lambda lib, x, v: lib.clamp(x, min=v),
    "clamp(-1, v)": lambda lib, x, v: x.clamp(-1.0, v),
    "clamp_max": lambda lib, x, v: lib.clamp_max(x, v),
    "clamp_min": lambda lib, x, v: lib.clamp_min(x, -v),
    "clamp_(max=v)": lambda lib, x, v: x.clone().clamp_(max=v),
    "clamp(max=tensor(v))": lambda lib, x, v: x.clamp(max=lib.tensor(v)),
    "hardtanh(x, -v, 1)": lambda lib, x, v: lib.nn.functional.hardtanh(x, -abs(v), 1.0),
    "where(x > 0, x, v)": lambda lib, x, v: lib.where(x > 0, x, v),
    "where(x > 0, v, x)": lambda lib, x, v: lib.where(x > 0, v, x),
    "where(x > 0, v, 0.)": lambda lib, x, v: lib.where(x > 0, v, 0.0),
}


def _run(lib, call, dtype, number):
    return outcome(lib, lambda lib: call(lib, lib.tensor(VALUES, dtype=getattr(lib, dtype)), number))


@pytest.mark.parametrize("dtype", list(NUMBERS))
@pytest.mark.parametrize("call", list(CALLS))
def test_numbers_beyond_the_dtype_are_pytorchs(call, dtype):
    """Same values (or the same error class), and no warning: outcome() turns one into an error."""
    for number in NUMBERS[dtype]:
        expected = _run(torch, CALLS[call], dtype, number)
        got = _run(ember, CALLS[call], dtype, number)
        _assert_same(got, expected, f"{call} with {number!r} on {dtype}")


@pytest.mark.parametrize(("dtype", "number", "cpp"), [("float16", 1e6, "c10::Half"), ("float32", 1e39, "float")])
def test_clamp_beyond_the_dtype_names_the_type(dtype, number, cpp):
    x = ember.tensor([1.0, 2.0], dtype=getattr(ember, dtype))
    with pytest.raises(RuntimeError, match=f"value cannot be converted to type {cpp} without overflow"):
        x.clamp_(max=number)
    assert x.tolist() == [1.0, 2.0]  # raised before any change
    with pytest.raises(RuntimeError, match=f"value cannot be converted to type {cpp} without overflow"):
        torch.tensor([1.0, 2.0], dtype=getattr(torch, dtype)).clamp_(max=number)


@pytest.mark.parametrize("dtype", list(NUMBERS))
@pytest.mark.parametrize("steps", (0, 1, 2))
def test_linspace_bounds_beyond_the_dtype(steps, dtype):
    """No step checks no bound; one float16 step rounds to inf where float32 refuses it; more refuse."""
    for number in (*NUMBERS[dtype], 70000):
        for bounds in ((number, 0.0), (0.0, number), (number, number)):
            expected, got = (outcome(lib, lambda lib, b=bounds: lib.linspace(*b, steps, dtype=getattr(lib, dtype)))
                             for lib in (torch, ember))
            _assert_same(got, expected, f"linspace{(*bounds, steps)} in {dtype}")


def _assert_same(got, expected, where: str) -> None:
    """The same error class, or no error (nor warning) and the same dtype and values."""
    if isinstance(expected, str):
        assert got == expected, where
    else:
        assert not isinstance(got, str), f"{where}: ember raised {got}"
        assert got[0] == expected[0], where
        np.testing.assert_array_equal(got[1], expected[1], err_msg=where)
