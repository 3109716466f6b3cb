"""The CUDA cases (issue 9): ember on a CUDA device beside PyTorch's eager CUDA and raw cupy, with the
same math (cases.py's MLP step and tiny ops). A builder returns `run`, one call of the timed work;
run_cuda.py synchronises the device after each sample."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from cases import (
    TINY_OPS,
    TINY_SHAPE,
    Run,
    Target,
    _arrays,
    hand_written_matmul_step,
    hand_written_mlp_step,
    matmul_step,
    mlp_step,
)

COLUMNS = ("ember", "torch", "cupy")


@dataclass(frozen=True)
class CudaCase:
    """A row: for each column, a builder of its run ((module, device) -> run; cupy's gets cupy), or None."""

    name: str
    target: Target | None
    ember: Callable[[ModuleType, str], Run] | None
    torch: Callable[[ModuleType, str], Run] | None
    cupy: Callable[[ModuleType], Run] | None


def graph_replay(fw: ModuleType, device: str, batch: int) -> Run:
    """The MLP step captured once into a CUDA graph (PyTorch's `fw.cuda.CUDAGraph` / `fw.cuda.graph`,
    static inputs and outputs) and replayed: one launch per step."""
    if not hasattr(fw.cuda, "graph") or not hasattr(fw.cuda, "CUDAGraph"):
        raise RuntimeError(f"{fw.__name__}.cuda.graph is absent: no CUDA-graph capture to measure")
    step = mlp_step(fw, device, batch)
    if hasattr(fw.cuda, "Stream"):  # PyTorch: warm up on a side stream before capturing, as its docs say
        side = fw.cuda.Stream()
        side.wait_stream(fw.cuda.current_stream())
        with fw.cuda.stream(side):
            for _ in range(3):
                step()
        fw.cuda.current_stream().wait_stream(side)
    else:
        for _ in range(3):
            step()
    graph = fw.cuda.CUDAGraph()
    with fw.cuda.graph(graph):
        loss = step()

    def run() -> Any:
        graph.replay()
        return loss

    return run


def _mlp(batch: int) -> CudaCase:
    def framework(fw: ModuleType, device: str) -> Run:
        return mlp_step(fw, device, batch)

    return CudaCase(f"mlp 784-256-10 step b{batch}", Target("torch", 1.2), framework, framework,
                    lambda cupy: hand_written_mlp_step(cupy, batch))


def _mlp_graph(batch: int) -> tuple[CudaCase, CudaCase]:
    """ember's graph replay against PyTorch's eager step (the issue's target), then both replaying."""
    def replay(fw: ModuleType, device: str) -> Run:
        return graph_replay(fw, device, batch)

    def eager(fw: ModuleType, device: str) -> Run:
        return mlp_step(fw, device, batch)

    name = f"mlp 784-256-10 step b{batch} graph replay"
    return (CudaCase(f"{name} (torch eager)", Target("torch", 0.5), replay, eager, None),
            CudaCase(f"{name} (both)", None, replay, replay, None))


MATMUL_SIZE = 4096


def _matmul() -> CudaCase:
    framework = matmul_step(MATMUL_SIZE)
    return CudaCase(f"matmul {MATMUL_SIZE}x{MATMUL_SIZE} float32 fwd+bwd", Target("cupy", 1.05), framework, framework,
                    lambda cupy: hand_written_matmul_step(cupy, MATMUL_SIZE))


def _tiny(op) -> CudaCase:
    """One op on 4x4 float32 tensors without grad: the fixed cost of an op (dispatch and launch)."""
    def framework(fw: ModuleType, device: str) -> Run:
        inputs = [fw.tensor(a, device=device) for a in _arrays(*[TINY_SHAPE] * op.arity)]
        return lambda: op.framework(*inputs)

    def raw(cupy: ModuleType) -> Run:
        inputs = [cupy.asarray(a) for a in _arrays(*[TINY_SHAPE] * op.arity)]
        function = (lambda a: cupy.maximum(a, 0)) if op.name == "relu" else op.framework
        return lambda: function(*inputs)

    return CudaCase(f"{op.name} 4x4 fwd", Target("torch", 1.0), framework, framework, raw)


CUDA_CASES: tuple[CudaCase, ...] = (
    *(_tiny(op) for op in TINY_OPS),
    _mlp(64),
    _mlp(4096),
    *_mlp_graph(64),
    _matmul(),
)
