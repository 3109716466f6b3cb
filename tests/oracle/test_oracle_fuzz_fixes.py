"""Reproducers of the differential fuzzer's divergences (issue 6), run in ember and in PyTorch: each
program must end with the same values, dtypes and gradients, or raise the same error class."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import ember  # noqa: E402

pytestmark = pytest.mark.oracle

# Each program runs with `torch` bound to the library under test and leaves its results in `out`.
PROGRAMS = {
    "bool add alpha": "t = torch.tensor([True, False]); out = [torch.add(t, t, alpha=2), "
                      "torch.add(t, t, alpha=-1), torch.add(t, t, alpha=0), torch.add(t, True, alpha=0)]",
    "bool add_ alpha": "x = torch.tensor(True); x.add_(x, alpha=2); out = [x]",
    "bool no_grad add_ alpha": "x = torch.tensor(False)\nwith torch.no_grad(): x.add_(x, alpha=2)\nout = [x]",
    "sub alpha keeps float16": "h = torch.tensor([-1.0], dtype=torch.float16)\n"
                               "out = [torch.sub(h, torch.tensor([4]), alpha=0.5)]",
    "sub alpha keeps float64": "a = torch.tensor([0.5], dtype=torch.float64)\n"
                               "out = [torch.sub(a, torch.tensor([3]), alpha=0.5)]",
    "add_ alpha int other into float": "f = torch.zeros(2); f.add_(torch.tensor([1, 2]), alpha=0.5); out = [f]",
    "sub alpha mixed grads": "a = torch.tensor([1., 2.], requires_grad=True)\n"
                             "b = torch.tensor([3., 4.], dtype=torch.float64, requires_grad=True)\n"
                             "r = torch.sub(a, b, alpha=3); r.sum().backward(); out = [r, a.grad, b.grad]",
}


def _run(lib, source):
    scope = {"torch": lib, "F": lib.nn.functional, "inf": math.inf, "nan": math.nan}
    try:
        exec(source, scope)
    except Exception as error:  # the error class is what is compared
        return type(error).__name__
    return [None if v is None else (str(v.dtype).rsplit(".", 1)[-1], v.detach().numpy().tolist())
            for v in scope["out"]]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_matches_torch(name):
    got, expected = _run(ember, PROGRAMS[name]), _run(torch, PROGRAMS[name])
    if isinstance(expected, str) or isinstance(got, str):
        assert got == expected
        return
    assert len(got) == len(expected)
    for (gd, gv), (ed, ev) in zip(got, expected):
        assert gd == ed
        np.testing.assert_array_equal(np.array(gv), np.array(ev))
