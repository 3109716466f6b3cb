"""Comparing a kernel's result with numpy's, with tolerances by dtype, and catching stray warnings."""
from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import numpy as np

# (rtol, atol) per floating dtype: float16 is loose (a few ulps), float64 tight; ints and bools are exact.
TOLERANCES = {
    "float16": (5e-3, 1e-3),
    "float32": (1e-5, 1e-6),
    "float64": (1e-12, 1e-14),
}


def _shown(value) -> str:
    return repr(value.item()) if isinstance(value, np.generic) else repr(value)


def assert_matches(actual: np.ndarray, expected: np.ndarray, what: str, *,
                   terms: int = 1, magnitude: float | np.ndarray = 1.0) -> None:
    """Check shape, dtype and values of ``actual`` against the numpy reference ``expected``.

    ``what`` names the kernel call in the failure message. A result accumulated from ``terms`` values of
    size up to ``magnitude`` (a reduction, a matmul) may also be off by ``terms * eps * magnitude``;
    ``magnitude`` may be an array broadcasting against the result, one bound per element. NaN matches
    NaN and an infinity the same infinity, nothing else.
    """
    if actual.shape != expected.shape:
        raise AssertionError(f"{what}: expected shape {expected.shape}, got {actual.shape}")
    if actual.dtype != expected.dtype:
        raise AssertionError(f"{what}: expected dtype {expected.dtype}, got {actual.dtype}")
    bad = mismatches(actual, expected, terms=terms, magnitude=magnitude)
    if bad.any():
        wrong = np.argwhere(bad)
        first = tuple(int(i) for i in wrong[0])
        raise AssertionError(f"{what}: {len(wrong)} of {bad.size} values differ; at {first} got "
                             f"{_shown(actual[first])}, expected {_shown(expected[first])}")


def assert_elementwise(actual, expected, op: str, dtype_name: str, *operands) -> None:
    """Like assert_matches, but a failure names the first wrong element's operands: ``log(0.0)``."""
    if (actual.shape, actual.dtype) != (expected.shape, expected.dtype):
        raise AssertionError(f"{op} on {dtype_name}: expected {expected.shape} {expected.dtype}, "
                             f"got {actual.shape} {actual.dtype}")
    bad = mismatches(actual, expected)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        shown = ", ".join(_shown(np.broadcast_to(o, bad.shape)[index]) if isinstance(o, np.ndarray) else
                          _shown(o) for o in operands)
        raise AssertionError(f"{op}({shown}) on {dtype_name} gave {_shown(actual[index])}, "
                             f"expected {_shown(expected[index])}")


def mismatches(actual: np.ndarray, expected: np.ndarray, *, terms: int = 1,
               magnitude: float | np.ndarray = 1.0) -> np.ndarray:
    """A bool mask of the elements of ``actual`` not close to ``expected`` (as in assert_matches)."""
    tolerance = TOLERANCES.get(actual.dtype.name)
    if tolerance is None:
        return np.asarray(actual != expected)
    rtol, atol = tolerance
    got, want = actual.astype(np.float64), expected.astype(np.float64)
    bound = atol + rtol * np.abs(want) + terms * float(np.finfo(actual.dtype).eps) * np.abs(magnitude)
    with np.errstate(invalid="ignore", over="ignore"):
        good = (got == want) | (np.isnan(got) & np.isnan(want)) | (np.abs(got - want) <= bound)
    return ~good


@contextlib.contextmanager
def no_warnings(what: str) -> Iterator[None]:
    """Fail when the code inside emits any Python warning: PyTorch's kernels emit none, even for
    inf and NaN, so a backend must not let numpy's RuntimeWarnings (overflow, divide by zero,
    invalid value) reach its users."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    if caught:
        first = caught[0]
        raise AssertionError(f"{what} emitted {first.category.__name__}: {first.message}")


def reference(function, dtype_name: str, *operands) -> np.ndarray:
    """``function`` of the host operands, computed in float64 for floating dtypes then rounded once.

    Rounding a float64 result gives the correctly rounded float16/float32 value a backend should be close
    to; integer and bool operands are computed in their own dtype, wrap-around included. inf and NaN
    come out silently, as they do from PyTorch.
    """
    if dtype_name in TOLERANCES:
        operands = tuple(np.asarray(o, dtype=np.float64) for o in operands)
    with np.errstate(all="ignore"):
        result = np.asarray(function(*operands))
        if result.dtype == np.bool_:
            return result
        return result.astype(dtype_name)
