"""``ember.profiler.profile``: torch.profiler's interface (activities, schedule, steps) over the recorder."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable
from enum import Enum
from functools import partial
from typing import Any

from ember.profiler._autograd_profile import profile as _autograd_profile
from ember.profiler._function_events import EventList, KernelCalls
from ember.profiler._record_function import record_function
from ember.profiler._schedule import ProfilerAction, record_every_step


class ProfilerActivity(Enum):
    """What to profile: host ops (CPU), and the time they take on a device queue (CUDA, OPENCL)."""

    CPU = 0
    CUDA = 1
    OPENCL = 2


_DEVICE_OF_ACTIVITY = {ProfilerActivity.CUDA: "cuda", ProfilerActivity.OPENCL: "opencl"}


def supported_activities() -> set[ProfilerActivity]:
    """CPU, plus each queue device that is installed and available."""
    from ember.plugins.manager import get_backend

    activities = {ProfilerActivity.CPU}
    for activity, device in _DEVICE_OF_ACTIVITY.items():
        try:
            device_type = get_backend(device).device_type
        except RuntimeError:
            continue
        if device_type.has_queue and device_type.is_available():
            activities.add(activity)
    return activities


class profile:
    """Profiler context manager with torch.profiler's interface.

    Args:
        activities: ``ProfilerActivity`` values; the default is ``supported_activities()``. CPU must be
            among them: device time is reported per host op.
        schedule: a callable from step number to ``ProfilerAction`` (see ``ember.profiler.schedule``);
            without one, everything between start and stop is recorded.
        on_trace_ready: called with this profiler at the end of each recorded cycle.
        record_shapes, profile_memory, with_stack: as for ``ember.autograd.profiler.profile``.

    Call ``step()`` at the end of each training step when using a schedule; steps then show up as
    ``ProfilerStep#n`` events.
    """

    def __init__(
        self,
        *,
        activities: Iterable[ProfilerActivity] | None = None,
        schedule: Callable[[int], ProfilerAction] | None = None,
        on_trace_ready: Callable[[profile], Any] | None = None,
        record_shapes: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
    ) -> None:
        self.activities = set(activities) if activities is not None else supported_activities()
        for activity in self.activities:
            if not isinstance(activity, ProfilerActivity):
                raise TypeError(f"Expected ProfilerActivity, got {type(activity).__name__}")
        if ProfilerActivity.CPU not in self.activities:
            raise ValueError(
                "ember's profiler reports device time per host op: "
                "activities must include ProfilerActivity.CPU"
            )
        devices = [device for activity, device in _DEVICE_OF_ACTIVITY.items() if activity in self.activities]
        self.use_device = devices[0] if devices else None
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.schedule = schedule if schedule is not None else record_every_step
        self.record_steps = schedule is not None
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.current_action = self.schedule(self.step_num)
        self.profiler: _autograd_profile | None = None
        self._step_record: record_function | None = None

        action = ProfilerAction
        self._transitions: dict[tuple[ProfilerAction, ProfilerAction | None], list[Callable[[], Any]]] = {
            (action.NONE, action.WARMUP): [self._prepare_trace],
            (action.NONE, action.RECORD): [self._prepare_trace, self._start_trace],
            (action.NONE, action.RECORD_AND_SAVE): [self._prepare_trace, self._start_trace],
            (action.WARMUP, action.NONE): [
                partial(warnings.warn, "Incorrect schedule: WARMUP followed by NONE"),
                self._start_trace,
                self._stop_trace,
            ],
            (action.WARMUP, action.RECORD): [self._start_trace],
            (action.WARMUP, action.RECORD_AND_SAVE): [self._start_trace],
            (action.RECORD, action.NONE): [
                partial(warnings.warn, "Incorrect schedule: RECORD followed by NONE"),
                self._stop_trace,
            ],
            (action.RECORD, action.WARMUP): [
                partial(warnings.warn, "Incorrect schedule: RECORD followed by WARMUP"),
                self._stop_trace,
            ],
            (action.RECORD_AND_SAVE, action.NONE): [self._stop_trace, self._trace_ready],
            (action.RECORD_AND_SAVE, action.WARMUP): [
                self._stop_trace,
                self._trace_ready,
                self._prepare_trace,
            ],
            (action.RECORD_AND_SAVE, action.RECORD): [
                self._stop_trace,
                self._trace_ready,
                self._prepare_trace,
                self._start_trace,
            ],
            (action.RECORD_AND_SAVE, action.RECORD_AND_SAVE): [
                self._stop_trace,
                self._trace_ready,
                self._prepare_trace,
                self._start_trace,
            ],
            (action.WARMUP, None): [self._start_trace, self._stop_trace],
            (action.RECORD, None): [self._stop_trace, self._trace_ready],
            (action.RECORD_AND_SAVE, None): [self._stop_trace, self._trace_ready],
        }

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start profiling (what the ``with`` statement does on entry)."""
        self._transit(ProfilerAction.NONE, self.current_action)
        self._enter_step()

    def stop(self) -> None:
        """Stop profiling (what the ``with`` statement does on exit)."""
        self._exit_step()
        self._transit(self.current_action, None)

    def step(self) -> None:
        """Signal that the next step starts; the schedule decides what to record next."""
        self._exit_step()
        previous = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        self._transit(previous, self.current_action)
        self._enter_step()

    def _enter_step(self) -> None:
        if self.record_steps:
            self._step_record = record_function(f"ProfilerStep#{self.step_num}")
            self._step_record.__enter__()

    def _exit_step(self) -> None:
        if self._step_record is not None:
            self._step_record.__exit__(None, None, None)
            self._step_record = None

    def _transit(self, previous: ProfilerAction, current: ProfilerAction | None) -> None:
        for action in self._transitions.get((previous, current), []):
            action()

    def _prepare_trace(self) -> None:
        self.profiler = _autograd_profile(
            use_device=self.use_device,
            record_shapes=self.record_shapes,
            profile_memory=self.profile_memory,
            with_stack=self.with_stack,
        )

    def _start_trace(self) -> None:
        assert self.profiler is not None
        self.profiler.__enter__()

    def _stop_trace(self) -> None:
        assert self.profiler is not None
        self.profiler.__exit__(None, None, None)

    def _trace_ready(self) -> None:
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def _finished_profiler(self) -> _autograd_profile:
        if self.profiler is None:
            raise RuntimeError("Profiler must be started before reading its results")
        return self.profiler

    def events(self) -> EventList:
        """The recorded events of the last cycle, unaggregated."""
        return self._finished_profiler().events()

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0) -> EventList:
        """Events summed per op name (and per input shapes / top stack frames when asked)."""
        return self._finished_profiler().key_averages(group_by_input_shape, group_by_stack_n)

    def kernel_calls(self) -> list[KernelCalls]:
        """Kernel calls of the last cycle, counted per (op that made it, kernel, device)."""
        return self._finished_profiler().kernel_calls()

    def export_chrome_trace(self, path: str | os.PathLike[str]) -> None:
        """Write a Chrome trace (JSON) of the last cycle, for Perfetto or ``chrome://tracing``."""
        self._finished_profiler().export_chrome_trace(path)
