"""Finite-difference checks (first and second order, float64) of the convolutions, im2col/col2im and the
pools: their backward formulas are compositions of ember ops, so both orders must hold."""

from __future__ import annotations

import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck


def leaves(*shapes):
    ember.manual_seed(0)
    return tuple(ember.randn(*shape, dtype=ember.float64, requires_grad=True) for shape in shapes)


CASES = {
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2),
               [(2, 4, 5, 6), (4, 2, 2, 2), (4,)]),
    "conv2d_same": (lambda x, w: F.conv2d(x, w, padding="same"), [(1, 2, 4, 4), (3, 2, 2, 3)]),
    "conv1d": (lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1), [(2, 3, 7), (2, 3, 3), (2,)]),
    "conv_transpose2d": (lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1,
                                                            groups=2), [(1, 4, 3, 3), (4, 1, 3, 2), (2,)]),
    "conv_transpose1d": (lambda x, w: F.conv_transpose1d(x, w, stride=3, dilation=2), [(2, 2, 3), (2, 3, 2)]),
    "unfold": (lambda x: F.unfold(x, 2, dilation=2, padding=1, stride=2), [(1, 2, 5, 4)]),
    "fold": (lambda x: F.fold(x, (4, 5), 2, padding=1, stride=2), [(1, 8, 9)]),
    "max_pool2d": (lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), [(2, 2, 5, 6)]),
    "max_pool1d": (lambda x: F.max_pool1d(x, 2, dilation=2), [(2, 3, 7)]),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), [(2, 2, 5, 6)]),
    "avg_pool1d": (lambda x: F.avg_pool1d(x, 3, 2, 1), [(2, 3, 7)]),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (2, 3)), [(2, 2, 5, 7)]),
    "adaptive_max_pool2d": (lambda x: F.adaptive_max_pool2d(x, (3, 2)), [(2, 2, 5, 7)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, shapes = CASES[name]
    assert gradcheck(fn, leaves(*shapes)) is True


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradgradcheck(name):
    fn, shapes = CASES[name]
    assert gradgradcheck(fn, leaves(*shapes)) is True
