"""Profiling results as PyTorch shows them: ``FunctionEvent``, ``FunctionEventAvg`` and ``EventList``."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from typing import Any, NamedTuple, Protocol

from ember import _profiling
from ember.profiler._chrome_trace import write_chrome_trace
from ember.profiler._table import build_table, format_time

_STEP_PREFIX = "ProfilerStep#"


class Kernel(NamedTuple):
    """One kernel call of an op, as PyTorch's ``FunctionEvent.kernels``: its name, device and duration in
    microseconds (on the device when the profiler timed it there, else on the host)."""

    name: str
    device: str
    duration: float


class KernelCalls(NamedTuple):
    """Calls of one kernel on one device made by one op (``op`` None: made outside any op), summed."""

    op: str | None
    name: str
    device: str
    calls: int
    duration: float  # microseconds, all calls


def kernel_calls(calls: Iterable[_profiling.KernelCall]) -> list[KernelCalls]:
    """Kernel calls grouped by (op, kernel, device), in order of first call."""
    counts: Counter[tuple[str | None, str, str]] = Counter()
    durations: dict[tuple[str | None, str, str], float] = {}
    for call in calls:
        key = (None if call.parent is None else call.parent.name, call.name, call.device)
        counts[key] += 1
        durations[key] = durations.get(key, 0.0) + (call.end_ns - call.start_ns) / 1000
    return [KernelCalls(*key, count, durations[key]) for key, count in counts.items()]


class Interval:
    """A host time range, in microseconds from the start of profiling."""

    def __init__(self, start: float, end: float) -> None:
        self.start = start
        self.end = end

    def elapsed_us(self) -> float:
        return self.end - self.start


class _Timed(Protocol):
    """What the time formatting reads from an event or an average."""

    @property
    def count(self) -> int: ...
    @property
    def cpu_time(self) -> float: ...
    @property
    def device_time(self) -> float: ...
    @property
    def cpu_time_total(self) -> float: ...
    @property
    def device_time_total(self) -> float: ...
    @property
    def self_cpu_time_total(self) -> float: ...
    @property
    def self_device_time_total(self) -> float: ...


def _per_call(total: float, count: int) -> float:
    return 0.0 if count == 0 else total / count


class _FormattedTimes:
    """``cpu_time`` / ``device_time`` averages and their ``*_str`` forms, for events and averages alike."""

    @property
    def cpu_time(self: _Timed) -> float:
        return _per_call(self.cpu_time_total, self.count)

    @property
    def device_time(self: _Timed) -> float:
        return _per_call(self.device_time_total, self.count)

    @property
    def cpu_time_str(self: _Timed) -> str:
        return format_time(self.cpu_time)

    @property
    def device_time_str(self: _Timed) -> str:
        return format_time(self.device_time)

    @property
    def cpu_time_total_str(self: _Timed) -> str:
        return format_time(self.cpu_time_total)

    @property
    def self_cpu_time_total_str(self: _Timed) -> str:
        return format_time(self.self_cpu_time_total)

    @property
    def device_time_total_str(self: _Timed) -> str:
        return format_time(self.device_time_total)

    @property
    def self_device_time_total_str(self: _Timed) -> str:
        return format_time(self.self_device_time_total)


class FunctionEvent(_FormattedTimes):
    """One op call or ``record_function`` block; times in microseconds, self times exclude children."""

    def __init__(
        self,
        id: int,
        name: str,
        thread: int,
        start_us: float,
        end_us: float,
        *,
        input_shapes: list[list[int]] | None = None,
        stack: list[str] | None = None,
        use_device: str | None = None,
        device_time_us: float | None = None,
        cpu_memory_usage: int = 0,
        device_memory_usage: int = 0,
        is_user_annotation: bool = False,
    ) -> None:
        self.id = id
        # Steps of torch.profiler's schedule average together as "ProfilerStep*"; the trace keeps "#n".
        self.name = _STEP_PREFIX[:-1] + "*" if name.startswith(_STEP_PREFIX) else name
        self.trace_name = name
        self.thread = thread
        self.time_range = Interval(start_us, end_us)
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.stack = stack if stack is not None else []
        self.use_device = use_device
        self.device_time_us = device_time_us
        self.cpu_memory_usage = cpu_memory_usage
        self.device_memory_usage = device_memory_usage
        self.is_user_annotation = is_user_annotation
        self.is_async = False
        self.count = 1
        self.kernels: list[Kernel] = []
        self.cpu_children: list[FunctionEvent] = []
        self.cpu_parent: FunctionEvent | None = None

    @property
    def key(self) -> str:
        return self.name

    @property
    def cpu_time_total(self) -> float:
        return self.time_range.elapsed_us()

    @property
    def self_cpu_time_total(self) -> float:
        return self.cpu_time_total - sum(child.cpu_time_total for child in self.cpu_children)

    @property
    def device_time_total(self) -> float:
        """The device time attached by the backend; for an event without one, its children's."""
        if not self.use_device:
            return 0.0
        if self.device_time_us is None:
            return sum(child.device_time_total for child in self.cpu_children)
        return self.device_time_us

    @property
    def self_device_time_total(self) -> float:
        return self.device_time_total - sum(child.device_time_total for child in self.cpu_children)

    @property
    def self_cpu_memory_usage(self) -> int:
        return self.cpu_memory_usage - sum(child.cpu_memory_usage for child in self.cpu_children)

    @property
    def self_device_memory_usage(self) -> int:
        return self.device_memory_usage - sum(child.device_memory_usage for child in self.cpu_children)

    def __repr__(self) -> str:
        return (
            f"<FunctionEvent id={self.id} name={self.name} cpu_time={self.cpu_time_str} "
            f"start_us={self.time_range.start} end_us={self.time_range.end} "
            f"cpu_children={[child.id for child in self.cpu_children]} "
            f"{self.use_device}_time={self.device_time_str} thread={self.thread} "
            f"input_shapes={self.input_shapes} cpu_memory_usage={self.cpu_memory_usage} "
            f"{self.use_device}_memory_usage={self.device_memory_usage}>"
        )


