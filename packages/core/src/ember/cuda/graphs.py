"""CUDA graphs: ``ember.cuda.CUDAGraph``, the ``ember.cuda.graph`` context and ``graph_pool_handle``, with
PyTorch's semantics on top of the cuda DeviceType's ``begin_capture`` / ``end_capture`` hooks.

Between ``capture_begin`` and ``capture_end`` the ops on the device run no kernel: the backend records them
into a graph (allocating their results from a pool the graph keeps), and ``replay()`` runs them all with
one launch, reading and writing the same buffers each time (static inputs and outputs). Anything that needs
the values on the host meanwhile (``.item()``, ``.numpy()``, printing, moving to the CPU,
``ember.cuda.synchronize``) raises the error CUDA raises for it: while capturing, the device's kernel table
is a copy whose ``to_numpy`` refuses.
"""
from __future__ import annotations

import itertools
from typing import Any

from .. import _profiling
from .._device import current_index, resolve
from .._device import device as _device_named
from ._memory import empty_cache

CAPTURE_ERROR = "CUDA error: operation not permitted when stream is capturing"
_CAPTURE_MODES = ("global", "thread_local", "relaxed")

# device -> (its kernel table from before the capture, the refusing copy it has meanwhile), while a graph
# captures on it.
_capturing: dict = {}
_pool_ids = itertools.count(1)


def is_current_stream_capturing() -> bool:
    """Whether a graph is being captured on the current CUDA device."""
    return any(d.type == "cuda" and d.index == current_index("cuda") for d in _capturing)


def check_not_capturing(where: Any) -> None:
    """Raise CUDA's error for a synchronisation of `where` (a device) while a graph captures on it."""
    if where in _capturing:
        raise RuntimeError(CAPTURE_ERROR)


def graph_pool_handle() -> tuple[int, int]:
    """An opaque token naming a graph memory pool, to pass as ``pool=`` to captures that may share it."""
    return (0, next(_pool_ids))


def _refuse_host_reads(op: str, kernel: Any) -> Any:
    if op != "to_numpy":
        return kernel

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(CAPTURE_ERROR)

    return refused


class CUDAGraph:
    """One captured graph of device work: ``capture_begin``/``capture_end`` (or ``ember.cuda.graph``) record
    it, ``replay`` relaunches it, ``reset`` frees it."""

    def __init__(self, keep_graph: bool = False) -> None:
        self.keep_graph = keep_graph
        self._graph: Any = None
        self._device: Any = None  # the device being captured, until capture_end
        self._pool: tuple[int, int] | None = None

    def capture_begin(self, pool: tuple[int, int] | None = None, capture_error_mode: str = "global") -> None:
        """Begin capturing the work of the current CUDA device."""
        if self._graph is not None or self._device is not None:
            raise RuntimeError("This CUDAGraph instance already owns a captured graph. To capture a new graph, "
                               "create a new instance.")
        if capture_error_mode not in _CAPTURE_MODES:
            raise RuntimeError(f"Unknown capture error mode. Expected `global`, `thread_local`, or `relaxed`, got "
                               f"{capture_error_mode}")
        where = resolve(_device_named("cuda", current_index("cuda")))
        if where in _capturing:
            raise RuntimeError(f"a graph is already being captured on {where}: end it before beginning another")
        begin = where.device_type.begin_capture
        if begin is None or where.device_type.end_capture is None:
            raise RuntimeError(f"device '{where}' cannot capture CUDA graphs: its backend's DeviceType provides "
                               "no begin_capture/end_capture")
        begin(where.index)
        refusing = where.kernels.wrapped(_refuse_host_reads)
        _capturing[where] = (where.kernels, refusing)
        where.kernels = refusing
        self._device = where
        self._pool = pool if pool is not None else graph_pool_handle()

    def capture_end(self) -> None:
        """End the capture: the graph is ready to ``replay``."""
        where = self._device
        if where is None:
            raise RuntimeError("Capture must end on the same stream it began on.")
        saved, refusing = _capturing.pop(where)
        if where.kernels is refusing:  # else a profiler that began before the capture ended during it
            where.kernels = saved
        elif _profiling._plain_tables.get(where) is refusing:  # a profiler began during the capture: it must
            del _profiling._plain_tables[where]  # restore the table from before the capture when it ends
            where.kernels = saved
            _profiling.record_kernels_of(where)
        self._device = None
        self._graph = where.device_type.end_capture(where.index)

    def replay(self) -> None:
        """Run the captured work again, on the buffers it was captured with."""
        if self._graph is None:
            raise RuntimeError("Called CUDAGraph::replay without a preceding successful capture.")
        self._graph.replay()

    def reset(self) -> None:
        """Free the captured graph (and its memory pool); the instance may capture again."""
        if self._graph is not None:
            self._graph.reset()
        self._graph = None
        self._pool = None

    def pool(self) -> tuple[int, int]:
        """The token of this graph's memory pool, for another capture's ``pool=``."""
        if self._pool is None:
            raise RuntimeError("Called CUDAGraph::pool() without a preceding successful capture.")
        return self._pool


class graph:
    """Capture the work of the block into `cuda_graph` (``with ember.cuda.graph(g): ...``), as PyTorch's:
    the device is synchronised and its cached memory released first, and `stream` (an
    ``ember.cuda.Stream``) is the current stream for the block, captured on; without one the backend
    captures on a stream of its own."""

    def __init__(self, cuda_graph: CUDAGraph, pool: tuple[int, int] | None = None, stream: Any = None,
                 capture_error_mode: str = "global") -> None:
        from .streams import Stream, StreamContext

        if stream is not None and not isinstance(stream, Stream):
            raise TypeError(f"ember.cuda.graph(): argument 'stream' must be ember.cuda.Stream or None, not "
                            f"{type(stream).__name__}")
        self.cuda_graph = cuda_graph
        self.pool = pool
        self.capture_error_mode = capture_error_mode
        self.stream_ctx = StreamContext(stream)

    def __enter__(self) -> None:
        from . import synchronize

        synchronize()
        if resolve(_device_named("cuda", current_index("cuda"))).device_type.empty_cache is not None:
            empty_cache()
        self.stream_ctx.__enter__()
        self.cuda_graph.capture_begin(self.pool, capture_error_mode=self.capture_error_mode)

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.cuda_graph.capture_end()
        finally:
            self.stream_ctx.__exit__(*exc_info)
