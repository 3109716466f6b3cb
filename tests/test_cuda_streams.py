"""ember.cuda.Stream / Event / stream() / current_stream / default_stream / set_stream and
Tensor.record_stream, with PyTorch 2.13's semantics and messages, on:
- test_contract_v2's two-device "cuda" backend without stream hooks (one queue per device, core's SingleQueue),
- capture_backend's "cuda" with timer hooks (events time with start_timer/elapsed_us),
- the same two devices whose streams are ember_cuda's CupyStreams over a Python stand-in for cupy.cuda,
- the numpy stand-in device cudasim registered as "cuda" (the backend's kernel code, the usual timing idiom).
"""
from __future__ import annotations

import dataclasses
import gc
import itertools
import time
import weakref
from types import SimpleNamespace

import numpy as np
import pytest
from capture_backend import CapturingDevices
from test_contract_v2 import TwoDevices, backend, registered  # noqa: F401  (the fixture)

import ember
from ember.plugins import hookimpl

streams_module = pytest.importorskip("ember_cuda.streams")
CupyStreams = streams_module.CupyStreams


# ---------------------------------------------------------------- one queue per device (no stream hooks)

def test_current_and_default_stream_are_the_default_stream_of_the_current_device(backend):  # noqa: F811
    current, default = ember.cuda.current_stream(), ember.cuda.default_stream()
    assert current == default and current.cuda_stream == 0 and current.device_index == 0
    assert current.device == ember.device("cuda", 0) and current.device_type == 1
    assert ember.cuda.default_stream(1).device == ember.device("cuda", 1)
    assert ember.cuda.current_stream("cuda:1") != current  # another device's
    assert repr(current) == "<ember.cuda.Stream device=cuda:0 cuda_stream=0x0>"
    with pytest.raises(ValueError, match="Expected a cuda device, but got: cpu"):
        ember.cuda.current_stream("cpu")


def test_a_new_stream_is_another_stream_of_the_current_or_named_device(backend):  # noqa: F811
    s = ember.cuda.Stream()
    assert s != ember.cuda.default_stream() and s.device_index == 0 and s.priority == 0
    assert s == s and len({s, s}) == 1 and s != "stream"
    assert ember.cuda.Stream(device=1).device_index == 1
    assert ember.cuda.Stream(device=-1).device_index == 0  # negative: the current device, as PyTorch
    assert ember.cuda.Stream(priority=-1).priority == -1
    ember.cuda.set_device(1)
    assert ember.cuda.Stream().device_index == 1
    with pytest.raises(TypeError, match="priority"):
        ember.cuda.Stream(priority=0.5)


def test_the_stream_context_makes_a_stream_current_and_restores_the_previous(backend):  # noqa: F811
    s, t = ember.cuda.Stream(), ember.cuda.Stream()
    with ember.cuda.stream(s):
        assert ember.cuda.current_stream() == s
        with ember.cuda.StreamContext(t):
            assert ember.cuda.current_stream() == t
        assert ember.cuda.current_stream() == s
        with ember.cuda.stream(None):  # a no-op
            assert ember.cuda.current_stream() == s
    assert ember.cuda.current_stream() == ember.cuda.default_stream()
    with s:  # a stream is its own context
        assert ember.cuda.current_stream() == s
    assert ember.cuda.current_stream() == ember.cuda.default_stream()
    with pytest.raises(KeyError):
        with ember.cuda.stream(s):
            raise KeyError("inside")
    assert ember.cuda.current_stream() == ember.cuda.default_stream()


def test_a_stream_contexts_idx_is_the_current_device_as_pytorchs(backend):  # noqa: F811
    assert ember.cuda.StreamContext(None).idx == 0  # PyTorch's with a GPU (-1 without: the next test)
    with ember.cuda.device(1):
        assert ember.cuda.StreamContext(None).idx == ember.cuda.StreamContext(ember.cuda.Stream(device=0)).idx == 1


def test_a_stream_of_another_device_makes_its_device_current_for_the_block(backend):  # noqa: F811
    other = ember.cuda.Stream(device=1)
    with ember.cuda.stream(other):
        assert ember.cuda.current_device() == 1 and ember.cuda.current_stream() == other
        assert ember.zeros(1, device="cuda").device == ember.device("cuda", 1)
    assert ember.cuda.current_device() == 0
    assert ember.cuda.current_stream(1) == ember.cuda.default_stream(1)  # device 1's stream restored too


