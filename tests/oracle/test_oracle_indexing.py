"""Indexing and __setitem__ against PyTorch: ints, slices with steps, None, Ellipsis, integer and boolean
tensors, list indices; forward values, gradients (through the indexed tensor and the assigned value)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

FLOAT_DTYPES = st.sampled_from(["float32", "float64"])
SEEDS = st.integers(0, 2**16)
SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)


def _positive_steps(key):
    """PyTorch rejects negative slice steps (tested separately): flip them to positive ones."""
    parts = key if isinstance(key, tuple) else (key,)
    flipped = tuple(
        slice(part.start, part.stop, -part.step)
        if isinstance(part, slice) and part.step is not None and part.step < 0
        else part
        for part in parts
    )
    return flipped if isinstance(key, tuple) else flipped[0]


@st.composite
def basic_index_cases(draw):
    shape = draw(SHAPES)
    key = draw(hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True))
    return shape, _positive_steps(key)


def _long(lib, values):
    return lib.tensor(values, dtype=lib.int64)


# Keys for a (4, 5, 3) tensor; lib builds the index tensors so each library gets its own.
ADVANCED_KEYS = {
    "int tensor": lambda lib: _long(lib, [0, 2, 3]),
    "int tensor with repeats and negatives": lambda lib: _long(lib, [1, -1, 1, 0, 1]),
    "2-d int tensor": lambda lib: _long(lib, [[0, 1], [3, 3]]),
    "int32 tensor": lambda lib: lib.tensor([2, 0], dtype=lib.int32),
    "empty int tensor": lambda lib: _long(lib, []),
    "0-d int tensor": lambda lib: _long(lib, 2),
    "list": lambda lib: [0, 3, 0],
    "slice then int tensor": lambda lib: (slice(None), _long(lib, [4, 0, 4])),
    "int then int tensor": lambda lib: (1, _long(lib, [4, 0])),
    "broadcast int tensors": lambda lib: (_long(lib, [[0], [2]]), _long(lib, [1, 3, 4])),
    "int tensors apart (move to front)": lambda lib: (_long(lib, [0, 3]), slice(1, 4), _long(lib, [2, 0])),
    "None, Ellipsis and int tensor": lambda lib: (None, Ellipsis, _long(lib, [2, 2])),
    "int tensor, stepped slice": lambda lib: (_long(lib, [3, 1]), slice(None, None, 2)),
    "bool mask of the whole shape": lambda lib: lib.tensor(np.arange(60).reshape(4, 5, 3) % 3 == 0),
    "bool mask of dim 0": lambda lib: lib.tensor([True, False, True, True]),
    "slice then bool mask": lambda lib: (slice(1, None), lib.tensor([False, True, True, False, True])),
    "bool mask of two dims": lambda lib: lib.tensor(np.arange(20).reshape(4, 5) % 2 == 1),
    "all-false bool mask": lambda lib: lib.tensor([False] * 4),
    "Ellipsis then bool mask": lambda lib: (Ellipsis, lib.tensor([True, False, True])),
}

# Keys without repeated positions, where assignment has a single, defined result.
ASSIGN_KEYS = {
    "int": lambda lib: 1,
    "negative int": lambda lib: -1,
    "slice": lambda lib: slice(1, 3),
    "stepped slice": lambda lib: (slice(None), slice(None, None, 2)),
    "Ellipsis and int": lambda lib: (Ellipsis, 0),
    "None and slice": lambda lib: (None, slice(2)),
    "int tensor": lambda lib: _long(lib, [0, 2]),
    "slice then int tensor": lambda lib: (slice(None), _long(lib, [4, 1])),
    "broadcast int tensors": lambda lib: (_long(lib, [[0], [2]]), _long(lib, [1, 3])),
    "bool mask of dim 0": lambda lib: lib.tensor([True, False, False, True]),
    "bool mask of the whole shape": lambda lib: lib.tensor(np.arange(60).reshape(4, 5, 3) % 4 == 1),
}

ADVANCED_SHAPE = (4, 5, 3)


@settings(max_examples=120, deadline=None)
@given(case=basic_index_cases(), dtype=FLOAT_DTYPES, seed=SEEDS, data=st.data())
def test_basic_indexing_matches_torch(oracle, case, dtype, seed, data):
    shape, key = case
    layout = data.draw(st.sampled_from(oracle.layouts), label="layout")
    x = oracle.layout_array(oracle.rng(seed), shape, layout, dtype, "any")
    oracle.check(lambda lib, t: oracle.view_as_layout(t, layout)[key], x, seed=seed)


@pytest.mark.parametrize("name", list(ADVANCED_KEYS))
@pytest.mark.parametrize("layout", ["contiguous", "offset_permuted"])
def test_advanced_indexing_matches_torch(oracle, name, layout):
    """Gradients of repeated indices add up; separated index tensors put their dims first."""
    x = oracle.layout_array(oracle.rng(1), ADVANCED_SHAPE, layout, "float64", "any")
    key = ADVANCED_KEYS[name]
    oracle.check(lambda lib, t: oracle.view_as_layout(t, layout)[key(lib)], x)


def test_indexing_with_a_mask_computed_from_the_tensor_matches_torch(oracle):
    x = oracle.array(oracle.rng(2), (3, 4), "float32", "any")
    oracle.check(lambda lib, t: t[t > 0] * 2, x)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(lambda lib: 4, id="int past the end"),
        pytest.param(lambda lib: (0, 0, 0, 0), id="too many indices"),
        pytest.param(lambda lib: _long(lib, [0, 7]), id="int tensor past the end"),
        pytest.param(lambda lib: lib.tensor([True, False]), id="bool mask of the wrong length"),
        pytest.param(lambda lib: slice(None, None, -1), id="negative step"),
    ],
)
def test_bad_index_raises_like_torch(oracle, key):
    oracle.check_raises(lambda lib, t: t[key(lib)], np.zeros(ADVANCED_SHAPE))


@st.composite
def assignment_cases(draw):
    """A basic key for a shape and the shape of a value that broadcasts into the selected region."""
    shape, key = draw(basic_index_cases())
    selected = np.empty(shape)[key].shape
    dropped = draw(st.integers(0, len(selected)))
    value_shape = tuple(draw(st.sampled_from([1, size])) for size in selected[dropped:])
    return shape, key, value_shape


@settings(max_examples=80, deadline=None)
@given(case=assignment_cases(), dtype=FLOAT_DTYPES, seed=SEEDS)
def test_basic_assignment_of_a_tensor_matches_torch(oracle, case, dtype, seed):
    """`y[key] = v` on a non-leaf: y's gradient is zero where v landed, v's is summed over broadcasting."""
    shape, key, value_shape = case
    rng = oracle.rng(seed)

    def assign(lib, x, value):
        y = x * 1
        y[key] = value
        return y

    oracle.check(
        assign,
        oracle.array(rng, shape, dtype, "any"),
        oracle.array(rng, value_shape, dtype, "any"),
        seed=seed,
    )


@pytest.mark.parametrize("name", list(ASSIGN_KEYS))
@pytest.mark.parametrize("value", ["scalar", "tensor"])
def test_assignment_matches_torch(oracle, name, value):
    key = ASSIGN_KEYS[name]
    rng = oracle.rng(3)
    x = oracle.array(rng, ADVANCED_SHAPE, "float64", "any")
    selected_shape = tuple(torch.zeros(ADVANCED_SHAPE)[key(torch)].shape)
    v = oracle.array(rng, selected_shape[-1:], "float64", "any")

    def assign(lib, base, new):
        y = base * 2
        y[key(lib)] = -2.5 if value == "scalar" else new
        return y * base

    oracle.check(assign, x, v)


def test_assignment_casts_to_the_tensor_dtype_like_torch(oracle):
    def assign(lib, x):
        x[0] = 2.7
        x[1, 1:] = lib.tensor([True, False])
        return x

    oracle.check_forward(assign, np.zeros((2, 3), dtype="int64"))


def test_assignment_through_a_view_changes_the_base_like_torch(oracle):
    def assign(lib, x):
        view = x[1:].t()
        view[0] = 7.0
        view[:, x.shape[0] - 2] = lib.tensor([1.0, 2.0, 3.0])
        return x

    oracle.check_forward(assign, np.zeros((3, 3), dtype="float32"))


def test_mask_assignment_of_zero_matches_torch(oracle):
    def relu_by_mask(lib, x):
        y = x.clone()
        y[y < 0] = 0
        return y

    oracle.check(relu_by_mask, oracle.array(oracle.rng(4), (3, 4), "float32", "real"))


def test_assignment_to_a_leaf_that_requires_grad_raises(oracle):
    leaf_e, leaf_t = oracle.pair(np.zeros(3, dtype="float32"))
    with pytest.raises(RuntimeError):
        leaf_t[0] = 1.0
    with pytest.raises(RuntimeError, match="leaf"):
        leaf_e[0] = 1.0


def test_assignment_with_a_negative_step_raises(oracle):
    assert (
        oracle.check_raises(lambda lib, t: t.__setitem__(slice(None, None, -1), 0.0), np.zeros(3))
        is ValueError
    )
