"""The gradients of value-selecting ops (sort, topk, kthvalue, median, nanmedian, mode, max, min) taken with
``create_graph=True``: the gradient's graph has PyTorch's nodes (ScatterBackward0, MaskedFillBackward1; for amax
and amin, ViewBackward0 of the restored dims and DivBackward0 by the ties' count)
and its second derivatives PyTorch's values."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

OPS = {
    "sort": lambda x: x.sort(1).values,
    "sort_descending": lambda x: x.sort(0, descending=True).values,
    "sort_0d": lambda x: x[0, 0].sort(0).values,
    "topk": lambda x: x.topk(2, 1).values,
    "topk_smallest": lambda x: x.topk(2, 0, largest=False).values,
    "kthvalue": lambda x: x.kthvalue(2, 1).values,
    "kthvalue_keepdim": lambda x: x.kthvalue(2, 0, keepdim=True).values,
    "median_dim": lambda x: x.median(1).values,
    "nanmedian_dim": lambda x: x.nanmedian(0).values,
    "median": lambda x: x.median(),
    "nanmedian": lambda x: x.nanmedian(),
    "mode": lambda x: x.mode(1).values,
    "cummax": lambda x: x.cummax(1).values,
    "cummin": lambda x: x.cummin(0).values,
    "max": lambda x: x.max(),
    "min": lambda x: x.min(),
    "max_dim": lambda x: x.max(1).values,
    "min_dim_keepdim": lambda x: x.min(0, keepdim=True).values,
    "max_0d": lambda x: x[0, 0].max(0).values,
    "amax": lambda x: x.amax(),
    "amin_dim": lambda x: x.amin(1),
    "amax_dims": lambda x: x.amax((0, 1)),
    "amin_keepdim": lambda x: x.amin(0, keepdim=True),
    "amax_0d": lambda x: x[0, 0].amax(),
}

# distinct values (which of tied elements topk or kthvalue selects is PyTorch's implementation detail), but
# for "ties", whose median of all elements is shared among three elements
VALUES = {
    "distinct": np.array([[0.5, -1.0, 2.0, 0.75], [1.5, 0.25, -0.25, 3.0], [0.125, 2.5, -2.0, 1.0]]),
    "ties": np.array([[0.5, -1.0, 2.0, 0.5], [1.5, 0.5, -0.25, 3.0], [0.5, 2.5, -2.0, 1.0]]),
}


def _node_names(grad) -> list[str]:
    """The node classes of `grad`'s graph, breadth first from its grad_fn."""
    names, queue, seen = [], [grad.grad_fn], set()
    while queue:
        node = queue.pop(0)
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.append(type(node).__name__)
        queue += [nxt for nxt, _ in node.next_functions]
    return names


def _run(lib, op: str, values: str):
    x = lib.tensor(VALUES[values], dtype=lib.float64, requires_grad=True)
    y = OPS[op](x)
    w = lib.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(tuple(y.shape)), dtype=lib.float64,
                   requires_grad=True)
    (g,) = lib.autograd.grad((y * w).sum(), x, create_graph=True)
    v = lib.tensor(np.arange(12.0).reshape(3, 4) / 7, dtype=lib.float64)
    (gw,) = lib.autograd.grad((g * v).sum(), w)
    return g, gw


TIED = ("median", "nanmedian", "mode", "sort", "cummax", "cummin")


@pytest.mark.parametrize("op, values", [(op, "distinct") for op in sorted(OPS)] + [(op, "ties") for op in TIED])
def test_gradient_graph_and_second_derivative_match_pytorch(op, values):
    g, gw = _run(ember, op, values)
    tg, tgw = _run(torch, op, values)
    assert _node_names(g) == _node_names(tg)
    np.testing.assert_allclose(g.detach().cpu().numpy(), tg.detach().cpu().numpy(), rtol=1e-12)
    np.testing.assert_allclose(gw.cpu().numpy(), tgw.cpu().numpy(), rtol=1e-12)


def test_nan_median_shares_its_gradient_among_the_nans():
    values = np.array([1.0, np.nan, 2.0, np.nan])
    grads = []
    for lib in (ember, torch):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        w = lib.tensor(3.0, dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(x.median() * w, x, create_graph=True)
        grads.append((g.detach().cpu().numpy(), type(g.grad_fn).__name__))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    assert grads[0][1] == grads[1][1] == "MaskedFillBackward1"
