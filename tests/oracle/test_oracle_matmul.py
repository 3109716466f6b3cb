"""Matrix products against PyTorch: `@`, matmul and mm over vectors, matrices and broadcast batches,
non-contiguous operands and empty dims; values and gradients."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

FORMS = {
    "a@b": lambda lib, a, b: a @ b,
    "lib.matmul": lambda lib, a, b: lib.matmul(a, b),
    "Tensor.matmul": lambda lib, a, b: a.matmul(b),
}
MM_FORMS = {
    "lib.mm": lambda lib, a, b: lib.mm(a, b),
    "Tensor.mm": lambda lib, a, b: a.mm(b),
}


@st.composite
def matmul_shapes(draw):
    """Operand shapes for matmul: each a vector, a matrix, or a batch of matrices (batches broadcast)."""
    m, k, n = (draw(st.integers(0, 4)) for _ in range(3))
    batches = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3))
    kinds = [draw(st.sampled_from(["vector", "matrix", "batch"])) for _ in range(2)]
    left = {"vector": (k,), "matrix": (m, k), "batch": batches.input_shapes[0] + (m, k)}[kinds[0]]
    right = {"vector": (k,), "matrix": (k, n), "batch": batches.input_shapes[1] + (k, n)}[kinds[1]]
    return left, right


@pytest.mark.parametrize("form", list(FORMS))
@settings(max_examples=30, deadline=None)
@given(
    shapes=matmul_shapes(),
    dtype=st.sampled_from(["float32", "float64"]),
    seed=st.integers(0, 2**16),
    data=st.data(),
)
def test_matmul_matches_torch(oracle, form, shapes, dtype, seed, data):
    layouts = [data.draw(st.sampled_from(oracle.layouts), label="layout") for _ in shapes]
    rng = oracle.rng(seed)
    a, b = (oracle.layout_array(rng, shape, layout, dtype, "any") for shape, layout in zip(shapes, layouts))

    def op(lib, x, y):
        return FORMS[form](lib, oracle.view_as_layout(x, layouts[0]), oracle.view_as_layout(y, layouts[1]))

    oracle.check(op, a, b, seed=seed)


@pytest.mark.parametrize("form", list(MM_FORMS))
@pytest.mark.parametrize(("m", "k", "n"), [(3, 4, 2), (1, 1, 1), (0, 3, 2), (2, 0, 3)])
@pytest.mark.parametrize("transposed", [False, True])
def test_mm_matches_torch(oracle, form, m, k, n, transposed):
    rng = oracle.rng(0)
    a = oracle.array(rng, (k, m) if transposed else (m, k), "float64", "any")
    b = oracle.array(rng, (k, n), "float64", "any")
    oracle.check(lambda lib, x, y: MM_FORMS[form](lib, x.t() if transposed else x, y), a, b)


def test_chained_products_match_torch(oracle):
    rng = oracle.rng(1)
    x, w, v = (oracle.array(rng, shape, "float32", "any") for shape in [(5, 3), (3, 4), (4,)])
    oracle.check(lambda lib, a, b, c: (a @ b).relu() @ c, x, w, v)


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_integer_matmul_is_exact(oracle, dtype):
    rng = oracle.rng(2)
    a, b = oracle.array(rng, (2, 3, 4), dtype, "small_int"), oracle.array(rng, (4, 5), dtype, "small_int")
    oracle.check_forward(lambda lib, x, y: x @ y, a, b)


@pytest.mark.parametrize(
    ("left", "right"),
    [((3, 4), (3, 4)), ((3,), (4,)), ((2, 3, 4), (2, 5, 2)), ((), (3,)), ((3, 4), ())],
    ids=["matrix mismatch", "vector mismatch", "batch inner mismatch", "0-d left", "0-d right"],
)
def test_matmul_of_mismatched_shapes_raises(oracle, left, right):
    assert oracle.check_raises(lambda lib, a, b: a @ b, np.ones(left), np.ones(right)) is RuntimeError


@pytest.mark.parametrize(("left", "right"), [((2, 3, 4), (4, 2)), ((3,), (3, 2))], ids=["3-d", "1-d"])
def test_mm_needs_matrices(oracle, left, right):
    assert oracle.check_raises(lambda lib, a, b: lib.mm(a, b), np.ones(left), np.ones(right)) is RuntimeError
