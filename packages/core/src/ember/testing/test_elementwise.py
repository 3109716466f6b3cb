"""Elementwise required kernels against numpy: unary, binary with broadcasting and scalars, where, out=."""
from __future__ import annotations

import numpy as np
import pytest

from ember._ops import binary as binary_ops
from ember._ops import unary as unary_ops
from ember.testing.cases import BROADCAST_PAIRS, LAYOUTS, SHAPES, place, random_array
from ember.testing.compare import assert_matches, reference
from ember.testing.harness import DTYPE_NAMES, FLOAT_NAMES, INT_NAMES

SIGNED_NAMES = FLOAT_NAMES + INT_NAMES

# kernel: (numpy function, input domain, dtypes it is defined on); domains as in cases.random_array. The
# unary kernels are those of the op registry's entries (ember/_ops/unary.py).
UNARY: dict[str, tuple] = {entry.kernel_name: (entry.reference, entry.domain,
                             SIGNED_NAMES if entry.dtypes == "same" and entry.integers == "kernel" else FLOAT_NAMES)
         for entry in unary_ops.UNARY if entry.kernel_name is not None}
UNARY["bitwise_not"] = (np.invert, "real", INT_NAMES + ("bool",))

# name: (numpy function, domain of a, domain of b, dtypes); "ties" makes equal operands common. On bools,
# add is "or" and mul is "and": core composes logical_or and logical_and from them.
BINARY: dict[str, tuple] = {
    "maximum": (np.maximum, "ties", "ties", DTYPE_NAMES),
    "minimum": (np.minimum, "ties", "ties", DTYPE_NAMES),
    "eq": (np.equal, "ties", "ties", DTYPE_NAMES),
    "ne": (np.not_equal, "ties", "ties", DTYPE_NAMES),
    "lt": (np.less, "ties", "ties", DTYPE_NAMES),
    "le": (np.less_equal, "ties", "ties", DTYPE_NAMES),
    "gt": (np.greater, "ties", "ties", DTYPE_NAMES),
    "ge": (np.greater_equal, "ties", "ties", DTYPE_NAMES),
}
# The op registry's binary kernels (ember/_ops/binary.py: add, sub, mul, div, pow and the others), on the
# dtypes core hands them: those PyTorch computes in (an op with a float result sees floats only), or the
# entry's own.
BINARY.update({entry.kernel_name: (entry.reference, *entry.domains, entry.kit_dtypes or
                                   tuple(d for d in (FLOAT_NAMES if entry.dtypes == "float" else DTYPE_NAMES)
                                         if d not in entry.refuses))
               for entry in binary_ops.BINARY if entry.kernel_name is not None and entry.reference is not None})
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
ARITHMETIC = tuple(name for name in BINARY if name not in COMPARISONS)

# Python scalars of each domain, (float, int). A scalar's kind fits a buffer when it is no higher than the
# buffer's: float buffers take floats and ints (core passes ``x * 2`` as is), int buffers ints and bools.
SCALARS = {"real": (1.5, 3), "positive": (1.5, 2), "nonzero": (-1.5, -2), "ties": (1.0, 1),
           "exponent": (-0.5, 2)}

CHECKED_KERNELS = tuple(UNARY) + tuple(BINARY) + ("where",)


def _pairs(table, names=None):
    return [(op, dtype_name) for op in (names or table) for dtype_name in table[op][-1]]


def _scalars(domain, dtype_name):
    """The Python scalars of ``domain`` whose kind fits a ``dtype_name`` buffer (and whose value does: core
    converts a number to an unsigned dtype before a kernel sees it)."""
    if dtype_name == "bool":
        return (True,)
    as_float, as_int = SCALARS[domain]
    as_int = as_int if as_int >= 0 or dtype_name != "uint8" else -as_int  # the one unsigned dtype
    return (as_int, True) if dtype_name in INT_NAMES else (as_float, as_int)


def _garbage(ember_device, ember_rng, shape, dtype_name, layout):
    """An existing buffer to write a result into, laid out as ``layout`` and holding random values."""
    return place(ember_device, random_array(ember_rng, shape, dtype_name), layout)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("op", "dtype_name"), _pairs(UNARY))
def test_unary_matches_numpy(ember_device, ember_rng, op, dtype_name, layout):
    ember_device.dtype(dtype_name)
    function, domain, _ = UNARY[op]
    for shape in SHAPES:
        host = random_array(ember_rng, shape, dtype_name, domain)
        x = place(ember_device, host, layout)
        result = getattr(ember_device.kernels, op)(x)
        what = f"{op}(<{shape} {dtype_name}, {layout}>)"
        assert_matches(ember_device.to_numpy(result), reference(function, dtype_name, host), what)
        assert_matches(ember_device.to_numpy(x), host, f"{what} changed its input")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("op", "dtype_name"), _pairs(UNARY))
