"""Chrome trace export: the JSON object format that Perfetto and ``chrome://tracing`` open.

Each event becomes a complete event (``"ph": "X"``) with ``ts``/``dur`` in microseconds on its process and
thread, categorised as PyTorch's traces are (``cpu_op`` for ops, ``user_annotation`` for
``record_function`` blocks); recorded input shapes go in ``args["Input Dims"]``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from ember import _profiling


def chrome_trace(events: Iterable[Any]) -> dict[str, Any]:
    """The trace of ``FunctionEvent`` s as a JSON-ready dict."""
    pid = os.getpid()
    trace_events: list[dict[str, Any]] = [
        {"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": "python"}},
    ]
    threads: set[int] = set()
    for event in events:
        if not hasattr(event, "time_range"):
            raise TypeError(
                f"export_chrome_trace needs the recorded events, not averages; got {type(event).__name__}"
            )
        if event.thread not in threads:
            threads.add(event.thread)
            trace_events.append(
                {
                    "ph": "M",
                    "name": "thread_name",
                    "pid": pid,
                    "tid": event.thread,
                    "args": {"name": _profiling.thread_name(event.thread)},
                }
            )
        args: dict[str, Any] = {"External id": event.id}
        if event.input_shapes:
            args["Input Dims"] = event.input_shapes
        trace_events.append(
            {
                "ph": "X",
                "cat": "user_annotation" if event.is_user_annotation else "cpu_op",
                "name": event.trace_name,
                "pid": pid,
                "tid": event.thread,
                "ts": round(event.time_range.start, 3),
                "dur": round(event.time_range.elapsed_us(), 3),
                "args": args,
            }
        )
    return {"schemaVersion": 1, "displayTimeUnit": "ms", "traceEvents": trace_events}


def write_chrome_trace(events: Iterable[Any], path: str | os.PathLike[str]) -> None:
    """Write the trace of ``events`` to ``path``."""
    with open(path, "w", encoding="utf-8") as file:
        json.dump(chrome_trace(events), file)