class FunctionEventAvg(_FormattedTimes):
    """The sums over all events sharing one key (name, and input shapes or stack when grouped by them)."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.count = 0
        self.is_async = False
        self.is_user_annotation = False
        self.use_device: str | None = None
        self.cpu_time_total = 0.0
        self.device_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.self_device_time_total = 0.0
        self.cpu_memory_usage = 0
        self.device_memory_usage = 0
        self.self_cpu_memory_usage = 0
        self.self_device_memory_usage = 0
        self.input_shapes: Any = None
        self.stack: list[str] | None = None
        self.cpu_parent: FunctionEvent | None = None
        self.cpu_children: list[FunctionEvent] | None = None

    def add(self, other: FunctionEvent | FunctionEventAvg) -> FunctionEventAvg:
        """Add one event (or another average) into the sums; the first one gives key, shapes and parent."""
        if self.key is None:
            self.key = other.key
            self.is_user_annotation = other.is_user_annotation
            self.use_device = other.use_device
            self.input_shapes = other.input_shapes
            self.stack = other.stack
            self.cpu_parent = other.cpu_parent
            self.cpu_children = other.cpu_children
        elif other.key != self.key:
            raise ValueError(f"cannot average events of different keys: {other.key!r} into {self.key!r}")
        self.count += other.count
        self.cpu_time_total += other.cpu_time_total
        self.device_time_total += other.device_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.self_device_time_total += other.self_device_time_total
        self.cpu_memory_usage += other.cpu_memory_usage
        self.device_memory_usage += other.device_memory_usage
        self.self_cpu_memory_usage += other.self_cpu_memory_usage
        self.self_device_memory_usage += other.self_device_memory_usage
        return self

    def __iadd__(self, other: FunctionEvent | FunctionEventAvg) -> FunctionEventAvg:
        return self.add(other)

    def __repr__(self) -> str:
        return (
            f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str} "
            f"cpu_time={self.cpu_time_str} self_{self.use_device}_time={self.self_device_time_total_str} "
            f"{self.use_device}_time={self.device_time_str} input_shapes={self.input_shapes} "
            f"cpu_memory_usage={self.cpu_memory_usage} "
            f"{self.use_device}_memory_usage={self.device_memory_usage}>"
        )


class EventList(list):
    """A list of ``FunctionEvent`` or ``FunctionEventAvg`` with the table, averaging and trace export."""

    def __init__(self, *args: Any, use_device: str | None = None, profile_memory: bool = False) -> None:
        super().__init__(*args)
        self._use_device = use_device
        self._profile_memory = profile_memory

    def __str__(self) -> str:
        return self.table()

    @property
    def self_cpu_time_total(self) -> float:
        return sum(event.self_cpu_time_total for event in self)

    def table(
        self,
        sort_by: str | None = None,
        row_limit: int = 100,
        max_src_column_width: int = 75,
        max_name_column_width: int = 55,
        max_shapes_column_width: int = 80,
        header: str | None = None,
        top_level_events_only: bool = False,
        time_unit: str | None = None,
    ) -> str:
        """The summary table, in PyTorch's layout.

        ``sort_by`` names an event attribute, largest first: ``self_cpu_time_total``, ``cpu_time_total``,
        ``cpu_time``, ``count``, ``cpu_memory_usage``, ``self_cpu_memory_usage``, and the device ones
        (``cuda_time_total``, ``self_cuda_time_total``, ...); by default rows keep their order.
        ``top_level_events_only`` shows only events not nested in another one. ``time_unit`` forces
        ``'s'``, ``'ms'`` or ``'us'``.
        """
        return build_table(
            self,
            sort_by=sort_by,
            header=header,
            row_limit=row_limit,
            max_src_column_width=max_src_column_width,
            max_name_column_width=max_name_column_width,
            max_shapes_column_width=max_shapes_column_width,
            profile_memory=self._profile_memory,
            top_level_events_only=top_level_events_only,
            time_unit=time_unit,
        )

    def key_averages(self, group_by_input_shapes: bool = False, group_by_stack_n: int = 0) -> EventList:
        """Sum the events per name (and per input shapes, and per the top ``group_by_stack_n`` frames)."""
        stats: dict[tuple[Any, ...], FunctionEventAvg] = {}
        for event in self:
            key: tuple[Any, ...] = (event.key, event.is_user_annotation)
            if group_by_input_shapes:
                key += (str(event.input_shapes),)
            if group_by_stack_n > 0:
                key += tuple(event.stack[:group_by_stack_n])
            stats.setdefault(key, FunctionEventAvg()).add(event)
        averages = EventList(stats.values(), use_device=self._use_device, profile_memory=self._profile_memory)
        for average in averages:
            average.stack = average.stack[:group_by_stack_n]
            if not group_by_input_shapes:
                average.input_shapes = ""
        return averages

    def total_average(self) -> FunctionEventAvg:
        """All events summed into one ``FunctionEventAvg`` keyed ``"Total"``."""
        total = FunctionEventAvg()
        for event in self:
            total.key = None
            total.add(event)
        total.key = "Total"
        return total

    def export_chrome_trace(self, path: str | os.PathLike[str]) -> None:
        """Write the events as a Chrome trace (JSON), for Perfetto or ``chrome://tracing``."""
        write_chrome_trace(self, path)