def test_unary_writes_into_out(ember_device, ember_rng, op, dtype_name, layout):
    ember_device.dtype(dtype_name)
    function, domain, _ = UNARY[op]
    host = random_array(ember_rng, (3, 4, 2), dtype_name, domain)
    out = _garbage(ember_device, ember_rng, (3, 4, 2), dtype_name, layout)
    result = getattr(ember_device.kernels, op)(ember_device.from_numpy(host), out=out)
    assert result is out, f"{op}(x, out=out) returns out"
    assert_matches(ember_device.to_numpy(out), reference(function, dtype_name, host),
                   f"{op}(x, out=<{layout} buffer>)")


@pytest.mark.parametrize(("op", "dtype_name"), _pairs(UNARY))
def test_unary_in_place_on_a_view(ember_device, ember_rng, op, dtype_name):
    ember_device.dtype(dtype_name)
    function, domain, _ = UNARY[op]
    host = random_array(ember_rng, (3, 4, 2), dtype_name, domain)
    x = place(ember_device, host, "offset_permuted")
    getattr(ember_device.kernels, op)(x, out=x)
    assert_matches(ember_device.to_numpy(x), reference(function, dtype_name, host),
                   f"{op}(x, out=x) on an offset, permuted view")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("op", "dtype_name"), _pairs(BINARY))
def test_binary_matches_numpy(ember_device, ember_rng, op, dtype_name, layout):
    ember_device.dtype(dtype_name)
    function, domain_a, domain_b, _ = BINARY[op]
    for shape_a, shape_b in BROADCAST_PAIRS:
        host_a = random_array(ember_rng, shape_a, dtype_name, domain_a)
        host_b = random_array(ember_rng, shape_b, dtype_name, domain_b)
        a, b = place(ember_device, host_a, layout), place(ember_device, host_b, layout)
        result = getattr(ember_device.kernels, op)(a, b)
        what = f"{op}(<{shape_a}>, <{shape_b}>) on {dtype_name}, {layout}"
        assert_matches(ember_device.to_numpy(result), reference(function, dtype_name, host_a, host_b), what)
        assert_matches(ember_device.to_numpy(a), host_a, f"{what} changed its first input")
        assert_matches(ember_device.to_numpy(b), host_b, f"{what} changed its second input")


@pytest.mark.parametrize("side", ("left", "right"))
@pytest.mark.parametrize(("op", "dtype_name"), _pairs(BINARY))
def test_binary_with_a_python_scalar(ember_device, ember_rng, op, dtype_name, side):
    ember_device.dtype(dtype_name)
    function, domain_a, domain_b, _ = BINARY[op]
    scalar_domain, buffer_domain = (domain_a, domain_b) if side == "left" else (domain_b, domain_a)
    for scalar in _scalars(scalar_domain, dtype_name):
        for shape in SHAPES:
            host = random_array(ember_rng, shape, dtype_name, buffer_domain)
            operands = (scalar, host) if side == "left" else (host, scalar)
            result = getattr(ember_device.kernels, op)(
                *(ember_device.from_numpy(o) if o is host else o for o in operands))
            expected = reference(function, dtype_name, *(np.asarray(o, dtype_name) for o in operands))
            shown = ", ".join(repr(scalar) if o is scalar else f"<{shape} {dtype_name}>" for o in operands)
            assert_matches(ember_device.to_numpy(result), expected, f"{op}({shown})")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("op", "dtype_name"), _pairs(BINARY))
def test_binary_writes_into_out(ember_device, ember_rng, op, dtype_name, layout):
    ember_device.dtype(dtype_name)
    function, domain_a, domain_b, _ = BINARY[op]
    host_a = random_array(ember_rng, (4, 1, 3), dtype_name, domain_a)
    host_b = random_array(ember_rng, (5, 1), dtype_name, domain_b)
    expected = reference(function, dtype_name, host_a, host_b)
    out = _garbage(ember_device, ember_rng, expected.shape, expected.dtype.name, layout)
    a, b = ember_device.from_numpy(host_a), ember_device.from_numpy(host_b)
    result = getattr(ember_device.kernels, op)(a, b, out=out)
    assert result is out, f"{op}(a, b, out=out) returns out"
    assert_matches(ember_device.to_numpy(out), expected, f"{op}(a, b, out=<{layout} buffer>)")


