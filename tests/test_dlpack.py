"""DLPack with numpy and between devices: zero-copy import and export on the CPU, read-only and negative-stride
producers, ``copy=``/``device=``, capsules, and the errors of a device whose backend has no DLPack kernels
(test_contract_v2's two-device backend, which registers no optional kernel)."""
from __future__ import annotations

import numpy as np
import pytest
from test_contract_v2 import backend  # noqa: F401  (the fixture)

import ember
import ember.utils.dlpack


def test_numpy_arrays_come_in_and_go_out_without_a_copy():
    array = np.arange(6.0).reshape(2, 3)
    tensor = ember.from_dlpack(array)
    assert tensor.dtype == ember.float64 and tensor.shape == (2, 3)
    tensor[0, 1] = 10.0
    assert array[0, 1] == 10.0
    back = np.from_dlpack(tensor.t())
    assert back.strides == (8, 24) and np.shares_memory(back, array) and back.flags.writeable
    back[2, 1] = -1.0
    assert tensor[1, 2].item() == -1.0


@pytest.mark.parametrize("dtype_name", ["bool", "float16", "uint8", "int8", "int16", "int32", "int64", "float32"])
def test_every_ember_dtype_crosses(dtype_name):
    array = (np.arange(4) % 3).astype(dtype_name)
    tensor = ember.from_dlpack(array)
    assert tensor.dtype == getattr(ember, dtype_name)
    assert np.from_dlpack(tensor).dtype == array.dtype
    np.testing.assert_array_equal(np.from_dlpack(tensor), array)


def test_a_dtype_ember_lacks_is_a_type_error():
    with pytest.raises(TypeError, match="complex128"):
        ember.from_dlpack(np.zeros(2, dtype=np.complex128))


def test_a_read_only_array_comes_in_shared_with_a_warning():
    array = np.arange(3.0)
    array.flags.writeable = False
    with pytest.warns(UserWarning, match="read-only"):
        tensor = ember.from_dlpack(array)
    assert np.shares_memory(tensor.numpy(), array)
    copied = ember.from_dlpack(array, copy=True)
    copied[0] = 5.0
    assert array[0] == 0.0


def test_negative_strides_are_refused_rather_than_misread():
    with pytest.raises(BufferError, match="negative"):
        ember.from_dlpack(np.arange(3.0)[::-1])


def test_capsules_in_both_directions_and_consumed_once():
    tensor = ember.arange(4)
    capsule = ember.utils.dlpack.to_dlpack(tensor)
    imported = ember.from_dlpack(capsule)
    imported[0] = 7  # unversioned capsules carry no read-only flag: PyTorch writes through them
    assert tensor[0].item() == 7
    with pytest.raises(RuntimeError, match="DLTensor capsules can be consumed only once"):
        ember.from_dlpack(capsule)
    for not_a_capsule in (5, [1, 2]):
        with pytest.raises(RuntimeError, match="invalid capsule"):
            ember.from_dlpack(not_a_capsule)
    np.testing.assert_array_equal(ember.from_dlpack(np.arange(3).__dlpack__()).numpy(), [0, 1, 2])


def test_copy_makes_a_private_tensor():
    array = np.zeros(3)
    ember.from_dlpack(array, copy=True)[0] = 1.0
    assert array[0] == 0.0
    tensor = ember.zeros(2)
    exported = ember.from_dlpack(tensor.__dlpack__(copy=True))
    exported[0] = 1.0
    assert tensor[0].item() == 0.0


def test_dunder_dlpack_refuses_what_pytorch_refuses():
    with pytest.raises(BufferError, match="Can't export tensors that require gradient, use tensor.detach()"):
        ember.ones(2, requires_grad=True).__dlpack__()
    with pytest.raises(TypeError, match="stream must be ``int`` or ``none``"):
        ember.ones(2).__dlpack__(stream="0")
    with pytest.raises(AssertionError, match="stream should be None on cpu."):
        ember.ones(2).__dlpack__(stream=1)
    assert ember.ones(2).__dlpack_device__() == (ember.utils.dlpack.DLDeviceType.kDLCPU, 0)


def test_a_device_without_dlpack_kernels_is_named_in_the_error(backend):  # noqa: F811
    x = ember.ones(2, device="fake:1")
    with pytest.raises(BufferError, match="device 'fake:1' does not support DLPack.*'to_dlpack'"):
        x.__dlpack__()
    with pytest.raises(ValueError, match="Unknown device type fake for Dlpack.*'dlpack_device'"):
        x.__dlpack_device__()
    with pytest.raises(RuntimeError, match="device 'cuda:0' does not support DLPack.*'from_dlpack'"):
        ember.from_dlpack(_OnCuda())


def test_moving_on_import_and_the_device_argument(backend):  # noqa: F811
    array = np.arange(3.0)
    moved = ember.from_dlpack(array, device="cuda:1")
    assert moved.device == ember.device("cuda", 1) and moved.tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(ValueError, match="cannot move DLPack tensor from device .* without copying"):
        ember.from_dlpack(array, device="cuda:1", copy=False)


def test_export_of_a_cuda_tensor_off_the_current_device_is_refused(backend):  # noqa: F811
    with pytest.raises(BufferError, match="Can't export tensors on a different CUDA device index. Expected: 1. "
                                          "Current device: 0."):
        ember.ones(2, device="cuda:1").__dlpack__()


class _OnCuda:
    """A producer claiming CUDA memory (kDLCUDA, index 0)."""

    def __dlpack__(self, **kwargs):
        raise AssertionError("must not be asked for a capsule: the device cannot import it")

    def __dlpack_device__(self):
        return (2, 0)
