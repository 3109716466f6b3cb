"""The layout of mm's gradients against PyTorch: a column-major operand (a transposed matrix) gets a
column-major gradient (PyTorch's mm_mat1_backward / mm_mat2_backward), also through a double backward,
where the gradient's own mm has a transposed operand."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

A = [[1.0, 1.0, -1.0], [1.0, -1.0, 1.0]]
B = [[-1.0, 1.0], [1.0, 2.0], [3.0, 1.0]]
LAYOUTS = {"rows": lambda lib, m: lib.tensor(m, dtype=lib.float64, requires_grad=True),
           "columns": lambda lib, m: lib.tensor(np.array(m).T.tolist(), dtype=lib.float64).t().requires_grad_()}


def _layouts(lib, left, right, call):
    a, b = LAYOUTS[left](lib, A), LAYOUTS[right](lib, B)
    product = a.mm(b) if call == "mm" else a @ b
    ga, gb = lib.autograd.grad((product * product).sum(), [a, b], create_graph=True)
    second = lib.autograd.grad(ga.sum() + (gb * 2).sum(), [a, b])
    return [(g.stride(), np.array(g.tolist())) for g in (ga, gb, *second)]


@pytest.mark.parametrize("call", ("mm", "@"))
@pytest.mark.parametrize("right", list(LAYOUTS))
@pytest.mark.parametrize("left", list(LAYOUTS))
def test_mm_gradients_keep_pytorchs_layouts(left, right, call):
    for (got_strides, got), (expected_strides, expected) in zip(_layouts(ember, left, right, call),
                                                                _layouts(torch, left, right, call)):
        assert got_strides == expected_strides
        np.testing.assert_array_equal(got, expected)


def test_the_fuzzers_reproducer():
    def grads(lib):
        x1 = lib.tensor(A, requires_grad=True)
        x3 = lib.tensor(B, requires_grad=True)
        g7, _ = lib.autograd.grad(x1.mm(x3)[[1, -1]].sum(), [x1, x3], create_graph=True)
        _, g10 = lib.autograd.grad(g7.sum(), [x1, x3], allow_unused=True)
        return g10.stride(), g10.is_contiguous(), g10.tolist()
    assert grads(ember) == grads(torch)
