"""The conformance kit catches broken backends: realistic CPU kernel bugs, injected one at a time.

Each mutant is the CPU backend with one kernel replaced by a buggy copy, registered for "cpu" at priority
1 by a test plugin (so it wins over the real kernel, see ember.plugins.register_plugin). The kit then runs
in-process on ``--ember-device=cpu``, restricted to the module (and ``-k`` keyword) that should catch the
bug, and must fail. CI runs QUICK, one mutant per theme; every mutant, on demand::

    python3 tests/test_kit_mutations.py              # each mutant against its kit module
    python3 tests/test_kit_mutations.py --whole-kit  # each mutant against the whole kit (slower)

prints "caught N of M" and the survivors.
"""
from __future__ import annotations

import contextlib
import io
import math
import re
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import ember
from ember.plugins import DeviceType, hookimpl, register_plugin
from ember.plugins.manager import _reset_for_tests
from ember.testing import test_autograd as kit_autograd
from ember_cpu.device import CPU
from ember_cpu.kernels import KERNELS

K = KERNELS


@dataclass(frozen=True)
class Mutant:
    """``op``'s CPU kernel replaced by ``kernel``; the kit module (and -k keyword) that must catch it."""

    name: str
    op: str
    kernel: Any
    module: str
    keyword: str | None = None
    warns: bool = False  # the bug is a numpy warning let through; other mutants run with warnings off

    def silenced(self) -> Any:
        """The kernel as registered: with numpy's warnings off unless they are the bug, so that the kit
        has to catch the wrong values themselves."""
        return self.kernel if self.warns else np.errstate(all="ignore")(self.kernel)


class _KernelOverride:
    """A plugin that registers ``kernels`` for ``device`` at priority 1, over the backend's own."""

    def __init__(self, device: str, kernels: dict) -> None:
        self.device, self.kernels = device, kernels

    @hookimpl
    def ember_register_kernels(self, registry) -> None:
        registry.add_kernels(self.device, self.kernels, priority=1)


def _forget_resolved_devices() -> None:
    """Devices cache their kernel table when first used: make the next tensor look it up again."""
    for device in ember.device._interned.values():
        device.kernels = device.device_type = None


@contextlib.contextmanager
def _plugins(*plugins: tuple[object, str]):
    """The given (plugin, name) pairs registered on top of the installed backends, for the duration."""
    _reset_for_tests()
    _forget_resolved_devices()
    try:
        for plugin, name in plugins:
            register_plugin(plugin, name)
        yield
    finally:
        _reset_for_tests()
        _forget_resolved_devices()


def run_kit(arguments: list[str], *plugins: tuple[object, str]) -> tuple[int, str]:
    """Run the kit in-process with ``plugins`` registered; its exit code and its output."""
    output = io.StringIO()
    with _plugins(*plugins), contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        code = pytest.main(["-q", "-p", "no:cacheprovider", "--no-header", "-x", *arguments])
    return int(code), output.getvalue()


def kit_catches(mutant: Mutant, whole_kit: bool = False) -> tuple[bool, str]:
    """Whether the kit fails with ``mutant`` in place, and its first failure's message."""
    target = "ember.testing" if whole_kit else f"ember.testing.{mutant.module}"
    keyword = [] if whole_kit or mutant.keyword is None else ["-k", mutant.keyword]
    code, output = run_kit(["--pyargs", target, "--ember-device=cpu", *keyword],
                           (_KernelOverride("cpu", {mutant.op: mutant.silenced()}), f"mutant-{mutant.name}"))
    first = re.search(r"^E +(.*)$", output, re.MULTILINE)
    return code == pytest.ExitCode.TESTS_FAILED, first.group(1) if first else output.strip()[-200:]


# The bugs. Helpers first: how a buggy kernel typically gets at its operands.

def _with_out(result, out):
    """Honour out= the way the real kernels do."""
    if out is None:
        return result
    np.copyto(out, result, casting="unsafe")
    return out


def _through(dtype_from, dtype_to):
    """Operands of dtype ``dtype_from`` cast to ``dtype_to``: a kernel computing in too narrow a type."""
    def cast(value):
        if isinstance(value, np.ndarray) and value.dtype == dtype_from:
            return value.astype(dtype_to)
        if isinstance(value, float) and dtype_from == np.float64:
            return dtype_to(value)
        return value
    return cast


def _narrow_binary(op, dtype_from, dtype_to):
    """``op`` computed with its operands narrowed from ``dtype_from`` to ``dtype_to``, cast back."""
    cast = _through(np.dtype(dtype_from), dtype_to)

    def kernel(a, b, out=None):
        wide = any(isinstance(v, np.ndarray) and v.dtype == dtype_from for v in (a, b))
        result = K[op](cast(a), cast(b))
        if wide and result.dtype != np.bool_:
            result = result.astype(dtype_from)
        return _with_out(result, out)
    return kernel


