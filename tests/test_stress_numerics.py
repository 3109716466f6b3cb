"""Op semantics under stress (issue 6), with PyTorch 2.13's results written out: fresh results, gradients
at NaN/inf/0, float16 computed in float32, edge inputs that used to crash, contiguous results."""

from __future__ import annotations

import math
import warnings

import pytest

import ember
import ember.nn.functional as F

nan, inf = math.nan, math.inf


def same(got, expected):
    """Lists equal with NaN equal to NaN."""
    return len(got) == len(expected) and all(
        (isinstance(g, float) and math.isnan(g) and math.isnan(e)) or g == e for g, e in zip(got, expected)
    )


def grad_of(op, values, dtype=ember.float32):
    x = ember.tensor(values, dtype=dtype, requires_grad=True)
    op(x).sum().backward()
    return x.grad.tolist()


# ----- fresh results --------------------------------------------------------------------------------------
@pytest.mark.parametrize("values", [[2.0], [[2.0]], 2.0, [2]])
def test_prod_over_size_one_dims_is_not_changed_by_its_input(values):
    x = ember.tensor(values)
    product, along_zero = x.prod(), x.prod(0)
    x.add_(1)
    assert product.item() == 2 and along_zero.reshape(-1).tolist() == [2]


def test_writing_into_a_prod_result_leaves_the_leaf_alone():
    x = ember.tensor([2.0, 3.0], requires_grad=True)
    with ember.no_grad():
        product = x.reshape(1, 2).prod(0)
        product[0] = 5.0
    assert x.tolist() == [2.0, 3.0]


# ----- gradients at special values ------------------------------------------------------------------------
def test_max_and_min_of_all_elements_send_the_gradient_to_the_nan():
    assert grad_of(lambda x: x.max(), [0.0, 1.0, nan, 1.0]) == [0.0, 0.0, 1.0, 0.0]
    assert grad_of(lambda x: x.min(), [0.0, nan, -1.0]) == [0.0, 1.0, 0.0]


def test_amax_and_amin_at_nan_have_nan_gradients():
    assert same(grad_of(lambda x: x.amax(), [0.0, 1.0, nan]), [nan, nan, nan])
    assert same(grad_of(lambda x: x.amin(0), [0.0, nan]), [nan, nan])


def test_sign_of_nan_is_zero_and_abs_and_l1_pass_no_gradient_through_nan():
    assert ember.tensor([nan, -2.0, 0.0]).sign().tolist() == [0.0, -1.0, 0.0]
    assert grad_of(lambda x: x.abs(), [nan, 1.0]) == [0.0, 1.0]
    assert grad_of(lambda x: F.l1_loss(x, x.detach(), reduction="sum"), [inf, nan, 1.0]) == [0.0, 0.0, 0.0]


def test_relu_passes_the_gradient_through_nan():
    assert grad_of(lambda x: x.relu(), [nan, -1.0, 2.0]) == [1.0, 0.0, 1.0]


def test_zero_to_a_power_has_pytorchs_gradients():
    assert grad_of(lambda x: 0**x, [-inf, 0.0, 1.0]) == [-inf, 0.0, 0.0]


@pytest.mark.parametrize(
    "exponent, values, expected",
    [(0, [0.0, 2.0], [0.0, 0.0]), (0.5, [0.0, 4.0], [inf, 0.25]), (-0.5, [0.0, -0.0], [-inf, -inf])],
)
def test_powers_at_zero_have_pytorchs_gradients(exponent, values, expected):
    assert grad_of(lambda x: x**exponent, values) == expected


def test_minus_half_power_of_negative_zero_is_minus_inf():
    assert (ember.tensor([0.0, -0.0]) ** -0.5).tolist() == [inf, -inf]


def test_a_tensor_to_its_own_power_at_zero_has_gradient_zero():
    assert grad_of(lambda x: x**x, [0.0])[0] == 0.0


