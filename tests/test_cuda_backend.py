"""The CUDA backend without a GPU: the plugin loads and says why CUDA is unavailable (`.cuda()`,
`ember.cuda.is_available()`, `python -m ember info`, the kit's skip), and its kernel code runs on the
numpy stand-in "cudasim" (tests/cudasim.py): values, device placement on two devices, index clamping,
matmul's TF32 switch. On a machine with a GPU the unavailability tests skip; the kit on cuda checks it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ember
from ember._device import resolve
from ember.plugins import plugin_report, register_plugin
from ember.plugins.manager import _reset_for_tests

ember_cuda = pytest.importorskip("ember_cuda")
from ember_cuda import runtime  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NO_GPU = runtime.unavailable_reason()
needs_no_gpu = pytest.mark.skipif(NO_GPU is None, reason="a GPU is present: the kit on cuda checks it")


@pytest.fixture
def cudasim():
    from tests import cudasim

    _reset_for_tests()
    register_plugin(cudasim, cudasim.NAME)
    yield cudasim
    _reset_for_tests()


@needs_no_gpu
def test_without_a_gpu_the_plugin_loads_and_says_why(cuda_plugin):
    from ember.__main__ import format_report

    assert ember.cuda.is_available() is False
    assert ember.cuda.device_count() == 0
    status = next(device for device in plugin_report().devices if device.name == "cuda")
    assert status.plugin == "cuda" and not status.available and status.error == NO_GPU
    assert NO_GPU in format_report(plugin_report())
    with pytest.raises(ember.DeviceUnavailableError, match="no usable CUDA device|cupy is not installed") as error:
        ember.ones(2).cuda()
    assert NO_GPU in str(error.value) and "Traceback" not in str(error.value)
    assert isinstance(error.value, AssertionError)  # what PyTorch raises on a CPU-only build


def test_without_cupy_the_reason_is_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy raises ImportError
    runtime.cupy_or_reason.cache_clear()
    try:
        assert runtime.unavailable_reason() == \
            "cupy is not installed: pip install ember-cuda[cuda12] or [cuda13]"
        unavailable = ember_cuda.device.unavailable("cuda", runtime.unavailable_reason())
        with pytest.raises(ember.DeviceUnavailableError, match=r"ember-cuda\[cuda12\]"):
            unavailable.is_available()
    finally:
        runtime.cupy_or_reason.cache_clear()


@needs_no_gpu
def test_the_kit_on_cuda_skips_with_the_reason():
    code = ("import sys, pytest, ember_cuda.plugin as p; from ember.plugins import plugin_report, register_plugin; "
            "any(d.name == 'cuda' for d in plugin_report().devices) or register_plugin(p, 'cuda'); "
            "sys.exit(pytest.main(['--pyargs', 'ember.testing', '--ember-device=cuda', '-q', '-rs', "
            "'-p', 'no:cacheprovider', '-k', 'test_device']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed" not in done.stdout and "skipped" in done.stdout
    assert f"device 'cuda' is not available on this machine: {NO_GPU}" in done.stdout


def test_the_kit_runs_on_cudasim():
    """A smoke run of two kit modules (tox -e cuda runs the whole kit on cudasim)."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--pyargs", "ember.testing", "--ember-device=cudasim",
                           "-p", "tests.cudasim", "-q", "-p", "no:cacheprovider", "-k", "test_device or test_views"],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "failed" not in done.stdout


def test_an_unknown_kit_device_is_still_a_usage_error():
    done = subprocess.run([sys.executable, "-m", "pytest", "--pyargs", "ember.testing", "--ember-device=nosuch",
                           "-q", "-p", "no:cacheprovider", "-k", "test_device"], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, timeout=300)
    assert done.returncode == 4, done.stdout + done.stderr


def test_a_training_step_on_cudasim_matches_the_cpu(cudasim):
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(6, 5), ember.nn.ReLU(), ember.nn.Linear(5, 3))
    x = ember.randn(8, 6)
    target = ember.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    results = []
    for where in ("cpu", "cudasim"):
        moved = __import__("copy").deepcopy(model).to(where)
        optimizer = ember.optim.SGD(moved.parameters(), lr=0.1, momentum=0.9)
        for _ in range(3):
            optimizer.zero_grad()
            loss = ember.nn.functional.cross_entropy(moved(x.to(where)), target.to(where))
            loss.backward()
            optimizer.step()
        results.append([p.detach().cpu().numpy() for p in moved.parameters()] + [loss.item()])
    for cpu, sim in zip(*results):
        np.testing.assert_allclose(sim, cpu, rtol=1e-5, atol=1e-6)