def function_events(
    raw_events: Iterable[_profiling.Event],
    session: _profiling.Session,
    *,
    use_device: str | None = None,
    profile_memory: bool = False,
) -> EventList:
    """Turn a session's recorded events into ``FunctionEvent`` s linked to their parents and children."""
    converted: dict[int, FunctionEvent] = {}
    result = EventList(use_device=use_device, profile_memory=profile_memory)
    for index, raw in enumerate(raw_events):
        assert raw.end_ns is not None
        event = FunctionEvent(
            index,
            raw.name,
            raw.thread,
            (raw.start_ns - session.start_ns) / 1000,
            (raw.end_ns - session.start_ns) / 1000,
            input_shapes=raw.input_shapes if session.record_shapes else None,
            stack=raw.stack if session.with_stack else None,
            use_device=use_device,
            device_time_us=raw.device_time_us,
            cpu_memory_usage=raw.cpu_memory_usage if profile_memory else 0,
            device_memory_usage=raw.device_memory_usage if profile_memory else 0,
            is_user_annotation=raw.is_user_annotation,
        )
        parent = converted.get(id(raw.parent)) if raw.parent is not None else None
        if parent is not None:
            event.cpu_parent = parent
            parent.cpu_children.append(event)
        converted[id(raw)] = event
        result.append(event)
    for call in session.kernel_calls:
        owner = converted.get(id(call.parent)) if call.parent is not None else None
        if owner is not None:
            duration = (call.end_ns - call.start_ns) / 1000 if call.device_us is None else call.device_us
            owner.kernels.append(Kernel(call.name, call.device, duration))
    return result
