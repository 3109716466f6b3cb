"""Fast paths of the MLP training step (issue 7, performance): each must give the bits of the general path
it shortcuts, in the same layout."""
import numpy as np
import pytest

import ember

kernels = ember.zeros(1)._device.kernels  # the CPU backend's


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_momentum_sgd_kernel_matches_the_composed_update(dtype):
    """sgd_step's momentum-only loop against SGD(fused=False)'s in-place ops, over three steps (the
    first makes the buffers)."""
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(shape) for shape in ((5, 7), (7,), (3, 5), (1,))]
    grads = [[rng.standard_normal(v.shape) for v in values] for _ in range(3)]
    results = []
    for fused in (None, False):
        params = [ember.tensor(v, dtype=dtype, requires_grad=True) for v in values]
        optimizer = ember.optim.SGD(params, lr=0.1, momentum=0.9, fused=fused)
        for step in grads:
            for p, g in zip(params, step):
                p.grad = ember.tensor(g, dtype=dtype)
            optimizer.step()
        results.append([p.detach().numpy() for p in params] +
                       [optimizer.state[p]["momentum_buffer"].numpy() for p in params])
    for fast, composed in zip(*results):
        np.testing.assert_array_equal(fast, composed)


def test_momentum_sgd_kernel_keeps_the_first_gradient_as_a_copy():
    grad = np.ones(3, np.float32)
    param = np.zeros(3, np.float32)
    (buf,) = kernels.sgd_step([param], [grad], [None], 0.5, 0.9, 0, 0, False, False)
    assert buf is not grad and np.array_equal(buf, grad)
    assert param.tolist() == [-0.5, -0.5, -0.5]


def test_sgd_step_runs_with_grad_mode_restored():
    p = ember.ones(2, requires_grad=True)
    p.grad = ember.ones(2)
    optimizer = ember.optim.SGD([p], lr=1.0, momentum=0.9)
    optimizer.step()
    assert ember.is_grad_enabled()
    with ember.no_grad():
        optimizer.step()
        assert not ember.is_grad_enabled()


@pytest.mark.parametrize("layout", ["same", "transposed", "broadcast"])
@pytest.mark.parametrize("keep", [True, False])
def test_where_with_zero_matches_numpy_in_every_layout(layout, keep):
    """where(cond, x, 0) / where(cond, 0, x) write into the mask's buffer only when it has x's layout."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    x[0, 0], x[1, 1], x[2, 2] = np.nan, np.inf, -0.0
    cond = rng.standard_normal((6, 4)) > 0
    if layout == "transposed":
        cond = np.ascontiguousarray(cond.T).T
    elif layout == "broadcast":
        cond = cond[:1]
    result = kernels.where(cond, x, 0.0) if keep else kernels.where(cond, 0.0, x)
    expected = np.where(cond, x, np.float32(0)) if keep else np.where(cond, np.float32(0), x)
    assert result.shape == expected.shape and result.dtype == np.float32
    np.testing.assert_array_equal(result.view(np.uint32), expected.view(np.uint32))


def test_threshold_backward_passes_nan_and_infinite_gradients_bit_for_bit():
    x = np.array([[-1.0, 0.0, 2.0, np.nan]], np.float32)
    grad = np.array([[np.nan, np.inf, -0.0, 3.0]], np.float32)
    result = kernels.threshold_backward(grad, x, 0.0)
    assert result.view(np.uint32).tolist() == np.array([[0.0, 0.0, -0.0, 3.0]], np.float32).view(np.uint32).tolist()


def _short_rows():
    """(64, 10) float32 rows with NaN, infinities and signed zeros among them."""
    x = np.random.default_rng(2).standard_normal((64, 10)).astype(np.float32)
    x[0, 3], x[1, :] = np.nan, -np.inf
    x[2, 4], x[3, 0], x[4, :] = np.inf, -0.0, 0.0
    return x


@pytest.mark.parametrize("layout", ["C", "F"])
def test_many_short_rows_take_the_maxima_of_the_reduction(layout):
    """softmax, log_softmax and cross_entropy maximise many short rows through a transposed copy: the same
    bits as numpy's reduction along the rows."""
    x = _short_rows() if layout == "C" else np.asfortranarray(_short_rows())
    with np.errstate(all="ignore"):
        shifted = x - np.maximum.reduce(x, 1, keepdims=True)
        exp = np.exp(shifted)
        total = np.add.reduce(exp, 1, keepdims=True)
        expected = {"softmax": exp / total, "log_softmax": shifted - np.log(total)}
    for op, values in expected.items():
        result = getattr(kernels, op)(x, 1)
        np.testing.assert_array_equal(result.view(np.uint32), values.view(np.uint32), err_msg=op)
    target = np.arange(64) % 10
    losses, probabilities = kernels.cross_entropy(x, target)
    np.testing.assert_array_equal(probabilities.view(np.uint32), expected["softmax"].view(np.uint32))
    picked = -expected["log_softmax"][np.arange(64), target]
    np.testing.assert_array_equal(losses.view(np.uint32), picked.view(np.uint32))


