"""ember.testing's assert_close, assert_allclose and make_tensor against torch.testing's: the same inputs pass
or raise the same error type with the same message (tolerances per dtype, mismatch counts, greatest
differences and their indices, the failing item of a sequence or mapping), and make_tensor's ranges,
layouts and refusals."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest
from outcomes import assert_same_error, raised

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def _t(lib, values, dtype="float32"):
    return lib.tensor(values, dtype=getattr(lib, dtype))


CASES = {
    "close within float32 tolerance": lambda lib: lib.testing.assert_close(_t(lib, [1.0, 2.0]),
                                                                            _t(lib, [1.0, 2.000001])),
    "float32 mismatch": lambda lib: lib.testing.assert_close(_t(lib, [1.0, 2.0, 3.0]), _t(lib, [1.0, 2.5, 3.0])),
    "2-d mismatch indices": lambda lib: lib.testing.assert_close(_t(lib, [[1.0, 2.0], [3, 4]]),
                                                                  _t(lib, [[1.0, 2.5], [3, 5]])),
    "float64 tolerance": lambda lib: lib.testing.assert_close(_t(lib, [1.0, 2.0], "float64"),
                                                               _t(lib, [1.0, 2.00001], "float64")),
    "float16 tolerance": lambda lib: lib.testing.assert_close(_t(lib, [1.0, 2.0], "float16"),
                                                               _t(lib, [1.0, 2.01], "float16")),
    "int equality": lambda lib: lib.testing.assert_close(_t(lib, [1, 2, 3], "int64"), _t(lib, [1, 2, 4], "int64")),
    "bool equality": lambda lib: lib.testing.assert_close(_t(lib, [True], "bool"), _t(lib, [False], "bool")),
    "dtype mismatch": lambda lib: lib.testing.assert_close(_t(lib, [1, 2], "int64"), _t(lib, [1, 2])),
    "dtype unchecked": lambda lib: lib.testing.assert_close(_t(lib, [1, 2], "float64"), _t(lib, [1, 2.0000001]),
                                                             check_dtype=False),
    "shape mismatch": lambda lib: lib.testing.assert_close(_t(lib, [1.0, 2.0, 3.0]), _t(lib, [1.0, 2.0])),
    "stride mismatch": lambda lib: lib.testing.assert_close(
        lib.arange(6.0).reshape(2, 3).t(), lib.arange(6.0).reshape(2, 3).t().contiguous(), check_stride=True),
    "stride unchecked": lambda lib: lib.testing.assert_close(
        lib.arange(6.0).reshape(2, 3).t(), lib.arange(6.0).reshape(2, 3).t().contiguous()),
    "0-d is a scalar": lambda lib: lib.testing.assert_close(lib.tensor(2.0), lib.tensor(3.0)),
    "nan unequal": lambda lib: lib.testing.assert_close(_t(lib, [float("nan")]), _t(lib, [float("nan")])),
    "nan equal_nan": lambda lib: lib.testing.assert_close(_t(lib, [float("nan")]), _t(lib, [float("nan")]),
                                                           equal_nan=True),
    "inf equal": lambda lib: lib.testing.assert_close(_t(lib, [float("inf")]), _t(lib, [float("inf")])),
    "relative inf at zero": lambda lib: lib.testing.assert_close(_t(lib, [0.0, 1.0]), _t(lib, [1.0, 0.0])),
    "explicit tolerances": lambda lib: lib.testing.assert_close(_t(lib, [1.0]), _t(lib, [1.1]), rtol=0.1, atol=0.1),
    "explicit zero tolerances": lambda lib: lib.testing.assert_close(_t(lib, [1.0]), _t(lib, [1.0001]), rtol=0,
                                                                      atol=0),
    "rtol without atol": lambda lib: lib.testing.assert_close(_t(lib, [1.0]), _t(lib, [1.1]), rtol=0.1),
    "atol without rtol": lambda lib: lib.testing.assert_close(_t(lib, [1.0]), _t(lib, [1.0]), atol=0.1),
    "msg string": lambda lib: lib.testing.assert_close(_t(lib, [1.0]), _t(lib, [1.1]), msg="custom"),
    "msg callable": lambda lib: lib.testing.assert_close(_t(lib, [1.0]), _t(lib, [1.1]), msg=lambda m: "X " + m),
    "floats": lambda lib: lib.testing.assert_close(1.0, 1.1),
    "ints": lambda lib: lib.testing.assert_close(1, 2),
    "int and float": lambda lib: lib.testing.assert_close(1, 1.0),
    "int and float unchecked": lambda lib: lib.testing.assert_close(1, 1.0, check_dtype=False),
    "None": lambda lib: lib.testing.assert_close(None, None),
    "None mismatch": lambda lib: lib.testing.assert_close(None, 1),
    "sequence item": lambda lib: lib.testing.assert_close([1.0, lib.tensor(2.0)], [1.0, lib.tensor(3.0)]),
    "sequence length": lambda lib: lib.testing.assert_close([1.0], [1.0, 2.0]),
    "nested item": lambda lib: lib.testing.assert_close({"a": [_t(lib, [1.0])]}, {"a": [_t(lib, [2.0])]}),
    "mapping keys": lambda lib: lib.testing.assert_close({"a": 1}, {"b": 1}),
    "tensor and float": lambda lib: lib.testing.assert_close(_t(lib, [1.0]), 1.0),
    "str and tensor": lambda lib: lib.testing.assert_close("a", _t(lib, [1.0])),
    "tensor and ndarray": lambda lib: lib.testing.assert_close(_t(lib, [1.0]), np.array([1.0])),
    "ndarrays": lambda lib: lib.testing.assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.1])),
    "requires_grad ignored": lambda lib: lib.testing.assert_close(_t(lib, [1.0]), _t(lib, [1.0]).requires_grad_()),
}


@pytest.mark.parametrize("case", CASES)
def test_assert_close_as_pytorch(case):
    call = CASES[case]
    expected = raised(torch, call)
    if expected is None:
        import ember
        assert raised(ember, call) is None
    else:
        assert_same_error(call, sys.modules["ember"], torch)


def test_assert_close_passes_on_every_identical_dtype():
    import ember
    for dtype in ("float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool"):
        x = ember.tensor([0, 1, 1], dtype=getattr(ember, dtype))
        ember.testing.assert_close(x, x.clone())


def test_assert_allclose_deprecated_as_pytorch():
    import ember

    def call(lib):
        return lib.testing.assert_allclose(_t(lib, [1.0, 2.0]), _t(lib, [1.0, 2.1]))
    with pytest.warns(FutureWarning, match="assert_allclose"):
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            expected = raised(torch, call)
    with pytest.warns(FutureWarning, match=r"`torch.testing.assert_allclose\(\)` is deprecated"):
        got = raised(ember, call)
    assert type(got) is type(expected) and str(got) == str(expected)
    with pytest.warns(FutureWarning):
        ember.testing.assert_allclose(_t(ember, [1.0, float("nan")]), [1.0, float("nan")])


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "uint8", "bool"])
def test_make_tensor_ranges_and_layout(dtype):
    import ember
    dt = getattr(ember, dtype)
    x = ember.testing.make_tensor(40, 50, dtype=dt, device="cpu")
    assert x.shape == (40, 50) and x.dtype is dt and x.is_contiguous() and not x.requires_grad
    values = x.numpy().astype(np.float64)
    low, high = {"bool": (0, 1), "uint8": (0, 9)}.get(dtype, (-9, 9))
    assert values.min() >= low and values.max() <= high and len(np.unique(values)) > 1
    y = ember.testing.make_tensor((3, 4), dtype=dt, device="cpu", noncontiguous=True, exclude_zero=True)
    assert y.shape == (3, 4) and not y.is_contiguous() and not (y.numpy() == 0).any()


def test_make_tensor_low_high_and_grad():
    import ember
    x = ember.testing.make_tensor(1000, dtype=ember.float64, device="cpu", low=2, high=3, requires_grad=True)
    assert x.requires_grad and x.is_leaf
    assert 2 <= float(x.min()) and float(x.max()) < 3
    y = ember.testing.make_tensor(1000, dtype=ember.int64, device="cpu", low=-1.5, high=1.5)
    assert set(np.unique(y.numpy())) == {-1, 0, 1}


MAKE_ERRORS = {
    "low above high": lambda lib: lib.testing.make_tensor(3, dtype=lib.float32, device="cpu", low=3, high=2),
    "nan low": lambda lib: lib.testing.make_tensor(3, dtype=lib.float32, device="cpu", low=float("nan")),
    "int grad": lambda lib: lib.testing.make_tensor(3, dtype=lib.int64, device="cpu", requires_grad=True),
    "outside uint8": lambda lib: lib.testing.make_tensor(3, dtype=lib.uint8, device="cpu", low=-5, high=-1),
}


@pytest.mark.parametrize("case", MAKE_ERRORS)
def test_make_tensor_refusals_as_pytorch(case):
    import ember
    assert_same_error(MAKE_ERRORS[case], ember, torch)


def test_import_does_not_import_pytest():
    """``import ember`` alone gives ember.testing, as ``import torch`` gives torch.testing, without pytest."""
    import subprocess
    code = "import sys, ember; ember.testing.assert_close(1, 1); print('pytest' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
