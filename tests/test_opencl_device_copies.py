"""Copies between OpenCL devices (issue 8, contract v2's `copy_to`): the devices of one platform share a
context, so a copy between them is a buffer copy on the target's queue, never through the host. PoCL
offers one device, so the second device here is a second `Device` (its own queue, pool and programs) on
the same hardware in the same context, as a platform's second GPU would be. Skipped without ember-opencl
or a working OpenCL device."""
from __future__ import annotations

import numpy as np
import opencl_device  # noqa: F401  (skips this module without a working OpenCL device)
import pyopencl as cl
import pytest
from ember_opencl import device, elementwise, memory
from ember_opencl.buffer import download, upload
from ember_opencl.counters import COUNTS


@pytest.fixture(scope="module")
def pair():
    first = device.get(0)
    return first, device.Device(first.device, first.platform_index, first.device_index, first.context)


def test_the_devices_of_one_platform_share_one_context():
    found = device.discover().devices
    for d in found:
        assert all(other.context is d.context for other in found if other.platform_index == d.platform_index)
        assert d.device in d.context.devices


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.bool_, np.int64])
def test_a_copy_between_devices_of_one_context_reads_nothing_back(pair, dtype):
    source, target = pair
    host = (np.arange(60).reshape(3, 4, 5) % 7).astype(dtype)
    x = upload(source, host)
    view = x.view((4, 3), (5, 20), 2)  # host[:, :, 2].T: strided, offset
    before = COUNTS.round_trips
    copied = memory.transfer(view, target)
    assert COUNTS.round_trips == before, "the copy went through the host"
    assert copied.device is target and copied.is_contiguous
    np.testing.assert_array_equal(download(copied), host[:, :, 2].T)


def test_the_copy_waits_for_the_source_queue_s_earlier_work(pair):
    """The source queue is held back (a user event) with a fill queued on it: the copy must wait for it."""
    source, target = pair
    x = upload(source, np.zeros(1 << 16, np.float32))
    hold = cl.UserEvent(source.context)
    cl.enqueue_barrier(source.queue, wait_for=[hold])
    elementwise.copy_(x, 1.5)
    copied = memory.transfer(x, target)
    hold.set_status(cl.command_execution_status.COMPLETE)
    assert np.all(download(copied) == 1.5)


def test_the_source_queue_s_later_work_waits_for_the_copy(pair):
    """The target queue is held back with the copy queued on it: a later fill of x must not overtake it."""
    source, target = pair
    x = upload(source, np.full(1 << 16, 1.5, np.float32))
    hold = cl.UserEvent(source.context)
    cl.enqueue_barrier(target.queue, wait_for=[hold])
    copied = memory.transfer(x, target)
    elementwise.copy_(x, -2.0)
    hold.set_status(cl.command_execution_status.COMPLETE)
    assert np.all(download(copied) == 1.5)
    assert np.all(download(x) == -2.0)


def test_a_device_in_another_context_gets_its_copy_through_the_host():
    first = device.get(0)
    alone = device.Device(first.device, first.platform_index, first.device_index, cl.Context([first.device]))
    x = upload(first, np.arange(10, dtype=np.float32))
    before = COUNTS.round_trips
    copied = memory.transfer(x, alone)
    assert COUNTS.round_trips == before + 2
    np.testing.assert_array_equal(download(copied), np.arange(10, dtype=np.float32))
