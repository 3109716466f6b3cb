"""ember's profiler, with torch.profiler's interface.

``profile`` records the ops run inside it (with ``activities``, an optional ``schedule`` and ``step()``),
``record_function`` labels a block of code, ``kernel_calls()`` counts the kernels each op called, and
``key_averages().table()`` prints PyTorch's summary table.
``ember.autograd.profiler.profile`` is the same recorder behind the autograd profiler's interface.
"""

from ember.profiler._function_events import EventList, FunctionEvent, FunctionEventAvg, Kernel, KernelCalls
from ember.profiler._profile import ProfilerActivity, profile, supported_activities
from ember.profiler._record_function import record_function
from ember.profiler._schedule import ProfilerAction, schedule

__all__ = [
    "EventList",
    "FunctionEvent",
    "FunctionEventAvg",
    "Kernel",
    "KernelCalls",
    "ProfilerAction",
    "ProfilerActivity",
    "profile",
    "record_function",
    "schedule",
    "supported_activities",
]
