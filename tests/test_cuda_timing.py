"""ember_cuda.timing (the cuda device type's profiler timer hooks) against a stand-in for cupy that records
what is asked of it: no GPU is needed, and on a GPU machine the same functions run on real CUDA events."""
from __future__ import annotations

import contextlib

import pytest

timing = pytest.importorskip("ember_cuda.timing")


class FakeEvent:
    def __init__(self, log) -> None:
        self.log = log
        log.append(("event", FakeCupy.current_device))

    def record(self, stream) -> None:
        self.log.append(("record", stream))

    def synchronize(self) -> None:
        self.log.append(("synchronize", self))


class FakeCupy:
    """The parts of cupy timing.py uses: Device contexts, Event, current stream, elapsed time in ms."""

    current_device = None

    def __init__(self) -> None:
        self.log: list = []
        self.cuda = self

    @contextlib.contextmanager
    def Device(self, index):  # noqa: N802  (cupy's name)
        FakeCupy.current_device = index
        try:
            yield
        finally:
            FakeCupy.current_device = None

    def Event(self):  # noqa: N802
        return FakeEvent(self.log)

    def get_current_stream(self):
        return f"stream of device {FakeCupy.current_device}"

    def get_elapsed_time(self, start, end):
        self.log.append(("elapsed", start, end))
        return 0.25  # milliseconds


def test_a_mark_is_an_event_recorded_on_the_devices_current_stream(monkeypatch):
    fake = FakeCupy()
    monkeypatch.setattr(timing, "cupy", fake)
    mark = timing.start_timer(1)
    assert isinstance(mark, FakeEvent)
    assert fake.log == [("event", 1), ("record", "stream of device 1")]


def test_elapsed_time_waits_for_the_later_mark_and_is_in_microseconds(monkeypatch):
    fake = FakeCupy()
    monkeypatch.setattr(timing, "cupy", fake)
    first, last = timing.start_timer(0), timing.start_timer(0)
    assert timing.elapsed_us(first, last) == 250.0
    assert fake.log[-2:] == [("synchronize", last), ("elapsed", first, last)]