def test_x_over_x_has_gradient_exactly_zero_for_tiny_x():
    assert grad_of(lambda x: x / x, [1e-30, 2.0]) == [0.0, 0.0]


def test_std_of_equal_values_has_gradient_zero():
    assert grad_of(lambda x: x.std(), [3.0, 3.0, 3.0]) == [0.0, 0.0, 0.0]


def test_variance_without_degrees_of_freedom_is_inf_or_nan_as_in_pytorch():
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        x = ember.tensor([1.0, 2.0], requires_grad=True)
        variance = x.var(correction=2)
    variance.backward()
    assert variance.item() == inf and x.grad.tolist() == [inf, inf]
    with pytest.warns(UserWarning, match="degrees of freedom"):
        assert same(grad_of(lambda x: x.var(correction=2), [1.0, 1.0]), [nan, nan])


def test_std_of_huge_float32_values_is_accumulated_wide():
    assert ember.tensor([1e30, 1.0, 1e30]).std().item() == pytest.approx(5.7735029267188544e29, rel=1e-6)


@pytest.mark.parametrize(
    "values, expected",
    [([0.0, 0.0, 2.0], [0.0, 0.0, 0.0]), ([0.0, inf, 2.0], [inf, 0.0, nan]), ([0.0, 1.0, 2.0], [2.0, 0.0, 0.0])],
)
def test_prod_gradient_next_to_zeros_is_pytorchs(values, expected):
    assert same(grad_of(lambda x: x.prod(), values), expected)


def test_bce_with_logits_at_infinite_logits():
    losses = F.binary_cross_entropy_with_logits(ember.tensor([inf, -inf]), ember.tensor([0.5, 0.5]), reduction="none")
    assert same(losses.tolist(), [inf, nan])


@pytest.mark.parametrize("reduction, expected", [("mean", 1.3132617), ("sum", 1.3132617), ("none", [0.0, 1.3132617])])
def test_an_ignored_row_with_an_infinite_logit_adds_nothing_to_cross_entropy(reduction, expected):
    for grad in (True, False):
        logits = ember.tensor([[inf, 0.0], [1.0, 2.0]], requires_grad=grad)
        loss = F.cross_entropy(logits, ember.tensor([-100, 0]), reduction=reduction)
        assert loss.tolist() == pytest.approx(expected)


# ----- float16 as PyTorch computes it ---------------------------------------------------------------------
def test_float16_sigmoid_of_minus_17_is_the_smallest_half_not_zero():
    x = ember.tensor([-17.0], dtype=ember.float16, requires_grad=True)
    y = x.sigmoid()
    y.backward(ember.ones(1, dtype=ember.float16))
    assert y.item() == 5.960464477539063e-08 and x.grad.item() == 5.960464477539063e-08


def test_float16_log_softmax_of_a_dominant_element_is_zero():
    x = ember.tensor([-1e-5, 11.5, -11.5], dtype=ember.float16)
    assert x.log_softmax(0).tolist()[1] == 0.0


# ----- edge inputs that crashed -----------------------------------------------------------------------
def test_integer_powers_with_negative_integer_exponents():
    assert (ember.tensor([2, -1, 1, 0, 3]) ** ember.tensor([-1, -3, -5, 2, 0])).tolist() == [0, -1, 1, 0, 1]
    assert (1 ** ember.tensor([-1, 2])).tolist() == [1, 1]
    assert ((-1) ** ember.tensor([-1, 2, -2])).tolist() == [-1, 1, 1]
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        ember.tensor([2, -1]) ** -1


