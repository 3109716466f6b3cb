"""Required kernels on the values random data never holds, each kernel checked with warnings recorded.

NaN and inf (propagation, comparisons, the branch ``where`` does not take), domain edges (log of 0 and
of negatives, sqrt of negatives), huge magnitudes (tanh of +-1000), integers beyond 2**31, float64
Python scalars that float32 cannot hold (0.1), results that must be new buffers, and silence: PyTorch's
kernels emit no warning for any of these, so a kernel that lets one of numpy's RuntimeWarnings through
fails here. The references follow PyTorch (``sign(nan)`` is 0); numpy computes them in float64.
"""
from __future__ import annotations

import numpy as np
import pytest

from ember import _dtype
from ember.testing.cases import INF, NAN, SPECIAL_ROWS, assert_fresh, specials
from ember.testing.compare import assert_elementwise, assert_matches, no_warnings, reference
from ember.testing.harness import DTYPE_NAMES, FLOAT_NAMES, INT_NAMES, NUMERIC_NAMES
from ember.testing.test_elementwise import BINARY, COMPARISONS, UNARY

CHECKED_KERNELS = tuple(UNARY) + tuple(BINARY) + ("where", "sum", "max", "argmax", "matmul", "full", "arange",
                                                  "copy_", "astype", "index_put_")

# Exponents for integer pow: numpy and PyTorch refuse negative ones, large ones only wrap around.
INT_EXPONENTS = (0, 1, 2, 3)
FLOAT32 = _dtype.from_numpy(np.dtype("float32"))
BIG = 2**40 + 1  # an int64 that neither int32 nor float32 holds
TENTH = 0.1  # a float64 that float32 rounds


def _torch_sign(x):
    """PyTorch's sign: 0 for NaN, where numpy's sign gives NaN."""
    return np.where(np.isnan(x), 0, np.sign(x)) if x.dtype.kind == "f" else np.sign(x)


REFERENCES = {**{op: entry[0] for op, entry in UNARY.items()}, "sign": _torch_sign,
              **{op: entry[0] for op, entry in BINARY.items()}}


def _unary_pairs():
    return [(op, dtype_name) for op, (_, _, dtypes) in UNARY.items() for dtype_name in dtypes if dtype_name != "bool"]


def _binary_pairs():
    return [(op, dtype_name) for op, entry in BINARY.items() for dtype_name in entry[-1] if dtype_name != "bool"]


@pytest.mark.parametrize(("op", "dtype_name"), _unary_pairs())
def test_unary_on_special_values(ember_device, op, dtype_name):
    ember_device.dtype(dtype_name)
    host = specials(dtype_name)
    with no_warnings(f"{op}(<special {dtype_name} values>)"):
        result = getattr(ember_device.kernels, op)(ember_device.from_numpy(host))
    assert_elementwise(ember_device.to_numpy(result), reference(REFERENCES[op], dtype_name, host),
                       op, dtype_name, host)