def test_set_stream_makes_the_streams_device_current_as_pytorch(backend):  # noqa: F811
    other = ember.cuda.Stream(device=1)
    ember.cuda.set_stream(None)  # a no-op
    ember.cuda.set_stream(other)
    assert ember.cuda.current_device() == 1 and ember.cuda.current_stream() == other
    assert ember.cuda.current_stream(0) == ember.cuda.default_stream(0)
    with pytest.raises(TypeError, match="must be ember.cuda.Stream"):
        ember.cuda.set_stream("cuda:0")


def test_streams_of_one_queue_keep_the_order_the_work_was_queued_in(backend):  # noqa: F811
    x = ember.ones(4, device="cuda")
    side = ember.cuda.Stream()
    side.wait_stream(ember.cuda.current_stream())
    with ember.cuda.stream(side):
        y = x * 3
    ember.cuda.current_stream().wait_stream(side)
    assert (y + 1).tolist() == [4.0] * 4
    assert side.query() and ember.cuda.current_stream().query()
    side.synchronize()
    event = side.record_event()
    assert isinstance(event, ember.cuda.Event) and event.query() and event.device == ember.device("cuda", 0)
    side.wait_event(event)


def test_an_event_never_recorded_is_done_and_waits_for_nothing(backend):  # noqa: F811
    event = ember.cuda.Event()
    assert event.query() and event.device is None and repr(event) == "<ember.cuda.Event uninitialized>"
    event.synchronize()
    event.wait()
    backend.synchronized.clear()
    event.record()
    assert backend.synchronized == []  # an event without timing needs no mark
    assert repr(event) == "<ember.cuda.Event device=cuda:0>"


def test_elapsed_time_errors_are_pytorchs(backend):  # noqa: F811
    plain, timed = ember.cuda.Event(), ember.cuda.Event(enable_timing=True)
    with pytest.raises(ValueError, match=r"^Both events must be created with argument 'enable_timing=True'\.$"):
        plain.elapsed_time(timed)
    with pytest.raises(ValueError, match=r"^Both events must be recorded before calculating elapsed time\.$"):
        timed.elapsed_time(ember.cuda.Event(enable_timing=True))
    with pytest.raises(TypeError, match="end_event"):
        timed.elapsed_time(1.0)
    with pytest.raises(RuntimeError, match="interprocess"):
        ember.cuda.Event(interprocess=True)


def test_an_event_stays_on_the_device_it_was_first_recorded_on(backend):  # noqa: F811
    event = ember.cuda.Event()
    event.record(ember.cuda.Stream(device=1))
    assert event.device == ember.device("cuda", 1)
    with pytest.raises(RuntimeError, match=r"^Event device 1 does not match recording stream's device 0\.$"):
        event.record(ember.cuda.current_stream(0))
    with pytest.raises(TypeError, match="must be ember.cuda.Stream"):
        event.record("cuda:0")
    event.wait(ember.cuda.current_stream(0))  # any device's stream may wait on it


class QueuedDevices(TwoDevices):
    """TwoDevices whose "cuda" devices have a queue (and no timer or stream hooks)."""

    def device_type(self, name):
        return dataclasses.replace(super().device_type(name), has_queue=name == "cuda")


@pytest.fixture
def queued(without_installed_cuda):
    yield from registered(QueuedDevices(), "queued-devices")


def test_without_timer_hooks_an_event_times_the_wall_clock_once_the_device_is_done(queued):
    start, end = ember.cuda.Event(enable_timing=True), ember.cuda.Event(enable_timing=True)
    start.record()
    time.sleep(0.03)
    end.record(ember.cuda.Stream(device=1))  # another device, another queue: synchronised too
    assert queued.synchronized == [("cuda", 0), ("cuda", 1)]  # each mark waited for the queued work
    assert 30.0 <= start.elapsed_time(end) < 5000.0
    assert ember.cuda.current_stream().query() and queued.synchronized[-1] == ("cuda", 0)  # query waits