def test_integer_powers_with_the_most_negative_exponent():
    """-(2**63) has no positive twin: (-1) ** n must still see it as even, and nothing may raise."""
    x = ember.tensor([-2**63, -2**63 + 1, -3, 2])
    assert (0 ** x).tolist() == [0, 0, 0, 0]
    assert ((-1) ** x).tolist() == [1, -1, -1, 1]
    assert (ember.tensor([1, -1, 2, 2]) ** x).tolist() == [1, -1, 0, 4]


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_of_a_0d_tensor_and_over_an_empty_dim(op):
    assert math.isnan(getattr(ember.tensor(nan), op)(0).item())
    assert math.isnan(getattr(ember.tensor(inf), op)(0).item())
    assert getattr(ember.tensor(3.0), op)(0).item() == (0.0 if op == "log_softmax" else 1.0)
    x = ember.zeros(2, 0, requires_grad=True)
    result = getattr(x, op)(1)
    result.sum().backward()
    assert result.shape == (2, 0) and x.grad.shape == (2, 0)


@pytest.mark.parametrize("inplace", ["fill_", "div_", "copy_", "add_"])
def test_a_0d_where_result_takes_inplace_ops(inplace):
    result = ember.where(ember.tensor(True), ember.tensor(2.0), 0.0)
    argument = ember.tensor(5.0) if inplace == "copy_" else 2.0
    getattr(result, inplace)(argument)
    assert result.item() == {"fill_": 2.0, "div_": 1.0, "copy_": 5.0, "add_": 4.0}[inplace]


def test_mse_loss_on_empty_tensors_backpropagates():
    x = ember.zeros(0, requires_grad=True)
    loss = F.mse_loss(x, ember.zeros(0))
    loss.backward()
    assert math.isnan(loss.item()) and x.grad.shape == (0,)


def test_mse_loss_with_a_bool_target():
    x = ember.tensor([0.5, 0.0], requires_grad=True)
    F.mse_loss(x, ember.tensor([True, False])).backward()
    assert x.grad.tolist() == [-0.5, 0.0]


def test_variance_of_a_0d_tensor_is_nan_with_a_nan_gradient():
    x = ember.tensor(3.0, requires_grad=True)
    with pytest.warns(UserWarning, match="var\\(\\): degrees of freedom"):
        variance = x.var()
    variance.backward()
    assert math.isnan(variance.item()) and math.isnan(x.grad.item())


def test_linear_without_input_features():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = ember.nn.Linear(0, 1)
    y = layer(ember.zeros(3, 0))
    y.sum().backward()
    assert y.shape == (3, 1) and layer.weight.grad.shape == (1, 0) and layer.bias.grad.tolist() == [3.0]


def test_cat_promotes_with_skipped_empty_tensors():
    assert ember.cat([ember.ones(2, dtype=ember.float16), ember.zeros(0)]).dtype == ember.float32
    assert ember.cat([ember.zeros(0, dtype=ember.int64), ember.ones(2, dtype=ember.float16)]).dtype == ember.float16


def test_clamp_with_tensor_bounds_has_pytorchs_gradients():
    x = ember.tensor([1.0, 5.0, 3.0, 2.0], requires_grad=True)
    low = ember.tensor([2.0, 2.0, 3.0, 5.0], requires_grad=True)
    high = ember.tensor([4.0, 4.0, 3.0, 1.0], requires_grad=True)
    result = ember.clamp(x, low, high)
    result.sum().backward()
    assert type(result.grad_fn).__name__ == "ClampBackward0"
    assert result.tolist() == [2.0, 4.0, 3.0, 1.0]
    assert (x.grad.tolist(), low.grad.tolist(), high.grad.tolist()) == (
        [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 1.0])
    with pytest.raises(TypeError):
        ember.clamp(x, low, 3.0)


# ----- contiguous results -------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["softmax", "log_softmax", "sum", "mean", "amax", "var", "prod"])
def test_results_of_transposed_inputs_are_contiguous(op):
    result = getattr(ember.ones(2, 3, 4).transpose(0, 2), op)(-1)
    assert result.is_contiguous()
    assert result.view(-1).shape == (result.numel(),)


def test_cat_of_transposed_inputs_is_contiguous():
    x = ember.ones(2, 3).t()
    assert ember.cat([x, x]).is_contiguous() and ember.stack([x, x]).is_contiguous()
