"""Kernel contract v2: per-index kernel tables proven by a fake two-device backend, ember.cuda's indices,
``to(non_blocking=)``, and the open kernel vocabulary."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember._device import _current_index
from ember.plugins import CREATION_KERNELS, OPTIONAL_KERNELS, DeviceType, Registry, hookimpl, register_plugin
from ember.plugins.manager import _reset_for_tests
from ember_cpu.device import CPU
from ember_cpu.kernels import KERNELS as CPU_KERNELS


class OnDevice(np.ndarray):
    """A fake device buffer: host memory that remembers the device index it was created on (views and
    results computed from it inherit the index: they live where their input lives)."""

    def __array_finalize__(self, obj) -> None:
        self.index = getattr(obj, "index", None)


def _creating(kernel):
    def create(*args, index, **kwargs):
        buffer = np.array(kernel(*args, **kwargs), copy=True).view(OnDevice)
        buffer.index = index
        return buffer

    return create


def _conv2d(x, w):
    return x


class TwoDevices:
    """A test backend: device types "fake" and "cuda", two devices each, CPU kernels whose creation
    kernels tag each buffer with its device index, no optional kernels, and a kernel core never names."""

    def __init__(self) -> None:
        self.synchronized: list[tuple[str, int]] = []
        self.made_current: list[int] = []

    def device_type(self, name: str) -> DeviceType:
        return DeviceType(name, is_available=lambda: True, device_count=lambda: 2,
                          synchronize=lambda index: self.synchronized.append((name, index)),
                          new_generator=CPU.new_generator, dtypes={"float32", "float64", "int64", "bool"},
                          set_device=self.made_current.append if name == "cuda" else None)

    @hookimpl
    def ember_register_devices(self, registry: Registry) -> None:
        registry.add_device(self.device_type("fake"))
        registry.add_device(self.device_type("cuda"))

    @hookimpl
    def ember_register_kernels(self, registry: Registry) -> None:
        kernels = {op: _creating(fn) if op in CREATION_KERNELS else fn
                   for op, fn in CPU_KERNELS.items() if op not in OPTIONAL_KERNELS}
        kernels["to_numpy"] = np.asarray
        kernels["conv2d"] = _conv2d
        for name in ("fake", "cuda"):
            registry.add_kernels(name, kernels)


def registered(plugin, name: str):
    """`plugin` registered for one test (a fixture's body); its "fake" and "cuda" devices and the current
    index forgotten after."""
    _reset_for_tests()
    register_plugin(plugin, name)
    yield plugin
    for placed in ember.device._interned.values():
        if placed.type in ("fake", "cuda"):
            placed.kernels = placed.device_type = None
    _current_index.clear()
    _reset_for_tests()


@pytest.fixture
def backend(without_installed_cuda):
    """The two-device backend, registered for one test."""
    yield from registered(TwoDevices(), "two-devices")


def test_a_factory_creates_its_buffer_on_the_device_index_it_names(backend):
    for index in (0, 1):
        x = ember.zeros(2, device=f"fake:{index}")
        assert x.device == ember.device("fake", index)
        assert x._data.index == index
    assert ember.ones(3, device=ember.device("fake", 1))._data.index == 1
    assert ember.arange(4, device="fake:1")._data.index == 1
    assert ember.randn(2, 2, device="fake:1")._data.index == 1
    assert ember.tensor([1.0, 2.0], device="fake:1")._data.index == 1


@pytest.mark.parametrize("source", ["cpu", "fake:0"])
def test_to_moves_a_tensor_onto_the_device_index_it_names(backend, source):
    x = ember.tensor([1.0, 2.0], device=source)
    moved = x.to("fake:1")
    assert moved.device == ember.device("fake", 1) and moved._data.index == 1
    assert moved.tolist() == [1.0, 2.0]
    assert x.to("fake:1", non_blocking=True)._data.index == 1
    assert x.to(ember.device("fake", 1), ember.float64, non_blocking=True)._data.index == 1


def test_a_device_without_index_is_the_current_one(backend):
    assert ember.cuda.current_device() == 0
    assert ember.zeros(1, device="cuda")._data.index == 0
    ember.cuda.set_device(1)
    assert ember.cuda.current_device() == 1
    assert backend.made_current == [1]
    x = ember.zeros(1, device="cuda")
    assert x.device == ember.device("cuda", 1) and x._data.index == 1
    ember.cuda.set_device("cuda:0")
    assert ember.cuda.current_device() == 0


def test_cuda_synchronize_waits_for_the_device_it_names(backend):
    ember.cuda.synchronize("cuda:1")
    ember.cuda.synchronize(ember.device("cuda", 0))
    ember.cuda.synchronize(1)
    ember.cuda.set_device(1)
    ember.cuda.synchronize()
    assert backend.synchronized == [("cuda", 1), ("cuda", 0), ("cuda", 1), ("cuda", 1)]


def test_cuda_functions_refuse_another_device_type_and_missing_indices(backend):
    with pytest.raises(ValueError, match="Expected a cuda device, but got: cpu"):  # PyTorch's message
        ember.cuda.synchronize("cpu")
    with pytest.raises(RuntimeError, match="device cuda:2 is not available"):
        ember.cuda.set_device(2)
    assert ember.cuda.current_device() == 0


def test_a_backend_may_register_a_kernel_name_core_does_not_know(backend):
    kernels = ember.zeros(1, device="fake:1")._device.kernels
    assert kernels.conv2d is _conv2d and kernels.get("conv2d") is _conv2d
    assert kernels.get("no_such_kernel") is None
    from ember.plugins import plugin_report

    fake = next(status for status in plugin_report().devices if status.name == "fake")
    assert fake.coverage["conv2d"] == "two-devices"


def test_missing_optional_kernels_fall_back_to_cores_compositions(backend):
    x = ember.tensor([[-1.0, 2.0], [3.0, -4.0]], device="fake:1", requires_grad=True)
    assert x._device.kernels.relu is None and x._device.kernels.softmax is None
    y = ember.softmax(x.relu(), dim=1)
    y.sum().backward()
    expected = np.exp([[0.0, 2.0], [3.0, 0.0]])
    np.testing.assert_allclose(y.tolist(), expected / expected.sum(1, keepdims=True), rtol=1e-6)
    assert x.grad.device == ember.device("fake", 1)


def test_cpu_creation_kernels_take_the_index():
    assert ember.zeros(2).device == ember.device("cpu")
    assert CPU_KERNELS["full"]((2,), 1.0, ember.float32, index=0).tolist() == [1.0, 1.0]
