"""Comparing a kernel's result with numpy's, with tolerances by dtype."""
from __future__ import annotations

import numpy as np

# (rtol, atol) per floating dtype: float16 is loose (a few ulps), float64 tight; ints and bools are exact.
TOLERANCES = {
    "float16": (5e-3, 1e-3),
    "float32": (1e-5, 1e-6),
    "float64": (1e-12, 1e-14),
}


def assert_matches(actual: np.ndarray, expected: np.ndarray, what: str, *,
                   terms: int = 1, magnitude: float = 1.0) -> None:
    """Check shape, dtype and values of ``actual`` against the numpy reference ``expected``.

    ``what`` names the kernel call in the failure message. A result accumulated from ``terms`` values of
    size up to ``magnitude`` (a reduction, a matmul) may also be off by ``terms * eps * magnitude``.
    """
    if actual.shape != expected.shape:
        raise AssertionError(f"{what}: expected shape {expected.shape}, got {actual.shape}")
    if actual.dtype != expected.dtype:
        raise AssertionError(f"{what}: expected dtype {expected.dtype}, got {actual.dtype}")
    tolerance = TOLERANCES.get(actual.dtype.name)
    if tolerance is None:
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    rtol, atol = tolerance
    atol += terms * float(np.finfo(actual.dtype).eps) * magnitude
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def reference(function, dtype_name: str, *operands) -> np.ndarray:
    """``function`` of the host operands, computed in float64 for floating dtypes then rounded once.

    Rounding a float64 result gives the correctly rounded float16/float32 value a backend should be close
    to; integer and bool operands are computed in their own dtype, wrap-around included.
    """
    if dtype_name in TOLERANCES:
        operands = tuple(np.asarray(o, dtype=np.float64) for o in operands)
    result = np.asarray(function(*operands))
    if result.dtype == np.bool_:
        return result
    return result.astype(dtype_name)
