"""The optional ``view_dtype`` kernel: a 1-d contiguous buffer's bytes read as another dtype, in the same memory.

For every pair of dtypes the device has: the view holds exactly the input's bytes (compared bit for bit, so
NaN payloads and bool bytes count), has one element per whole element of the new dtype, strides (1,), and
shares the input's memory both ways; a buffer that starts inside its memory is read from there. Then through
ember, ``Tensor.view(dtype)`` of strided tensors. A device lacking it is a skip that names the kernel.
"""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.testing.cases import random_array
from ember.testing.harness import DTYPE_NAMES
from ember.testing.test_optional_kernels import optional_kernel

CHECKED_KERNELS = ("view_dtype",)

_BYTES = 48  # a whole number of elements of every dtype


def _bytes(ember_device, buffer) -> np.ndarray:
    return np.ascontiguousarray(ember_device.to_numpy(buffer)).view(np.uint8).reshape(-1)


def _source(ember_device, ember_rng, dtype_name, count):
    """Random host values of `dtype_name` (random bytes for the floats, so that their NaNs and subnormals are
    read too) and a device buffer holding them."""
    if dtype_name.startswith("float"):
        host = ember_rng.integers(0, 256, count * np.dtype(dtype_name).itemsize, dtype=np.uint8).view(dtype_name)
    else:
        host = random_array(ember_rng, (count,), dtype_name, "any")
    return host, ember_device.from_numpy(host)


@pytest.mark.parametrize("new_name", DTYPE_NAMES)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_view_dtype_reads_the_same_bytes_in_the_same_memory(ember_device, ember_rng, dtype_name, new_name):
    view_dtype = optional_kernel(ember_device, "view_dtype")
    ember_device.dtype(dtype_name)
    new = ember_device.dtype(new_name)
    host, x = _source(ember_device, ember_rng, dtype_name, _BYTES // np.dtype(dtype_name).itemsize)
    what = f"view_dtype(<({host.size},) {dtype_name}>, {new_name})"
    view = view_dtype(x, new)
    assert tuple(view.shape) == (_BYTES // np.dtype(new_name).itemsize,), f"{what}: shape {tuple(view.shape)}"
    assert tuple(ember_device.kernels.strides(view)) == (1,), f"{what}: strides {ember_device.kernels.strides(view)}"
    assert ember_device.to_numpy(view).dtype == np.dtype(new_name), f"{what}: dtype {ember_device.to_numpy(view).dtype}"
    np.testing.assert_array_equal(_bytes(ember_device, view), host.view(np.uint8), err_msg=f"{what}: other bytes")
    changed = random_array(ember_rng, (view.shape[0],), new_name, "any")  # values a copy keeps (no NaN payloads)
    ember_device.kernels.copy_(view, ember_device.from_numpy(changed))
    np.testing.assert_array_equal(_bytes(ember_device, x), changed.view(np.uint8),
                                  err_msg=f"{what}: writing into the view did not change x (not x's memory)")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_view_dtype_of_a_buffer_starting_inside_its_memory(ember_device, ember_rng, dtype_name):
    """x[8:] (offset 8 elements) read as each dtype whose elements 8 of x's make whole: the view starts there,
    and storage_offset places it in x's memory in its own elements."""
    view_dtype = optional_kernel(ember_device, "view_dtype")
    ember_device.dtype(dtype_name)
    itemsize = np.dtype(dtype_name).itemsize
    host, x = _source(ember_device, ember_rng, dtype_name, _BYTES // itemsize + 8)
    tail = ember_device.kernels.as_strided(x, (host.size - 8,), (1,), 8)
    for new_name in DTYPE_NAMES:
        if new_name not in ember_device.device_type.dtypes:
            continue
        new_size = np.dtype(new_name).itemsize
        what = f"view_dtype(x[8:] of a {dtype_name} x, {new_name})"
        view = view_dtype(tail, ember_device.dtype(new_name))
        np.testing.assert_array_equal(_bytes(ember_device, view), host[8:].view(np.uint8), err_msg=what)
        storage_offset = ember_device.kernels.storage_offset
        if storage_offset is not None:
            found = storage_offset(view, x)
            assert found == 8 * itemsize // new_size, f"storage_offset({what}, x) returned {found}, expected " \
                                                      f"{8 * itemsize // new_size} ({new_name} elements)"


@pytest.mark.parametrize("dtype_name", ("float32", "int16", "uint8"))
def test_tensor_view_dtype_of_strided_tensors(ember_device, ember_rng, dtype_name):
    """``Tensor.view(dtype)`` through core: rows of a transposed, sliced tensor keep their layout, every
    element size gives its bytes, and writes through the view reach the tensor."""
    optional_kernel(ember_device, "view_dtype")
    ember_device.dtype(dtype_name)
    host = random_array(ember_rng, (6, 16), dtype_name, "any")
    x = ember.from_numpy(host).to(ember_device.device)
    rows = x[1::2, 8:]  # strides (32, 1), offset 24: whole elements of every dtype
    expected_rows = np.ascontiguousarray(host[1::2, 8:])
    for new_name in DTYPE_NAMES:
        if new_name not in ember_device.device_type.dtypes:
            continue
        view = rows.view(getattr(ember, new_name))
        expected = expected_rows.view(new_name)
        what = f"<{dtype_name} x[1::2, 8:]>.view({new_name})"
        assert tuple(view.shape) == expected.shape, f"{what}: shape {tuple(view.shape)}"
        np.testing.assert_array_equal(np.ascontiguousarray(view.cpu().numpy()).view(np.uint8),
                                      expected.view(np.uint8), err_msg=what)
    narrow = "uint8" if "uint8" in ember_device.device_type.dtypes else "bool"  # every device has bool
    rows.view(getattr(ember, narrow)).fill_(0)
    expected = host.copy()
    expected[1::2, 8:] = 0
    np.testing.assert_array_equal(x.cpu().numpy(), expected, err_msg=f"a write through view({narrow}) missed x")
