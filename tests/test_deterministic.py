"""The deterministic mode's effect on the kernels that have an order-dependent fast path: float sums of
`index_put_(accumulate=True)` go the sorted way on cuda (checked on the cudasim stand-in: no atomic
scatter_add) and serially on opencl (no compare-and-swap kernel); exact sums are the same either way. And
PyTorch's alert for cuBLAS without a reproducible workspace setting, from the cuda matmul."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.plugins import register_plugin
from ember.plugins.manager import _reset_for_tests


@pytest.fixture
def deterministic():
    yield ember.use_deterministic_algorithms
    ember.use_deterministic_algorithms(False)


@pytest.fixture
def cudasim():
    pytest.importorskip("ember_cuda")
    from tests import cudasim

    _reset_for_tests()
    register_plugin(cudasim, cudasim.NAME)
    yield cudasim
    _reset_for_tests()


def accumulated(device: str) -> np.ndarray:
    x = ember.zeros(3, device=device)
    index = ember.tensor([0, 0, 1, 2, 0], device=device)
    x.index_put_((index,), ember.tensor([0.5, 1.0, 0.25, 2.0, 4.0], device=device), accumulate=True)
    return x.cpu().numpy()


def test_cuda_accumulates_floats_without_atomics_when_deterministic(cudasim, deterministic, monkeypatch):
    atomic_calls = []
    original = cudasim.API.scatter_add
    monkeypatch.setattr(cudasim.API, "scatter_add", lambda *args: (atomic_calls.append(1), original(*args))[1])
    fast = accumulated("cudasim")
    assert atomic_calls == [1]
    deterministic(True)
    np.testing.assert_array_equal(accumulated("cudasim"), fast)
    assert atomic_calls == [1]  # the sorted path
    ints = ember.zeros(3, dtype=ember.int32, device="cudasim")
    index = ember.tensor([0, 0], device="cudasim")
    ints.index_put_((index,), ember.tensor([1, 2], dtype=ember.int32, device="cudasim"), accumulate=True)
    assert atomic_calls == [1, 1]  # integer sums do not depend on the order: still atomic
    assert ints.tolist() == [3, 0, 0]


def test_opencl_accumulates_floats_serially_when_deterministic(deterministic, monkeypatch):
    indexing = pytest.importorskip("ember_opencl.indexing")
    try:
        ember.zeros(1, device="opencl")
    except RuntimeError as error:
        pytest.skip(f"no opencl device: {error}")
    words = []
    original = indexing._atomic_word
    monkeypatch.setattr(indexing, "_atomic_word", lambda *args: words.append(original(*args)) or words[-1])
    fast = accumulated("opencl")
    assert words == ["uint"]
    deterministic(True)
    np.testing.assert_array_equal(accumulated("opencl"), fast)
    assert words == ["uint"]  # no compare-and-swap word asked for: the serial walk


def test_opencl_deterministic_sums_are_numpys_sequential_ones(deterministic):
    pytest.importorskip("ember_opencl")
    try:
        ember.zeros(1, device="opencl")
    except RuntimeError as error:
        pytest.skip(f"no opencl device: {error}")
    rng = np.random.default_rng(0)
    index = rng.integers(0, 7, 400)
    values = (rng.standard_normal(400) * 10.0 ** rng.integers(-3, 4, 400)).astype(np.float32)
    expected = np.zeros(7, dtype=np.float32)
    np.add.at(expected, index, values)  # in element order
    deterministic(True)
    x = ember.zeros(7, device="opencl")
    x.index_put_((ember.tensor(index, device="opencl"),), ember.tensor(values, device="opencl"), accumulate=True)
    np.testing.assert_array_equal(x.cpu().numpy(), expected)
    y = ember.zeros(7, device="opencl").index_add_(0, ember.tensor(index, device="opencl"),
                                                    ember.tensor(values, device="opencl"))
    np.testing.assert_array_equal(y.cpu().numpy(), expected)  # index_add is the same accumulation


def test_cuda_matmul_alerts_as_pytorch_without_a_reproducible_cublas_workspace(cudasim, deterministic,
                                                                               monkeypatch):
    a, b = ember.ones(2, 3, device="cudasim"), ember.ones(3, 4, device="cudasim")
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    assert (a @ b).sum().item() == 24  # mode off: nothing to say
    deterministic(True)
    with pytest.raises(RuntimeError, match="because it uses CuBLAS and you have CUDA >= 10.2.*"
                                           "CUBLAS_WORKSPACE_CONFIG=:4096:8 or CUBLAS_WORKSPACE_CONFIG=:16:8"):
        a @ b
    with pytest.raises(RuntimeError, match="CuBLAS"):
        ember.nn.functional.linear(a, b.t(), ember.ones(4, device="cudasim"))
    deterministic(True, warn_only=True)
    with pytest.warns(UserWarning, match="CuBLAS"):
        assert (a @ b).sum().item() == 24
    deterministic(True)
    for setting in (":4096:8", ":16:8"):
        monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", setting)
        assert (a @ b).sum().item() == 24
    monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:2")
    with pytest.raises(RuntimeError, match="CuBLAS"):
        a @ b


def test_the_cpu_matmul_needs_no_workspace_setting(deterministic, monkeypatch):
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    deterministic(True)
    assert (ember.ones(2, 3, device="cpu") @ ember.ones(3, 4, device="cpu")).sum().item() == 24