@pytest.mark.parametrize(("op", "dtype_name"), _pairs(BINARY, ARITHMETIC))
def test_binary_in_place_on_a_view(ember_device, ember_rng, op, dtype_name):
    ember_device.dtype(dtype_name)
    function, domain_a, domain_b, _ = BINARY[op]
    host_a = random_array(ember_rng, (3, 4, 2), dtype_name, domain_a)
    host_b = random_array(ember_rng, (4, 1), dtype_name, domain_b)
    a = place(ember_device, host_a, "offset_permuted")
    getattr(ember_device.kernels, op)(a, ember_device.from_numpy(host_b), out=a)
    assert_matches(ember_device.to_numpy(a), reference(function, dtype_name, host_a, host_b),
                   f"{op}(a, b, out=a) on an offset, permuted view, b broadcast")


@pytest.mark.parametrize("shapes", (((3, 4), (5,)), ((2, 3), (3, 2)), ((4, 1, 3), (2, 4))), ids=str)
@pytest.mark.parametrize("op", BINARY)
def test_binary_refuses_shapes_that_do_not_broadcast(ember_device, ember_rng, op, shapes):
    """docs/internals.md: a kernel raises ValueError (core turns it into PyTorch's message), never computes
    on a guessed shape."""
    dtype_name = BINARY[op][-1][0]
    ember_device.dtype(dtype_name)
    a, b = (ember_device.from_numpy(random_array(ember_rng, shape, dtype_name)) for shape in shapes)
    with pytest.raises(ValueError):
        ember_device.to_numpy(getattr(ember_device.kernels, op)(a, b))


@pytest.mark.parametrize("exponent", (True, False))
def test_pow_of_a_bool_buffer_by_a_bool_is_bool(ember_device, exponent):
    """``bool_tensor ** True`` reaches the kernel (PyTorch computes it in bool): ``a or not b``, of dtype bool
    (numpy's power gives int8 there)."""
    host = np.array([[True, False], [False, True]])
    result = ember_device.kernels.pow(ember_device.from_numpy(host), exponent)
    assert_matches(ember_device.to_numpy(result), host | (not exponent), f"pow(<(2, 2) bool>, {exponent})")


# (cond, a, b) shapes that broadcast together.
WHERE_SHAPES = (((3, 4), (3, 4), (3, 4)), ((3, 1), (1, 4), (2, 1, 1)), ((), (5,), ()), ((0, 2), (2,), (1, 2)),
                ((4,), (), (4,)), ((), (), ()))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_where_matches_numpy(ember_device, ember_rng, dtype_name, layout):
    ember_device.dtype(dtype_name)
    for shapes in WHERE_SHAPES:
        host_cond = random_array(ember_rng, shapes[0], "bool")
        host_a, host_b = (random_array(ember_rng, shape, dtype_name) for shape in shapes[1:])
        operands = (place(ember_device, host, layout) for host in (host_cond, host_a, host_b))
        result = ember_device.kernels.where(*operands)
        assert_matches(ember_device.to_numpy(result), np.where(host_cond, host_a, host_b),
                       f"where(<{shapes[0]}>, <{shapes[1]}>, <{shapes[2]}>) on {dtype_name}, {layout}")


@pytest.mark.parametrize("side", ("left", "right"))
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_where_with_a_python_scalar(ember_device, ember_rng, dtype_name, side):
    ember_device.dtype(dtype_name)
    for scalar in _scalars("real", dtype_name):
        for shape in SHAPES:
            host_cond = random_array(ember_rng, shape, "bool")
            host = random_array(ember_rng, shape, dtype_name)
            cond, buffer = ember_device.from_numpy(host_cond), ember_device.from_numpy(host)
            if side == "left":
                result = ember_device.kernels.where(cond, scalar, buffer)
                expected = np.where(host_cond, np.asarray(scalar, dtype_name), host)
            else:
                result = ember_device.kernels.where(cond, buffer, scalar)
                expected = np.where(host_cond, host, np.asarray(scalar, dtype_name))
            assert_matches(ember_device.to_numpy(result), expected,
                           f"where with {scalar!r} on the {side}, <{shape} {dtype_name}>")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_where_writes_into_out(ember_device, ember_rng, dtype_name, layout):
    ember_device.dtype(dtype_name)
    host_cond = random_array(ember_rng, (3, 1), "bool")
    host_a, host_b = random_array(ember_rng, (3, 4), dtype_name), random_array(ember_rng, (4,), dtype_name)
    out = _garbage(ember_device, ember_rng, (3, 4), dtype_name, layout)
    operands = (ember_device.from_numpy(host) for host in (host_cond, host_a, host_b))
    result = ember_device.kernels.where(*operands, out=out)
    assert result is out, "where(cond, a, b, out=out) returns out"
    assert_matches(ember_device.to_numpy(out), np.where(host_cond, host_a, host_b),
                   f"where(cond, a, b, out=<{layout} buffer>)")
