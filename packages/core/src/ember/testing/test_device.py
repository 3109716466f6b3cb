"""The device type a backend declares: its name, count, dtypes, synchronize, and a full kernel table."""
from __future__ import annotations

from ember.plugins import REQUIRED_KERNELS
from ember.testing.harness import DTYPE_NAMES


def test_device_type_is_named_as_asked(ember_device):
    assert ember_device.device_type.name == ember_device.name.partition(":")[0]


def test_device_count_covers_the_device_under_test(ember_device):
    assert ember_device.device_type.device_count() > ember_device.index


def test_dtypes_are_ember_dtypes_and_include_the_ones_core_needs(ember_device):
    dtypes = ember_device.device_type.dtypes
    assert dtypes <= set(DTYPE_NAMES), f"unknown dtypes {sorted(dtypes - set(DTYPE_NAMES))}"
    # float32 is the default dtype, argmax and index arrays are int64, comparisons give bool.
    needed = {"float32", "int64", "bool"}
    assert needed <= dtypes, f"device lacks {sorted(needed - dtypes)}, which core cannot do without"


def test_synchronize_returns_when_the_queue_is_drained(ember_device):
    kernels = ember_device.kernels
    buffer = kernels.full((3,), 1.5, ember_device.dtype("float32"))
    total = kernels.add(buffer, buffer)
    assert ember_device.device_type.synchronize(ember_device.index) is None
    assert ember_device.to_numpy(total).tolist() == [3.0, 3.0, 3.0], "synchronize(): add(x, x) was not done"


def test_every_required_kernel_is_provided(ember_device):
    coverage = ember_device.kernels.coverage()
    missing = [name for name in REQUIRED_KERNELS if coverage[name] is None]
    assert not missing, f"device '{ember_device.name}' lacks required kernels {missing}"
