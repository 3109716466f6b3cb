"""The CUDA C sources of the fused kernels (`sources/*.cu`, each prepended with `sources/common.cuh`), the
template instantiations the backend calls, and the NVRTC options: one list that both `fused.py` (cupy
RawModules) and the NVRTC compile check in CI (tests/test_cuda_sources.py) read."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_FOLDER = Path(__file__).parent / "sources"

# No contraction of a * b + c into one rounding: the kernels round as core's composition does (the
# explicit fma() of Adam's lerp is PyTorch's own).
OPTIONS = ("--fmad=false",)

# The C type of each dtype a kernel is instantiated for (float16: common.cuh's half_t).
C_TYPES: dict[np.dtype, str] = {
    np.dtype(np.float16): "half_t", np.dtype(np.float32): "float", np.dtype(np.float64): "double",
    np.dtype(np.int8): "signed char", np.dtype(np.uint8): "unsigned char", np.dtype(np.int16): "short",
    np.dtype(np.int32): "int", np.dtype(np.int64): "long long"}
FLOATS = tuple(np.dtype(name) for name in ("float16", "float32", "float64"))
NUMERIC: tuple[np.dtype, ...] = tuple(C_TYPES)


@dataclass(frozen=True)
class Source:
    """One RawModule: the file, and its kernel templates with the dtypes each is instantiated for."""

    file: str
    templates: dict[str, tuple[np.dtype, ...]]

    @functools.cached_property
    def code(self) -> str:
        return (_FOLDER / "common.cuh").read_text() + "\n" + (_FOLDER / self.file).read_text()

    @property
    def name_expressions(self) -> tuple[str, ...]:
        return tuple(expression(name, dtype) for name, dtypes in self.templates.items() for dtype in dtypes)


def expression(name: str, dtype: np.dtype) -> str:
    """The name of kernel template `name` instantiated for `dtype` (a RawModule name expression)."""
    return f"{name}<{C_TYPES[dtype]}>"


SOURCES = (
    Source("elementwise.cu", {"relu": NUMERIC, "sigmoid": FLOATS, "tanh_backward": FLOATS,
                              "sigmoid_backward": FLOATS, "threshold_backward": FLOATS,
                              "binary_cross_entropy_with_logits": FLOATS, "mse_loss": FLOATS,
                              "mse_loss_reduced": FLOATS, "mse_loss_backward": FLOATS, "bias_add": FLOATS}),
    Source("rows.cu", {"softmax": FLOATS, "softmax_backward": FLOATS, "cross_entropy": FLOATS,
                       "cross_entropy_checked": FLOATS, "cross_entropy_backward": FLOATS}),
    Source("optim.cu", {"sgd_step": FLOATS, "adam_step": FLOATS}),
)

# The host side of optim.cu's TensorLists<T> (every field 8 bytes wide: no padding on either side).
GROUP = 32
SLOTS = 5
TENSOR_LISTS = np.dtype([("t", np.uint64, (SLOTS, GROUP)), ("n", np.int64, (GROUP,)), ("a", np.float64, (GROUP,)),
                         ("b", np.float64, (GROUP,)), ("flag", np.int64, (GROUP,))])
