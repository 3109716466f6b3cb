"""Strides of tensors with no element against PyTorch's on the CPU and on opencl: new ones (creation, op
results) are row-major with a size-0 dim counted as 1, and their views keep them (numpy 2.4 gives a new
size-0 array zero strides, which the CPU backend reads as PyTorch's)."""
from __future__ import annotations

import pytest
from outcomes import devices

import ember

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle


CASES = {
    "tensor([])": lambda L, d: L.tensor([], device=d),
    "zeros(0, 3)": lambda L, d: L.zeros(0, 3, device=d),
    "empty(2, 0, 3)": lambda L, d: L.empty(2, 0, 3, device=d),
    "full((0, 3))": lambda L, d: L.full((0, 3), 1.0, device=d),
    "randn(0, 3)": lambda L, d: L.randn(0, 3, device=d),
    "randint(0, 5, (0, 3))": lambda L, d: L.randint(0, 5, (0, 3), device=d),
    "arange(0)": lambda L, d: L.arange(0, device=d),
    "new_zeros": lambda L, d: L.zeros(2, device=d).new_zeros(0, 3),
    "t()": lambda L, d: L.zeros(0, 3, device=d).t(),
    "permute": lambda L, d: L.zeros(2, 0, 3, device=d).permute(2, 0, 1),
    "transpose(0, 1)": lambda L, d: L.zeros(2, 0, 3, device=d).transpose(0, 1),
    "mT": lambda L, d: L.zeros(2, 0, 3, device=d).mT,
    "unsqueeze": lambda L, d: L.zeros(0, 3, device=d).unsqueeze(1),
    "reshape": lambda L, d: L.zeros(0, 3, device=d).reshape(3, 0),
    "view": lambda L, d: L.zeros(0, 3, device=d).view(3, 0),
    "flatten": lambda L, d: L.zeros(0, 3, device=d).flatten(),
    "rows [:0]": lambda L, d: L.ones(3, 4, device=d)[:0],
    "columns [:, :0]": lambda L, d: L.ones(3, 4, device=d)[:, :0],
    "split": lambda L, d: L.zeros(0, 3, device=d).split(2, 1)[1],
    "[:, 1:] of a new one": lambda L, d: L.empty(0, 4, device=d)[:, 1:],
    "[:, ::2] of a new one": lambda L, d: L.empty(0, 4, device=d)[:, ::2],
    "expand(0, 3)": lambda L, d: L.zeros(1, 3, device=d).expand(0, 3),
    "expand(0)": lambda L, d: L.zeros(1, device=d).expand(0),
    "+ 1": lambda L, d: L.zeros(0, 3, device=d) + 1,
    "(+ 1).t()": lambda L, d: (L.zeros(0, 3, device=d) + 1).t(),
    "exp": lambda L, d: L.zeros(0, 3, device=d).exp(),
    "double()": lambda L, d: L.zeros(0, 3, device=d).double(),
    "where": lambda L, d: L.where(L.zeros(0, 3, dtype=L.bool, device=d), L.zeros(0, 3, device=d), 1.0),
    "sum(1)": lambda L, d: L.zeros(0, 3, device=d).sum(1),
    "cumsum(1)": lambda L, d: L.zeros(0, 3, device=d).cumsum(1),
    "sort(1)": lambda L, d: L.zeros(0, 3, device=d).sort(1).values,
    "t().contiguous()": lambda L, d: L.zeros(0, 3, device=d).t().contiguous(),
    "t().clone()": lambda L, d: L.zeros(0, 3, device=d).t().clone(),
    "zeros_like(t())": lambda L, d: L.zeros_like(L.zeros(0, 3, device=d).t()),
    "empty_like(t())": lambda L, d: L.empty_like(L.zeros(0, 3, device=d).t()),
    "matmul": lambda L, d: L.zeros(0, 3, device=d) @ L.zeros(3, 4, device=d),
    "cat": lambda L, d: L.cat([L.zeros(0, 3, device=d), L.zeros(0, 3, device=d)]),
    "stack": lambda L, d: L.stack([L.zeros(0, 3, device=d), L.zeros(0, 3, device=d)]),
    "empty index": lambda L, d: L.zeros(4, 3, device=d)[L.tensor([], dtype=L.int64, device=d)],
    "all-False mask": lambda L, d: L.zeros(4, 3, device=d)[L.zeros(4, 3, dtype=L.bool, device=d)],
}


@pytest.mark.parametrize("device_name", devices())
@pytest.mark.parametrize("name", list(CASES))
def test_strides_of_tensors_without_elements_are_pytorchs(name, device_name):
    ours, theirs = CASES[name](ember, device_name), CASES[name](torch, "cpu")
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert (ours.stride(), ours.is_contiguous()) == (theirs.stride(), theirs.is_contiguous())