def test_without_a_queue_nothing_waits(backend):  # noqa: F811
    start, end = ember.cuda.Event(enable_timing=True), ember.cuda.Event(enable_timing=True)
    start.record()
    end.record()
    assert start.query() and ember.cuda.Stream().query()
    ember.cuda.current_stream().synchronize()
    assert backend.synchronized == [] and start.elapsed_time(end) >= 0.0


def test_record_stream_checks_its_arguments_and_needs_nothing_on_one_queue(backend):  # noqa: F811
    x = ember.ones(2, device="cuda")
    x.record_stream(ember.cuda.Stream())
    with pytest.raises(TypeError, match="must be ember.cuda.Stream"):
        x.record_stream(None)
    with pytest.raises(NotImplementedError, match="Could not run 'aten::record_stream' with arguments from the "
                                                  "'CPU' backend."):
        ember.ones(2).record_stream(ember.cuda.Stream())


@pytest.mark.skipif(ember.cuda.is_available(), reason="a CUDA backend is installed and available")
def test_without_cuda_a_stream_is_refused_but_a_none_stream_context_is_a_no_op():
    assert ember.cuda.StreamContext(None).idx == -1
    with ember.cuda.stream(None):
        pass
    ember.cuda.set_stream(None)
    with pytest.raises(RuntimeError, match="not available|unavailable|Expected one of"):
        ember.cuda.Stream()


# ---------------------------------------------------------------- timer hooks and graph capture

@pytest.fixture
def timed(without_installed_cuda):
    yield from registered(CapturingDevices(timer=True), "capturing-devices")


def test_with_timer_hooks_an_event_is_a_device_mark(timed):
    start, end = ember.cuda.Event(enable_timing=True), ember.cuda.Event(enable_timing=True)
    start.record()
    ember.ones(3, device="cuda").sum()
    end.record()
    ember.cuda.synchronize()
    assert start.elapsed_time(end) == pytest.approx((end._handle.mark - start._handle.mark) * 1.5 / 1000)


def test_synchronizing_a_stream_or_event_while_capturing_raises_cudas_error(timed):
    event = ember.cuda.Event()
    event.record()
    g = ember.cuda.CUDAGraph()
    with ember.cuda.graph(g):
        with pytest.raises(RuntimeError, match="operation not permitted when stream is capturing"):
            ember.cuda.current_stream().synchronize()
        with pytest.raises(RuntimeError, match="operation not permitted when stream is capturing"):
            event.synchronize()


def test_graph_captures_with_its_stream_current_and_restores_the_previous_stream(timed):
    s = ember.cuda.Stream()
    x = ember.ones(2, device="cuda")
    g = ember.cuda.CUDAGraph()
    with ember.cuda.graph(g, stream=s):
        assert ember.cuda.current_stream() == s
        y = x * 2
    assert ember.cuda.current_stream() == ember.cuda.default_stream()
    g.replay()
    assert y.tolist() == [2.0, 2.0]


# ---------------------------------------------------------------- ember_cuda's hooks over a stand-in for cupy.cuda

class FakeCuda:
    """cupy.cuda's streams and events in Python: a current stream per device, `use()` refusing another
    device's stream as cupy does, events that tick a clock (0.25 ms a tick) and stay pending while
    ``busy`` until `finish()`."""

    def __init__(self) -> None:
        self.device = 0
        self.current: dict[int, object] = {}
        self.log: list = []
        self.busy = False
        self.clock = itertools.count()
        self.events: list = []
        fake, pointers = self, itertools.count(0x1000, 0x10)

        class Stream:
            def __init__(self, null=False, non_blocking=False, priority=0):
                self.ptr = 0 if null else next(pointers)
                self.device_id = -1 if null else fake.device
                self.non_blocking, self.priority = non_blocking, max(-5, min(0, priority))

            @property
            def done(self):
                return not fake.busy

            def use(self):
                if self.device_id not in (-1, fake.device):
                    raise RuntimeError("The device that the stream is created on does not match")
                fake.current[fake.device] = self

            def synchronize(self):
                fake.log.append(("stream synchronize", self.ptr))

            def wait_event(self, event):
                fake.log.append(("wait", self.ptr, event))

        class Event:
            def __init__(self, block=False, disable_timing=False):
                self.device, self.block, self.timing = fake.device, block, not disable_timing
                self.tick, self.done = None, True
                fake.events.append(self)

            def record(self, stream):
                self.tick, self.done = next(fake.clock), not fake.busy
                fake.log.append(("record", stream.ptr))

            def synchronize(self):
                fake.log.append(("event synchronize", self))

        Stream.null = Stream(null=True)
        self.Stream, self.Event = Stream, Event

    def finish(self) -> None:
        self.busy = False
        for event in self.events:
            event.done = True

    class _Device:
        def __init__(self, fake, index):
            self.fake, self.index = fake, index

        def __enter__(self):
            self.previous, self.fake.device = self.fake.device, self.index

        def __exit__(self, *exc_info):
            self.fake.device = self.previous

    def Device(self, index):  # noqa: N802  (cupy's name)
        return self._Device(self, index)

    def get_current_stream(self, index):
        return self.current.get(index, self.Stream.null)

    def get_elapsed_time(self, start, end):
        return (end.tick - start.tick) * 0.25


