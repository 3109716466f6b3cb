"""The fused optional kernels of a training step, as core uses them: how many kernel calls one MLP step
makes on the CPU (pinned, so that a regression shows), which kernel each op uses, and that the fused paths
give what core's compositions give (the kit checks the kernels themselves against numpy)."""
from __future__ import annotations

import contextlib

import numpy as np
import pytest

import ember
from ember._device import resolve
from ember.nn import functional as F
from ember.plugins.registry import KernelTable

# Kernels that only read or make buffer metadata (as benchmarks/run.py counts them).
METADATA_KERNELS = frozenset({"strides", "is_contiguous", "storage_offset", "as_strided", "permute", "slice"})


def _mlp_step(batch: int = 64):
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(784, 256), ember.nn.ReLU(), ember.nn.Linear(256, 10))
    optimizer = ember.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = ember.randn(batch, 784), ember.randint(0, 10, (batch,))

    def step():
        optimizer.zero_grad()
        loss = ember.nn.CrossEntropyLoss()(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def _calls(function) -> dict[tuple, int]:
    """{(op, kernel): calls} of one call of `function`, as the profiler records them."""
    with ember.profiler.profile() as prof:
        function()
    return {(call.op, call.name): call.calls for call in prof.kernel_calls()}


@contextlib.contextmanager
def _without(*names: str):
    """Within: the CPU's kernel table lacks the optional kernels `names` (core composes them)."""
    device = resolve(ember.device("cpu"))
    table = device.kernels
    kept = {name: plugin for name, plugin in table.coverage().items() if plugin is not None and name not in names}
    device.kernels = KernelTable(table.device, {name: getattr(table, name) for name in kept}, kept)
    try:
        yield
    finally:
        device.kernels = table


def test_an_mlp_training_step_makes_at_most_16_kernel_calls_on_the_cpu():
    """MLP 784-256-10, CrossEntropy, SGD with momentum, batch 64 (benchmarks/run.py's step): 16 kernel calls
    today, one of them the host read of the target check, plus 16 metadata calls (8 transposing views, 8
    is_contiguous reads in gradient accumulation). Composed without the fused kernels it makes 59 (and 16)."""
    step = _mlp_step()
    step()  # the first step makes the momentum buffers
    calls = _calls(step)
    metadata = sum(n for (_, name), n in calls.items() if name in METADATA_KERNELS)
    work = {key: n for key, n in calls.items() if key[1] not in METADATA_KERNELS}
    assert sum(work.values()) <= 16, work
    assert metadata <= 16, calls
    assert sum(n for (_, name), n in work.items() if name == "to_numpy") == 1  # the target check
    assert {"addmm", "cross_entropy", "cross_entropy_backward", "threshold_backward", "sgd_step"} <= \
        {name for _, name in work}


def test_linear_makes_one_addmm_call_without_copying_the_transposed_weight():
    layer = ember.nn.Linear(5, 3)
    x = ember.randn(4, 5)
    calls = _calls(lambda: layer(x))
    assert calls == {("aten::t", "permute"): 1, ("aten::linear", "addmm"): 1}
    with _without("addmm"):
        composed = layer(x)
    np.testing.assert_allclose(layer(x).tolist(), composed.tolist(), rtol=1e-6)


def test_sgd_steps_every_parameter_of_a_group_in_one_call():
    params = [ember.randn(3, 2, requires_grad=True), ember.randn(4, requires_grad=True)]
    optimizer = ember.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.5}], lr=0.1, momentum=0.9)
    for param in params:
        param.grad = ember.ones_like(param)
    assert _calls(optimizer.step) == {(None, "sgd_step"): 2}  # one per group
    assert [optimizer.state[p]["momentum_buffer"].tolist() for p in params] == [[[1.0] * 2] * 3, [1.0] * 4]


