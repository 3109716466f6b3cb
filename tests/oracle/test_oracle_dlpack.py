"""DLPack exchange with PyTorch: zero-copy both ways (``ember.from_dlpack(torch_tensor)``,
``torch.from_dlpack(ember_tensor)``, legacy capsules of either), dtypes and views kept, and PyTorch's errors."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.utils.dlpack

torch = pytest.importorskip("torch")
tdlpack = pytest.importorskip("torch.utils.dlpack")

pytestmark = pytest.mark.oracle

DTYPES = ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool")


def _values(dtype_name):
    return (np.arange(12) % 2 == 0 if dtype_name == "bool" else np.arange(12)).reshape(3, 4).astype(dtype_name)


@pytest.mark.parametrize("dtype_name", DTYPES)
def test_a_torch_tensor_comes_in_without_a_copy(dtype_name):
    source = torch.from_numpy(_values(dtype_name)).t()
    imported = ember.from_dlpack(source)
    assert imported.dtype == getattr(ember, dtype_name) and imported.shape == tuple(source.shape)
    assert imported.stride() == source.stride()
    np.testing.assert_array_equal(imported.cpu().numpy(), source.cpu().numpy())
    imported[0, 0] = 1 if dtype_name != "bool" else False
    assert source[0, 0].item() == imported[0, 0].item()


@pytest.mark.parametrize("dtype_name", DTYPES)
def test_an_ember_tensor_goes_out_without_a_copy(dtype_name):
    source = ember.from_numpy(_values(dtype_name))[1:, ::2]
    exported = torch.from_dlpack(source)
    assert exported.dtype == getattr(torch, dtype_name) and exported.stride() == source.stride()
    np.testing.assert_array_equal(exported.cpu().numpy(), source.cpu().numpy())
    exported.zero_()
    assert not source.any().item()


def test_legacy_capsules_cross_both_ways():
    t = torch.arange(4.0)
    from_torch = ember.from_dlpack(tdlpack.to_dlpack(t))
    np.testing.assert_array_equal(from_torch.cpu().numpy(), t.cpu().numpy())
    e = ember.arange(4.0)
    to_torch = torch.from_dlpack(ember.utils.dlpack.to_dlpack(e))
    to_torch[1] = 9.0
    assert e[1].item() == 9.0


def test_a_capsule_is_consumed_once_as_in_pytorch():
    capsule = ember.utils.dlpack.to_dlpack(ember.arange(3))
    ember.from_dlpack(capsule)
    with pytest.raises(RuntimeError) as ours:
        ember.from_dlpack(capsule)
    capsule = tdlpack.to_dlpack(torch.arange(3))
    torch.from_dlpack(capsule)
    with pytest.raises(RuntimeError) as theirs:
        torch.from_dlpack(capsule)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("call", [lambda lib, t: t.__dlpack__(), lambda lib, t: np.from_dlpack(t)])
def test_a_tensor_requiring_grad_is_refused_as_in_pytorch(call):
    with pytest.raises(BufferError) as theirs:
        call(torch, torch.ones(2, requires_grad=True))
    with pytest.raises(BufferError) as ours:
        call(ember, ember.ones(2, requires_grad=True))
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("kwargs", [{"stream": 1}, {"stream": "a"}])
def test_cpu_stream_arguments_are_refused_as_in_pytorch(kwargs):
    with pytest.raises(Exception) as theirs:
        torch.arange(2.0).__dlpack__(**kwargs)
    with pytest.raises(type(theirs.value), match=str(theirs.value)):
        ember.arange(2.0).__dlpack__(**kwargs)


def test_legacy_to_dlpack_exports_a_tensor_requiring_grad_as_pytorch_does():
    exported = ember.utils.dlpack.to_dlpack(ember.ones(2, requires_grad=True))
    assert torch.from_dlpack(tdlpack.to_dlpack(torch.ones(2, requires_grad=True))).tolist() == \
        torch.from_dlpack(exported).tolist()


def test_dlpack_device_matches_pytorch():
    assert ember.arange(2).__dlpack_device__() == torch.arange(2).__dlpack_device__()
    assert ember.utils.dlpack.DLDeviceType.kDLCUDA == tdlpack.DLDeviceType.kDLCUDA
    assert [(m.name, int(m)) for m in ember.utils.dlpack.DLDeviceType] == \
        [(m.name, int(m)) for m in tdlpack.DLDeviceType]


def test_copy_true_exports_and_imports_a_copy():
    e, t = ember.arange(3.0), torch.arange(3.0)
    torch.from_dlpack(e.__dlpack__(copy=True))[0] = 5.0
    torch.from_dlpack(t.__dlpack__(copy=True))[0] = 5.0
    assert e[0].item() == t[0].item() == 0.0
    ember.from_dlpack(t, copy=True)[1] = 7.0
    assert t[1].item() == 1.0


def test_capsule_with_device_or_copy_is_refused_as_in_pytorch():
    with pytest.raises(AssertionError) as theirs:
        torch.from_dlpack(tdlpack.to_dlpack(torch.arange(2)), copy=True)
    with pytest.raises(AssertionError, match=str(theirs.value)):
        ember.from_dlpack(ember.utils.dlpack.to_dlpack(ember.arange(2)), copy=True)


def test_data_ptr_addresses_the_first_element_as_pytorchs():
    """``Tensor.data_ptr()``: the address of the first element, so views are at PyTorch's byte distances from
    their base, a tensor over a numpy array at the array's address, detach/.data at the same one, and a
    tensor without elements at 0."""
    def distances(lib):
        base = lib.arange(24, dtype=lib.int16).view(4, 6)
        views = (base[1], base.t(), base[:, 2], base[2:, 3:], base[1, ::2], base.view(-1)[7:], base[4:])
        leaf = lib.ones(3, requires_grad=True)
        return ([view.data_ptr() - base.data_ptr() if view.numel() else view.data_ptr() for view in views],
                leaf.detach().data_ptr() == leaf.data_ptr() == leaf.data.data_ptr(), lib.empty(0).data_ptr())
    assert distances(ember) == distances(torch)
    array = np.arange(5.0)
    assert ember.from_numpy(array)[2:].data_ptr() == array.ctypes.data + 16
