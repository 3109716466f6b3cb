"""benchmarks/run_cuda.py (issue 9): without a GPU it says why in one line and succeeds; its cases build
and run with ember on the CPU and numpy standing in for cupy (the timing itself needs a GPU)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ember

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _gpu_present() -> bool:
    try:
        import cupy
    except Exception:
        return False
    return bool(cupy.cuda.is_available())


@pytest.mark.skipif(_gpu_present(), reason="a GPU is present: the benchmarks would run")
def test_without_a_gpu_the_cuda_benchmarks_skip_in_one_line():
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, str(BENCHMARKS / "run_cuda.py")], capture_output=True, text=True,
                          env=environment, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("CUDA benchmarks skipped: "), done.stdout + done.stderr


@pytest.fixture
def cuda_cases(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import cuda_cases

    return cuda_cases


def test_every_case_but_the_large_matmul_and_graph_capture_runs_on_the_cpu(cuda_cases):
    """(A 4096² matmul is minutes on a CPU; capturing a CUDA graph needs a CUDA device.)"""
    ran = 0
    for case in cuda_cases.CUDA_CASES:
        if "matmul 4096" in case.name or "graph replay" in case.name:
            continue
        case.ember(ember, "cpu")()
        ran += 1
        if case.cupy is not None:
            case.cupy(np)()
    assert ran == len(cuda_cases.CUDA_CASES) - 3


def test_the_hand_written_step_trains_as_embers(cuda_cases):
    """The raw-array step (cupy's column) and ember's step make the same losses, step after step."""
    hand_written = cuda_cases.hand_written_mlp_step(np, 64)
    step = cuda_cases.mlp_step(ember, "cpu", 64)
    for _ in range(3):
        np.testing.assert_allclose(float(hand_written()), step().item(), rtol=1e-5)
