"""The autograd profiler, ``ember.autograd.profiler.profile``: records every op run inside it."""

from __future__ import annotations

import os
import warnings
from typing import Any

from ember import _profiling
from ember.profiler._function_events import EventList, FunctionEventAvg, KernelCalls, function_events, kernel_calls

# Device types whose work runs on a queue, so that an op's device time differs from its host time.
_QUEUE_DEVICE_TYPES = ("cuda", "opencl")


def _queue_device_type(use_device: str) -> Any:
    """The registered device type ``use_device`` names if it has a queue and is available; else warn, None.

    The warnings are PyTorch's: a device without a queue is "not a valid device option", a queue device
    that is not installed or not available disables device profiling.
    """
    from ember.plugins.manager import get_backend

    try:
        device_type = get_backend(use_device).device_type
    except RuntimeError:
        device_type = None
    has_queue = use_device in _QUEUE_DEVICE_TYPES if device_type is None else device_type.has_queue
    if not has_queue:
        warnings.warn(f"The {use_device} is not a valid device option.", stacklevel=3)
        return None
    if device_type is None or not device_type.is_available():
        name = use_device.upper()
        warnings.warn(f"{name} is not available, disabling {name} profiling", stacklevel=3)
        return None
    return device_type


class profile:
    """Context manager that records the ops run inside it and summarises them as PyTorch's profiler does.

    Args:
        enabled: False makes it a no-op (``with profile(enabled=False) as p`` gives ``p = None``).
        use_cuda: deprecated spelling of ``use_device='cuda'``.
        use_device: a device type with a queue (``'cuda'``, ``'opencl'``) whose per-op device time the
            backend reports; unavailable devices are warned about and ignored, as PyTorch does.
        record_shapes: keep each op's input shapes (``key_averages(group_by_input_shape=True)``).
        profile_memory: add the memory columns, from the bytes the backends attach to each op.
        with_stack: keep the Python stack of each op (``key_averages(group_by_stack_n=...)``).

    Example::

        >>> with ember.autograd.profiler.profile() as prof:
        ...     z = (z / x) * y
        >>> print(prof.key_averages().table(sort_by="self_cpu_time_total"))
    """

    def __init__(
        self,
        enabled: bool = True,
        *,
        use_cuda: bool = False,
        use_device: str | None = None,
        record_shapes: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
    ) -> None:
        self.enabled = enabled
        if not enabled:
            return
        if use_cuda:
            warnings.warn(
                "The attribute `use_cuda` will be deprecated soon, "
                "please use ``use_device = 'cuda'`` instead.",
                FutureWarning,
                stacklevel=2,
            )
            use_device = "cuda"
        self._device_type = _queue_device_type(use_device) if use_device is not None else None
        self.use_device = use_device if self._device_type is not None else None
        self.use_cuda = self.use_device == "cuda"
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.entered = False
        self._session: _profiling.Session | None = None
        self._function_events: EventList | None = None

    def __enter__(self) -> profile | None:
        if not self.enabled:
            return None
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self.entered = True
        self._session = _profiling.Session(record_shapes=self.record_shapes, with_stack=self.with_stack,
                                           timed_device=self.use_device)
        self._session.start()
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if not self.enabled or self._session is None:
            return
        if self._device_type is not None:
            for index in range(self._device_type.device_count()):
                self._device_type.synchronize(index)
        raw_events = self._session.stop()
        self._function_events = function_events(
            raw_events, self._session, use_device=self.use_device, profile_memory=self.profile_memory
        )

    def _finished_events(self) -> EventList:
        if self._function_events is None:
            raise RuntimeError("Profiler didn't finish running")
        return self._function_events

    def __repr__(self) -> str:
        if self._function_events is None:
            return "<unfinished ember.autograd.profile>"
        return repr(self._function_events)

    def __str__(self) -> str:
        if self._function_events is None:
            return "<unfinished ember.autograd.profile>"
        return str(self._function_events)

    @property
    def function_events(self) -> EventList:
        """Every recorded event, in start order, with parents and children linked."""
        return self._finished_events()

    def events(self) -> EventList:
        """The same as ``function_events``."""
        return self._finished_events()

    def table(
        self,
        sort_by: str | None = None,
        row_limit: int = 100,
        max_src_column_width: int = 75,
        max_name_column_width: int = 55,
        max_shapes_column_width: int = 80,
        header: str | None = None,
        top_level_events_only: bool = False,
    ) -> str:
        """The table of every event (not averaged); see ``EventList.table``."""
        return self._finished_events().table(
            sort_by=sort_by,
            row_limit=row_limit,
            max_src_column_width=max_src_column_width,
            max_name_column_width=max_name_column_width,
            max_shapes_column_width=max_shapes_column_width,
            header=header,
            top_level_events_only=top_level_events_only,
        )

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0) -> EventList:
        """Events summed per op name (and per input shapes / top stack frames when asked)."""
        return self._finished_events().key_averages(group_by_input_shape, group_by_stack_n)

    def kernel_calls(self) -> list[KernelCalls]:
        """Every kernel call, counted per (op that made it, kernel, device): the launches a step costs.
        Calls made outside any op (gradient accumulation, say) have ``op`` None."""
        if self._session is None or self._function_events is None:
            raise RuntimeError("Profiler didn't finish running")
        return kernel_calls(self._session.kernel_calls)

    def total_average(self) -> FunctionEventAvg:
        """Every event summed into one row."""
        return self._finished_events().total_average()

    @property
    def self_cpu_time_total(self) -> float:
        """The sum of all self CPU times, in microseconds."""
        return self._finished_events().self_cpu_time_total

    def export_chrome_trace(self, path: str | os.PathLike[str]) -> None:
        """Write a Chrome trace (JSON) of the events, for Perfetto or ``chrome://tracing``."""
        self._finished_events().export_chrome_trace(path)
