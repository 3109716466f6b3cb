"""Fixes of the differential fuzzer's divergences (issue 6), with PyTorch 2.13's results written out."""

from __future__ import annotations

import math

import pytest

import ember

nan, inf = math.nan, math.inf


def test_bool_add_with_alpha_stays_bool():
    t = ember.tensor([True, False])
    assert ember.add(t, t, alpha=2).dtype is ember.bool
    assert ember.add(t, t, alpha=-1).tolist() == [True, False]
    assert ember.add(ember.tensor([False, True]), ember.tensor([True, True]), alpha=0).tolist() == [False, True]
    x = ember.tensor(True)
    x.add_(x, alpha=2)
    assert x.item() is True


def test_alpha_does_not_change_the_result_dtype():
    h = ember.tensor([-1.0], dtype=ember.float16)
    r = ember.sub(h, ember.tensor([4]), alpha=0.5)
    assert r.dtype is ember.float16 and r.tolist() == [-3.0]
    f = ember.zeros(2)
    f.add_(ember.tensor([1, 2]), alpha=0.5)
    assert f.tolist() == [0.5, 1.0]


def test_alpha_gradient_on_mixed_dtypes():
    a = ember.tensor([1., 2.], requires_grad=True)
    b = ember.tensor([3., 4.], dtype=ember.float64, requires_grad=True)
    ember.sub(a, b, alpha=3).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [-3.0, -3.0]
    assert b.grad.dtype is ember.float64
