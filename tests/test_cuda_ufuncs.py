"""ember-cuda's float ufuncs (ufuncs.py: floor division, remainder, maximum and minimum as PyTorch's) without a
GPU: the CUDA C compiles under NVRTC, and the same functions built as host C++ by g++ (tests/cuda_host.py's
shim) give numpy's floor_divide and remainder (PyTorch's algorithm) bit for bit, and PyTorch's ties."""
from __future__ import annotations

import ctypes
import itertools
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

ufuncs = pytest.importorskip("ember_cuda.ufuncs", reason="ember-cuda is not installed")

from cuda_host import SHIM  # noqa: E402

TYPES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}
SPECIALS = [0.0, -0.0, 1.0, -1.0, 0.1, -0.1, 2.5, -2.5, 3.0, -4.0, 7.3, -7.3, 1e30, -1e30, 1e-30, np.inf, -np.inf,
            np.nan]


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """The ufuncs' functions built by g++, one C entry point per function and type."""
    if shutil.which("g++") is None:
        pytest.skip("no g++ to build the host copy")
    entries = "".join(
        f'extern "C" void {name}_{c_type}(const {c_type} *a, const {c_type} *b, {c_type} *out, long n) '
        f'{{ for (long i = 0; i < n; i++) out[i] = ember_{name}<{c_type}>(a[i], b[i]); }}\n'
        for name in ufuncs.FUNCTIONS for c_type in TYPES.values())
    folder = tmp_path_factory.mktemp("ufuncs")
    (folder / "ufuncs.cpp").write_text(SHIM + ufuncs._PREAMBLE + entries)
    built = subprocess.run(["g++", "-std=c++17", "-O1", "-ffp-contract=off", "-shared", "-fPIC", "-o",
                            str(folder / "ufuncs.so"), str(folder / "ufuncs.cpp")], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    return ctypes.CDLL(str(Path(folder / "ufuncs.so")))


def _call(host, name, a, b):
    out = np.empty_like(a)
    function = getattr(host, f"{name}_{TYPES[a.dtype]}")
    function.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_long]
    function(a.ctypes.data, b.ctypes.data, out.ctypes.data, a.size)
    return out


def _operands(dtype):
    pairs = np.array(list(itertools.product(SPECIALS, SPECIALS)), dtype).T
    rng = np.random.default_rng(0)
    drawn = (rng.standard_normal((2, 1000)) * 10.0 ** rng.integers(-3, 4, (2, 1000))).astype(dtype)
    return np.concatenate([pairs, drawn], axis=1)


def _same_bits(got, expected, what):
    same = (got == expected) & (np.signbit(got) == np.signbit(expected)) | np.isnan(got) & np.isnan(expected)
    assert same.all(), f"{what}: first differences at {np.flatnonzero(~same)[:5]}: {got[~same][:5]}, " \
                       f"expected {expected[~same][:5]}"


@pytest.mark.parametrize("dtype", list(TYPES))
@pytest.mark.parametrize("name", ["floor_divide", "remainder"])
def test_division_is_numpys_bit_for_bit(host, name, dtype):
    a, b = _operands(dtype)
    with np.errstate(all="ignore"):
        expected = getattr(np, name)(a, b)
        if name == "remainder":  # numpy gives a zero the divisor's sign; PyTorch's fmod-based one the dividend's
            expected = np.where(expected == 0, np.copysign(expected, a), expected)
    _same_bits(_call(host, name, a, b), expected, f"{name} on {dtype}")


@pytest.mark.parametrize("dtype", list(TYPES))
@pytest.mark.parametrize("name, chooses_first", [("maximum", np.greater), ("minimum", np.less)])
def test_ties_keep_the_second_operand_and_nan_propagates(host, name, chooses_first, dtype):
    a, b = _operands(dtype)
    expected = np.where(np.isnan(a) | chooses_first(a, b), a, b)
    _same_bits(_call(host, name, a, b), expected, f"{name} on {dtype}")
    kept = _call(host, name, np.array([-0.0, 0.0], dtype), np.array([0.0, -0.0], dtype))
    assert np.signbit(kept).tolist() == [False, True]  # the second operands: 0., -0.


def test_the_cuda_source_compiles_under_nvrtc():
    nvrtc_check = pytest.importorskip("ember_cuda.nvrtc_check")
    try:
        nvrtc_check.nvrtc()
    except ImportError as error:
        pytest.skip(str(error))
    entries = "".join(f'extern "C" __global__ void {name}_{c_type}(const {c_type} *a, const {c_type} *b, '
                      f'{c_type} *out) {{ int i = threadIdx.x; out[i] = ember_{name}<{c_type}>(a[i], b[i]); }}\n'
                      for name in ufuncs.FUNCTIONS for c_type in TYPES.values())
    entries += "".join(f'extern "C" __global__ void {name}_{c_type}(const {c_type} *x, {c_type} *out) '
                       f'{{ int i = threadIdx.x; out[i] = ember_{name}<{c_type}>(x[i]); }}\n'
                       for name in ufuncs.UNARY_FUNCTIONS for c_type in TYPES.values())
    for architecture in nvrtc_check.ARCHITECTURES:
        compiled, log, _ = nvrtc_check.compile_code(ufuncs._PREAMBLE + entries, "ufuncs.cu", architecture)
        assert compiled, f"ufuncs.py's CUDA C does not compile for {architecture}:\n{log}"
