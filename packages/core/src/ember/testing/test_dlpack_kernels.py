"""The optional DLPack kernels (``from_dlpack``, ``to_dlpack``, ``dlpack_device``): a buffer exported with
``to_dlpack`` and imported with ``from_dlpack`` holds the same values in the same memory, for every dtype and
layout, and reports the device it lives on. A device lacking them is a skip that names the kernel."""
from __future__ import annotations

import pytest

from ember.testing.cases import LAYOUTS, place, random_array
from ember.testing.compare import assert_matches
from ember.testing.harness import DTYPE_NAMES
from ember.testing.test_optional_kernels import optional_kernel

CHECKED_KERNELS = ("from_dlpack", "to_dlpack", "dlpack_device")

# DLPack device codes: which one each ember device type must report.
_DLPACK_CODES = {"cpu": 1, "cuda": 2, "opencl": 4}


class _Producer:
    """A DLPack producer made of the device's own export kernels, as another library's array would be."""

    def __init__(self, ember_device, buffer) -> None:
        self.kernels, self.buffer = ember_device.kernels, buffer

    def __dlpack__(self, stream=None, **protocol):
        return self.kernels.to_dlpack(self.buffer, None)

    def __dlpack_device__(self):
        return self.kernels.dlpack_device(self.buffer)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_a_buffer_exported_and_imported_shares_its_memory(ember_device, ember_rng, dtype_name, layout):
    from_dlpack = optional_kernel(ember_device, "from_dlpack")
    optional_kernel(ember_device, "to_dlpack")
    ember_device.dtype(dtype_name)
    host = random_array(ember_rng, (3, 4), dtype_name)
    buffer = place(ember_device, host, layout)
    imported = from_dlpack(_Producer(ember_device, buffer), index=ember_device.index)
    what = f"from_dlpack(to_dlpack(<(3, 4) {dtype_name}, {layout}>))"
    assert tuple(imported.shape) == (3, 4), what
    assert ember_device.kernels.strides(imported) == ember_device.kernels.strides(buffer), f"{what}: strides"
    assert_matches(ember_device.to_numpy(imported), host, what)
    changed = random_array(ember_rng, (3, 4), dtype_name)
    ember_device.kernels.copy_(buffer, ember_device.from_numpy(changed))
    assert_matches(ember_device.to_numpy(imported), changed, f"{what} does not share the exported memory")


def test_dlpack_device_names_the_device_type_and_index(ember_device, ember_rng):
    dlpack_device = optional_kernel(ember_device, "dlpack_device")
    buffer = ember_device.from_numpy(random_array(ember_rng, (2,), "float32"))
    code, index = dlpack_device(buffer)
    type_name = ember_device.name.partition(":")[0]
    if type_name in _DLPACK_CODES:
        assert code == _DLPACK_CODES[type_name], f"dlpack_device of a {type_name} buffer: code {code}"
    assert index == (0 if type_name == "cpu" else ember_device.index)
