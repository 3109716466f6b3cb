"""The OpenCL backend's program binaries on disk (ember_opencl/binaries.py): a build from source saves its
binary under $XDG_CACHE_HOME/ember/opencl, a later build of that source is made from the saved binary, and a
binary the driver refuses is built again from source and replaced. Skipped without ember-opencl or a working
OpenCL device."""
from __future__ import annotations

import uuid

import numpy as np
import opencl_device  # noqa: F401,E402  (skips this module without a working OpenCL device)
import pytest
from ember_opencl import binaries, device  # noqa: E402


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "ember" / "opencl"


def _source(value: float) -> str:
    """A kernel writing `value` to x[0]; a unique comment keeps any other cache out of the test."""
    return f"/* {uuid.uuid4().hex} */ __kernel void k(__global float *x) {{ x[0] = {value}f; }}"


def _written(program) -> float:
    """What the program's kernel `k` writes to x[0]."""
    cl_device = device.get(0)
    host = np.zeros(1, np.float32)
    buffer = device.cl.Buffer(cl_device.context, device.cl.mem_flags.READ_WRITE, 4)
    program.k(cl_device.queue, (1,), None, buffer)
    device.cl.enqueue_copy(cl_device.queue, host, buffer, is_blocking=True)
    return float(host[0])


def test_a_build_from_source_saves_its_binary_and_the_next_build_loads_it(cache_home):
    first, second = _source(1.5), _source(2.5)
    assert _written(binaries.built(device.get(0), first)) == 1.5
    (first_file,) = cache_home.glob("*.bin")
    assert _written(binaries.built(device.get(0), second)) == 2.5
    (second_file,) = set(cache_home.glob("*.bin")) - {first_file}
    # Each file given the other's binary: a build that reads its binary from disk runs the other kernel.
    first_binary = first_file.read_bytes()
    first_file.write_bytes(second_file.read_bytes())
    second_file.write_bytes(first_binary)
    assert _written(binaries.built(device.get(0), first)) == 2.5
    assert _written(binaries.built(device.get(0), second)) == 1.5


def test_a_binary_the_driver_refuses_is_built_again_from_source_and_replaced(cache_home):
    source = _source(4.0)
    binaries.built(device.get(0), source)
    (saved,) = cache_home.glob("*.bin")
    saved.write_bytes(b"not a program binary")
    assert _written(binaries.built(device.get(0), source)) == 4.0
    assert saved.read_bytes() != b"not a program binary"
    assert _written(binaries.built(device.get(0), source)) == 4.0