def test_buffers_go_to_the_device_they_are_made_for(cudasim):
    one = ember.device(f"{cudasim.NAME}:1")
    x = ember.arange(6.0, device=one).reshape(2, 3)
    assert x.device == one and x._data.device_id == 1
    y = (x * 2).sum(0)
    assert y._data.device_id == 1
    z = y.to(f"{cudasim.NAME}:0")  # copy_to, device to device
    assert z._data.device_id == 0 and z.tolist() == [6.0, 10.0, 14.0]
    assert ember.zeros(2, device=f"{cudasim.NAME}:0")._data.device_id == 0


def test_index_kernels_clamp_out_of_range_indices(cudasim):
    table = resolve(f"{cudasim.NAME}:0").kernels
    x = table.from_numpy(np.arange(4.0))
    index = table.from_numpy(np.array([0, 9, -9]))
    assert table.to_numpy(table.index(x, (index,))).tolist() == [0.0, 3.0, 0.0]
    table.index_put_(x, (index,), 1.0, True)  # no write outside x, whatever the pending check finds
    assert table.to_numpy(x).tolist() == [2.0, 1.0, 2.0, 4.0]


def test_matmul_uses_no_tf32_by_default(cudasim):
    table = resolve(f"{cudasim.NAME}:0").kernels
    a = table.from_numpy(np.eye(2, dtype=np.float32))
    cudasim.API.tf32_calls.clear()
    table.matmul(a, a)
    assert cudasim.API.tf32_calls == [False]  # PyTorch's default


def test_matmul_reads_allow_tf32_on_each_call(cudasim, monkeypatch):
    matmul = pytest.importorskip("ember.backends.cuda").matmul
    table = resolve(f"{cudasim.NAME}:0").kernels
    a = table.from_numpy(np.eye(2, dtype=np.float32))
    cudasim.API.tf32_calls.clear()
    monkeypatch.setattr(matmul, "allow_tf32", True)
    table.matmul(a, a)
    monkeypatch.setattr(matmul, "allow_tf32", False)
    table.matmul(a, a)
    assert cudasim.API.tf32_calls == [True, False]


def test_dlpack_kernels_share_memory(cudasim):
    table = resolve(f"{cudasim.NAME}:1").kernels
    x = table.from_numpy(np.arange(3.0))
    capsule_owner = table.from_dlpack(x, index=1)  # a producer with __dlpack__, as a cupy array is
    assert table.dlpack_device(x) == (1, 0)  # numpy is a DLPack CPU device (kDLCPU = 1): cupy says (2, N)
    table.copy_(capsule_owner, 7.0)
    assert table.to_numpy(x).tolist() == [7.0, 7.0, 7.0]
    assert type(table.to_dlpack(x)).__name__ == "PyCapsule"


class _FakeCuda:
    """The few cupy.cuda calls graph capture makes, recorded (the real ones need a GPU)."""

    def __init__(self):
        self.allocator, self.log = "default", []
        fake = self

        class Device:
            def __init__(self, index):
                self.index = index

            def __enter__(self):
                fake.log.append(("device", self.index))

            def __exit__(self, *exc):
                return False

        class MemoryPool:
            def malloc(self, size):
                return size

            def free_all_blocks(self):
                fake.log.append("free")

        class Graph:
            def launch(self, stream):
                fake.log.append(("launch", stream))

        class Stream:
            def __init__(self, non_blocking=False):
                self.non_blocking, self.ptr = non_blocking, 0x100 + len(fake.log)

            def use(self):
                fake.stream = self

            def begin_capture(self):
                fake.log.append("begin")

            def end_capture(self):
                fake.log.append("end")
                return Graph()

        class Null:
            ptr = 0

            def use(self):
                fake.stream = self

        self.stream = Null()
        self.Device, self.MemoryPool, self.Stream = Device, MemoryPool, Stream

    def get_current_stream(self, index=-1):
        return self.stream

    def get_allocator(self):
        return self.allocator

    def set_allocator(self, allocator):
        self.allocator = allocator


class _FakeGemms:
    """captured_gemm.CapturedGemms's calls, logged beside the fake cupy's (a workspace is its byte size)."""

    def __init__(self, cuda, fail=False):
        self.cuda, self.fail = cuda, fail

    def workspace_bytes(self, index):
        return 64

    def bind(self, index, stream, workspace):
        if self.fail:
            raise RuntimeError("no cuBLAS")
        self.cuda.log.append(("bind", index, stream, workspace))

    def unbind(self, stream):
        self.cuda.log.append(("unbind", stream))