def test_the_fused_sgd_step_matches_the_composed_one():
    results = []
    for names in ((), ("sgd_step",)):
        param = ember.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
        unused = ember.tensor([1.0], requires_grad=True)  # no gradient: not stepped
        optimizer = ember.optim.SGD([param, unused], lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True)
        with _without(*names):
            for scale in (1.0, -2.0, 0.5):
                param.grad = ember.tensor([[0.3, 0.1], [-0.2, 0.4]]) * scale
                optimizer.step()
        results.append((param.tolist(), optimizer.state[param]["momentum_buffer"].tolist(), unused.tolist()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)
    assert results[0][2] == results[1][2] == [1.0]


def test_zero_grad_without_set_to_none_zeroes_every_gradient_in_one_call():
    params = [ember.ones(2, requires_grad=True), ember.ones(3, requires_grad=True)]
    (params[0].sum() * 2 + params[1].sum()).backward()
    versions = [(p.grad._version or [0])[0] for p in params]
    optimizer = ember.optim.SGD(params, lr=0.1)
    assert _calls(lambda: optimizer.zero_grad(set_to_none=False)) == {(None, "zero_"): 1}
    assert [p.grad.tolist() for p in params] == [[0.0, 0.0], [0.0, 0.0, 0.0]]
    assert [p.grad._version[0] for p in params] == [version + 1 for version in versions]  # written in place
    x = ember.arange(6.0).view(2, 3)
    assert {name: n for (_, name), n in _calls(lambda: x[:, 1].zero_()).items() if name == "zero_"} == {"zero_": 1}
    assert x.tolist() == [[0.0, 0.0, 2.0], [3.0, 0.0, 5.0]]


def test_relu_softmax_and_log_softmax_backwards_are_one_kernel_call_each():
    x = ember.randn(4, 5, requires_grad=True)
    for op, kernel in ((ember.relu, "threshold_backward"), (lambda t: ember.softmax(t, 1), "softmax_backward"),
                       (lambda t: ember.log_softmax(t, 0), "log_softmax_backward")):
        y = op(x)
        grad = ember.randn(4, 5)
        calls = _calls(lambda y=y, grad=grad: y.backward(grad))
        assert calls[None, kernel] == 1, calls
        fused = x.grad.tolist()
        x.grad = None
        with _without(kernel):
            op(x).backward(grad)
        np.testing.assert_allclose(fused, x.grad.tolist(), rtol=1e-5, atol=1e-7)
        x.grad = None


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("target", [[0, 3, 1, 2, 0], [0, -100, 1, 2, -100], [-100] * 5], ids=["all", "some", "none"])
def test_cross_entropy_with_grad_agrees_with_the_composition(reduction, target):
    logits = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    results = []
    for names in ((), ("cross_entropy", "cross_entropy_backward")):
        x = ember.tensor(logits, requires_grad=True)
        with _without(*names):
            loss = F.cross_entropy(x, ember.tensor(target), reduction=reduction)
            (loss * ember.linspace(0.5, 1.5, loss.numel()).view(loss.shape)).sum().backward()
        results.append((np.asarray(loss.tolist()), np.asarray(x.grad.tolist()), type(loss.grad_fn).__name__,
                        [type(n).__name__ for n, _ in loss.grad_fn.next_functions]))
    (loss, grad, name, below), expected = results
    np.testing.assert_allclose(loss, expected[0], rtol=1e-6)
    np.testing.assert_allclose(grad, expected[1], rtol=1e-5, atol=1e-7)
    assert (name, below) == (expected[2], expected[3]) == ("NllLossBackward0", ["LogSoftmaxBackward0"])


def test_cross_entropy_backward_makes_one_kernel_call():
    x = ember.randn(6, 3, requires_grad=True)
    loss = F.cross_entropy(x, ember.tensor([0, 1, 2, 0, 1, 2]))
    calls = {key: n for key, n in _calls(loss.backward).items() if key[1] not in METADATA_KERNELS}
    assert calls == {(None, "full"): 1, (None, "cross_entropy_backward"): 1}


def test_cross_entropy_double_backward_goes_through_the_logits():
    logits = np.random.default_rng(1).normal(size=(3, 4))
    hessians = []
    for names in ((), ("cross_entropy", "cross_entropy_backward")):
        x = ember.tensor(logits, requires_grad=True)
        with _without(*names):
            (grad,) = ember.autograd.grad(F.cross_entropy(x, ember.tensor([1, -100, 3])), x, create_graph=True)
            (grad * grad).sum().backward()
        hessians.append(x.grad.tolist())
    np.testing.assert_allclose(*hessians, rtol=1e-10)


def test_cross_entropy_saves_its_target_with_its_version():
    x = ember.randn(2, 3, requires_grad=True)
    target = ember.tensor([0, 1])
    loss = F.cross_entropy(x, target)
    target[0] = 2
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_a_second_backward_through_a_fused_cross_entropy_is_refused():
    loss = F.cross_entropy(ember.randn(2, 3, requires_grad=True), ember.tensor([0, 1]))
    loss.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_is_one_kernel_each_way_and_agrees_with_the_composition(reduction):
    values = np.random.default_rng(2).normal(size=(2, 3, 4)).astype(np.float32)
    results = []
    for names in ((), ("mse_loss", "mse_loss_backward")):
        x, y = ember.tensor(values[0], requires_grad=True), ember.tensor(values[1], requires_grad=True)
        with _without(*names):
            loss = F.mse_loss(x, y, reduction=reduction)
            calls = _calls(lambda loss=loss: loss.sum().backward())
        results.append((loss.tolist(), x.grad.tolist(), y.grad.tolist()))
        if not names:
            assert calls[None, "mse_loss_backward"] == 1
    for fused, composed in zip(*results):
        np.testing.assert_allclose(fused, composed, rtol=1e-6)


def test_targets_out_of_range_raise_pytorchs_error_on_the_cpu_at_once():
    x = ember.randn(3, 4, requires_grad=True)
    with pytest.raises(IndexError, match=r"^Target 4 is out of bounds\.$"):
        F.cross_entropy(x, ember.tensor([0, 4, 1]))
    with pytest.raises(IndexError, match=r"^Target -2 is out of bounds\.$"):
        F.cross_entropy(x, ember.tensor([0, -2, -100]))
    with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
        ember.tensor([3, 4]) // ember.tensor([1, 0])


def test_mse_loss_of_0d_tensors_backward_twice():
    """The fused kernels return 0-d buffers, not host scalars, for 0-d inputs (found by the differential test)."""
    x = ember.tensor(-1.0, requires_grad=True)
    F.mse_loss(x, ember.tensor(-0.5)).backward()
    x.backward(retain_graph=True)
    assert x.grad.item() == -1.0 + 1.0
