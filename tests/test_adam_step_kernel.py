"""Adam and AdamW through the optional ``adam_step`` kernel: one kernel call per param group (the profiler
counts them), the same parameters and state as core's composition (``fused=False`` or a device without the
kernel), and ``fused=True`` refused where the device lacks it."""
from __future__ import annotations

import contextlib

import pytest

import ember
from ember._device import resolve
from ember.plugins.registry import KernelTable


@contextlib.contextmanager
def _without_adam_step():
    """Within: the CPU's kernel table lacks ``adam_step`` (core composes the update)."""
    device = resolve(ember.device("cpu"))
    table = device.kernels
    kept = {name: plugin for name, plugin in table.coverage().items() if plugin is not None and name != "adam_step"}
    device.kernels = KernelTable(table.device, {name: getattr(table, name) for name in kept}, kept)
    try:
        yield
    finally:
        device.kernels = table


def _calls(function):
    with ember.profiler.profile() as prof:
        function()
    return {(call.op, call.name): call.calls for call in prof.kernel_calls()}


def test_adam_updates_each_param_group_in_one_kernel_call():
    """Four parameters in two groups: two adam_step calls; the rest are the CPU step counters (one add and
    one read each), where the composition makes 15 calls per parameter (with the device's `lerp` kernel)."""
    params = [ember.randn(3, 2, requires_grad=True), ember.randn(4, requires_grad=True),
              ember.randn(2, requires_grad=True), ember.randn((), requires_grad=True)]
    optimizer = ember.optim.Adam([{"params": params[:2]}, {"params": params[2:], "amsgrad": True}], lr=0.1)
    for param in params:
        param.grad = ember.ones_like(param)
    optimizer.step()
    calls = _calls(optimizer.step)
    assert calls[(None, "adam_step")] == 2
    assert {name for _, name in calls} == {"adam_step", "add", "to_numpy"}
    assert sum(calls.values()) == 2 + 2 * len(params)
    with _without_adam_step():
        composed = _calls(optimizer.step)
    assert sum(composed.values()) >= 15 * len(params)


OPTIONS = [
    {"lr": 0.1},
    {"lr": 0.1, "amsgrad": True, "weight_decay": 0.1, "maximize": True},
    {"lr": 0.05, "betas": (0.6, 0.9), "weight_decay": 0.1, "decoupled_weight_decay": True, "eps": 1e-3},
]


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
@pytest.mark.parametrize("options", OPTIONS, ids=["plain", "amsgrad-l2-maximize", "decoupled"])
def test_the_kernel_gives_the_composed_update_exactly(options, dtype):
    results = []
    for kernel in (True, False):
        param = ember.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=dtype, requires_grad=True)
        scalar = ember.tensor(0.25, dtype=dtype, requires_grad=True)
        unused = ember.tensor([1.0], dtype=dtype, requires_grad=True)  # no gradient: not stepped
        optimizer = ember.optim.Adam([param, scalar, unused], **options)
        context = contextlib.nullcontext() if kernel else _without_adam_step()
        with context:
            for scale in (1.0, -2.0, 0.5, 3.0):
                param.grad = ember.tensor([[0.3, 0.1], [-0.2, 0.4]], dtype=dtype) * scale
                scalar.grad = ember.tensor(-0.7, dtype=dtype) * scale
                optimizer.step()
        state = optimizer.state_dict()["state"]
        results.append((param.tolist(), scalar.tolist(), unused.tolist(),
                        {index: {key: value.tolist() for key, value in moments.items()}
                         for index, moments in state.items()}))
    assert results[0] == results[1]


def test_fused_false_composes_and_fused_true_needs_the_kernel():
    param = ember.ones(2, requires_grad=True)
    param.grad = ember.ones(2)
    calls = _calls(ember.optim.AdamW([param], fused=False).step)
    assert (None, "adam_step") not in calls
    with _without_adam_step(), pytest.raises(RuntimeError, match="AdamW\\(fused=True\\): the 'cpu' device has no "
                                                                 "adam_step kernel"):
        ember.optim.AdamW([param], fused=True).step()


def test_a_differentiable_adam_composes_the_update_into_the_graph():
    """differentiable=True: no kernel, the update is recorded, and gradients flow back through it (PyTorch
    2.13 gives p = [0.9000007, 2.0999994] and w.grad = [1, 1] here)."""
    weight = ember.tensor([1.0, 2.0], requires_grad=True)
    param = weight * 1  # a non-leaf parameter, as differentiable optimizers take
    param.grad = ember.tensor([0.5, -0.3])
    optimizer = ember.optim.Adam([param], lr=0.1, differentiable=True)
    assert (None, "adam_step") not in _calls(optimizer.step)
    assert param.grad_fn is not None
    assert param.tolist() == pytest.approx([0.9000007, 2.0999994], rel=1e-6)
    param.sum().backward()
    assert weight.grad.tolist() == [1.0, 1.0]
