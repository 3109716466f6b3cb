"""ember.autograd's public API behaves as PyTorch's: grad modes, hooks, custom Functions, autograd.grad,
anomaly detection, Variable and in-place changes of views. Every expectation was checked against
PyTorch 2.13; the tests that replay an expression in PyTorch need torch installed."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import ember as torch
from ember.autograd import Function, Variable
from ember.autograd.function import once_differentiable


def assert_values(tensor, expected):
    np.testing.assert_allclose(tensor.detach().numpy(), np.asarray(expected, dtype=np.float64), rtol=1e-6)


def leaf(*values):
    return torch.tensor(list(values), requires_grad=True)


# --- grad modes ------------------------------------------------------------------------------------------


def test_no_grad_context_stops_recording_and_restores_the_mode():
    x = leaf(1.0, 2.0)
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        y = x * 2
    assert torch.is_grad_enabled()
    assert y.grad_fn is None and not y.requires_grad


def test_enable_grad_records_inside_no_grad():
    x = leaf(1.0, 2.0)
    with torch.no_grad():
        with torch.enable_grad():
            y = x * 2
        z = x * 2
    assert type(y.grad_fn).__name__ == "MulBackward0"
    assert z.grad_fn is None


def test_set_grad_enabled_as_context_manager_restores_the_previous_mode():
    x = leaf(1.0)
    with torch.set_grad_enabled(False):
        y = x * 2
    assert torch.is_grad_enabled()
    with torch.no_grad():
        with torch.set_grad_enabled(True):
            z = x * 2
        assert not torch.is_grad_enabled()
    assert y.grad_fn is None
    assert z.requires_grad


def test_set_grad_enabled_called_as_a_function_takes_effect_immediately():
    try:
        torch.set_grad_enabled(False)
        assert not torch.is_grad_enabled()
        assert not (leaf(1.0) * 2).requires_grad
    finally:
        torch.set_grad_enabled(True)
    assert torch.is_grad_enabled()


def test_inference_mode_stops_recording():
    x = leaf(1.0)
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled() and not torch.is_grad_enabled()
        y = x * 2
    assert not torch.is_inference_mode_enabled() and torch.is_grad_enabled()
    assert not y.requires_grad


def test_inference_mode_false_leaves_recording_on():
    x = leaf(1.0)
    with torch.inference_mode(False):
        y = x * 2
    assert y.requires_grad


def test_no_grad_with_parentheses_decorates_a_function():
    @torch.no_grad()
    def double(t):
        return t * 2

    assert not double(leaf(1.0)).requires_grad
    assert torch.is_grad_enabled()


def test_bare_no_grad_decorates_a_function():
    @torch.no_grad
    def double(t):
        return t * 2

    assert double.__name__ == "double"
    assert not double(leaf(1.0)).requires_grad
    assert torch.is_grad_enabled()


def test_enable_grad_decorator_records_inside_no_grad():
    @torch.enable_grad()
    def double(t):
        return t * 2

    with torch.no_grad():
        y = double(leaf(1.0))
        assert not torch.is_grad_enabled()
    assert y.requires_grad


def test_no_grad_decorated_generator_disables_grad_only_while_it_runs():
    @torch.no_grad()
    def modes():
        for _ in range(2):
            yield torch.is_grad_enabled()

    seen = []
    for inside in modes():
        seen.append((inside, torch.is_grad_enabled()))
    assert seen == [(False, True), (False, True)]


def test_nested_modes_restore_each_outer_mode_on_exit():
    with torch.no_grad():
        with torch.enable_grad():
            with torch.no_grad():
                assert not torch.is_grad_enabled()
            assert torch.is_grad_enabled()
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()


def test_no_grad_restores_the_mode_when_the_block_raises():
    with pytest.raises(ValueError), torch.no_grad():
        raise ValueError("boom")
    assert torch.is_grad_enabled()


def test_grad_mode_is_thread_local():
    disabled, checked = threading.Event(), threading.Event()
    seen_in_thread = []

    def worker():
        with torch.no_grad():
            disabled.set()
            checked.wait(timeout=10)
            seen_in_thread.append(torch.is_grad_enabled())

    thread = threading.Thread(target=worker)
    thread.start()
    assert disabled.wait(timeout=10)
    try:
        assert torch.is_grad_enabled()
        assert (leaf(1.0) * 2).requires_grad
    finally:
        checked.set()
        thread.join(timeout=10)
    assert seen_in_thread == [False]


def test_a_new_thread_starts_with_grad_enabled_under_no_grad():
    seen = []
    with torch.no_grad():
        thread = threading.Thread(target=lambda: seen.append(torch.is_grad_enabled()))
        thread.start()
        thread.join(timeout=10)
    assert seen == [True]


# --- hooks -----------------------------------------------------------------------------------------------


def test_hook_on_a_leaf_sees_its_gradient():
    x = leaf(1.0, 2.0)
    seen = []
    x.register_hook(lambda grad: seen.append(grad.clone()))
    (x * 3).sum().backward()
    assert len(seen) == 1
    assert_values(seen[0], [3.0, 3.0])


def test_hook_on_a_leaf_returning_a_tensor_replaces_the_accumulated_gradient():
    x = leaf(1.0, 2.0)
    x.register_hook(lambda grad: grad * 10)
    (x * 3).sum().backward()
    assert_values(x.grad, [30.0, 30.0])


def test_hook_on_a_non_leaf_sees_the_gradient_flowing_through_it():
    x = leaf(1.0, 2.0)
    y = x * 3
    seen = []
    y.register_hook(lambda grad: seen.append(grad.clone()))
    (y * y).sum().backward()
    assert_values(seen[0], [6.0, 12.0])


def test_hook_on_a_non_leaf_returning_a_tensor_replaces_the_gradient_upstream():
    x = leaf(1.0, 2.0)
    y = x * 3
    y.register_hook(lambda grad: torch.ones_like(grad))
    (y * y).sum().backward()
    assert_values(x.grad, [3.0, 3.0])


def test_removed_hook_is_not_called():
    x = leaf(1.0)
    calls = []
    handle = x.register_hook(lambda grad: calls.append(grad))
    handle.remove()
    (x * 2).sum().backward()
    assert calls == []
    assert_values(x.grad, [2.0])


def test_hook_on_a_tensor_without_grad_raises():
    message = "cannot register a hook on a tensor that doesn't require gradient"
    with pytest.raises(RuntimeError, match=message):
        torch.ones(2).register_hook(lambda grad: grad)


def test_retain_grad_keeps_the_gradient_of_a_non_leaf():
    x = leaf(1.0, 2.0)
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    assert y.retains_grad
    assert_values(y.grad, [6.0, 12.0])


def test_node_hook_sees_grad_inputs_and_grad_outputs():
    x = leaf(0.0, 1.0)
    y = x.exp()
    seen = []
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append((grad_inputs, grad_outputs)))
    (y * 2).sum().backward()
    (grad_inputs, grad_outputs), = seen
    assert_values(grad_outputs[0], [2.0, 2.0])
    assert_values(grad_inputs[0], [2.0, 2.0 * np.e])


def test_node_hook_returning_grad_inputs_replaces_them():
    x = leaf(0.0, 1.0)
    y = x.exp()
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (torch.full_like(grad_inputs[0], 7.0),))
    y.sum().backward()
    assert_values(x.grad, [7.0, 7.0])


def test_node_prehook_returning_grad_outputs_replaces_them_before_backward():
    x = leaf(0.0, 1.0)
    y = x.exp()
    y.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 10,))
    y.sum().backward()
    assert_values(x.grad, [10.0, 10.0 * np.e])


# --- custom Functions ------------------------------------------------------------------------------------


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return 2 * x * grad


class Cube(Function):
    """x**3 with a backward written in differentiable ops, so it can be differentiated again."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return 3 * x ** 2 * grad


