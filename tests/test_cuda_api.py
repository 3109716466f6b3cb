"""ember.cuda's device contexts, device properties and memory queries, and the TF32 switches, on
test_contract_v2's fake two-device "cuda" backend (plus a variant whose DeviceType answers the optional
property and memory hooks). Expected values and messages are PyTorch 2.13's."""
from __future__ import annotations

import dataclasses

import pytest
from test_contract_v2 import TwoDevices, backend, registered  # noqa: F401  (the fixture)

import ember


def test_device_context_makes_a_device_current_and_restores_the_previous(backend):  # noqa: F811
    assert ember.cuda.current_device() == 0
    with ember.cuda.device(1):
        assert ember.cuda.current_device() == 1
        assert ember.zeros(1, device="cuda").device == ember.device("cuda", 1)
        with ember.cuda.device("cuda:0"):
            assert ember.cuda.current_device() == 0
        assert ember.cuda.current_device() == 1
    assert ember.cuda.current_device() == 0
    assert backend.made_current == [1, 0, 1, 0]


def test_device_context_accepts_what_pytorch_accepts(backend):  # noqa: F811
    assert ember.cuda.device(ember.device("cuda", 1)).idx == 1
    assert ember.cuda.device(None).idx == 0
    assert ember.cuda.device(ember.cuda.device(1)).idx == 1
    with ember.cuda.device(-1):  # a negative index is a no-op
        assert ember.cuda.current_device() == 0
    with pytest.raises(ValueError, match="Expected a cuda device, but got: cpu"):
        ember.cuda.device("cpu")
    with pytest.raises(RuntimeError, match="cuda:5"):
        with ember.cuda.device(5):
            pass


def test_device_context_restores_after_an_error(backend):  # noqa: F811
    with pytest.raises(KeyError):
        with ember.cuda.device(1):
            raise KeyError("inside")
    assert ember.cuda.current_device() == 0


def test_device_of_follows_a_tensor(backend):  # noqa: F811
    x = ember.ones(2, device="cuda:1")
    with ember.cuda.device_of(x):
        assert ember.cuda.current_device() == 1
    with ember.cuda.device_of(ember.ones(2)):  # a CPU tensor: no-op
        assert ember.cuda.current_device() == 0
    assert ember.cuda.current_device() == 0


@pytest.mark.skipif(ember.cuda.is_available(), reason="a CUDA backend is installed and available")
def test_without_a_cuda_backend_the_context_raises_and_queries_fail_clearly():
    with ember.cuda.device(-1):
        pass
    with pytest.raises(RuntimeError, match="not available|unavailable"):
        with ember.cuda.device(0):
            pass
    ember.cuda.empty_cache()  # no-op without CUDA, as PyTorch's before CUDA is initialised


class WithProperties(TwoDevices):
    """TwoDevices whose "cuda" DeviceType answers the property and memory hooks."""

    def __init__(self) -> None:
        super().__init__()
        self.emptied = 0

    def device_type(self, name):
        return dataclasses.replace(
            super().device_type(name),
            device_properties=lambda index: {"name": f"Fake GPU {index}", "major": 9, "minor": index,
                                             "total_memory": 80 * 2**30, "multi_processor_count": 132},
            mem_get_info=lambda index: (10 * 2**20 + index, 80 * 2**30),
            memory_allocated=lambda index: 4096 * (index + 1),
            memory_reserved=lambda index: 2**21,
            empty_cache=self.empty)

    def empty(self):
        self.emptied += 1


@pytest.fixture
def properties_backend(without_installed_cuda):
    yield from registered(WithProperties(), "with-properties")


def test_properties_and_memory_come_from_the_device_type(properties_backend):
    assert ember.cuda.get_device_name() == "Fake GPU 0"
    assert ember.cuda.get_device_name("cuda:1") == "Fake GPU 1"
    assert ember.cuda.get_device_capability(1) == (9, 1)
    properties = ember.cuda.get_device_properties(ember.device("cuda", 0))
    assert properties.total_memory == 80 * 2**30 and properties.multi_processor_count == 132
    assert repr(properties) == ("_CudaDeviceProperties(name='Fake GPU 0', major=9, minor=0, total_memory=81920MB, "
                                "multi_processor_count=132)")
    assert ember.cuda.mem_get_info(1) == (10 * 2**20 + 1, 80 * 2**30)
    assert ember.cuda.memory_allocated() == 4096
    with ember.cuda.device(1):
        assert ember.cuda.memory_allocated() == 8192
    assert ember.cuda.memory_reserved() == 2**21
    ember.cuda.empty_cache()
    assert properties_backend.emptied == 1
    with pytest.raises(AssertionError, match="Invalid device id"):
        ember.cuda.get_device_properties(2)


