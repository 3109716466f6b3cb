"""mm with an inner size of 1 against PyTorch: for float32 and float64 matrices of at least 2 rows and 2
columns its CPU gemm gives the bare products, so -0. stays -0. (0.5 / that is -inf); other shapes and
float16 add the products to 0 (+0.). Checked on the CPU and on opencl and cudasim (not on cuda: cuBLAS, PyTorch's
CUDA mm too, is not the CPU's gemm)."""

from __future__ import annotations

import numpy as np
import pytest
from outcomes import devices

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

SHAPES = ((1, 1), (2, 2), (3, 1), (1, 3), (4, 5), (2, 1))


def _signs(lib, device, dtype, m, n, call):
    a = lib.full((m, 1), -0.0, dtype=getattr(lib, dtype), device=device)
    b = lib.tensor([[1.0, -1.0, 2.0, 0.5, 3.0][:n]], dtype=getattr(lib, dtype), device=device)
    result = a.mm(b) if call == "mm" else a @ b
    return np.signbit(np.array(result.tolist())).tolist(), np.array(result.tolist()).tolist()


@pytest.mark.parametrize("device", [device for device in devices() if device != "cuda"])
@pytest.mark.parametrize("call", ("mm", "@"))
@pytest.mark.parametrize("dtype", ("float16", "float32", "float64"))
@pytest.mark.parametrize(("m", "n"), SHAPES)
def test_outer_product_mm_keeps_pytorchs_zero_signs(m, n, dtype, call, device):
    assert _signs(ember, device, dtype, m, n, call) == _signs(torch, "cpu", dtype, m, n, call)


def test_the_fuzzers_reproducer():
    def quotient(lib):
        x1 = lib.tensor([[1.0], [-0.0]], requires_grad=True)
        x3 = lib.tensor([[-1.0, 1.0]], requires_grad=True)
        return (0.5 / x1.mm(x3)).tolist()
    assert quotient(ember) == quotient(torch)