def test_function_backward_uses_saved_tensors():
    x = leaf(1.0, 3.0)
    y = Square.apply(x)
    assert_values(y, [1.0, 9.0])
    y.sum().backward()
    assert_values(x.grad, [2.0, 6.0])


def test_function_grad_fn_is_named_after_the_function():
    y = Square.apply(leaf(1.0))
    assert type(y.grad_fn).__name__ == "SquareBackward"
    assert y.grad_fn.name() == "SquareBackward"


def test_function_ctx_needs_input_grad_tells_which_inputs_want_a_gradient():
    seen = []

    class Product(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen.append(ctx.needs_input_grad)
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad * b, grad * a

    Product.apply(leaf(1.0), torch.tensor([2.0]))
    assert seen == [(True, False)]


def test_function_takes_non_tensor_arguments_with_none_gradients():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, factor):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.factor, None

    x = leaf(1.0, 2.0)
    Scale.apply(x, 2.5).sum().backward()
    assert_values(x.grad, [2.5, 2.5])


def test_function_with_several_outputs_gets_one_gradient_per_output():
    class TwoMultiples(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, grad_double, grad_triple):
            return 2 * grad_double + 3 * grad_triple

    x = leaf(1.0, 2.0)
    double, triple = TwoMultiples.apply(x)
    (double * 10 + triple).sum().backward()
    assert_values(x.grad, [23.0, 23.0])