def test_a_backend_without_the_hooks_is_named(backend):  # noqa: F811
    with pytest.raises(RuntimeError, match="does not provide DeviceType.device_properties"):
        ember.cuda.get_device_name()
    with pytest.raises(RuntimeError, match="does not provide DeviceType.mem_get_info"):
        ember.cuda.mem_get_info()


@pytest.fixture
def precision():
    yield
    ember.set_float32_matmul_precision("highest")
    ember.backends.cudnn.allow_tf32 = True


def test_tf32_switches_and_matmul_precision_agree_as_in_pytorch(precision):
    assert ember.backends.cuda.matmul.allow_tf32 is False
    assert ember.backends.cudnn.allow_tf32 is True
    assert ember.get_float32_matmul_precision() == "highest"
    ember.backends.cuda.matmul.allow_tf32 = True
    assert ember.get_float32_matmul_precision() == "high"
    ember.backends.cuda.matmul.allow_tf32 = False
    assert ember.get_float32_matmul_precision() == "highest"
    ember.set_float32_matmul_precision("medium")
    assert ember.backends.cuda.matmul.allow_tf32 is True and ember.get_float32_matmul_precision() == "medium"
    ember.set_float32_matmul_precision("highest")
    assert ember.backends.cuda.matmul.allow_tf32 is False
    ember.backends.cudnn.allow_tf32 = False  # cuDNN's switch is separate
    assert ember.get_float32_matmul_precision() == "highest"


def test_tf32_switches_refuse_what_pytorch_refuses(precision):
    with pytest.raises(RuntimeError, match="set_allow_tf32_cublas expects a bool, but got int"):
        ember.backends.cuda.matmul.allow_tf32 = 1
    with pytest.raises(RuntimeError, match="set_allow_tf32_cudnn expects a bool, but got int"):
        ember.backends.cudnn.allow_tf32 = 1
    with pytest.raises(AttributeError, match="Unknown attribute foo"):
        ember.backends.cuda.matmul.foo = True
    with pytest.raises(AttributeError, match="Unknown attribute foo"):
        ember.backends.cuda.matmul.foo  # noqa: B018
    with pytest.raises(RuntimeError, match="set_float32_matmul_precision expects a str, but got int"):
        ember.set_float32_matmul_precision(1)
    with pytest.warns(UserWarning, match="bad is not one of 'highest', 'high', or 'medium'"):
        ember.set_float32_matmul_precision("bad")
    assert ember.get_float32_matmul_precision() == "highest"


def test_tensor_and_module_cuda_as_in_pytorch(backend):  # noqa: F811
    x = ember.ones(2)
    assert not x.is_cuda and x.get_device() == -1
    moved = x.cuda()
    assert moved.is_cuda and moved.get_device() == 0 and moved._data.index == 0
    assert moved.cuda() is moved  # already there: no copy
    assert x.cuda(1).get_device() == 1 and x.cuda("cuda:1", non_blocking=True)._data.index == 1
    assert x.to("cuda:1").get_device() == 1
    with ember.cuda.device(1):
        assert x.cuda().get_device() == 1
    with pytest.raises(RuntimeError, match="Invalid device, must be cuda device"):
        x.cuda("cpu")
    layer = ember.nn.Linear(2, 3).cuda(1)
    assert all(p.get_device() == 1 and p.is_leaf for p in layer.parameters())
    assert layer(ember.ones(1, 2, device="cuda:1")).get_device() == 1


@pytest.mark.skipif(ember.cuda.is_available(), reason="a CUDA backend is installed and available")
def test_cuda_without_a_backend_is_pytorchs_assertion_error():
    with pytest.raises(AssertionError):
        ember.ones(1).cuda()
