"""linear's fast paths (issue 7): the CPU addmm kernel's transposed product for few rows, and
AddmmBackward0's gradients computed on buffers without create_graph or a profiler. Each must give what the
op path gives, in the same layouts."""
import numpy as np
import pytest

import ember
from ember.nn.functional.linear import AddmmBackward0

addmm = ember.zeros(1)._device.kernels.addmm  # the CPU backend's fused kernel


def _operands(rows, inner, columns, dtype=np.float32):
    rng = np.random.default_rng(rows * 1000 + columns)
    return (rng.standard_normal(columns).astype(dtype), rng.standard_normal((rows, inner)).astype(dtype),
            rng.standard_normal((columns, inner)).astype(dtype))


@pytest.mark.parametrize("rows, columns", [(1, 2), (8, 256), (64, 128), (64, 100), (65, 256), (200, 10)])
def test_addmm_kernel_gives_a_row_major_product_plus_bias(rows, columns):
    bias, a, weight = _operands(rows, 48, columns)
    result = addmm(bias, a, weight.T)
    assert result.shape == (rows, columns) and result.flags.c_contiguous and result.dtype == np.float32
    expected = a.astype(np.float64) @ weight.T.astype(np.float64) + bias
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-5)


def test_addmm_kernel_broadcasts_other_bias_shapes_and_keeps_float64():
    bias, a, weight = _operands(4, 16, 32, np.float64)
    for b in (bias[None, :], np.full((4, 32), 0.5), np.float64(2.0)):
        np.testing.assert_allclose(addmm(b, a, weight.T), a @ weight.T + b, rtol=1e-12)


def _linear_grads(batch, dtype, *, create_graph=False, profile=False, input_grad=True):
    rng = np.random.default_rng(batch)
    x = ember.tensor(rng.standard_normal((batch, 12)), dtype=dtype, requires_grad=input_grad)
    ember.manual_seed(batch)
    layer = ember.nn.Linear(12, 7).to(dtype)
    out = ember.nn.functional.linear(x, layer.weight, layer.bias)
    if profile:
        with ember.autograd.profiler.profile():
            (out * out).sum().backward(create_graph=create_graph)
    else:
        (out * out).sum().backward(create_graph=create_graph)
    return x, layer


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
@pytest.mark.parametrize("input_grad", [True, False])
def test_buffer_backward_matches_the_op_path(dtype, input_grad, monkeypatch):
    calls = []
    on_buffers = AddmmBackward0._on_buffers
    monkeypatch.setattr(AddmmBackward0, "_on_buffers", lambda *args: calls.append(1) or on_buffers(*args))
    fast_x, fast = _linear_grads(5, dtype, input_grad=input_grad)
    assert calls == [1]
    slow_x, slow = _linear_grads(5, dtype, profile=True, input_grad=input_grad)
    assert calls == [1]  # a profiler sees the ops: the op path
    for a, b in ((fast.weight.grad, slow.weight.grad), (fast.bias.grad, slow.bias.grad)) + \
            (((fast_x.grad, slow_x.grad),) if input_grad else ()):
        assert a.shape == b.shape and a.dtype is b.dtype and a.stride() == b.stride()
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert (fast_x.grad is None) is (not input_grad)
    assert fast.weight.grad.is_contiguous()


def test_create_graph_still_records_the_gradients():
    x, layer = _linear_grads(3, ember.float64, create_graph=True)
    assert layer.weight.grad.requires_grad and layer.weight.grad.grad_fn is not None
    assert x.grad.grad_fn is not None
    x.grad.sum().backward()  # the gradient's own graph runs
    assert layer.bias.grad is not None


def test_float16_takes_the_op_path_and_sums_in_float32():
    weight = ember.ones(3, 4, dtype=ember.float16, requires_grad=True)
    bias = ember.zeros(3, dtype=ember.float16, requires_grad=True)
    x = ember.full((4096, 4), 1.0, dtype=ember.float16)
    ember.nn.functional.linear(x, weight, bias).sum().backward()
    # 4096 ones summed in float16 one by one would stop at 2048; PyTorch's float32 accumulation gives 4096
    assert bias.grad.tolist() == [4096.0, 4096.0, 4096.0]


def test_weight_grad_is_not_a_view_but_a_hook_sees_one():
    """PyTorch keeps TBackward0's gradient detached as .grad (``_base`` None, row-major); a tensor hook on the
    weight is handed the view itself. Both through the buffer path that skips making the view."""
    seen = []
    for hooked in (False, True):
        layer = ember.nn.Linear(4, 3)
        if hooked:
            layer.weight.register_hook(lambda g: seen.append(g._base is not None))
        layer(ember.randn(5, 4)).sum().backward()
        grad = layer.weight.grad
        assert grad._base is None and grad.is_contiguous() and grad.stride() == (4, 1)
    assert seen == [True]
    leaf = ember.randn(3, 3, requires_grad=True)
    leaf.t().backward(ember.randn(3, 3).t())  # a transposed view as the root gradient, as PyTorch: detached
    assert leaf.grad._base is None
