"""``out=`` of the wrong shape, as PyTorch 2.13: resized to the result's shape (contiguous), with a
UserWarning when it had elements; in its own storage when that holds enough (its base sees the result),
else in a new one; dtype errors unchanged."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

A = np.array([[0.5, -1.25, 2.0], [1.5, 0.75, -0.5]])
B = np.array([[1.0, 2.0, -3.0], [0.25, -0.5, 4.0]])


def _x(lib):
    return lib.tensor(A, dtype=lib.float32)


def _y(lib):
    return lib.tensor(B, dtype=lib.float32)


def _long(lib, values):
    return lib.tensor(values, dtype=lib.int64)


# op -> (call(lib, out), out dtype name); each writes a result of another shape than the out tensors below
OPS = {
    "add": (lambda lib, out: lib.add(_x(lib), _y(lib), out=out), "float32"),
    "mul_broadcast": (lambda lib, out: lib.mul(_x(lib), _y(lib)[:1], out=out), "float32"),
    "div_floor": (lambda lib, out: lib.div(_x(lib), _y(lib), rounding_mode="floor", out=out), "float32"),
    "pow": (lambda lib, out: lib.pow(_x(lib), 2, out=out), "float32"),
    "clamp": (lambda lib, out: lib.clamp(_x(lib), -1.0, 1.0, out=out), "float32"),
    "exp": (lambda lib, out: lib.exp(_x(lib), out=out), "float32"),
    "neg": (lambda lib, out: lib.neg(_x(lib), out=out), "float32"),
    "bitwise_not": (lambda lib, out: lib.bitwise_not(_long(lib, [[1, 2, 3]]), out=out), "int64"),
    "lerp": (lambda lib, out: lib.lerp(_x(lib), _y(lib), 0.25, out=out), "float32"),
    "cat": (lambda lib, out: lib.cat([_x(lib), _y(lib)], 1, out=out), "float32"),
    "matmul": (lambda lib, out: lib.matmul(_x(lib), _y(lib).t(), out=out), "float32"),
    "mm": (lambda lib, out: lib.mm(_x(lib).t(), _y(lib), out=out), "float32"),
    "addmm": (lambda lib, out: lib.addmm(_x(lib)[:, :2], _x(lib), _y(lib).t()[:, :2], out=out), "float32"),
    "index_select": (lambda lib, out: lib.index_select(_x(lib), 1, _long(lib, [2, 0, 2, 1]), out=out), "float32"),
    "masked_select": (lambda lib, out: lib.masked_select(_x(lib), _x(lib) > 0, out=out), "float32"),
    "gather": (lambda lib, out: lib.gather(_x(lib), 1, _long(lib, [[2], [0]]), out=out), "float32"),
    "take": (lambda lib, out: lib.take(_x(lib), _long(lib, [5, 0, 3]), out=out), "float32"),
    "cumsum": (lambda lib, out: lib.cumsum(_x(lib), 1, out=out), "float32"),
    "cumprod": (lambda lib, out: lib.cumprod(_x(lib), 0, out=out), "float32"),
    "index_add": (lambda lib, out: lib.index_add(_x(lib), 0, _long(lib, [1]), _y(lib)[:1], out=out), "float32"),
    "scatter": (lambda lib, out: lib.scatter(_x(lib), 1, _long(lib, [[2], [0]]), _y(lib), out=out), "float32"),
}

PAIRS = {
    "sort": lambda lib, out: lib.sort(_x(lib), 1, out=out),
    "topk": lambda lib, out: lib.topk(_x(lib), 2, 1, out=out),
    "kthvalue": lambda lib, out: lib.kthvalue(_x(lib), 2, 1, out=out),
    "median": lambda lib, out: lib.median(_x(lib), 0, out=out),
    "cummax": lambda lib, out: lib.cummax(_x(lib), 1, out=out),
}


def _call(lib, call, out):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call(lib, out)
    messages = [str(w.message).split(" (Triggered internally")[0] for w in caught
                if issubclass(w.category, UserWarning)]
    return result, messages


def _layout(t) -> tuple:
    return tuple(t.shape), tuple(t.stride()), t.storage_offset()


@pytest.mark.parametrize("size", [7, 0], ids=["non-empty", "empty"])
@pytest.mark.parametrize("op", sorted(OPS))
def test_a_wrongly_shaped_out_is_resized(op, size):
    call, dtype = OPS[op]
    seen = []
    for lib in (ember, torch):
        out = lib.full((size,), 9, dtype=getattr(lib, dtype))
        result, messages = _call(lib, call, out)
        assert result is out
        seen.append((out.cpu().numpy().copy(), _layout(out), messages))
    (values, layout, messages), (expected, expected_layout, expected_messages) = seen
    np.testing.assert_allclose(values, expected, rtol=1e-6)
    assert layout == expected_layout
    assert messages == expected_messages
    assert len(messages) == (1 if size else 0)


@pytest.mark.parametrize("op", sorted(PAIRS))
def test_a_wrongly_shaped_pair_of_outs_is_resized(op):
    seen = []
    for lib in (ember, torch):
        out = (lib.zeros(5), lib.zeros(0, dtype=lib.int64))
        result, messages = _call(lib, PAIRS[op], out)
        assert result[0] is out[0] and result[1] is out[1]
        seen.append(([t.cpu().numpy().copy() for t in out], [_layout(t) for t in out], messages))
    for got, expected in zip(seen[0][0], seen[1][0]):
        np.testing.assert_array_equal(got, expected)
    assert seen[0][1] == seen[1][1]
    if op == "kthvalue":  # PyTorch's kthvalue names the shapes it resizes with keepdim ([5, 1] to [2, 1])
        assert len(seen[0][2]) == len(seen[1][2]) == 1
    else:
        assert seen[0][2] == seen[1][2]


VIEWS = {"middle": lambda base: base[2:4], "stepped": lambda base: base[::2], "too_small": lambda base: base[6:9],
         "transposed": lambda base: base.view(2, 5).t()}


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_a_view_out_is_resized_in_its_storage_when_it_fits(view):
    seen = []
    for lib in (ember, torch):
        base = lib.zeros(10)
        out = VIEWS[view](base)
        _, messages = _call(lib, OPS["add"][0], out)
        seen.append((base.cpu().numpy().copy(), out.cpu().numpy().copy(), _layout(out), len(messages)))
    np.testing.assert_array_equal(seen[0][0], seen[1][0])  # the base shows what PyTorch's shows
    np.testing.assert_array_equal(seen[0][1], seen[1][1])
    assert seen[0][2:] == seen[1][2:]


def test_the_warning_points_at_the_callers_line():
    out = ember.zeros(4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ember.add(_x(ember), 1.0, out=out)
    assert [w.filename for w in caught] == [__file__]


@pytest.mark.parametrize("lib_name", ["ember", "torch"])
def test_dtype_errors_come_before_any_resize(lib_name):
    lib = ember if lib_name == "ember" else torch
    out = lib.zeros(5, dtype=lib.int64)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        lib.add(_x(lib), _y(lib), out=out)
    assert tuple(out.shape) == (5,)


SAMPLERS = {
    "bernoulli": (lambda lib, out: lib.bernoulli(lib.full((2, 3), 0.5), out=out), "float32"),
    "multinomial": (lambda lib, out: lib.multinomial(lib.ones(2, 3), 2, out=out), "int64"),
}


@pytest.mark.parametrize("op", sorted(SAMPLERS))
def test_sampling_ops_resize_their_out_without_a_warning(op):
    call, dtype = SAMPLERS[op]
    seen = []
    for lib in (ember, torch):
        out = lib.zeros(5, dtype=getattr(lib, dtype))
        result, messages = _call(lib, call, out)
        assert result is out
        seen.append((_layout(out), messages))
    assert seen[0] == seen[1] and seen[0][1] == []


@pytest.mark.parametrize("call", [lambda lib, o, x: lib.add(o, x, out=o), lambda lib, o, x: lib.mul(x, o, out=o),
                                  lambda lib, o, x: o.add_(x)], ids=["add", "mul", "add_"])
def test_an_out_that_is_an_input_is_never_resized(call):
    for lib in (ember, torch):
        o, x = lib.ones(4), lib.ones(3, 4)
        with pytest.raises(RuntimeError, match=r"output with shape \[4\] doesn't match the broadcast shape \[3, 4\]"):
            call(lib, o, x)
        assert tuple(o.shape) == (4,)