def test_mark_non_differentiable_output_does_not_require_grad():
    class WithMask(Function):
        @staticmethod
        def forward(ctx, x):
            mask = (x > 0).float()
            ctx.mark_non_differentiable(mask)
            return x * 2, mask

        @staticmethod
        def backward(ctx, grad, grad_mask):
            return grad * 2

    doubled, mask = WithMask.apply(leaf(-1.0, 1.0))
    assert doubled.requires_grad
    assert not mask.requires_grad and mask.grad_fn is None
    assert_values(mask, [0.0, 1.0])


def test_mark_dirty_returns_the_input_modified_in_place_with_the_function_history():
    class DoubleInPlace(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    a = leaf(1.0, 2.0)
    y = a.clone()
    out = DoubleInPlace.apply(y)
    assert out is y
    assert type(y.grad_fn).__name__ == "DoubleInPlaceBackward"
    assert_values(y, [2.0, 4.0])
    (y * 3).sum().backward()
    assert_values(a.grad, [6.0, 6.0])


def test_unused_output_gradient_reaches_backward_as_zeros_by_default():
    seen = []

    class Pair(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1, x * 1

        @staticmethod
        def backward(ctx, grad_first, grad_second):
            seen.append(grad_second)
            return grad_first

    first, _ = Pair.apply(leaf(1.0, 2.0))
    first.sum().backward()
    assert_values(seen[0], [0.0, 0.0])


def test_set_materialize_grads_false_passes_none_for_an_unused_output():
    seen = []

    class Pair(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 1

        @staticmethod
        def backward(ctx, grad_first, grad_second):
            seen.append(grad_second)
            return grad_first

    x = leaf(1.0, 2.0)
    first, _ = Pair.apply(x)
    first.sum().backward()
    assert seen == [None]
    assert_values(x.grad, [1.0, 1.0])


def test_function_with_setup_context_has_a_forward_without_ctx():
    class SquareWithSetup(Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return 2 * x * grad

    x = leaf(1.0, 3.0)
    SquareWithSetup.apply(x).sum().backward()
    assert_values(x.grad, [2.0, 6.0])


def test_once_differentiable_backward_runs_with_grad_mode_off():
    modes = []

    class Doubled(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            modes.append(torch.is_grad_enabled())
            return grad * 2

    x = leaf(1.0)
    torch.autograd.grad(Doubled.apply(x).sum(), x, create_graph=True)
    assert modes == [False]


def test_double_backward_through_a_function_with_a_differentiable_backward():
    x = leaf(1.0, 2.0)
    dy, = torch.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    assert_values(dy, [3.0, 12.0])
    d2y, = torch.autograd.grad(dy.sum(), x)
    assert_values(d2y, [6.0, 12.0])


def test_backward_returning_too_few_gradients_raises():
    class Product(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad

    y = Product.apply(leaf(1.0), leaf(2.0))
    with pytest.raises(RuntimeError, match=r"ProductBackward returned an incorrect number of gradients "
                                           r"\(expected 2, got 1\)"):
        y.sum().backward()


def test_backward_returning_too_many_gradients_raises():
    class Doubled(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2, grad

    y = Doubled.apply(leaf(1.0))
    with pytest.raises(RuntimeError, match=r"DoubledBackward returned an incorrect number of gradients "
                                           r"\(expected 1, got 2\)"):
        y.sum().backward()


# --- autograd.grad and backward --------------------------------------------------------------------------


def test_grad_returns_one_gradient_per_input_and_leaves_grad_unset():
    a, b = leaf(2.0), leaf(3.0)
    grad_a, grad_b = torch.autograd.grad((a * b).sum(), (a, b))
    assert_values(grad_a, [3.0])
    assert_values(grad_b, [2.0])
    assert a.grad is None and b.grad is None


def test_grad_of_an_unused_input_raises_without_allow_unused():
    a, unused = leaf(2.0), leaf(3.0)
    message = ("The differentiated Tensor at index 1 appears to not have been used in the graph. "
               "Set allow_unused=True")
    with pytest.raises(RuntimeError, match=message):
        torch.autograd.grad((a * 2).sum(), (a, unused))


def test_grad_of_an_unused_input_is_none_with_allow_unused():
    a, unused = leaf(2.0), leaf(3.0)
    grad_a, grad_unused = torch.autograd.grad((a * 2).sum(), (a, unused), allow_unused=True)
    assert_values(grad_a, [2.0])
    assert grad_unused is None


def test_grad_with_create_graph_gives_the_second_derivative():
    x = leaf(1.0, 2.0, -3.0)
    dy, = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    assert dy.requires_grad
    d2y, = torch.autograd.grad(dy.sum(), x)
    assert_values(d2y, [6.0, 12.0, -18.0])


def test_grad_of_a_non_scalar_output_takes_grad_outputs():
    x = leaf(1.0, 2.0)
    grad_x, = torch.autograd.grad(x * x, x, grad_outputs=torch.tensor([1.0, 10.0]))
    assert_values(grad_x, [2.0, 40.0])


def test_grad_with_retain_graph_can_run_twice():
    x = leaf(1.0, 2.0)
    y = (x * x).sum()
    first, = torch.autograd.grad(y, x, retain_graph=True)
    second, = torch.autograd.grad(y, x)
    assert_values(first, [2.0, 4.0])
    assert_values(second, [2.0, 4.0])


def test_backward_with_inputs_accumulates_only_into_the_listed_tensors():
    a, b = leaf(2.0), leaf(3.0)
    (a * b).sum().backward(inputs=[a])
    assert_values(a.grad, [3.0])
    assert b.grad is None


def test_backward_twice_with_retain_graph_accumulates():
    x = leaf(1.0, 2.0)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert_values(x.grad, [4.0, 8.0])


# --- anomaly detection -----------------------------------------------------------------------------------


def nan_gradient_graph():
    """sqrt at 0 has an infinite derivative; times the zero gradient of `* 0` it makes 0 * inf = nan."""
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    return x, (x.sqrt() * 0).sum()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_detect_anomaly_names_the_node_that_returned_nan():
    with torch.autograd.detect_anomaly():
        _, loss = nan_gradient_graph()
        message = r"Function 'SqrtBackward0' returned nan values in its 0th output"
        with pytest.raises(RuntimeError, match=message):
            loss.backward()


def test_nan_gradient_outside_detect_anomaly_does_not_raise():
    x, loss = nan_gradient_graph()
    loss.backward()
    assert np.isnan(x.grad.numpy()[0])


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_set_detect_anomaly_switches_detection_on_and_off():
    try:
        torch.autograd.set_detect_anomaly(True)
        assert torch.is_anomaly_enabled()
        _, loss = nan_gradient_graph()
        with pytest.raises(RuntimeError, match="SqrtBackward0"):
            loss.backward()
    finally:
        torch.autograd.set_detect_anomaly(False)
    assert not torch.is_anomaly_enabled()
    nan_gradient_graph()[1].backward()


# --- Variable --------------------------------------------------------------------------------------------


def test_variable_with_requires_grad_is_a_new_leaf_sharing_the_storage():
    t = torch.ones(2)
    v = Variable(t, requires_grad=True)
    assert v is not t
    assert v.requires_grad and v.is_leaf
    assert not t.requires_grad
    with torch.no_grad():
        v.add_(1)
    assert_values(t, [2.0, 2.0])


def test_variable_of_a_non_leaf_is_detached_from_its_graph():
    y = leaf(1.0) * 2
    v = Variable(y)
    assert v.grad_fn is None and not v.requires_grad
    assert y.requires_grad


def test_every_tensor_is_an_instance_of_variable():
    assert isinstance(torch.ones(2), Variable)
    assert not isinstance(np.ones(2), Variable)


# --- in-place changes of non-leaf tensors ----------------------------------------------------------------


def test_inplace_change_of_a_view_of_a_non_leaf_flows_the_gradient_like_torch():
    real_torch = pytest.importorskip("torch")
    grads = []
    for lib in (torch, real_torch):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y[1:].mul_(3)
        (y * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        assert type(y.grad_fn).__name__ == "CopySlices"
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1])


def test_index_assignment_of_a_tensor_requiring_grad_flows_the_gradient_like_torch():
    real_torch = pytest.importorskip("torch")
    grads = []
    for lib in (torch, real_torch):
        w = lib.tensor(5.0, requires_grad=True)
        out = lib.zeros(3)
        out[1] = w
        assert out.requires_grad and type(out.grad_fn).__name__ == "CopySlices"
        (out * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        grads.append(w.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1])
    np.testing.assert_allclose(grads[0], 2.0)
