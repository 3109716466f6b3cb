"""Strides of views of op results with no element against PyTorch's, on the CPU and on opencl: a slice,
select or index of an empty result keeps the result's strides (row-major, a size-0 dim counted as 1), as
any view of any tensor does (numpy gives its new size-0 arrays zero strides, which a view must not read as
its own shape's)."""
from __future__ import annotations

import pytest
from outcomes import devices

import ember

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

RESULTS = {
    "zeros(0, 3) + 1": lambda L, d: L.zeros(0, 3, device=d) + 1,
    "zeros(2, 0, 3).exp()": lambda L, d: L.zeros(2, 0, 3, device=d).exp(),
    "zeros(2, 0, 3) * 2": lambda L, d: L.zeros(2, 0, 3, device=d) * 2,
    "ones(3, 4)[:0] * ones(4)": lambda L, d: L.ones(3, 4, device=d)[:0] * L.ones(4, device=d),
    "zeros(0, 3, 4) > 0": lambda L, d: L.zeros(0, 3, 4, device=d) > 0,
}
VIEWS = {
    "[..., 1:]": lambda t: t[..., 1:],
    "[..., ::2]": lambda t: t[..., ::2],
    "[1:]": lambda t: t[1:],
    "[..., 1]": lambda t: t[..., 1],
    "[None, ..., 1:]": lambda t: t[None, ..., 1:],
    "narrow(-1, 1, 1)": lambda t: t.narrow(-1, 1, 1),
    "select(-1, 0)": lambda t: t.select(-1, 0),
    "[..., 1:].transpose(0, -1)": lambda t: t[..., 1:].transpose(0, -1),
}


@pytest.mark.parametrize("device_name", devices())
@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("result", list(RESULTS))
def test_views_of_empty_results_keep_their_strides(result, view, device_name):
    ours = VIEWS[view](RESULTS[result](ember, device_name))
    theirs = VIEWS[view](RESULTS[result](torch, "cpu"))
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert (ours.stride(), ours.is_contiguous()) == (theirs.stride(), theirs.is_contiguous())
