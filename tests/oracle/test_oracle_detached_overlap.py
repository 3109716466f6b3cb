"""Memory overlap seen through `detach()` of a view against PyTorch: the detached tensor is no view for
autograd but still uses the base's memory, so a write sharing part of it with what it reads is PyTorch's
"unsupported operation" RuntimeError, and a full overlap is allowed."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def _partial_mul(lib, detach):
    t3 = lib.tensor([1.0, 2.0]).sigmoid()[:1].reshape(())
    _detached(t3.reshape(-1), detach).mul_(t3)
    return t3


def _stepped_sub(lib, detach):
    t5 = lib.tensor([1.0]).abs()
    t5.sub_(_detached(t5[::2], detach))
    return t5


def _shifted_add(lib, detach):
    x = lib.zeros(4)
    x[1:3].add_(_detached(x[:2], detach))
    return x


def _shifted_add_into_detached(lib, detach):
    x = lib.arange(4.0)
    _detached(x[1:3], detach).add_(x[:2])
    return x


def _copy_shifted(lib, detach):
    x = lib.arange(4.0)
    x[1:3].copy_(_detached(x[:2], detach))
    return x


def _out_shifted(lib, detach):
    x = lib.arange(4.0)
    lib.add(x[:2], 1.0, out=_detached(x[1:3], detach))
    return x


def _same_elements(lib, detach):
    x = lib.arange(4.0)
    x[1:3].mul_(_detached(x[1:3], detach))  # a full overlap: allowed
    return x


def _disjoint(lib, detach):
    x = lib.arange(4.0)
    x[:2].add_(_detached(x[2:], detach))
    return x


def _transposed(lib, detach):
    x = lib.arange(4.0).reshape(2, 2)
    x.t().mul_(_detached(x[:], detach))
    return x


def _detached(t, how):
    return t.detach() if how == "detach" else t.detach().detach()


CASES = {f.__name__[1:]: f for f in (_partial_mul, _stepped_sub, _shifted_add, _shifted_add_into_detached,
                                     _copy_shifted, _out_shifted, _same_elements, _disjoint, _transposed)}


def _outcome(lib, case, detach):
    try:
        result = CASES[case](lib, detach)
    except RuntimeError as error:
        return "RuntimeError", str(error)
    return np.array(result.tolist())


@pytest.mark.parametrize("detach", ("detach", "detach twice"))
@pytest.mark.parametrize("case", list(CASES))
def test_overlap_through_a_detached_view_is_pytorchs(case, detach):
    expected, got = _outcome(torch, case, detach), _outcome(ember, case, detach)
    if isinstance(expected, tuple):
        assert got == expected
    else:
        np.testing.assert_array_equal(got, expected)