class StreamDevices(TwoDevices):
    """TwoDevices whose "cuda" DeviceType has ember_cuda's stream hooks over FakeCuda."""

    def __init__(self) -> None:
        super().__init__()
        self.cuda = FakeCuda()

    def device_type(self, name):
        made = super().device_type(name)
        if name != "cuda":
            return made
        return dataclasses.replace(made, has_queue=True, streams=CupyStreams(SimpleNamespace(cuda=self.cuda)))


@pytest.fixture
def cupy_streams(without_installed_cuda):
    yield from registered(StreamDevices(), "stream-devices")


def test_streams_are_cupy_streams_made_on_their_device(cupy_streams):
    cuda = cupy_streams.cuda
    assert ember.cuda.default_stream().cuda_stream == 0 and ember.cuda.current_stream().cuda_stream == 0
    s = ember.cuda.Stream(device=1, priority=-9)
    assert s._handle.device_id == 1 and s._handle.non_blocking and s.priority == -5  # clamped by the backend
    assert s.cuda_stream == s._handle.ptr != 0 and s.__cuda_stream__() == (0, s.cuda_stream)
    with ember.cuda.stream(s):  # use() runs with the stream's device current: no device mismatch
        assert cuda.current[1] is s._handle and ember.cuda.current_stream() == s
    assert cuda.current[1] is cuda.Stream.null and cuda.device == 0


def test_events_are_made_at_the_first_record_on_the_streams_device_with_the_flags_asked(cupy_streams):
    cuda = cupy_streams.cuda
    s = ember.cuda.Stream(device=1)
    event = ember.cuda.Event(blocking=True)
    assert cuda.events == []
    event.record(s)
    made = cuda.events[0]
    assert event._handle is made and made.device == 1 and made.block and not made.timing
    assert cuda.log[-1] == ("record", s.cuda_stream)
    ember.cuda.current_stream(0).wait_event(event)
    assert cuda.log[-1] == ("wait", 0, made)
    s.wait_stream(ember.cuda.current_stream(0))
    assert cuda.log[-2:] == [("record", 0), ("wait", s.cuda_stream, cuda.events[-1])]
    event.synchronize()
    s.synchronize()
    assert cuda.log[-2:] == [("event synchronize", made), ("stream synchronize", s.cuda_stream)]


def test_elapsed_time_is_the_device_time_in_ms_once_both_events_are_reached(cupy_streams):
    cuda = cupy_streams.cuda
    start, end = ember.cuda.Event(enable_timing=True), ember.cuda.Event(enable_timing=True)
    start.record()
    cuda.busy = True
    end.record()
    assert not end.query() and not ember.cuda.current_stream().query()
    with pytest.raises(RuntimeError, match=r"^Both events must be completed before calculating elapsed time\.$"):
        start.elapsed_time(end)
    cuda.finish()
    assert end.query() and start.elapsed_time(end) == 0.25


