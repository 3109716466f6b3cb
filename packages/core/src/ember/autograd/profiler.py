"""The autograd profiler, as ``torch.autograd.profiler``: ``profile``, ``record_function`` and the results.

Example::

    with ember.autograd.profiler.profile() as prof:
        for _ in range(1000):
            z = (z / x) * y
    print(prof.key_averages().table(sort_by="self_cpu_time_total"))
"""

from ember.profiler._autograd_profile import profile
from ember.profiler._function_events import EventList, FunctionEvent, FunctionEventAvg
from ember.profiler._record_function import record_function

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg", "profile", "record_function"]