def _capturer(cuda, fail=False):
    from types import SimpleNamespace

    from ember_cuda.graphs import Capturer

    return Capturer(SimpleNamespace(cuda=cuda), _FakeGemms(cuda, fail))


def test_graph_capture_uses_a_capture_stream_and_a_private_pool_and_replays_on_the_current_stream():
    cuda = _FakeCuda()
    capturer = _capturer(cuda)
    before = cuda.stream
    capturer.begin_capture(1)
    stream = cuda.stream
    assert stream.non_blocking and cuda.allocator.__self__.__class__.__name__ == "MemoryPool"
    # the capture cuBLAS handle takes the stream and a workspace of the pool before the capture begins
    assert cuda.log[-2:] == [("bind", 1, stream, 64), "begin"]
    with pytest.raises(RuntimeError, match="already capturing"):
        capturer.begin_capture(1)
    graph = capturer.end_capture(1)
    assert cuda.log[-2:] == ["end", ("unbind", stream)]
    assert cuda.allocator == "default" and cuda.stream is before  # the allocator and stream of before
    assert graph.pool is not None and graph.index == 1 and graph.workspace == 64
    graph.replay()
    assert cuda.log[-2:] == [("device", 1), ("launch", before)]  # on the current stream, as PyTorch's
    stream.use()
    graph.replay()
    assert cuda.log[-1] == ("launch", stream)
    graph.reset()
    assert cuda.log[-1] == "free" and graph.graph is None and graph.workspace is None
    with pytest.raises(RuntimeError, match="not capturing"):
        capturer.end_capture(1)


def test_graph_capture_runs_on_the_current_stream_when_it_is_not_a_default_stream():
    cuda = _FakeCuda()
    capturer = _capturer(cuda)
    mine = cuda.Stream(non_blocking=True)
    mine.use()  # ember.cuda.graph(g, stream=mine) made it current
    capturer.begin_capture(0)
    assert cuda.stream is mine and cuda.log[-2:] == [("bind", 0, mine, 64), "begin"]
    capturer.end_capture(0)
    assert cuda.stream is mine


def test_a_capture_that_cannot_bind_cublas_warns_and_captures_the_rest():
    cuda = _FakeCuda()
    before = cuda.stream
    capturer = _capturer(cuda, fail=True)
    with pytest.warns(RuntimeWarning, match=r"cuda:0 cannot capture matmul: .*RuntimeError: no cuBLAS"):
        capturer.begin_capture(0)
    assert cuda.log[-1] == "begin" and not any(entry[0] == "bind" for entry in cuda.log)
    capturer.end_capture(0)
    assert cuda.allocator == "default" and cuda.stream is before


def test_the_cupy_table_is_built_from_functions_cupy_has():
    """Built over the real cupy (no GPU needed to look its functions up): every required kernel, the
    optional ones cupy does well, the DLPack three; TF32 off sets cupy's plain FP32 compute type."""
    cupy = pytest.importorskip("cupy")
    from cupy._core import _routines_linalg as linalg
    from ember_cuda.arrays import CupyAPI
    from ember_cuda.kernels import build

    from ember.plugins import OPTIONAL_KERNELS, REQUIRED_KERNELS

    api = CupyAPI(cupy)
    table = build(api, 2)
    assert set(REQUIRED_KERNELS) <= set(table)
    assert set(table) & set(OPTIONAL_KERNELS) == {"reshape", "permute", "slice", "storage_offset", "is_contiguous",
                                                  "view_dtype", "relu",
                                                  "sigmoid", "min", "argmin", "cat", "softmax", "log_softmax",
                                                  "zero_", "copy_to", "from_dlpack", "to_dlpack",
                                                  "dlpack_device", "lu_factor", "cholesky", "triangular_solve",
                                                  "svd", "qr", "geqrf", "eigh"}
    from ember_cuda import fused

    with_fused = build(api, 2, fused.kernels)  # the plugin's table: the CUDA C kernels join the families'
    assert set(with_fused) - set(table) == set(fused.kernels()) - set(table)
    assert set(fused.kernels()) - set(table) <= set(OPTIONAL_KERNELS)
    api.use_tf32(False)
    assert linalg.get_compute_type(np.float32) == linalg.COMPUTE_TYPE_DEFAULT