def test_record_stream_keeps_the_buffer_until_the_stream_reaches_the_tensors_end(cupy_streams):
    cuda = cupy_streams.cuda
    side = ember.cuda.Stream()
    x = ember.ones(3, device="cuda")
    buffer = weakref.ref(x._data)
    x.record_stream(side)
    cuda.busy = True  # the side stream still has work queued when x dies
    del x
    gc.collect()
    assert buffer() is not None and cuda.log[-1] == ("record", side.cuda_stream)
    ember.cuda.synchronize()  # the stand-in's synchronize does not finish the fake's work: still kept
    assert buffer() is not None
    cuda.finish()
    ember.cuda.synchronize()
    assert buffer() is None


def test_the_cupy_hooks_name_what_cupy_has():
    """CupyStreams over the real cupy module (no GPU needed to look its API up), and the plugin's device
    type carries it."""
    cupy = pytest.importorskip("cupy")
    import inspect

    from ember_cuda import device
    from ember_cuda.arrays import CupyAPI

    assert cupy.cuda.Stream.null.ptr == 0
    for name in ("use", "synchronize", "wait_event", "done", "priority"):
        assert hasattr(cupy.cuda.Stream, name), name
    assert {"block", "disable_timing"} <= set(inspect.signature(cupy.cuda.Event).parameters)
    assert {"non_blocking", "priority"} <= set(inspect.signature(cupy.cuda.Stream).parameters)
    for name in ("record", "synchronize", "done"):
        assert hasattr(cupy.cuda.Event, name), name
    assert callable(cupy.cuda.get_current_stream) and callable(cupy.cuda.get_elapsed_time)
    hooks = CupyStreams(cupy)
    assert hooks.default_stream(0) is cupy.cuda.Stream.null and hooks.stream_ptr(cupy.cuda.Stream.null) == 0
    assert device.available("cuda", CupyAPI(cupy), streams=hooks).streams is hooks


# ---------------------------------------------------------------- the backend's kernels (cudasim) as "cuda"

class CudasimAsCuda:
    """The numpy stand-in for the CUDA backend registered under the name "cuda"."""

    def __init__(self, cudasim) -> None:
        self.cudasim = cudasim

    @hookimpl
    def ember_register_devices(self, registry) -> None:
        from ember_cuda import device

        registry.add_device(device.available("cuda", self.cudasim.API))

    @hookimpl
    def ember_register_kernels(self, registry) -> None:
        registry.add_kernels("cuda", self.cudasim.sim_kernels())


@pytest.fixture
def cudasim_cuda(without_installed_cuda):
    from tests import cudasim

    yield from registered(CudasimAsCuda(cudasim), "cudasim-as-cuda")


def test_the_usual_timing_idiom_on_cudasim(cudasim_cuda):
    x = ember.randn(64, 64).cuda()  # a generator of the fake "cuda" would outlive the test
    start = ember.cuda.Event(enable_timing=True)
    end = ember.cuda.Event(enable_timing=True)
    start.record()
    y = x @ x
    time.sleep(0.02)
    end.record()
    ember.cuda.synchronize()
    assert 20.0 <= start.elapsed_time(end) < 5000.0
    np.testing.assert_allclose(y.cpu().numpy(), x.cpu().numpy() @ x.cpu().numpy(), rtol=1e-5, atol=1e-5)


def test_a_training_step_on_a_side_stream_matches_the_cpu(cudasim_cuda):
    ember.manual_seed(0)
    cpu_model = ember.nn.Linear(4, 3)
    model = ember.nn.Linear(4, 3).cuda()
    model.load_state_dict({k: v.cuda() for k, v in cpu_model.state_dict().items()})
    x, y = ember.randn(8, 4), ember.randint(0, 3, (8,))
    cpu_loss = ember.nn.functional.cross_entropy(cpu_model(x), y)
    cpu_loss.backward()
    inputs, targets = x.cuda(), y.cuda()
    side = ember.cuda.Stream()
    side.wait_stream(ember.cuda.current_stream())  # the inputs were made on the current stream
    with ember.cuda.stream(side):
        loss = ember.nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
    ember.cuda.current_stream().wait_stream(side)
    assert loss.item() == pytest.approx(cpu_loss.item(), rel=1e-6)
    np.testing.assert_allclose(model.weight.grad.cpu().numpy(), cpu_model.weight.grad.numpy(), rtol=1e-5,
                               atol=1e-7)
