"""PyTorch at its default CPU capability (``ATEN_CPU_CAPABILITY=default``: its kernels without AVX2/AVX512), in
a subprocess: the reference where PyTorch's CPU rounding depends on the capability. Its vectorised lerp (and so
Adam's and EMA's ``lerp_``) fuses the multiply-add, its default one rounds each step, as ember's CPU backend;
the oracle's own torch runs at the best capability of the machine."""
from __future__ import annotations

import inspect
import os
import pickle
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

_RUN = """
import pickle, sys, torch
assert torch.backends.cpu.get_cpu_capability() == "DEFAULT", torch.backends.cpu.get_cpu_capability()
torch.set_num_threads(1)
sys.stdout.buffer.write(pickle.dumps({name}(torch, *pickle.load(sys.stdin.buffer))))
"""


def at_default_capability(function: Callable[..., Any], *arguments: Any) -> Any:
    """``function(torch, *arguments)`` in a fresh Python with PyTorch at its default CPU capability. The
    function's source is what runs there: it may use only its arguments and what it imports itself; the
    arguments and the result (numpy arrays, not tensors) travel pickled."""
    script = textwrap.dedent(inspect.getsource(function)) + _RUN.format(name=function.__name__)
    done = subprocess.run([sys.executable, "-c", script], input=pickle.dumps(arguments), capture_output=True,
                          env={**os.environ, "ATEN_CPU_CAPABILITY": "default"}, check=False)
    assert done.returncode == 0, f"PyTorch at its default capability failed:\n{done.stderr.decode()[-3000:]}"
    return pickle.loads(done.stdout)