def _rounded_scalar(value):
    """A Python scalar passed through a float32 (floats) or an int32 (ints, wrapping around) on its way
    to the device, still a Python scalar, so NEP 50's promotion is unchanged."""
    if isinstance(value, float):
        return float(np.float32(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return int(np.int64(value).astype(np.int32))
    return value


def _scalar_as_float32(op):
    """``op`` with a Python float operand rounded to float32 (a backend passing scalars as float)."""
    def kernel(a, b, out=None):
        return K[op](*(v if isinstance(v, int) else _rounded_scalar(v) for v in (a, b)), out=out)
    return kernel


def _as_if_contiguous(x):
    """x read as if C-contiguous whenever its last stride is 1: wrong for x[::2] and x[:, 1:]."""
    if not isinstance(x, np.ndarray) or x.ndim == 0 or x.flags.c_contiguous or x.strides[-1] != x.itemsize:
        return x
    strides = [x.itemsize]
    for size in reversed(x.shape[1:]):
        strides.insert(0, strides[0] * size)
    return np.lib.stride_tricks.as_strided(x, x.shape, tuple(strides))


def _ignoring_out(op):
    def kernel(*args, out=None):
        return K[op](*args)
    return kernel


def _returning_a_copy_of_out(op):
    def kernel(*args, out=None):
        return K[op](*args, out=out).copy() if out is not None else K[op](*args)
    return kernel


def _nan_blind_reduction(fill):
    """max/min skipping NaN (np.fmax.reduce), as a "nan-safe" kernel would."""
    def kernel(x, axes, keepdim, out=None):
        ufunc = np.fmax if fill < 0 else np.fmin
        return _with_out(np.asarray(ufunc.reduce(x, axes, keepdims=keepdim)), out)
    return kernel


def _nan_blind_arg(op, fill):
    def kernel(x, axis, keepdim):
        if x.dtype.kind == "f":
            x = np.where(np.isnan(x), fill, x)
        return K[op](x, axis, keepdim)
    return kernel


def _view_when_size_one(op):
    """Reductions over size-1 dims only returning a reshaped view of x, not a new buffer."""
    def kernel(x, axes, keepdim, out=None):
        if out is None and all(x.shape[a] == 1 for a in axes):
            return x.reshape(tuple(n for i, n in enumerate(x.shape) if i not in axes or keepdim) if not keepdim
                             else x.shape)
        return K[op](x, axes, keepdim, out=out)
    return kernel


def _unstable_softmax(x, axis):
    exp = np.exp(x)
    return exp / exp.sum(axis=axis, keepdims=True)


def _global_max_softmax(x, axis):
    exp = np.exp(x - (x.max() if x.size else 0))
    return exp / exp.sum(axis=axis, keepdims=True)


def _unstable_log_softmax(x, axis):
    return x - np.log(np.exp(x).sum(axis=axis, keepdims=True))


def _log_of_softmax(x, axis):
    return np.log(K["softmax"](x, axis))


def _cross_entropy_ignoring_bad_targets(logits, target, ignore_index, flags):
    rows, probs, _ = K["cross_entropy_checked"](logits, target, ignore_index, None)
    return rows, probs, np.zeros(len(target), np.int64) if flags is None else flags


def _cross_entropy_from_clamped_probs(logits, target):
    _, probs = K["cross_entropy"](logits, target)
    picked = probs[np.arange(len(target)), target]
    return -np.log(np.maximum(picked, np.finfo(probs.dtype).tiny)).astype(probs.dtype), probs


def _unstable_cross_entropy(logits, target):
    exp = np.exp(logits)
    probs = exp / exp.sum(axis=1, keepdims=True)
    return -np.log(probs[np.arange(len(target)), target]), probs


def _naive_bce(x, y):
    return x - x * y + np.log(1 + np.exp(-x))


def _where_by_arithmetic(cond, a, b, out=None):
    return _with_out(np.asarray(cond * a + (1 - cond) * b).astype(np.result_type(a, b)), out)


def _strided_ignoring_offset(x, shape, strides, offset):
    return K["as_strided"](x, shape, strides, 0)


def _strided_from_base(x, shape, strides, offset):
    """Offsets counted from the start of x's memory block, not from x's first element."""
    base = x if x.base is None or not isinstance(x.base, np.ndarray) else x.base
    if base is not x and base.flags.c_contiguous:
        return np.ndarray(shape, x.dtype, base, offset * x.itemsize, tuple(s * x.itemsize for s in strides))
    return K["as_strided"](x, shape, strides, offset)


def _contiguous_by_last_stride(x):
    return x if x.ndim == 0 or x.strides[-1] == x.itemsize else np.ascontiguousarray(x)


def _arange_floor(start, stop, step, dtype):
    count = max(0, math.floor((stop - start) / step))
    return (start + step * np.arange(count, dtype=np.float64)).astype(dtype.numpy)


def _arange_in_dtype(start, stop, step, dtype):
    return np.arange(start, stop, step, dtype=np.float32 if dtype.numpy == np.float64 else dtype.numpy
                     ).astype(dtype.numpy)


def _uniform_ignoring_the_generator(shape, low, high, dtype, gen):
    return K["uniform"](shape, low, high, dtype, np.random.default_rng())


def _uniform_antithetic(shape, low, high, dtype, gen):
    """Half the draws and their mirror images: the right distribution, neighbours perfectly correlated."""
    half = gen.random(math.ceil(math.prod(shape) / 2))
    values = np.stack([half, 1 - half], axis=-1).reshape(-1)[: math.prod(shape)].reshape(shape)
    return (values * (high - low) + low).astype(dtype.numpy)


def _normal_smoothed(shape, mean, std, dtype, gen):
    values = gen.standard_normal(math.prod(shape) + 1)
    return (((values[1:] + values[:-1]) / math.sqrt(2)).reshape(shape) * std + mean).astype(dtype.numpy)


def _normal_in_float32(shape, mean, std, dtype, gen):
    return (gen.standard_normal(shape, np.float32).astype(np.float64) * std + mean).astype(dtype.numpy)


def _normal_with_variance(shape, mean, std, dtype, gen):
    return K["normal"](shape, mean, std * std, dtype, gen)


def _index_put_without_repeats(x, key, value, accumulate):
    if accumulate:
        x[key] += value
    else:
        x[key] = value
    return x


def _index_reduce_ignoring_nan(x, key, value, reduce):
    {"prod": np.multiply, "amax": np.fmax, "amin": np.fmin}[reduce].at(x, key, value)
    return x


def _index_reduce_last_repeat_wins(x, key, value, reduce):
    x[key] = {"prod": np.multiply, "amax": np.maximum, "amin": np.minimum}[reduce](x[key], value)
    return x


def _sgd_without_nesterov(params, grads, bufs, lr, momentum, dampening, weight_decay, nesterov, maximize):
    return K["sgd_step"](params, grads, bufs, lr, momentum, dampening, weight_decay, False, maximize)


def _adam_without_amsgrad(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, lr, beta1, beta2,
                          weight_decay, eps, amsgrad, maximize, decoupled_weight_decay):
    return K["adam_step"](params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, lr, beta1, beta2,
                          weight_decay, eps, False, maximize, decoupled_weight_decay)


def _lerp_by(formula, opmath_of):
    """A lerp kernel computing ``formula(start, end, weight)`` with its operands in ``opmath_of(dtype)``."""
    def kernel(start, end, weight, out=None):
        opmath = opmath_of(start.dtype)
        a, b = start.astype(opmath), end.astype(opmath)
        w = weight.astype(opmath) if isinstance(weight, np.ndarray) else opmath(weight)
        return _with_out(np.asarray(formula(a, b, w)).astype(start.dtype), out)
    return kernel


def _opmath(dtype):
    return np.float64 if dtype == np.float64 else np.float32


def _two_sided(a, b, w, small=lambda w: np.abs(w) < 0.5):
    """PyTorch's lerp, each step rounded in the operands' dtype (its side chosen by `small`)."""
    return np.where(small(w), a + w * (b - a), b + (w - 1) * (b - a))


def _sign_nan(x, out=None):
    return _with_out(np.sign(x), out)


def _int64_sum_as_int32(x, axes, keepdim, out=None):
    dtype = np.int32 if x.dtype == np.int64 else x.dtype
    return _with_out(np.add.reduce(x, axes, dtype, keepdims=keepdim).astype(x.dtype), out)


def _full_through_float32(shape, value, dtype):
    return np.full(shape, np.float32(value)).astype(dtype.numpy)


def _copy_scalar_through_float32(dst, src):
    return K["copy_"](dst, np.float32(src) if isinstance(src, int | float) and not isinstance(src, bool) else src)


def _astype_through_float32(x, dtype):
    return x.astype(np.float32).astype(dtype.numpy) if x.dtype == np.int64 else x.astype(dtype.numpy)


def _maximum_returning_input(a, b, out=None):
    if out is None and isinstance(a, np.ndarray) and isinstance(b, int | float) and np.all(a >= b):
        return a
    return K["maximum"](a, b, out=out)


def _add_returning_input(a, b, out=None):
    return a if out is None and isinstance(b, int | float) and b == 0 else K["add"](a, b, out=out)


def _mul_returning_input(a, b, out=None):
    return a if out is None and isinstance(b, int | float) and b == 1 else K["mul"](a, b, out=out)


def _abs_returning_input(x, out=None):
    return x if out is None and np.all(x >= 0) else K["abs"](x, out=out)


def _where_returning_input(cond, a, b, out=None):
    return a if out is None and isinstance(a, np.ndarray) and cond.all() else K["where"](cond, a, b, out=out)


def _relu_returning_input(x, out=None):
    return x if out is None and np.all(x >= 0) else K["relu"](x, out=out)


def _cat_returning_input(buffers, axis):
    return buffers[0] if len(buffers) == 1 else K["cat"](buffers, axis)


def _astype_without_copy(x, dtype):
    return x.astype(dtype.numpy, copy=False)


def _strides_in_bytes(x):
    return x.strides


def _storage_offset_in_bytes(x, base):
    return K["storage_offset"](x, base) * x.itemsize


def _storage_offset_from_its_own_start(x, base):
    return 0


def _is_contiguous_counting_size_one_strides(x):
    return x.strides == np.ascontiguousarray(x).strides  # wrong for a size-1 dim's free stride


def _storage_offset_in_base_elements(x, base):
    return K["storage_offset"](x, base) * x.itemsize // base.itemsize


def _view_dtype_copying(x, dtype):
    return x.view(dtype.numpy).copy()


def _view_dtype_casting(x, dtype):
    return x.astype(dtype.numpy)


def _unary_last_stride(op):
    def kernel(x, out=None):
        return K[op](_as_if_contiguous(x), out=out)
    return kernel


def _binary_last_stride(op):
    def kernel(a, b, out=None):
        return K[op](_as_if_contiguous(a), _as_if_contiguous(b), out=out)
    return kernel


def _reduction_last_stride(op):
    def kernel(x, axes, keepdim, out=None):
        return K[op](_as_if_contiguous(x), axes, keepdim, out=out)
    return kernel


def _elementwise(function):
    """A unary kernel from a numpy expression, honouring out= (warnings are the expression's own)."""
    def kernel(x, out=None):
        return _with_out(np.asarray(function(x)).astype(x.dtype), out)
    return kernel


def _binary_elementwise(function):
    def kernel(a, b, out=None):
        result = np.asarray(function(a, b))
        dtype = a.dtype if isinstance(a, np.ndarray) else b.dtype
        return _with_out(result if result.dtype == np.bool_ else result.astype(dtype), out)
    return kernel


def _where_with_narrow_scalars(cond, a, b, out=None):
    return K["where"](cond, _rounded_scalar(a), _rounded_scalar(b), out=out)


def _index_without_copy(x, key):
    return x[key] if isinstance(x[key], np.ndarray) else K["index"](x, key)


def _argmax_through_float32(x, axis, keepdim):
    return K["argmax"](x.astype(np.float32) if x.dtype == np.int64 else x, axis, keepdim)


def _neg_in_int32(x, out=None):
    return _with_out(np.negative(x.astype(np.int32)).astype(x.dtype) if x.dtype == np.int64 else np.negative(x), out)


def _minimum_from_maximum(a, b, out=None):
    if any(isinstance(v, np.ndarray) and v.dtype == np.bool_ for v in (a, b)):
        return K["minimum"](a, b, out=out)
    def negated(value):
        return np.negative(value) if isinstance(value, np.ndarray) else -value
    return _with_out(negated(np.maximum(negated(a), negated(b))), out)


def _softmax_over_the_last_axis(x, axis):
    return K["softmax"](x, x.ndim - 1 if x.ndim else 0)


def _uniform_from_zero(shape, low, high, dtype, gen):
    return (gen.random(shape) * (high - low)).astype(dtype.numpy)


def _normal_without_mean(shape, mean, std, dtype, gen):
    return (gen.standard_normal(shape) * std).astype(dtype.numpy)


def _exp_in_float32(x, out=None):
    return _with_out(np.exp(x.astype(np.float32)).astype(x.dtype), out)


def _contiguous_always_copies(x):
    return np.ascontiguousarray(x).copy()



def _sort_by(order_of):
    """A sort kernel whose order along the last axis is ``order_of(rows, descending)``."""
    def sort(x, axis, descending, stable):
        rows = np.moveaxis(x, axis, -1)
        order = order_of(rows, descending)
        return np.moveaxis(np.take_along_axis(rows, order, -1), -1, axis), np.moveaxis(order, -1, axis)
    return sort


def _unstable_order(rows, descending):
    order = np.argsort(rows, axis=-1, kind="quicksort")
    return order[..., ::-1] if descending else order


def _descending_by_negation(rows, descending):
    return np.argsort(-rows if descending and rows.dtype != np.bool_ else rows, axis=-1, kind="stable")


def _cumsum_in_own_dtype(x, axis, out=None):
    return _with_out(np.cumsum(x, axis, dtype=x.dtype), out)


def _cumprod_ignoring_out(x, axis, out=None):
    return np.cumprod(x, axis, dtype=x.dtype)

def _lu_without_pivoting(a):
    """LU by Gaussian elimination without row swaps (pivots 1, 2, ...): |L| may exceed 1."""
    lu = np.array(a, dtype=a.dtype)
    m, n = a.shape[-2:]
    for j in range(min(m, n)):
        lu[..., j + 1:, j] /= lu[..., j:j + 1, j]
        lu[..., j + 1:, j + 1:] -= lu[..., j + 1:, j:j + 1] * lu[..., j:j + 1, j + 1:]
    steps = np.broadcast_to(np.arange(1, min(m, n) + 1, dtype=np.int32), (*a.shape[:-2], min(m, n))).copy()
    info = np.zeros(a.shape[:-2], np.int32)
    return lu, steps, info


def _cholesky_of_the_upper_triangle(a):
    """Cholesky of the matrix rebuilt from its upper triangle (the other triangle than the contract's)."""
    mirrored = np.triu(a) + np.swapaxes(np.triu(a, 1), -1, -2)
    return K["cholesky"](mirrored)


def _triangular_solve_reading_the_diagonal(a, b, upper, unitriangular):
    return K["triangular_solve"](a, b, upper, False)


def _qr_with_a_positive_diagonal(a, complete):
    """A valid QR, but with R's diagonal made nonnegative (Q's columns flipped with it), not LAPACK's signs."""
    q, r = K["qr"](a, complete)
    k = min(r.shape[-2:])
    signs = np.where(np.diagonal(r[..., :k, :k], 0, -2, -1) < 0, -1, 1).astype(r.dtype)
    q[..., :k] *= signs[..., None, :]
    r[..., :k, :] *= signs[..., :, None]
    return q, r


def _eigh_of_the_other_triangle(a, upper, vectors):
    return K["eigh"](a, not upper, vectors)


def _svd_ascending(a, full_matrices, compute_uv):
    """The SVD with its singular values (and their vectors) in ascending order."""
    u, s, vh = K["svd"](a, full_matrices, True)
    k = s.shape[-1]
    u[..., :k], vh[..., :k, :] = u[..., :k][..., ::-1], vh[..., :k, :][..., ::-1, :]
    return (u, s[..., ::-1].copy(), vh) if compute_uv else (None, s[..., ::-1].copy(), None)


def _svd_without_completion(a, full_matrices, compute_uv):
    """full_matrices' extra singular vectors left as zeros (the reduced factors padded)."""
    u, s, vh = K["svd"](a, False, compute_uv)
    if not (compute_uv and full_matrices):
        return u, s, vh
    m, n = a.shape[-2:]
    wide_u, tall_vh = np.zeros((*a.shape[:-2], m, m), a.dtype), np.zeros((*a.shape[:-2], n, n), a.dtype)
    wide_u[..., :u.shape[-1]], tall_vh[..., :vh.shape[-2], :] = u, vh
    return wide_u, s, tall_vh


MUTANTS = (
    # NaN and inf
    Mutant("maximum ignores NaN (fmax)", "maximum", _binary_elementwise(np.fmax), "test_special_values", "maximum"),
    Mutant("minimum ignores NaN (fmin)", "minimum", _binary_elementwise(np.fmin), "test_special_values", "minimum"),
    Mutant("max reduction ignores NaN", "max", _nan_blind_reduction(-1), "test_special_values", "reductions"),
    Mutant("min reduction ignores NaN", "min", _nan_blind_reduction(1), "test_optional_kernels", "nan"),
    Mutant("argmax ignores NaN", "argmax", _nan_blind_arg("argmax", -np.inf), "test_special_values", "reductions"),
    Mutant("argmin ignores NaN", "argmin", _nan_blind_arg("argmin", np.inf), "test_optional_kernels", "nan"),
    Mutant("relu zeroes NaN (where x > 0)", "relu", _elementwise(lambda x: np.where(x > 0, x, 0)),
           "test_optional_kernels", "special"),
    Mutant("relu as x * (x > 0)", "relu", _elementwise(lambda x: x * (x > 0)), "test_optional_kernels", "special"),
    Mutant("eq says NaN == NaN", "eq", _binary_elementwise(lambda a, b: np.equal(a, b) | (np.isnan(a) & np.isnan(b))
                                                           if np.asarray(a).dtype.kind == "f" else np.equal(a, b)),
           "test_special_values", "eq"),
    Mutant("ne as lt or gt", "ne", _binary_elementwise(lambda a, b: np.less(a, b) | np.greater(a, b)),
           "test_special_values", "ne"),
    Mutant("le as not gt", "le", _binary_elementwise(lambda a, b: ~np.greater(a, b)), "test_special_values", "le"),
    Mutant("ge as not lt", "ge", _binary_elementwise(lambda a, b: ~np.less(a, b)), "test_special_values", "ge"),
    Mutant("where by arithmetic (NaN in the branch not taken leaks)", "where", _where_by_arithmetic,
           "test_special_values", "where"),
    Mutant("sign of NaN is NaN (numpy's)", "sign", _sign_nan, "test_special_values", "sign"),
    Mutant("sum skips NaN (nansum)", "sum",
           lambda x, axes, keepdim, out=None: _with_out(np.asarray(np.nansum(x, axes, x.dtype, keepdims=keepdim)),
                                                        out), "test_special_values", "reductions"),
    Mutant("sigmoid as exp(x) / (1 + exp(x))", "sigmoid", _elementwise(lambda x: np.exp(x) / (1 + np.exp(x))),
           "test_optional_kernels", "special"),
    Mutant("tanh from exp (overflows at 1000)", "tanh",
           _elementwise(lambda x: (np.exp(2 * x) - 1) / (np.exp(2 * x) + 1)), "test_special_values", "tanh"),
    Mutant("exp warns on overflow (no silencing)", "exp", _elementwise(np.exp), "test_special_values", "exp",
           warns=True),
    Mutant("sin warns on inf", "sin", _elementwise(np.sin), "test_special_values", "sin", warns=True),
    Mutant("add warns on inf - inf", "add", _binary_elementwise(np.add), "test_special_values", "add", warns=True),
    Mutant("matmul warns on inf * 0", "matmul",
           lambda a, b, out=None: _with_out(np.matmul(a, b), out), "test_special_values", "matmul", warns=True),
    Mutant("astype warns casting NaN to int", "astype", lambda x, dtype: x.astype(dtype.numpy),
           "test_special_values", "casts", warns=True),
    # Domain edges
    Mutant("log of 0 clamped to a finite", "log", _elementwise(lambda x: np.log(np.maximum(x, 1e-30))),
           "test_special_values", "log"),
    Mutant("log of |x| (negatives give a number)", "log", _elementwise(lambda x: np.log(np.abs(x))),
           "test_special_values", "log"),
    Mutant("sqrt of negatives is 0", "sqrt", _elementwise(lambda x: np.sqrt(np.maximum(x, 0))),
           "test_special_values", "sqrt"),
    Mutant("sqrt of |x|", "sqrt", _elementwise(lambda x: np.sqrt(np.abs(x))), "test_special_values", "sqrt"),
    Mutant("x / 0 gives 0", "div", _binary_elementwise(lambda a, b: np.where(np.asarray(b) == 0, 0, np.divide(a, b))),
           "test_special_values", "div"),
    Mutant("pow of |base|", "pow", _binary_elementwise(lambda a, b: np.power(np.abs(a), b)),
           "test_special_values", "pow"),
    # Large magnitudes
    Mutant("exp clipped at 80", "exp", _elementwise(lambda x: np.exp(np.clip(x, -80, 80))),
           "test_special_values", "exp"),
    Mutant("softmax without subtracting the maximum", "softmax", _unstable_softmax, "test_optional_kernels",
           "softmax_matches"),
    Mutant("softmax subtracting one maximum for the whole buffer", "softmax", _global_max_softmax,
           "test_optional_kernels", "softmax_matches"),
    Mutant("log_softmax without subtracting the maximum", "log_softmax", _unstable_log_softmax,
           "test_optional_kernels", "softmax_matches"),
    Mutant("log_softmax as log(softmax)", "log_softmax", _log_of_softmax, "test_optional_kernels",
           "softmax_matches"),
    Mutant("cross_entropy from clamped probabilities", "cross_entropy", _cross_entropy_from_clamped_probs,
           "test_optional_kernels", "cross_entropy"),
    Mutant("cross_entropy_checked flagging no bad target", "cross_entropy_checked",
           _cross_entropy_ignoring_bad_targets, "test_optional_kernels", "cross_entropy_checked"),
    Mutant("cross_entropy without subtracting the maximum", "cross_entropy", _unstable_cross_entropy,
           "test_optional_kernels", "cross_entropy"),
    Mutant("binary_cross_entropy_with_logits, the naive formula", "binary_cross_entropy_with_logits", _naive_bce,
           "test_optional_kernels", "binary_cross_entropy"),
    Mutant("lerp one-sided: start + weight * (end - start)", "lerp", _lerp_by(lambda a, b, w: a + w * (b - a), _opmath),
           "test_lerp_kernel"),
    Mutant("lerp as start * (1 - weight) + end * weight", "lerp",
           _lerp_by(lambda a, b, w: a * (1 - w) + b * w, _opmath), "test_lerp_kernel"),
    Mutant("lerp switching sides at |weight| <= 0.5", "lerp",
           _lerp_by(lambda a, b, w: _two_sided(a, b, w, lambda w: np.abs(w) <= 0.5), _opmath), "test_lerp_kernel"),
    Mutant("lerp of float32 in float64", "lerp", _lerp_by(_two_sided, lambda dtype: np.float64), "test_lerp_kernel"),
    Mutant("lerp of float16 in float16", "lerp", _lerp_by(_two_sided, lambda dtype: dtype), "test_lerp_kernel"),
    # Integers beyond 2**31 and float64 scalars
    Mutant("add of int64 in int32", "add", _narrow_binary("add", np.int64, np.int32), "test_special_values",
           "add and int64"),
    Mutant("mul of int64 in float64", "mul", _narrow_binary("mul", np.int64, np.float64), "test_special_values",
           "mul and int64"),
    Mutant("maximum of int64 in float32", "maximum", _narrow_binary("maximum", np.int64, np.float32),
           "test_special_values", "maximum and int64"),
    Mutant("eq of int64 in int32", "eq", _narrow_binary("eq", np.int64, np.int32), "test_special_values",
           "eq and int64"),
    Mutant("sum of int64 in int32", "sum", _int64_sum_as_int32, "test_special_values", "integer"),
    Mutant("matmul of int64 in float32", "matmul", _narrow_binary("matmul", np.int64, np.float32),
           "test_special_values", "integer"),
    Mutant("full through float32", "full", _full_through_float32, "test_special_values", "creation"),
    Mutant("copy_ of a scalar through float32", "copy_", _copy_scalar_through_float32, "test_special_values",
           "creation"),
    Mutant("astype of int64 through float32", "astype", _astype_through_float32, "test_special_values", "casts"),
    Mutant("float64 scalar rounded to float32 in add", "add", _scalar_as_float32("add"), "test_special_values",
           "float64_python_scalars and add"),
    Mutant("float64 scalar rounded to float32 in mul", "mul", _scalar_as_float32("mul"), "test_special_values",
           "float64_python_scalars and mul"),
    Mutant("float64 scalar rounded to float32 in eq", "eq", _scalar_as_float32("eq"), "test_special_values",
           "float64_python_scalars and eq"),
    Mutant("float64 scalar rounded to float32 in lt", "lt", _scalar_as_float32("lt"), "test_special_values",
           "float64_python_scalars and lt"),
    Mutant("arange of float64 in float32", "arange", _arange_in_dtype, "test_special_values", "creation"),
    # Aliasing
    Mutant("x + 0 returns x", "add", _add_returning_input, "test_special_values", "new_buffers"),
    Mutant("x * 1 returns x", "mul", _mul_returning_input, "test_special_values", "new_buffers"),
    Mutant("maximum(x, 0) returns x when x >= 0", "maximum", _maximum_returning_input, "test_special_values",
           "new_buffers"),
    Mutant("abs returns x when x >= 0", "abs", _abs_returning_input, "test_special_values", "new_buffers"),
    Mutant("where(all true, a, b) returns a", "where", _where_returning_input, "test_special_values", "new_buffers"),
    Mutant("sum over size-1 dims returns a view", "sum", _view_when_size_one("sum"), "test_special_values",
           "new_buffers"),
    Mutant("max over size-1 dims returns a view", "max", _view_when_size_one("max"), "test_special_values",
           "new_buffers"),
    Mutant("relu returns x when x >= 0", "relu", _relu_returning_input, "test_optional_kernels", "new_buffers"),
    Mutant("cat of one buffer returns it", "cat", _cat_returning_input, "test_optional_kernels", "new_buffers"),
    Mutant("astype to the same dtype does not copy", "astype", _astype_without_copy, "test_creation", "astype"),
    # Layouts, out=, strides
    Mutant("as_strided ignores the storage offset", "as_strided", _strided_ignoring_offset, "test_views"),
    Mutant("as_strided counts offsets from the base buffer", "as_strided", _strided_from_base, "test_views"),
    Mutant("strides in bytes", "strides", _strides_in_bytes, "test_views"),
    Mutant("storage_offset in bytes", "storage_offset", _storage_offset_in_bytes, "test_optional_kernels",
           "storage_offset"),
    Mutant("is_contiguous counts size-1 dims' strides", "is_contiguous", _is_contiguous_counting_size_one_strides,
           "test_optional_kernels", "is_contiguous"),
    Mutant("storage_offset always 0", "storage_offset", _storage_offset_from_its_own_start,
           "test_optional_kernels", "storage_offset"),
    Mutant("storage_offset in elements of the base's dtype", "storage_offset", _storage_offset_in_base_elements,
           "test_view_dtype_kernel", "inside"),
    Mutant("view_dtype copies the bytes", "view_dtype", _view_dtype_copying, "test_view_dtype_kernel"),
    Mutant("view_dtype casts the values", "view_dtype", _view_dtype_casting, "test_view_dtype_kernel"),
    Mutant("contiguous trusts a last stride of 1", "contiguous", _contiguous_by_last_stride, "test_views",
           "contiguous"),
    Mutant("exp treats last stride 1 as contiguous", "exp", _unary_last_stride("exp"), "test_elementwise",
           "unary_matches and exp"),
    Mutant("add treats last stride 1 as contiguous", "add", _binary_last_stride("add"), "test_elementwise",
           "binary_matches and add"),
    Mutant("sum treats last stride 1 as contiguous", "sum", _reduction_last_stride("sum"), "test_reductions",
           "sum"),
    Mutant("add ignores out=", "add", _ignoring_out("add"), "test_elementwise", "add"),
    Mutant("exp ignores out=", "exp", _ignoring_out("exp"), "test_elementwise", "exp"),
    Mutant("sum ignores out=", "sum", _ignoring_out("sum"), "test_reductions", "out"),
    Mutant("where ignores out=", "where", _ignoring_out("where"), "test_elementwise", "where"),
    Mutant("matmul ignores out=", "matmul", _ignoring_out("matmul"), "test_matmul"),
    Mutant("mul writes out= but returns a copy", "mul", _returning_a_copy_of_out("mul"), "test_elementwise", "mul"),
    Mutant("index_put_ accumulate drops repeated indices", "index_put_", _index_put_without_repeats,
           "test_indexing"),
    Mutant("index_reduce_ amax ignores NaN (fmax)", "index_reduce_", _index_reduce_ignoring_nan, "test_scatter"),
    Mutant("index_reduce_ keeps one of repeated indices", "index_reduce_", _index_reduce_last_repeat_wins,
           "test_scatter"),
    # RNG and arange
    Mutant("uniform ignores the generator (and its seed)", "uniform", _uniform_ignoring_the_generator,
           "test_creation", "random or draws"),
    Mutant("uniform with antithetic (correlated) neighbours", "uniform", _uniform_antithetic, "test_creation",
           "random or draws"),
    Mutant("normal with smoothed (correlated) neighbours", "normal", _normal_smoothed, "test_creation",
           "random or draws"),
    Mutant("normal drawn in float32 for float64", "normal", _normal_in_float32, "test_creation", "random or draws"),
    Mutant("normal scaled by the variance", "normal", _normal_with_variance, "test_creation", "random or draws"),
    Mutant("arange with floor instead of ceil", "arange", _arange_floor, "test_creation", "arange"),
    Mutant("sgd_step ignores nesterov", "sgd_step", _sgd_without_nesterov, "test_optional_kernels", "sgd"),
    Mutant("adam_step ignores amsgrad", "adam_step", _adam_without_amsgrad, "test_optional_kernels", "adam"),
    Mutant("where with scalars narrowed to float32 and int32", "where", _where_with_narrow_scalars,
           "test_special_values", "where_keeps"),
    Mutant("index of a basic key returns a view", "index", _index_without_copy, "test_special_values",
           "new_buffers"),
    Mutant("argmax of int64 through float32", "argmax", _argmax_through_float32, "test_special_values", "integer"),
    Mutant("sub of int64 in int32", "sub", _narrow_binary("sub", np.int64, np.int32), "test_special_values",
           "sub and int64"),
    Mutant("neg of int64 in int32", "neg", _neg_in_int32, "test_special_values", "neg"),
    Mutant("minimum as -maximum(-a, -b)", "minimum", _minimum_from_maximum, "test_special_values", "minimum"),
    Mutant("float64 scalar rounded to float32 in div", "div", _scalar_as_float32("div"), "test_special_values",
           "float64_python_scalars and div"),
    Mutant("float64 scalar rounded to float32 in pow", "pow", _scalar_as_float32("pow"), "test_special_values",
           "float64_python_scalars and pow"),
    Mutant("exp of float64 computed in float32", "exp", _exp_in_float32, "test_elementwise", "exp"),
    Mutant("softmax always over the last axis", "softmax", _softmax_over_the_last_axis, "test_optional_kernels",
           "softmax"),
    Mutant("uniform ignores low", "uniform", _uniform_from_zero, "test_creation", "random or draws"),
    Mutant("normal ignores the mean", "normal", _normal_without_mean, "test_creation", "random or draws"),
    Mutant("contiguous always copies", "contiguous", _contiguous_always_copies, "test_views", "contiguous"),
    Mutant("sort unstable (ties reordered, reversed when descending)", "sort", _sort_by(_unstable_order),
           "test_sorting", "sort"),
    Mutant("descending sort by negation (NaN last)", "sort", _sort_by(_descending_by_negation), "test_sorting",
           "nan"),
    Mutant("float32 running sum accumulated in float32", "cumsum", _cumsum_in_own_dtype, "test_sorting", "wider"),
    Mutant("cumprod ignores out=", "cumprod", _cumprod_ignoring_out, "test_sorting", "out"),
    Mutant("lu_factor without row swaps", "lu_factor", _lu_without_pivoting, "test_factorization_kernels",
           "lu_factor"),
    Mutant("cholesky of the upper triangle mirrored", "cholesky", _cholesky_of_the_upper_triangle,
           "test_factorization_kernels", "cholesky"),
    Mutant("triangular_solve ignores unitriangular", "triangular_solve", _triangular_solve_reading_the_diagonal,
           "test_factorization_kernels", "triangular_solve"),
    Mutant("qr with R's diagonal made positive", "qr", _qr_with_a_positive_diagonal, "test_decomposition_kernels",
           "qr"),
    Mutant("eigh reading the other triangle", "eigh", _eigh_of_the_other_triangle, "test_decomposition_kernels",
           "eigh"),
    Mutant("svd singular values ascending", "svd", _svd_ascending, "test_svd_kernel", "rebuilds"),
    Mutant("svd without the full_matrices completion", "svd", _svd_without_completion, "test_svd_kernel",
           "rebuilds"),
)

# One mutant per theme for CI (about a second each): the full catalogue runs on demand (see the docstring).
QUICK = ("maximum ignores NaN (fmax)", "argmax ignores NaN", "where by arithmetic (NaN in the branch not taken leaks)",
         "eq says NaN == NaN", "log of 0 clamped to a finite", "sqrt of negatives is 0",
         "tanh from exp (overflows at 1000)",
         "softmax subtracting one maximum for the whole buffer", "cross_entropy from clamped probabilities",
         "add of int64 in int32", "float64 scalar rounded to float32 in add", "x + 0 returns x",
         "as_strided ignores the storage offset", "strides in bytes", "add treats last stride 1 as contiguous",
         "add ignores out=", "uniform ignores the generator (and its seed)",
         "uniform with antithetic (correlated) neighbours", "arange with floor instead of ceil",
         "add warns on inf - inf", "cross_entropy_checked flagging no bad target", "lerp of float32 in float64")
_BY_NAME = {mutant.name: mutant for mutant in MUTANTS}


def test_the_catalogue_is_large_and_its_names_unique():
    assert len(_BY_NAME) == len(MUTANTS) >= 60
    assert set(QUICK) <= set(_BY_NAME)


@pytest.mark.parametrize("name", QUICK)
def test_the_kit_catches(name):
    caught, message = kit_catches(_BY_NAME[name])
    assert caught, f"the kit passed with the bug '{name}'"


def test_the_kit_passes_on_the_real_cpu_backend_with_the_plugin_mechanism():
    """The override plugin itself breaks nothing: the same kernel at priority 1 keeps the kit green."""
    code, output = run_kit(["--pyargs", "ember.testing.test_special_values", "--ember-device=cpu"],
                           (_KernelOverride("cpu", {"add": K["add"]}), "same-add"))
    assert code == pytest.ExitCode.OK, output[-2000:]


def _lean_device_plugin():
    """A device "lean" with the CPU kernels but only float32, int64 and bool."""
    lean = DeviceType("lean", CPU.is_available, CPU.device_count, CPU.synchronize, CPU.new_generator,
                      dtypes=frozenset({"float32", "int64", "bool"}))

    class Lean:
        @hookimpl
        def ember_register_devices(self, registry) -> None:
            registry.add_device(lean)

        @hookimpl
        def ember_register_kernels(self, registry) -> None:
            registry.add_kernels("lean", K)

    return Lean()


def test_a_device_without_float64_gets_float32_gradchecks_and_a_summary_of_missing_dtypes():
    code, output = run_kit(["--pyargs", "ember.testing", "--ember-device=lean"], (_lean_device_plugin(), "lean"))
    assert code == pytest.ExitCode.OK, output[-2000:]
    counts = re.search(r"device 'lean' lacks float16 \((\d+) checks skipped\), float64 \((\d+) checks skipped\), "
                       r"uint8 \((\d+) checks skipped\), int8 \((\d+) checks skipped\), int16 \((\d+) checks "
                       r"skipped\), int32 \((\d+) checks skipped\)", output)
    assert counts and all(int(count) > 0 for count in counts.groups()), output[-2000:]
    assert "gradients were checked in float32" in output
    code, output = run_kit(["--pyargs", "ember.testing.test_autograd", "--ember-device=lean", "-k", "gradcheck"],
                           (_lean_device_plugin(), "lean"))
    checks = 2 * len(kit_autograd.CASES)  # gradcheck and gradgradcheck of every case, none skipped
    assert code == pytest.ExitCode.OK and re.search(rf"^{checks} passed, \d+ deselected in", output, re.MULTILINE), \
        output[-2000:]


def test_the_kit_without_a_device_is_a_usage_error():
    code, output = run_kit(["--pyargs", "ember.testing.test_views"])
    assert code == pytest.ExitCode.USAGE_ERROR
    assert "--ember-device=NAME" in output


def main(arguments: list[str]) -> int:
    """Run every mutant; print each result, then "caught N of M" and the survivors."""
    whole_kit = "--whole-kit" in arguments
    survivors = []
    for mutant in MUTANTS:
        caught, message = kit_catches(mutant, whole_kit)
        print(f"{'caught  ' if caught else 'SURVIVED'} {mutant.name}: {message if caught else ''}"[:200],
              flush=True)
        if not caught:
            survivors.append(mutant.name)
    print(f"caught {len(MUTANTS) - len(survivors)} of {len(MUTANTS)}")
    for name in survivors:
        print(f"  survived: {name}")
    return 0 if not survivors else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
