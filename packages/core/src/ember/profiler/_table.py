"""PyTorch's profiler summary table, column for column: ``EventList.table()`` prints this."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_DEFAULT_COLUMN_WIDTH = 12
_SPACING = 2
_US_IN_SECOND = 1000.0 * 1000.0
_US_IN_MS = 1000.0


def format_time(time_us: float, time_unit: str | None = None) -> str:
    """``1.234ms``: seconds, milliseconds or microseconds, 3 decimals, in ``time_unit`` or the best one."""
    if time_unit is None:
        time_unit = "s" if time_us >= _US_IN_SECOND else "ms" if time_us >= _US_IN_MS else "us"
    if time_unit == "s":
        return f"{time_us / _US_IN_SECOND:.3f}s"
    if time_unit == "ms":
        return f"{time_us / _US_IN_MS:.3f}ms"
    if time_unit == "us":
        return f"{time_us:.3f}us"
    raise ValueError(f"time_unit must be one of 's', 'ms', 'us' or None, but got {time_unit!r}")


def format_time_share(time_us: float, total_time_us: float) -> str:
    """``12.34%`` of the total; ``NaN`` when nothing was timed at all."""
    if total_time_us == 0:
        return "NaN"
    return f"{time_us * 100.0 / total_time_us:.2f}%"


def format_memory(nbytes: int) -> str:
    """``1.50 MB``: bytes in the largest binary unit below them, as PyTorch prints memory."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if abs(nbytes) >= size:
            return f"{nbytes * 1.0 / size:.2f} {unit}"
    return f"{nbytes} B"


def sort_attribute(sort_by: str) -> str:
    """The event attribute a ``sort_by`` key names: device-specific names map to the ``device_*`` ones."""
    for device in ("cuda", "opencl", "xpu", "privateuse1"):
        sort_by = sort_by.replace(device, "device")
    return sort_by


class _Layout:
    """Column formats, the dashed separator and the line length, built column by column."""

    def __init__(self) -> None:
        self.row_format = ""
        self.separator = ""
        self.line_length = -_SPACING

    def add_column(self, width: int, align: str = ">") -> None:
        self.row_format += "{: " + align + str(width) + "}" + " " * _SPACING
        self.separator += "-" * width + " " * _SPACING
        self.line_length += width + _SPACING


def _trim_path(path: str, width: int) -> str:
    """The end of a source location that does not fit its column, its cut marked with ``...``."""
    if len(path) > width:
        path = path[len(path) - width :]
        if len(path) > 3:
            path = "..." + path[3:]
    return path


def build_table(
    events: Sequence[Any],
    *,
    sort_by: str | None = None,
    header: str | None = None,
    row_limit: int = 100,
    max_src_column_width: int = 75,
    max_name_column_width: int = 55,
    max_shapes_column_width: int = 80,
    profile_memory: bool = False,
    top_level_events_only: bool = False,
    time_unit: str | None = None,
) -> str:
    """The summary table of ``events`` (FunctionEvent or FunctionEventAvg), in PyTorch's exact layout."""
    if len(events) == 0:
        return ""
    if sort_by is not None:
        attribute = sort_attribute(sort_by)
        events = sorted(events, key=lambda event: getattr(event, attribute), reverse=True)

    use_device = events[0].use_device
    device_name = use_device.upper() if use_device is not None else "None"
    has_device_time = any(event.self_device_time_total > 0 for event in events)
    has_device_memory = any(event.self_device_memory_usage > 0 for event in events)
    has_input_shapes = any(event.input_shapes is not None and len(event.input_shapes) > 0 for event in events)
    stacks = [event.stack for event in events if event.stack]
    has_stack = len(stacks) > 0

    name_width = max(len(event.key) for event in events) + 4
    if max_name_column_width is not None:
        name_width = min(name_width, max_name_column_width)
    shapes_width = max(len(str(event.input_shapes)) for event in events) + 4
    if max_shapes_column_width is not None:
        shapes_width = min(shapes_width, max_shapes_column_width)
    src_width = 0
    if has_stack:
        src_width = max(max(len(entry) for entry in stack) for stack in stacks) + 4
        if max_src_column_width is not None:
            src_width = min(src_width, max_src_column_width)

    headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
    if has_device_time:
        headers += [
            f"Self {device_name}",
            f"Self {device_name} %",
            f"{device_name} total",
            f"{device_name} time avg",
        ]
    if profile_memory:
        headers += ["CPU Mem", "Self CPU Mem"]
        if use_device and has_device_memory:
            headers += [f"{device_name} Mem", f"Self {device_name} Mem"]
    headers.append("# of Calls")

    layout = _Layout()
    layout.add_column(name_width)
    for _ in headers[1:]:
        layout.add_column(_DEFAULT_COLUMN_WIDTH)
    if has_input_shapes:
        headers.append("Input Shapes")
        layout.add_column(shapes_width)
    if has_stack:
        headers.append("Source Location")
        layout.add_column(src_width, align="<")

    sum_self_cpu = sum(event.self_cpu_time_total for event in events)
    sum_self_device = sum(event.self_device_time_total for event in events)

    lines = []
    if header is not None:
        lines += ["=" * layout.line_length, header]
    if top_level_events_only:
        lines += ["=" * layout.line_length, "This report only display top-level ops statistics"]
    lines += [layout.separator, layout.row_format.format(*headers), layout.separator]

    shown = 0
    for event in events:
        if shown == row_limit:
            break
        if top_level_events_only and event.cpu_parent is not None:
            continue
        shown += 1
        name = event.key
        if max_name_column_width is not None and len(name) >= max_name_column_width - 3:
            name = name[: max_name_column_width - 3] + "..."
        row = [
            name,
            format_time_share(event.self_cpu_time_total, sum_self_cpu),
            format_time(event.self_cpu_time_total, time_unit),
            format_time_share(event.cpu_time_total, sum_self_cpu),
            format_time(event.cpu_time_total, time_unit),
            format_time(event.cpu_time, time_unit),
        ]
        if has_device_time:
            row += [
                format_time(event.self_device_time_total, time_unit),
                format_time_share(event.self_device_time_total, sum_self_device),
                format_time(event.device_time_total, time_unit),
                format_time(event.device_time, time_unit),
            ]
        if profile_memory:
            row += [format_memory(event.cpu_memory_usage), format_memory(event.self_cpu_memory_usage)]
            if use_device and has_device_memory:
                row += [
                    format_memory(event.device_memory_usage),
                    format_memory(event.self_device_memory_usage),
                ]
        row.append(event.count)
        if has_input_shapes:
            row.append(str(event.input_shapes)[:shapes_width])
        if has_stack:
            row.append(_trim_path(event.stack[0], src_width) if event.stack else "")
        lines.append(layout.row_format.format(*row))
        if has_stack:
            blanks = [""] * (len(headers) - 1)
            for entry in event.stack[1:]:
                lines.append(layout.row_format.format(*blanks, _trim_path(entry, src_width)))
            lines.append(layout.row_format.format(*blanks, ""))

    lines += [layout.separator, f"Self CPU time total: {format_time(sum_self_cpu, time_unit)}"]
    if has_device_time:
        lines.append(f"Self {device_name} time total: {format_time(sum_self_device, time_unit)}")
    return "".join(line + "\n" for line in lines)
