"""retain_grad() on a view changed in place afterwards, against PyTorch: the view's grad_fn is re-derived
from its base's new history and its retained gradient follows it there, so a backward through the graph
recorded before the change leaves its .grad None, and one through the new graph fills it."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

MAKERS = {
    "view(-1)": lambda t: t.view(-1),
    "[:2]": lambda t: t[:2],
    "unsqueeze(0)": lambda t: t.unsqueeze(0),
    "reshape (copy)": lambda t: t.reshape(-1) * 1,
}
USES = {
    "before": lambda v: (v[[0]] * v[[0]]).sum(),  # recorded before the in-place change
    "after": None,
    "both": lambda v: (v * 2).sum(),
}


def _grads(lib, maker, use):
    x = lib.tensor([0.0, 1.5, -2.0], requires_grad=True)
    t = MAKERS[maker](x.clamp(0.75, 2.0))
    t.retain_grad()
    before = USES[use](t) if USES[use] is not None else None
    t.mul_(-2.5)
    loss = (t * t).sum() if before is None else before if use == "before" else before + (t * t).sum()
    loss.backward()
    return [None if g is None else np.array(g.tolist()) for g in (t.grad, x.grad)]


@pytest.mark.parametrize("use", list(USES))
@pytest.mark.parametrize("maker", list(MAKERS))
def test_a_retained_view_changed_in_place(maker, use):
    got, expected = _grads(ember, maker, use), _grads(torch, maker, use)
    for a, b in zip(got, expected):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a, b)
