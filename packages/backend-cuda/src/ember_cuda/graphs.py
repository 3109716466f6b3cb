"""CUDA graph capture, the device type's `begin_capture` / `end_capture` hooks (ember.cuda.CUDAGraph).

Between the two calls the device's kernels are recorded on the current stream (``ember.cuda.graph(g,
stream=s)`` makes `s` current), or on a capture stream made current when that is a default stream, allocating
from a private memory pool; `end_capture` returns a `Graph` that keeps the pool alive, so the captured
buffers stay valid for every replay, as PyTorch's graph-private pools do. A replay is launched on the
device's current stream, as PyTorch's, so it is ordered with the work queued there before and after it.
Before the stream starts capturing, the device's capture cuBLAS handle is bound to it, with a workspace
from the graph's pool (captured_gemm.py), so that matmuls are captured too.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .captured_gemm import CapturedGemms

# CUDA's default streams (the null stream, cudaStreamLegacy, cudaStreamPerThread), where no capture can run.
DEFAULT_STREAMS = frozenset({0, 1, 2})


@dataclass
class _Capture:
    stream: Any
    pool: Any
    workspace: Any  # the capture cuBLAS handle's workspace, in the pool
    previous_allocator: Any
    previous_stream: Any


@dataclass
class Graph:
    """A captured graph of device `index`, with the pool holding its buffers and its matmuls' workspace."""

    graph: Any
    pool: Any
    workspace: Any
    index: int
    cuda: Any  # cupy.cuda

    def replay(self) -> None:
        """Relaunch the captured work, as one graph launch, on the device's current stream."""
        with self.cuda.Device(self.index):
            self.graph.launch(self.cuda.get_current_stream(self.index))

    def reset(self) -> None:
        """Free the graph and its memory pool."""
        self.graph = self.workspace = None
        self.pool.free_all_blocks()


class Capturer:
    """The capture hooks of one process: at most one capture per device at a time."""

    def __init__(self, cupy: ModuleType, gemms: CapturedGemms) -> None:
        self._cupy = cupy
        self._gemms = gemms
        self._open: dict[int, _Capture] = {}

    def begin_capture(self, index: int) -> None:
        if index in self._open:
            raise RuntimeError(f"cuda:{index} is already capturing a graph")
        cuda = self._cupy.cuda
        with cuda.Device(index):
            pool = cuda.MemoryPool()
            previous, previous_stream = cuda.get_allocator(), cuda.get_current_stream(index)
            cuda.set_allocator(pool.malloc)
            stream = previous_stream
            if stream.ptr in DEFAULT_STREAMS:  # CUDA cannot capture there: a capture stream of our own
                stream = cuda.Stream(non_blocking=True)
                stream.use()
            try:
                workspace = pool.malloc(self._gemms.workspace_bytes(index))
                self._bind(index, stream, workspace)  # cuBLAS takes its stream only before capture
                stream.begin_capture()
            except BaseException:
                self._gemms.unbind(stream)
                cuda.set_allocator(previous)
                previous_stream.use()
                raise
        self._open[index] = _Capture(stream, pool, workspace, previous, previous_stream)

    def _bind(self, index: int, stream: Any, workspace: Any) -> None:
        """Bind the capture cuBLAS handle; where cuBLAS cannot be called directly, warn and capture without it
        (a matmul then raises cupy's refusal; everything else captures as before)."""
        try:
            self._gemms.bind(index, stream, workspace)
        except Exception as error:
            warnings.warn(f"CUDA graph capture on cuda:{index} cannot capture matmul: the capture cuBLAS handle "
                          f"could not be bound ({type(error).__name__}: {error})", RuntimeWarning, stacklevel=4)

    def end_capture(self, index: int) -> Graph:
        capture = self._open.pop(index, None)
        if capture is None:
            raise RuntimeError(f"cuda:{index} is not capturing a graph")
        cuda = self._cupy.cuda
        with cuda.Device(index):
            try:
                graph = capture.stream.end_capture()
            finally:
                self._gemms.unbind(capture.stream)
                cuda.set_allocator(capture.previous_allocator)
                capture.previous_stream.use()
        return Graph(graph, capture.pool, capture.workspace, index, cuda)
