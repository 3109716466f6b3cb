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


SHARED = "some elements of the input tensor and the written-to tensor refer to a single memory location"


@pytest.mark.parametrize("write", [
    lambda x: x.__setitem__(None, x),                          # [None] = itself
    lambda x: x.view(1, 1).__setitem__(0, x.view(1, 1)),       # [int] = its (1, 1) self
    lambda x: x.view(1, 1).__setitem__((slice(None), 0), x.view(1, 1)),
    lambda x: x.__setitem__(Ellipsis, x.unsqueeze(-2)),
])
def test_setitem_of_itself_through_another_shape_is_refused(write):
    x = ember.tensor([1.0])
    with pytest.raises(RuntimeError, match=SHARED):
        write(x)


def test_setitem_of_itself_same_shape_is_fine():
    x = ember.tensor([1.0, 2.0, 3.0])
    x[...] = x
    x[:] = x
    assert x.tolist() == [1.0, 2.0, 3.0]


def test_setitem_one_element_value_is_a_copy():
    x = ember.tensor([1.0], requires_grad=True)
    t = ember.cat([x, x], 0)
    with ember.no_grad():
        v = x[...] * 3
    t[...] = v
    assert type(t.grad_fn).__name__ == "CopyBackwards"
    t.sum().backward()
    assert x.grad.tolist() == [0.0]


def test_expand_of_a_0d_tensor_strides_zero():
    assert ember.tensor(1.0).expand(1, 1).stride() == (0, 0)
    assert ember.tensor([1.0]).expand(1, 1).stride() == (1, 1)


def test_setitem_bool_mask_rules():
    x = ember.tensor(-3)
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match"):
        x[x > 0] = ember.tensor(nan)  # a 0-d mask is an int index: no masked fill
    y = ember.zeros(3, dtype=ember.int64)
    y[y == 0] = ember.tensor(2.5)
    assert y.tolist() == [2, 2, 2]
    with pytest.raises(RuntimeError, match="value cannot be converted to type int64_t without overflow"):
        y[y == 2] = ember.tensor(nan)
    z = ember.zeros(2)
    with pytest.raises(RuntimeError, match="value cannot be converted to type float without overflow"):
        z[z > 0] = ember.tensor(1e300, dtype=ember.float64)


def test_setitem_index_into_an_empty_dim_is_an_index_error_first():
    with pytest.raises(IndexError, match="index is out of bounds for dimension with size 0"):
        ember.zeros(0)[[0]] = ember.tensor(True)


def test_narrow_scalar_exponent_and_fill():
    with pytest.raises(RuntimeError, match="value cannot be converted to type c10::Half without overflow"):
        ember.tensor([1.0], dtype=ember.float16) ** 1e30
    assert (ember.tensor([1.0]) ** 1e300).tolist() == [1.0]
    one = ember.tensor([1.0], dtype=ember.float16)
    one.fill_(1e30)
    assert one.tolist() == [inf]
    with pytest.raises(RuntimeError, match="without overflow"):
        ember.zeros(2, dtype=ember.float16).fill_(1e30)


def test_zero_gradients_stop_nan():
    """Overwritten values and ignored targets get gradient 0, not 0 * NaN (PyTorch's)."""
    x = ember.tensor([1.0], requires_grad=True)
    t = ember.nn.functional.nll_loss(x, ember.tensor(1), reduction="sum", ignore_index=1)
    t.mul_(nan)
    t.backward()
    assert x.grad.tolist() == [0.0]
    x = ember.tensor([-1.0], requires_grad=True)
    t = x - x
    t[::2] = -2.5
    t.sqrt_()
    t.sum().backward()
    assert x.grad.tolist() == [0.0]
    x = ember.tensor([[-1.0, 1.0, 1.0]], dtype=ember.float64, requires_grad=True)
    t = x * -0.0
    t[ember.tensor([0, -1])] = inf
    ember.nn.functional.log_softmax(t, dim=-1).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 0.0]]
    x = ember.tensor([1.0, 0.0], requires_grad=True)
    (x ** False).sum().backward()
    assert same(x.grad.tolist(), [0.0, nan])


def test_nll_loss_of_a_1d_input_is_plus_zero():
    for reduction in ("none", "sum", "mean"):
        loss = ember.nn.functional.nll_loss(ember.zeros(2), ember.tensor(0), reduction=reduction)
        assert (loss ** -1).item() == inf
    assert (ember.nn.functional.nll_loss(ember.zeros(1, 2), ember.tensor([0]), reduction="none") ** -1).tolist() \
        == [-inf]


def test_softmax_of_integers():
    empty = ember.zeros(0, dtype=ember.bool)
    assert ember.nn.functional.log_softmax(empty, 0).dtype is ember.bool
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        ember.tensor([1, 2]).softmax(0)


def test_autograd_bookkeeping():
    x = ember.ones(2, requires_grad=True)
    y = (x * 2).sum()
    x.requires_grad_(False)
    y.backward()
    assert x.grad is None
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    t = x * 1
    t.retain_grad()
    t[0:1].mul_(3)
    t.sum().backward()
    assert t.grad.tolist() == [1.0, 1.0] and x.grad.tolist() == [3.0, 1.0]
    x = ember.tensor([1.0], requires_grad=True)
    (x * x).sum().backward(create_graph=True)
    x.sum().backward()
    assert x.grad.requires_grad and x.grad.tolist() == [3.0]


def same(got, expected):
    """Lists equal with NaN equal to NaN."""
    return len(got) == len(expected) and all(
        (isinstance(g, float) and math.isnan(g) and math.isnan(e)) or g == e for g, e in zip(got, expected))


def test_signed_zeros_of_relu_and_cross_entropy():
    assert (ember.tensor([1.0, -0.0]).relu() ** -1).tolist() == [1.0, -inf]
    losses = ember.nn.functional.cross_entropy(ember.zeros(2, 1), ember.tensor([0, 0]), reduction="none")
    assert (losses ** -1).tolist() == [-inf, -inf]


@pytest.mark.filterwarnings("ignore:Use of index_put_ on expanded tensors")
def test_setitem_at_indices_of_a_broadcast_view_writes_the_shared_memory():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    t = x * 1
    v = t.expand(2, -1)
    v[[0]] = ember.tensor(2.5)
    assert t.tolist() == [2.5, 2.5] and v.tolist() == [[2.5, 2.5], [2.5, 2.5]]


def test_in_place_on_a_create_graph_gradient_is_recorded():
    x = ember.tensor([-1.0, 2.0], requires_grad=True)
    g, = ember.autograd.grad((x * 1).sum(), [x], create_graph=True)
    g[0:1].mul_(x[1:])
    assert type(g.grad_fn).__name__ == "CopySlices" and g.tolist() == [2.0, 1.0]
    (g * ember.tensor([3.0, 5.0])).sum().backward()
    assert x.grad.tolist() == [0.0, 3.0]


def test_prod_result_is_not_a_view():
    t = ember.zeros(0).prod()
    x = ember.tensor(-1.0, requires_grad=True)
    t.mul_(x)
    assert type(t.grad_fn).__name__ == "MulBackward0" and t._base is None


def test_overlap_with_a_tensor_detached_from_the_base():
    x = ember.tensor(3)
    with pytest.raises(RuntimeError, match=SHARED):
        x.reshape(-1).mul_(x.detach())
    y = ember.tensor([-1.0], requires_grad=True)
    t, _ = y.min(-1, keepdim=True)
    with pytest.raises(RuntimeError, match=SHARED):
        t[::2] = t.detach()
    z = ember.zeros(3)
    z.add_(z.detach())  # the very same elements: allowed
