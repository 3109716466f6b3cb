"""A device without the optional ``view_dtype`` kernel: core has no composition of a dtype view (it would
copy), so ``Tensor.view(dtype)`` is refused with an error naming the device and the kernel."""
from __future__ import annotations

import pytest

import ember
from ember.testing.harness import DeviceUnderTest


def test_view_dtype_is_refused_without_the_kernel_and_works_with_it():
    cpu = DeviceUnderTest.resolve("cpu")
    x = ember.zeros(4, device="cpu")
    with cpu.composing("view_dtype"), \
            pytest.raises(NotImplementedError, match="device 'cpu' has no optional kernel 'view_dtype'"):
        x.view(ember.int32)
    assert x.view(ember.int32).dtype is ember.int32