@pytest.mark.parametrize("target, bad", [([0, 1, 10], 10), ([-1, 0, 1], -1), ([3, 12, -2], 12)])
def test_cross_entropy_training_step_refuses_targets_out_of_range(target, bad):
    logits = ember.zeros(3, 10, requires_grad=True)
    with pytest.raises(IndexError, match=f"Target {bad} is out of bounds."):
        ember.nn.functional.cross_entropy(logits, ember.tensor(target))


def test_t_backward_without_a_graph_gives_t_view_of_the_gradient():
    """TBackward0 under no_grad makes what ``grad.t()`` makes: a view sharing the gradient's memory and version."""
    from ember._ops.views import TBackward0

    node = ember.ones(2, 3, requires_grad=True).t().grad_fn
    assert isinstance(node, TBackward0)
    grad = ember.arange(6.0).reshape(3, 2)
    with ember.no_grad():
        fast = node.backward(grad)
        reference = grad.t()
    assert fast._base is reference._base is not None
    assert fast.stride() == reference.stride() and fast.shape == reference.shape
    assert np.shares_memory(fast._data, grad._data) and fast._version is grad._version
    assert fast.tolist() == reference.tolist() and not fast.requires_grad
    grad.requires_grad_()  # a view made under no_grad follows its base's requires_grad, as t()'s does
    assert fast.requires_grad is reference.requires_grad


@pytest.mark.parametrize("target, ignore_index, kept", [([0, 9, 3], -100, None), ([0, 9, 3], 10, None),
                                                        ([0, 9, 3], 9, [True, False, True]),
                                                        ([0, 4, 3], 9, None)])
def test_cross_entropy_targets_in_range_with_ignore_index_anywhere(target, ignore_index, kept):
    logits = ember.tensor(np.random.default_rng(3).standard_normal((3, 10)), dtype=ember.float32)
    loss = ember.nn.functional.cross_entropy(logits, ember.tensor(target), ignore_index=ignore_index,
                                             reduction="none")
    rows = np.log(np.exp(logits.numpy().astype(np.float64)).sum(1)) - logits.numpy()[np.arange(3), target]
    expected = np.where(kept if kept is not None else True, rows, 0.0)
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_sgd_step_skips_parameters_without_a_gradient_and_makes_no_state_for_them():
    """The one-pass group update (SGD._update_fused_group) updates only the parameters with a gradient, as
    PyTorch's: the others keep their values and get no state entry."""
    with_grad, without = ember.ones(3, requires_grad=True), ember.ones(2, requires_grad=True)
    optimizer = ember.optim.SGD([with_grad, without], lr=0.5, momentum=0.5)
    with_grad.grad = ember.ones(3)
    optimizer.step()
    optimizer.step()
    assert with_grad.tolist() == [-0.25] * 3 and without.tolist() == [1.0, 1.0]
    assert list(optimizer.state) == [with_grad]
    assert optimizer.state[with_grad]["momentum_buffer"].tolist() == [1.5] * 3


def test_refused_fused_sgd_step_changes_nothing(monkeypatch):
    """fused=True on a device without ``sgd_step``: PyTorch's RuntimeError before any parameter, buffer or
    state entry changes (the one-pass path leaves such a group to the general one, which refuses it)."""
    param = ember.ones(3, requires_grad=True)
    param.grad = ember.ones(3)
    optimizer = ember.optim.SGD([param], lr=0.5, momentum=0.9, fused=True)
    monkeypatch.setattr(param._device.kernels, "sgd_step", None)
    with pytest.raises(RuntimeError, match="no sgd_step kernel"):
        optimizer.step()
    assert param.tolist() == [1.0] * 3 and len(optimizer.state) == 0


def test_sgd_step_counts_its_in_place_changes_of_parameters_and_buffers():
    """A graph that saved a parameter or a momentum buffer refuses to backward once a step changed it."""
    param = ember.ones(3, requires_grad=True)
    optimizer = ember.optim.SGD([param], lr=0.5, momentum=0.9)
    for step in range(2):  # the first step makes the buffer, the second changes it in place
        param.grad = ember.ones(3)
        weights = ember.ones(3, requires_grad=True)
        saved = [(param * param).sum()]
        if step:
            saved.append((weights * optimizer.state[param]["momentum_buffer"]).sum())
        optimizer.step()
        for loss in saved:
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                loss.backward()
