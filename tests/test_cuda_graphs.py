"""ember.cuda.CUDAGraph / graph / graph_pool_handle on a fake "cuda" backend that captures as CUDA does
(tests/capture_backend.py): capture runs nothing, replay reruns the captured work on static buffers, host
reads and synchronisation during capture raise CUDA's error, and the API's misuse raises PyTorch's errors.
On a machine with a GPU, the last tests capture matmuls (cuBLAS, ember_cuda/captured_gemm.py) and a training
step on the real cuda backend and compare the replays with eager results; elsewhere they skip."""
from __future__ import annotations

import numpy as np
import pytest
from capture_backend import CapturingDevices

import ember
from ember._device import _current_index
from ember.plugins import register_plugin
from ember.plugins.manager import _reset_for_tests

CAPTURE_ERROR = "CUDA error: operation not permitted when stream is capturing"


def _gpu_missing() -> str | None:
    """Why the real cuda backend cannot run here (None when it can)."""
    try:
        from ember_cuda import runtime
    except ImportError:
        return "ember-cuda is not installed"
    return runtime.unavailable_reason()


GPU_MISSING = _gpu_missing()
needs_gpu = pytest.mark.skipif(GPU_MISSING is not None, reason=f"needs a CUDA GPU: {GPU_MISSING}")


def _register(plugin):
    _reset_for_tests()
    register_plugin(plugin, "capturing-devices")
    return plugin


def _forget_cuda_devices() -> None:
    """The interned cuda devices let go of their backend's kernels, so the next test's backend supplies them."""
    for placed in ember.device._interned.values():
        if placed.type == "cuda":
            placed.kernels = placed.device_type = None


@pytest.fixture
def backend(without_installed_cuda):
    yield _register(CapturingDevices())
    _forget_cuda_devices()
    _current_index.clear()
    _reset_for_tests()


@pytest.fixture
def backend_without_capture(without_installed_cuda):
    yield _register(CapturingDevices(capture=False))
    _forget_cuda_devices()
    _reset_for_tests()


@pytest.fixture
def gpu(cuda_plugin):
    """The real cuda backend (ember-cuda on a GPU)."""
    _forget_cuda_devices()
    yield
    _forget_cuda_devices()


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


@needs_gpu
def test_a_captured_mlp_training_step_replays_as_eager_steps_on_a_gpu(gpu):
    """Linear + ReLU + Linear + cross-entropy + SGD with momentum, captured once (its matmuls through the
    capture cuBLAS handle) and replayed on new batches, against the same steps run eagerly on the GPU."""
    ember.manual_seed(0)

    def mlp():
        return ember.nn.Sequential(ember.nn.Linear(20, 32), ember.nn.ReLU(), ember.nn.Linear(32, 10)).cuda()

    eager, captured = mlp(), mlp()
    captured.load_state_dict(eager.state_dict())
    eager_opt = ember.optim.SGD(eager.parameters(), lr=0.1, momentum=0.9)
    captured_opt = ember.optim.SGD(captured.parameters(), lr=0.1, momentum=0.9)
    batches = [(ember.randn(16, 20).cuda(), ember.randint(0, 10, (16,)).cuda()) for _ in range(5)]

    def step(model, opt, x, y):
        opt.zero_grad(set_to_none=False)
        loss = ember.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for model, opt in ((eager, eager_opt), (captured, captured_opt)):  # warm up: grads and momentum exist
        step(model, opt, *batches[0])
    static_x, static_y = batches[1][0].clone(), batches[1][1].clone()
    g = ember.cuda.CUDAGraph()
    with ember.cuda.graph(g):
        static_loss = step(captured, captured_opt, static_x, static_y)
    for x, y in batches[1:]:
        expected = step(eager, eager_opt, x, y)
        static_x.copy_(x)
        static_y.copy_(y)
        g.replay()
        assert static_loss.item() == pytest.approx(expected.item(), rel=1e-5)
    for ours, theirs in zip(captured.parameters(), eager.parameters(), strict=True):
        np.testing.assert_allclose(ours.detach().cpu().numpy(), theirs.detach().cpu().numpy(), rtol=1e-5, atol=1e-6)


GPU_TOLERANCES = {"float16": {"rtol": 1e-2, "atol": 2e-2}, "float32": {"rtol": 1e-5, "atol": 1e-5},
                  "float64": {"rtol": 1e-12, "atol": 1e-12}}


@needs_gpu
@pytest.mark.parametrize("dtype", sorted(GPU_TOLERANCES))
def test_captured_batched_matmuls_on_a_gpu_replay_numpys_products(gpu, dtype):
    """Batched, broadcast, transposed, non-contiguous and vector operands and out=, captured and replayed
    twice on new data; float32 within FP32's error, so TF32 (off by default) would fail it."""
    rng = np.random.default_rng(0)
    shapes = {"a": (4, 3, 5, 64), "b": (4, 3, 64, 7), "w": (64, 7), "bt": (4, 3, 7, 64), "wide": (4, 6, 5, 64),
              "v": (64,)}

    def fresh():
        return {name: rng.uniform(-1, 1, shape).astype(dtype) for name, shape in shapes.items()}

    def products(t, matmul, out):
        # t["wide"][:, ::2]: every other matrix, read in place two matrices apart; [:, 1:4]: three of six,
        # copied first (the batches are not evenly spaced)
        return {"batched": matmul(t["a"], t["b"], out=out), "broadcast": t["a"] @ t["w"],
                "transposed": t["a"] @ t["bt"].mT, "stepped": t["wide"][:, ::2] @ t["b"],
                "window": t["wide"][:, 1:4] @ t["b"], "matrix_vector": t["a"] @ t["v"],
                "vector_matrix": t["v"] @ t["w"]}

    def expected(h):
        return products({name: array.astype(np.float64) for name, array in h.items()}, np.matmul, None)

    host = fresh()
    static = {name: ember.tensor(array, device="cuda") for name, array in host.items()}
    out = ember.empty((4, 3, 5, 7), dtype=getattr(ember, dtype), device="cuda")
    products(static, ember.matmul, out)  # warm up eagerly (cupy's matmul)
    g = ember.cuda.CUDAGraph()
    with ember.cuda.graph(g):
        captured = products(static, ember.matmul, out)
    assert captured["batched"] is out
    for _ in range(2):
        host = fresh()
        for name, array in host.items():
            static[name].copy_(ember.tensor(array, device="cuda"))
        g.replay()
        for name, reference in expected(host).items():
            np.testing.assert_allclose(captured[name].cpu().numpy().astype(np.float64), reference,
                                       **GPU_TOLERANCES[dtype], err_msg=f"{name} ({dtype})")
    eager = products(static, ember.matmul, None)  # outside the capture, cupy's matmul as before
    for name, tensor in eager.items():
        np.testing.assert_allclose(tensor.cpu().numpy().astype(np.float64),
                                   captured[name].cpu().numpy().astype(np.float64), **GPU_TOLERANCES[dtype])


@needs_gpu
def test_integer_matmuls_capture_through_cupys_own_kernels_on_a_gpu(gpu):
    a = ember.randint(-5, 5, (2, 3, 4)).cuda()
    b = ember.randint(-5, 5, (4, 5)).cuda()
    g = ember.cuda.CUDAGraph()
    with ember.cuda.graph(g):
        product = a @ b
    a.copy_(ember.randint(-5, 5, (2, 3, 4)).cuda())
    g.replay()
    assert (product.cpu().numpy() == a.cpu().numpy() @ b.cpu().numpy()).all()
