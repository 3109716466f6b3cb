"""ember.cuda.CUDAGraph / graph / graph_pool_handle on a fake "cuda" backend that captures as CUDA does
(tests/capture_backend.py): capture runs nothing, replay reruns the captured work on static buffers, host
reads and synchronisation during capture raise CUDA's error, and the API's misuse raises PyTorch's errors."""
from __future__ import annotations

import numpy as np
import pytest
from capture_backend import CapturingDevices

import ember
from ember._device import _current_index
from ember.plugins import register_plugin
from ember.plugins.manager import _reset_for_tests

CAPTURE_ERROR = "CUDA error: operation not permitted when stream is capturing"


def _register(plugin):
    _reset_for_tests()
    register_plugin(plugin, "capturing-devices")
    return plugin


@pytest.fixture
def backend(without_installed_cuda):
    yield _register(CapturingDevices())
    for placed in ember.device._interned.values():
        if placed.type == "cuda":
            placed.kernels = placed.device_type = None
    _current_index.clear()
    _reset_for_tests()


@pytest.fixture
def backend_without_capture(without_installed_cuda):
    yield _register(CapturingDevices(capture=False))
    for placed in ember.device._interned.values():
        if placed.type == "cuda":
            placed.kernels = placed.device_type = None
    _reset_for_tests()


def test_capture_runs_nothing_and_replay_runs_the_captured_work(backend):
    static_in = ember.tensor([1.0, 2.0, 3.0], device="cuda")
    g = ember.cuda.CUDAGraph()
    with ember.cuda.graph(g):
        static_out = (static_in * 2).exp().sum()
    assert backend.captured_on == [0] and backend.synchronized == [0]  # graph() synchronises first
    assert np.isnan(static_out._data).all()  # captured, not run: the output holds garbage until replay
    g.replay()
    np.testing.assert_allclose(static_out.item(), np.exp([2.0, 4.0, 6.0]).sum(), rtol=1e-6)
    static_in.copy_(ember.tensor([0.0, 0.0, 0.0]))  # new data into the static input, then replay
    g.replay()
    assert static_out.item() == pytest.approx(3.0)


def test_in_place_work_is_captured_not_run(backend):
    x = ember.zeros(3, device="cuda")
    g = ember.cuda.CUDAGraph()
    g.capture_begin()
    x.add_(1.0)
    g.capture_end()
    assert x.tolist() == [0.0, 0.0, 0.0]
    g.replay()
    g.replay()
    assert x.tolist() == [2.0, 2.0, 2.0]


def test_a_whole_training_step_replays_as_eager_steps_would(backend):
    ember.manual_seed(0)
    eager = ember.nn.Linear(3, 2)
    captured = ember.nn.Linear(3, 2).cuda()
    captured.load_state_dict({k: v.cuda() for k, v in eager.state_dict().items()})
    eager_opt = ember.optim.SGD(eager.parameters(), lr=0.1, momentum=0.9)
    captured_opt = ember.optim.SGD(captured.parameters(), lr=0.1, momentum=0.9)
    batches = [(ember.randn(4, 3), ember.randint(0, 2, (4,))) for _ in range(4)]

    def step(model, opt, x, y):
        loss = ember.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    # warm up eagerly (momentum buffers and grads exist before capture, as PyTorch's recipe does)
    for model, opt, move in ((eager, eager_opt, lambda t: t), (captured, captured_opt, lambda t: t.cuda())):
        x, y = batches[0]
        opt.zero_grad(set_to_none=False)
        step(model, opt, move(x), move(y))
    static_x, static_y = batches[1][0].cuda(), batches[1][1].cuda()
    g = ember.cuda.CUDAGraph()
    captured_opt.zero_grad(set_to_none=False)
    with ember.cuda.graph(g):
        captured_opt.zero_grad(set_to_none=False)
        static_loss = step(captured, captured_opt, static_x, static_y)
    for x, y in batches[1:]:
        eager_opt.zero_grad(set_to_none=False)
        expected = step(eager, eager_opt, x, y)
        static_x.copy_(x.cuda())
        static_y.copy_(y.cuda())
        g.replay()
        assert static_loss.item() == pytest.approx(expected.item(), rel=1e-6)
    for ours, theirs in zip(captured.parameters(), eager.parameters(), strict=True):
        np.testing.assert_allclose(ours.detach().cpu().numpy(), theirs.detach().numpy(), rtol=1e-5, atol=1e-7)
    assert backend.graphs[0].replays == 3