def _grid(dtype_name: str, op: str) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of special values, as two 1-D host arrays."""
    values = specials(dtype_name)
    exponents = np.array(INT_EXPONENTS, dtype=dtype_name) if op == "pow" and dtype_name in INT_NAMES else values
    return np.repeat(values, len(exponents)), np.tile(exponents, len(values))


@pytest.mark.parametrize(("op", "dtype_name"), _binary_pairs())
def test_binary_on_every_pair_of_special_values(ember_device, op, dtype_name):
    ember_device.dtype(dtype_name)
    host_a, host_b = _grid(dtype_name, op)
    with no_warnings(f"{op}(<special {dtype_name} values>, <special {dtype_name} values>)"):
        result = getattr(ember_device.kernels, op)(ember_device.from_numpy(host_a), ember_device.from_numpy(host_b))
    assert_elementwise(ember_device.to_numpy(result), reference(REFERENCES[op], dtype_name, host_a, host_b),
                       op, dtype_name, host_a, host_b)


@pytest.mark.parametrize("side", ("left", "right"))
@pytest.mark.parametrize(("op", "dtype_name"), [pair for pair in _binary_pairs() if pair[1] in FLOAT_NAMES])
def test_binary_with_special_python_scalars(ember_device, op, dtype_name, side):
    ember_device.dtype(dtype_name)
    host = specials(dtype_name)
    for scalar in (NAN, INF, -INF):
        operands = (scalar, host) if side == "left" else (host, scalar)
        with no_warnings(f"{op} with {scalar!r} on the {side} on {dtype_name}"):
            result = getattr(ember_device.kernels, op)(
                *(ember_device.from_numpy(o) if o is host else o for o in operands))
        expected = reference(REFERENCES[op], dtype_name, *operands)
        assert_elementwise(ember_device.to_numpy(result), expected, op, dtype_name, *operands)


# A Python number beyond each narrow float's finite range (70000 is past float16's 65504).
BEYOND = {"float16": 70000.0, "float32": 1e39}


@pytest.mark.parametrize(("op", "dtype_name"), [pair for pair in _binary_pairs() if pair[1] in BEYOND])
def test_binary_with_python_scalars_beyond_the_dtype(ember_device, op, dtype_name):
    """A number the dtype cannot hold acts as the inf of its sign, silently, as PyTorch's ``h < 1e6`` and
    ``torch.maximum(h, torch.tensor(1e6))`` (a wide 0-d operand reaches the kernel as a number)."""
    ember_device.dtype(dtype_name)
    host = specials(dtype_name)
    for scalar in (BEYOND[dtype_name], -BEYOND[dtype_name]):
        for operands in ((host, scalar), (scalar, host)):
            with no_warnings(f"{op}({'<buffer>' if operands[0] is host else scalar}, "
                             f"{'<buffer>' if operands[1] is host else scalar}) on {dtype_name}"):
                result = getattr(ember_device.kernels, op)(
                    *(ember_device.from_numpy(o) if o is host else o for o in operands))
            expected = reference(REFERENCES[op], dtype_name,
                                 *(o if o is host else np.copysign(INF, o) for o in operands))
            assert_elementwise(ember_device.to_numpy(result), expected, op, dtype_name, *operands)


@pytest.mark.parametrize("op", tuple(op for op, entry in BINARY.items() if "float64" in entry[-1]))
def test_float64_python_scalars_keep_their_precision(ember_device, op):
    """0.1 is not a float32: a kernel that rounds the scalar through float32 is off by 1e-9."""
    ember_device.dtype("float64")
    host = np.array([TENTH, 0.3, 1.0, 2.0, -TENTH, 1 / 3], dtype=np.float64)
    for scalar in (TENTH, 1 / 3):
        for operands in ((host, scalar), (scalar, host)):
            result = getattr(ember_device.kernels, op)(
                *(ember_device.from_numpy(o) if o is host else o for o in operands))
            expected = reference(REFERENCES[op], "float64", *operands)
            assert_elementwise(ember_device.to_numpy(result), expected, op, "float64", *operands)


@pytest.mark.parametrize("op", ("add", "sub", "mul", "maximum", "minimum") + COMPARISONS)
def test_int64_python_scalars_beyond_int32(ember_device, op):
    ember_device.dtype("int64")
    host = specials("int64")
    for operands in ((host, BIG), (BIG, host), (host, -BIG)):
        result = getattr(ember_device.kernels, op)(*(ember_device.from_numpy(o) if o is host else o
                                                     for o in operands))
        assert_elementwise(ember_device.to_numpy(result), reference(REFERENCES[op], "int64", *operands),
                           op, "int64", *operands)


@pytest.mark.parametrize("dtype_name", ("float64", "int64"))
def test_where_keeps_scalars_float32_and_int32_cannot_hold(ember_device, ember_rng, dtype_name):
    ember_device.dtype(dtype_name)
    host = specials(dtype_name)
    cond = ember_rng.random(host.shape) < 0.5
    for scalar in ((TENTH, 1 / 3) if dtype_name == "float64" else (BIG, -BIG)):
        for operands in ((cond, host, scalar), (cond, scalar, host)):
            result = ember_device.kernels.where(*(ember_device.from_numpy(o) if isinstance(o, np.ndarray) else o
                                                  for o in operands))
            expected = np.where(cond, *(np.asarray(o, dtype_name) for o in operands[1:]))
            assert_elementwise(ember_device.to_numpy(result), expected, "where", dtype_name, *operands)


@pytest.mark.parametrize("dtype_name", NUMERIC_NAMES)
def test_where_ignores_the_values_it_does_not_take(ember_device, ember_rng, dtype_name):
    """NaN and inf in the branch not taken must not leak: where is a selection, not arithmetic."""
    ember_device.dtype(dtype_name)
    kernels = ember_device.kernels
    taken = specials(dtype_name)
    others = (NAN, INF, -INF, taken[::-1]) if dtype_name in FLOAT_NAMES else (BIG, taken[::-1])
    for other in (np.broadcast_to(value, taken.shape).astype(dtype_name) for value in others):
        cond = ember_rng.random(taken.shape) < 0.5
        for host_cond, a, b in ((cond, taken, other), (~cond, other, taken),
                                (np.ones_like(cond), taken, other), (np.zeros_like(cond), other, taken)):
            with no_warnings(f"where on {dtype_name} special values"):
                result = kernels.where(*(ember_device.from_numpy(h) for h in (host_cond, a, b)))
            assert_elementwise(ember_device.to_numpy(result), np.where(host_cond, a, b), "where", dtype_name,
                               host_cond, a, b)
        if dtype_name in FLOAT_NAMES:
            for scalar in (NAN, INF, 0.0):
                result = kernels.where(ember_device.from_numpy(np.ones_like(cond)), ember_device.from_numpy(taken),
                                       scalar)
                assert_elementwise(ember_device.to_numpy(result), taken, "where", dtype_name, True, taken, scalar)
                result = kernels.where(ember_device.from_numpy(np.zeros_like(cond)), scalar,
                                       ember_device.from_numpy(taken))
                assert_elementwise(ember_device.to_numpy(result), taken, "where", dtype_name, False, scalar, taken)


@pytest.mark.parametrize("keepdim", (False, True))
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_reductions_propagate_nan_and_inf(ember_device, dtype_name, keepdim):
    ember_device.dtype(dtype_name)
    kernels = ember_device.kernels
    host = np.array(SPECIAL_ROWS, dtype=dtype_name)
    for op, function in (("sum", np.sum), ("max", np.max)):
        for axes in ((1,), (0,), (0, 1)):
            what = f"{op}(<rows {SPECIAL_ROWS} {dtype_name}>, axes={axes}, keepdim={keepdim})"
            with no_warnings(what):
                result = getattr(kernels, op)(ember_device.from_numpy(host), axes, keepdim)
            expected = reference(lambda a, f=function, axes=axes: f(a, axis=axes, keepdims=keepdim), dtype_name,
                                 host)
            assert_matches(ember_device.to_numpy(result), expected, what, terms=3, magnitude=2.0)
    for axis in (1, 0, None):
        what = f"argmax(<rows {SPECIAL_ROWS} {dtype_name}>, axis={axis}): a NaN is the maximum, the first one wins"
        with no_warnings(what):
            result = kernels.argmax(ember_device.from_numpy(host), axis, keepdim)
        assert_matches(ember_device.to_numpy(result), np.asarray(np.argmax(host, axis, keepdims=keepdim),
                                                                np.int64), what)


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_sum_that_overflows_is_inf_silently(ember_device, dtype_name):
    ember_device.dtype(dtype_name)
    largest = float(np.finfo(dtype_name).max)
    host = np.array([largest, largest / 2, largest / 2], dtype=dtype_name)
    with no_warnings(f"sum of values overflowing {dtype_name}"):
        result = ember_device.kernels.sum(ember_device.from_numpy(host), (0,), False)
    assert_matches(ember_device.to_numpy(result), np.array(INF, dtype=dtype_name), f"sum overflowing {dtype_name}")


@pytest.mark.parametrize("dtype_name", INT_NAMES)
def test_integer_reductions_and_matmul_keep_every_bit(ember_device, dtype_name):
    ember_device.dtype(dtype_name)
    kernels = ember_device.kernels
    host = specials(dtype_name).reshape(-1, 1)[: (len(specials(dtype_name)) // 2) * 2].reshape(-1, 2)
    x = ember_device.from_numpy(host)
    with np.errstate(over="ignore"):
        checks = (("sum", kernels.sum(x, (0,), False), np.add.reduce(host, 0, dtype=dtype_name)),
                  ("max", kernels.max(x, (0, 1), False), host.max()),
                  ("argmax", kernels.argmax(x, None, False), np.asarray(host.argmax(), np.int64)),
                  ("matmul", kernels.matmul(x, ember_device.from_numpy(np.array([[1], [-1]]).astype(dtype_name))),
                   host @ np.array([[1], [-1]]).astype(dtype_name)))
    for op, result, expected in checks:
        assert_matches(ember_device.to_numpy(result), np.asarray(expected, dtype=expected.dtype),
                       f"{op} of {dtype_name} values beyond 2**31: {host.ravel().tolist()}")


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_matmul_with_nan_and_inf(ember_device, dtype_name):
    ember_device.dtype(dtype_name)
    host_a = np.array([[INF, 0.0], [NAN, 1.0], [1.0, 2.0], [-INF, INF]], dtype=dtype_name)
    host_b = np.array([[0.0, 1.0], [1.0, 1.0]], dtype=dtype_name)
    with no_warnings(f"matmul with inf and NaN on {dtype_name}"):
        result = ember_device.kernels.matmul(ember_device.from_numpy(host_a), ember_device.from_numpy(host_b))
    assert_matches(ember_device.to_numpy(result), reference(np.matmul, dtype_name, host_a, host_b),
                   f"matmul({host_a.tolist()}, {host_b.tolist()}) on {dtype_name}", terms=2, magnitude=2.0)


@pytest.mark.parametrize("dtype_name", ("float64", "int64"))
def test_creation_keeps_values_float32_and_int32_cannot_hold(ember_device, dtype_name):
    dtype = ember_device.dtype(dtype_name)
    kernels = ember_device.kernels
    value, start = (TENTH, 1 / 3) if dtype_name == "float64" else (BIG, BIG)
    step = TENTH if dtype_name == "float64" else 1
    checks = ((f"full((3,), {value!r}, {dtype_name})", kernels.full((3,), value, dtype),
               np.full((3,), value, dtype_name)),
              (f"arange({start!r}, {start + 5 * step!r}, {step!r}, {dtype_name})",
               kernels.arange(start, start + 5 * step + step / 2, step, dtype),
               np.array([start + i * step for i in range(6)], dtype=dtype_name)))
    for what, result, expected in checks:
        assert_matches(ember_device.to_numpy(result), expected, what)
    destination = kernels.full((2, 2), 0, dtype)
    kernels.copy_(destination, value)
    assert_matches(ember_device.to_numpy(destination), np.full((2, 2), value, dtype_name),
                   f"copy_(<(2, 2) {dtype_name}>, {value!r})")
    host = specials(dtype_name)
    x = ember_device.from_numpy(host)
    kernels.index_put_(x, (ember_device.from_numpy(np.array([0, 0, 2], np.int64)),), value, True)
    expected = host.copy()
    np.add.at(expected, [0, 0, 2], value)
    assert_elementwise(ember_device.to_numpy(x), expected, "index_put_ accumulating", dtype_name, host, value)


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_index_put_accumulating_infinities_and_overflow_is_silent(ember_device, dtype_name):
    ember_device.dtype(dtype_name)
    largest = float(np.finfo(dtype_name).max)
    host = np.array([-INF, 1.0, largest], dtype=dtype_name)
    index = np.array([0, 0, 2, 2], dtype=np.int64)
    values = np.array([INF, 1.0, largest, largest], dtype=dtype_name)
    x = ember_device.from_numpy(host)
    what = f"index_put_(<{host.tolist()} {dtype_name}>, {index.tolist()}, {values.tolist()}, accumulate=True)"
    with no_warnings(what):
        ember_device.kernels.index_put_(x, (ember_device.from_numpy(index),), ember_device.from_numpy(values), True)
    expected = host.copy()
    with np.errstate(all="ignore"):
        np.add.at(expected, index, values)
    assert_matches(ember_device.to_numpy(x), expected, what)


CAST_SOURCES = {"float64": (NAN, INF, -INF, 1e300, -1e300, 1e-300, 2.5, -2.5, 0.0),
                "float32": (NAN, INF, -INF, 3e38, -3e38, 2.5, -0.0),
                "float16": (NAN, INF, -INF, 65504.0, -2.5),
                "int64": (2**40 + 3, -(2**62), 2**31, 2**24 + 1, 7),
                "int32": (2**31 - 1, -(2**31), 2**24 + 1, 7)}


@pytest.mark.parametrize("target", DTYPE_NAMES)
@pytest.mark.parametrize("source", tuple(CAST_SOURCES))
def test_casts_of_special_values_are_silent(ember_device, source, target):
    """astype and copy_ of NaN, inf and out-of-range values: floats and bools as numpy, silently.

    PyTorch leaves NaN, inf or out-of-range floats cast to ints unspecified; only silence is checked there.
    """
    dtype = ember_device.dtype(target)
    ember_device.dtype(source)
    kernels = ember_device.kernels
    host = np.array(CAST_SOURCES[source], dtype=source)
    what = f"astype(<{host.tolist()} {source}>, {target})"
    with no_warnings(what):
        converted = ember_device.to_numpy(kernels.astype(ember_device.from_numpy(host), dtype))
    destination = kernels.full(host.shape, 0, dtype)
    with no_warnings(f"copy_(<{target} buffer>, <{host.tolist()} {source}>)"):
        kernels.copy_(destination, ember_device.from_numpy(host))
    with np.errstate(all="ignore"):
        expected = host.astype(target)
    unspecified = source in FLOAT_NAMES and target in INT_NAMES
    for result in (converted, ember_device.to_numpy(destination)):
        assert (result.shape, result.dtype) == (host.shape, np.dtype(target)), what
        if not unspecified:
            assert_elementwise(result, expected, f"astype to {target}", source, host)


# What must return a new buffer, as (call, kernel on x, y: (3, 1) float32 buffers, mask: all true).
FRESH_RESULTS = (
    *((f"{op}(x)", lambda k, x, y, mask, op=op: getattr(k, op)(x)) for op in ("neg", "exp", "tanh", "sqrt", "abs")),
    *((f"{op}(x, 0)", lambda k, x, y, mask, op=op: getattr(k, op)(x, 0)) for op in ("add", "sub", "maximum")),
    *((f"{op}(x, 1)", lambda k, x, y, mask, op=op: getattr(k, op)(x, 1)) for op in ("mul", "div", "pow", "minimum")),
    *((f"{op}(x, y)", lambda k, x, y, mask, op=op: getattr(k, op)(x, y)) for op in ("add", "mul", "maximum")),
    ("where(all true, x, y)", lambda k, x, y, mask: k.where(mask, x, y)),
    ("where(all true, x, 0.0)", lambda k, x, y, mask: k.where(mask, x, 0.0)),
    ("sum(x, (1,), True) over a size-1 dim", lambda k, x, y, mask: k.sum(x, (1,), True)),
    ("max(x, (1,), True) over a size-1 dim", lambda k, x, y, mask: k.max(x, (1,), True)),
    ("index(x, (slice(None),)), a basic key", lambda k, x, y, mask: k.index(x, (slice(None),))),
    ("index(x, (0,)), a basic key", lambda k, x, y, mask: k.index(x, (0,))),
    ("matmul(x, <(1, 1) ones>)", lambda k, x, y, mask: k.matmul(x, k.full((1, 1), 1.0, FLOAT32))),
)


@pytest.mark.parametrize("call", [what for what, _ in FRESH_RESULTS])
def test_results_are_new_buffers(ember_device, call):
    """Kernels without out= return new buffers, even when the result equals an input (x + 0, x * 1)."""
    ember_device.dtype("float32")
    host_x = np.array([[0.5], [1.5], [2.0]], dtype=np.float32)
    host_y = np.array([[0.25], [0.5], [1.0]], dtype=np.float32)
    x, y = ember_device.from_numpy(host_x), ember_device.from_numpy(host_y)
    mask = ember_device.from_numpy(np.ones((3, 1), dtype=bool))
    result = dict(FRESH_RESULTS)[call](ember_device.kernels, x, y, mask)
    assert_fresh(ember_device, result, ((x, host_x), (y, host_y)), call)
