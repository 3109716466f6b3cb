"""``ember.testing.assert_close`` (and the deprecated ``assert_allclose``): PyTorch's comparison of tensors,
numpy arrays, numbers and their sequences and mappings, with its default tolerances per dtype and its
AssertionError messages, so that tests written against ``torch.testing`` run unchanged."""
from __future__ import annotations

import cmath
import collections.abc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .._tensor import Tensor

# PyTorch's default (rtol, atol) per dtype; other dtypes (ints, bool) compare exactly.
_PRECISIONS = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}
_NUMBER_DTYPES = {int: "int64", float: "float64", complex: "complex128"}


class _Mismatch(Exception):
    """A failed comparison: the error type, its generated message and the path of the item that failed."""

    def __init__(self, kind: type, message: str, where: tuple = ()):
        super().__init__(message)
        self.kind, self.message, self.where = kind, message, where

    def error(self, msg) -> Exception:
        if isinstance(msg, str):
            return self.kind(msg)
        generated = self.message
        if self.where:
            generated += f"\n\nThe failure occurred for item {''.join(str([item]) for item in self.where)}"
        return self.kind(msg(generated) if msg else generated)


def _tolerances(dtypes, rtol, atol) -> tuple[float, float]:
    if (rtol is None) != (atol is None):
        raise ValueError("Both 'rtol' and 'atol' must be either specified or omitted, "
                         f"but got no {'rtol' if rtol is None else 'atol'}.")
    if rtol is not None:
        return rtol, atol
    pairs = [_PRECISIONS.get(str(name), (0.0, 0.0)) for name in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _diff_line(kind: str, diff, index, tol, equality: bool) -> str:
    line = f"Greatest {kind} difference: {diff} at index {index}" if index is not None else \
        f"{kind.title()} difference: {diff}"
    return line + ("" if equality else f" (up to {tol} allowed)") + "\n"


def _message(what: str, extra: str, abs_diff, abs_index, rel_diff, rel_index, rtol, atol) -> str:
    equality = rtol == 0 and atol == 0
    text = f"{what} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    text += _diff_line("absolute", abs_diff, abs_index, atol, equality)
    text += _diff_line("relative", rel_diff, rel_index, rtol, equality)
    return text.strip()


def _scalar_message(actual, expected, rtol, atol) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _message("Scalars", f"Expected {expected} but got {actual}.", abs_diff, None, rel_diff, None, rtol, atol)


def _compare_numbers(actual, expected, where, rtol, atol, equal_nan, check_dtype) -> None:
    if check_dtype and type(actual) is not type(expected):
        raise _Mismatch(AssertionError, f"The (d)types do not match: {type(actual)} != {type(expected)}.", where)
    rtol, atol = _tolerances((_NUMBER_DTYPES[type(actual)], _NUMBER_DTYPES[type(expected)]), rtol, atol)
    if cmath.isnan(actual) and cmath.isnan(expected) and equal_nan:
        return
    abs_diff = abs(actual - expected)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
        return
    if actual == expected:  # equal infinities
        return
    raise _Mismatch(AssertionError, _scalar_message(actual, expected, rtol, atol), where)


def _as_tensor_like(value):
    """(numpy array, dtype name, shape, device, strides in elements) of a tensor or an ndarray."""
    if isinstance(value, Tensor):
        return value.detach().cpu().numpy(), value.dtype, value.shape, value.device, value.stride()
    strides = tuple(s // value.itemsize for s in value.strides)
    return value, value.dtype, value.shape, "cpu", strides


def _attribute_error(name: str, a, e, where) -> _Mismatch:
    return _Mismatch(AssertionError, f"The values for attribute '{name}' do not match: {a} != {e}.", where)


def _compare_tensors(actual, expected, where, rtol, atol, equal_nan, check_device, check_dtype, check_stride):
    a, a_dtype, a_shape, a_device, a_strides = _as_tensor_like(actual)
    e, e_dtype, e_shape, e_device, e_strides = _as_tensor_like(expected)
    if a_shape != e_shape:
        raise _attribute_error("shape", a_shape, e_shape, where)
    if check_device and a_device != e_device:
        raise _attribute_error("device", a_device, e_device, where)
    if check_dtype and a_dtype != e_dtype:
        raise _attribute_error("dtype", a_dtype, e_dtype, where)
    if check_stride and a_strides != e_strides:
        raise _attribute_error("stride()", a_strides, e_strides, where)
    rtol, atol = _tolerances((_dtype_name(a_dtype), _dtype_name(e_dtype)), rtol, atol)
    common = np.promote_types(a.dtype, e.dtype)
    a, e = a.astype(common), e.astype(common)
    floating = common.kind in "fc"
    with np.errstate(all="ignore"):
        matches = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan) if floating else a == e
    if matches.all():
        return
    if a.ndim == 0:
        raise _Mismatch(AssertionError, _scalar_message(a.item(), e.item(), rtol, atol), where)
    raise _Mismatch(AssertionError, _tensor_message(a, e, matches, rtol, atol, floating), where)


def _dtype_name(dtype) -> str:
    return str(dtype).rsplit(".", 1)[-1]


def _tensor_message(a, e, matches, rtol, atol, floating) -> str:
    count, total = int((~matches).sum()), matches.size
    extra = f"Mismatched elements: {count} / {total} ({count / total:.1%})"
    if not floating:
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = np.abs(a - e).ravel()
        abs_diff[matches.ravel()] = 0
        rel_diff = abs_diff / np.abs(e.ravel())
    rel_diff[matches.ravel()] = 0
    at_abs, at_rel = _first_max(abs_diff), _first_max(rel_diff)

    def index(flat: int) -> tuple:
        return tuple(int(i) for i in np.unravel_index(flat, a.shape))
    return _message("Tensor-likes", extra, abs_diff[at_abs].item(), index(at_abs), rel_diff[at_rel].item(),
                    index(at_rel), rtol, atol)


def _first_max(values: np.ndarray) -> int:
    """The index of the greatest value, a NaN first, as torch.max's."""
    if values.dtype.kind in "fc" and np.isnan(values).any():
        return int(np.flatnonzero(np.isnan(values))[0])
    return int(np.argmax(values))


def _is_sequence(value) -> bool:
    return isinstance(value, collections.abc.Sequence) and not isinstance(value, str)


def _compare(actual, expected, where: tuple, options: dict) -> None:
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _Mismatch(AssertionError,
                            f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", where)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, (*where, i), options)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        _compare_mappings(actual, expected, where, options)
        return
    _compare_leaves(actual, expected, where, options)


def _compare_mappings(actual, expected, where: tuple, options: dict) -> None:
    actual_keys, expected_keys = set(actual), set(expected)
    if actual_keys != expected_keys:
        raise _Mismatch(AssertionError, "The keys of the mappings do not match:\n"
                        f"Missing keys in the actual mapping: {sorted(expected_keys - actual_keys)}\n"
                        f"Additional keys in the actual mapping: {sorted(actual_keys - expected_keys)}", where)
    try:
        keys: list = sorted(actual_keys)
    except TypeError:
        keys = list(actual)
    for key in keys:
        _compare(actual[key], expected[key], (*where, key), options)


def _compare_leaves(actual, expected, where: tuple, options: dict) -> None:
    numbers = (int, float, complex)
    if actual is None or expected is None:
        if actual is not expected:
            raise _Mismatch(AssertionError, f"None mismatch: {actual} is not {expected}", where)
        return
    if isinstance(actual, (bool, np.bool_)) and isinstance(expected, (bool, np.bool_)):
        if bool(actual) != bool(expected):
            raise _Mismatch(AssertionError, f"Booleans mismatch: {actual} is not {expected}", where)
        return
    if isinstance(actual, numbers) and isinstance(expected, numbers):
        _compare_numbers(actual, expected, where, options["rtol"], options["atol"], options["equal_nan"],
                         options["check_dtype"])
        return
    tensor_likes = (Tensor, np.ndarray)
    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if related and isinstance(actual, tensor_likes) and (options["allow_subclasses"] or type(actual) is type(expected)):
        _compare_tensors(actual, expected, where, options["rtol"], options["atol"], options["equal_nan"],
                         options["check_device"], options["check_dtype"], options["check_stride"])
        return
    raise _Mismatch(TypeError, f"No comparison pair was able to handle inputs of type {_type_name(actual)} "
                    f"and {_type_name(expected)}.", where)


def _type_name(value) -> str:
    """The type as Python shows it, a tensor's by its public name (``ember.Tensor``)."""
    return "<class 'ember.Tensor'>" if type(value) is Tensor else str(type(value))


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True, rtol: float | None = None,
                 atol: float | None = None, equal_nan: bool = False, check_device: bool = True,
                 check_dtype: bool = True, check_layout: bool = True, check_stride: bool = False,
                 msg: str | Callable[[str], str] | None = None) -> None:
    """Assert that `actual` and `expected` are close, as ``torch.testing.assert_close``.

    Tensors and numpy arrays must agree in shape, device and dtype (and strides with ``check_stride``), then
    element by element within ``atol + rtol * |expected|`` (defaults by dtype: float32 1.3e-6 and 1e-5,
    float64 1e-7 and 1e-7, float16 1e-3 and 1e-5, exact for ints and bools). Sequences and mappings are
    compared item by item. `msg` replaces the generated message, or, a callable, is given it. ember's
    tensors all have the strided layout, so ``check_layout`` has nothing to compare.
    """
    if (rtol is None) != (atol is None):
        _tolerances((), rtol, atol)
    options = {"allow_subclasses": allow_subclasses, "rtol": rtol, "atol": atol, "equal_nan": equal_nan,
               "check_device": check_device, "check_dtype": check_dtype, "check_stride": check_stride}
    try:
        _compare(actual, expected, (), options)
    except _Mismatch as mismatch:
        raise mismatch.error(msg) from None


def assert_allclose(actual: Any, expected: Any, rtol: float | None = None, atol: float | None = None,
                    equal_nan: bool = True, msg: str = "") -> None:
    """Deprecated form of `assert_close`, as PyTorch's: `expected` made a tensor like `actual`, no dtype or
    device check, NaN equal by default, and float32 tolerances of (1e-4, 1e-5)."""
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a future "
                  "release. Please use `torch.testing.assert_close()` instead. You can find detailed upgrade "
                  "instructions in https://github.com/pytorch/pytorch/issues/61844.", FutureWarning, stacklevel=2)
    from .._ops.creation import tensor
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        legacy = {"float16": (1e-3, 1e-3), "float32": (1e-4, 1e-5), "float64": (1e-5, 1e-8)}
        names = (_dtype_name(actual.dtype), _dtype_name(expected.dtype))
        rtol = max(legacy.get(n, (0.0, 0.0))[0] for n in names)
        atol = max(legacy.get(n, (0.0, 0.0))[1] for n in names)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True,
                 check_dtype=False, check_stride=False, msg=msg or None)