@pytest.mark.parametrize("read", [
    lambda t: t.item(), lambda t: t.tolist(), lambda t: t.cpu(), lambda t: repr(t),
    lambda t: t.numpy(force=True), lambda t: ember.cuda.synchronize(),
])
def test_host_reads_and_synchronisation_during_capture_raise_cudas_error(backend, read):
    x = ember.ones(2, device="cuda")
    g = ember.cuda.CUDAGraph()
    g.capture_begin()
    try:
        with pytest.raises(RuntimeError, match=CAPTURE_ERROR):
            read(x.sum())
    finally:
        g.capture_end()
    assert x.sum().item() == 2.0  # reads work again once the capture ended


def test_is_current_stream_capturing(backend):
    assert not ember.cuda.is_current_stream_capturing()
    g = ember.cuda.CUDAGraph()
    with ember.cuda.graph(g):
        assert ember.cuda.is_current_stream_capturing()
        with ember.cuda.device(1):
            assert not ember.cuda.is_current_stream_capturing()
    assert not ember.cuda.is_current_stream_capturing()


def test_capture_happens_on_the_current_device(backend):
    x = ember.ones(2, device="cuda:1")
    g = ember.cuda.CUDAGraph()
    with ember.cuda.device(1), ember.cuda.graph(g):
        y = x + 1
    assert backend.captured_on == [1]
    g.replay()
    assert y.tolist() == [2.0, 2.0]


def test_misuse_raises_pytorchs_errors(backend):
    g = ember.cuda.CUDAGraph()
    with pytest.raises(RuntimeError, match="Called CUDAGraph::replay without a preceding successful capture."):
        g.replay()
    with pytest.raises(RuntimeError, match=r"Called CUDAGraph::pool\(\) without a preceding successful capture."):
        g.pool()
    with pytest.raises(RuntimeError, match="Capture must end on the same stream it began on."):
        g.capture_end()
    with pytest.raises(RuntimeError, match="Unknown capture error mode"):
        g.capture_begin(capture_error_mode="loose")
    with ember.cuda.graph(g):
        pass
    with pytest.raises(RuntimeError, match="This CUDAGraph instance already owns a captured graph. To capture a "
                                           "new graph, create a new instance."):
        g.capture_begin()
    g.reset()
    assert backend.graphs[0].calls == []
    with pytest.raises(RuntimeError, match="Called CUDAGraph::replay without a preceding successful capture."):
        g.replay()
    with ember.cuda.graph(g):  # a reset graph may capture again
        pass
    with pytest.raises(TypeError, match="must be ember.cuda.Stream or None, not object"):
        ember.cuda.graph(g, stream=object())


def test_pools_are_opaque_tokens_passed_between_captures(backend):
    handle = ember.cuda.graph_pool_handle()
    assert handle != ember.cuda.graph_pool_handle()
    first, second = ember.cuda.CUDAGraph(), ember.cuda.CUDAGraph()
    with ember.cuda.graph(first, pool=handle):
        pass
    assert first.pool() == handle
    with ember.cuda.graph(second, pool=first.pool()):
        pass
    assert second.pool() == handle


def test_a_device_without_capture_hooks_is_named(backend_without_capture):
    g = ember.cuda.CUDAGraph()
    with pytest.raises(RuntimeError, match="device 'cuda:0' cannot capture CUDA graphs"):
        g.capture_begin()
    assert ember.ones(1, device="cuda").item() == 1.0  # nothing was left half-captured


def test_a_profiler_started_during_a_capture_gives_back_a_readable_device(backend):
    x = ember.ones(2, device="cuda")
    g = ember.cuda.CUDAGraph()
    g.capture_begin()
    with ember.autograd.profiler.profile():
        g.capture_end()
        assert x.sum().item() == 2.0
    assert x.sum().item() == 2.0
    plain = ember.device("cuda", 0).kernels
    profiler = ember.autograd.profiler.profile()
    profiler.__enter__()
    g = ember.cuda.CUDAGraph()
    g.capture_begin()
    profiler.__exit__(None, None, None)  # a profiler that began before the capture ends during it
    g.capture_end()
    assert ember.device("cuda", 0).kernels is plain  # neither recording nor refusing any more


@pytest.mark.skipif(ember.cuda.is_available(), reason="a CUDA backend is installed and available")
def test_without_a_cuda_backend_capture_fails_clearly():
    with pytest.raises(RuntimeError, match="not available|unavailable"):
        ember.cuda.CUDAGraph().capture_begin()
