"""The NVRTC compile check (issue 9): every CUDA C source ember-cuda ships compiles, with every template
instantiation its fused kernels call, for sm_80 and sm_90; NVRTC needs no GPU. Skips only where ember-cuda
or NVRTC (cuda-bindings with nvidia-cuda-nvrtc) is not installed."""
from __future__ import annotations

import re

import pytest

fused_sources = pytest.importorskip("ember_cuda.fused_sources", reason="ember-cuda is not installed")
nvrtc_check = pytest.importorskip("ember_cuda.nvrtc_check", reason="ember-cuda is not installed")

SOURCES = fused_sources.SOURCES


@pytest.fixture(scope="module", autouse=True)
def nvrtc():
    try:
        return nvrtc_check.nvrtc()
    except ImportError as error:
        pytest.skip(str(error))


@pytest.mark.parametrize("architecture", nvrtc_check.ARCHITECTURES)
@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.file)
def test_source_compiles_with_every_instantiation(source, architecture):
    compiled, log, lowered = nvrtc_check.compile_source(source, architecture)
    assert compiled, f"{source.file} does not compile for {architecture}:\n{log}"
    assert sorted(lowered) == sorted(source.name_expressions), f"{source.file}: instantiations missing"
    assert all(symbol.startswith("_Z") for symbol in lowered.values()), lowered


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.file)
def test_every_kernel_of_a_source_is_instantiated(source):
    """A kernel template nobody instantiates would ship without ever being compiled."""
    defined = set(re.findall(r"__global__ void (\w+)\(", source.code))
    assert defined == set(source.templates), f"{source.file}: kernels {sorted(defined ^ set(source.templates))}"


def test_a_broken_source_fails_with_the_nvrtc_log():
    broken = fused_sources.Source("elementwise.cu", {"relu": fused_sources.FLOATS})
    broken.__dict__["code"] = broken.code.replace("st(y, i, v < (M)0", "st(y, i, v < (M)0 +", 1)
    compiled, log, _ = nvrtc_check.compile_source(broken, "sm_80")
    assert not compiled and "error" in log, log


def test_the_host_struct_of_tensor_lists_has_the_device_layout(nvrtc):
    """optim.cu's TensorLists<T> is passed by value from the numpy struct TENSOR_LISTS: the offsets of
    its fields and its size must agree (checked by static_assert under NVRTC, for each dtype)."""
    optim = next(source for source in SOURCES if source.file == "optim.cu")
    layout = fused_sources.TENSOR_LISTS
    asserts = "".join(
        f"static_assert(__builtin_offsetof(TensorLists<{c_type}>, {field}) == {layout.fields[field][1]}, "
        f"\"{field}\");\n"
        for c_type in ("half_t", "float", "double") for field in layout.names)
    asserts += "".join(f"static_assert(sizeof(TensorLists<{c_type}>) == {layout.itemsize}, \"size\");\n"
                       for c_type in ("half_t", "float", "double"))
    checked = fused_sources.Source("optim.cu", optim.templates)
    checked.__dict__["code"] = optim.code + asserts
    compiled, log, _ = nvrtc_check.compile_source(checked, "sm_90")
    if not compiled and '"__builtin_offsetof" is undefined' in log:  # seen with CUDA 13.0's NVRTC
        _, major, minor = nvrtc.nvrtcVersion()
        pytest.skip(f"NVRTC {major}.{minor} has no __builtin_offsetof (CI's NVRTC checks the layout)")
    assert compiled, log
    device_sizes = (int(re.search(r"#define GROUP (\d+)", optim.code)[1]),
                    int(re.search(r"T \*t\[(\d+)\]\[GROUP\]", optim.code)[1]))
    assert (fused_sources.GROUP, fused_sources.SLOTS) == device_sizes
