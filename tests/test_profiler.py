"""The profiler: the recorder core calls, the averaged table in PyTorch's layout, traces and the two APIs.

Most tests drive ``ember._profiling.record`` directly (as core's op paths do) under a fake clock, so times
are exact. The ``torch`` tests compare the table's structure with PyTorch's own output for the same ops.
"""

from __future__ import annotations

import json
import re
import threading
import types
import warnings

import pytest

from ember import _profiling
from ember.autograd import profiler
from ember.profiler import ProfilerAction, ProfilerActivity, record_function, schedule
from ember.profiler import profile as new_profile
from ember.profiler._table import format_time, format_time_share


class FakeClock:
    """Stands in for ``perf_counter_ns``: time moves only when a test advances it."""

    def __init__(self) -> None:
        self.ns = 5_000_000

    def __call__(self) -> int:
        return self.ns

    def advance(self, us: float) -> None:
        self.ns += round(us * 1000)


class FakeTensor:
    """Anything with a ``.shape``, as core passes ember Tensors."""

    def __init__(self, *shape: int) -> None:
        self.shape = shape


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(_profiling, "perf_counter_ns", fake)
    return fake


@pytest.fixture(autouse=True)
def no_profiler_left_running():
    yield
    assert _profiling.enabled is False
    assert _profiling._sessions == []


def op(clock: FakeClock, name: str, us: float, inputs: tuple = ()) -> None:
    """One op call taking ``us`` microseconds, recorded as core records it."""
    with _profiling.record(name, inputs):
        clock.advance(us)


def seed_like_ops(clock: FakeClock, calls: int = 3, **profile_kwargs) -> profiler.profile:
    """``z = (z / x) * y`` in a loop: div takes 2us, mul 1us."""
    x = FakeTensor(2, 3)
    with profiler.profile(**profile_kwargs) as prof:
        for _ in range(calls):
            op(clock, "aten::div", 2, (x, x))
            op(clock, "aten::mul", 1, (x, x))
    return prof


def table_cells(table: str) -> list[list[str]]:
    """The header row and the data rows of a table, split into cells (columns are 2+ spaces apart)."""
    lines = table.splitlines()
    separators = [index for index, line in enumerate(lines) if line.startswith("-")]
    rows = [lines[separators[0] + 1]] + lines[separators[1] + 1 : separators[2]]
    return [re.split(r"\s{2,}", row.strip()) for row in rows]


# --- the recorder core calls -------------------------------------------------------------------------------


def test_enabled_is_true_only_while_a_profiler_runs():
    assert _profiling.enabled is False
    with profiler.profile():
        assert _profiling.enabled is True
    assert _profiling.enabled is False


def test_enabled_stays_true_until_the_last_overlapping_profiler_stops(clock):
    with profiler.profile() as outer:
        op(clock, "aten::add", 1)
        with profiler.profile() as inner:
            op(clock, "aten::mul", 1)
        assert _profiling.enabled is True
        op(clock, "aten::sub", 1)
    assert [event.name for event in inner.function_events] == ["aten::mul"]
    assert [event.name for event in outer.function_events] == ["aten::add", "aten::mul", "aten::sub"]


def test_disabled_profile_records_nothing_and_enters_as_none():
    with profiler.profile(enabled=False) as prof:
        assert _profiling.enabled is False
    assert prof is None


def test_self_time_is_total_minus_children(clock):
    with profiler.profile() as prof:
        with _profiling.record("aten::linear", ()):
            clock.advance(2)
            op(clock, "aten::matmul", 5)
            op(clock, "aten::add", 1)
            clock.advance(3)
    linear, matmul, add = prof.function_events
    assert linear.cpu_time_total == 11 and linear.self_cpu_time_total == 5
    assert matmul.cpu_time_total == 5 and matmul.self_cpu_time_total == 5
    assert linear.cpu_children == [matmul, add] and matmul.cpu_parent is linear
    assert prof.self_cpu_time_total == 11


def test_nesting_is_per_thread(clock):
    def worker() -> None:
        op(clock, "aten::mul", 4)

    with profiler.profile() as prof:
        with _profiling.record("aten::outer", ()):
            thread = threading.Thread(target=worker)
            thread.start()
            thread.join()
            clock.advance(1)
    outer, mul = prof.function_events
    assert mul.cpu_parent is None and outer.cpu_children == []
    assert outer.self_cpu_time_total == outer.cpu_time_total == 5
    assert mul.thread != outer.thread


def test_record_yields_the_event_for_core_to_attach_measurements():
    with profiler.profile(profile_memory=True) as prof:
        with _profiling.record("aten::empty", ()) as event:
            event.cpu_memory_usage = 2048
    assert prof.function_events[0].cpu_memory_usage == 2048


def test_events_still_open_when_profiling_stops_are_dropped(clock):
    prof = profiler.profile()
    prof.__enter__()
    event = _profiling.record("aten::open", ())
    event.__enter__()
    op(clock, "aten::closed", 1)
    prof.__exit__(None, None, None)
    event.__exit__(None, None, None)
    assert [e.name for e in prof.function_events] == ["aten::closed"]


def test_input_shapes_are_recorded_only_when_asked(clock):
    inputs = (FakeTensor(2, 3), 2.0, None, [FakeTensor(1)])
    with profiler.profile(record_shapes=True) as with_shapes:
        op(clock, "aten::mul", 1, inputs)
    with profiler.profile() as without_shapes:
        op(clock, "aten::mul", 1, inputs)
    assert with_shapes.function_events[0].input_shapes == [[2, 3], [], [], []]
    assert without_shapes.function_events[0].input_shapes == []


def test_with_stack_records_the_callers_frames(clock):
    with profiler.profile(with_stack=True) as prof:
        op(clock, "aten::add", 1)
    stack = prof.function_events[0].stack
    assert re.fullmatch(r".*test_profiler\.py\(\d+\): op", stack[0])
    assert re.fullmatch(r".*test_profiler\.py\(\d+\): test_with_stack_records_the_callers_frames", stack[1])


# --- averages and the table --------------------------------------------------------------------------------


def test_key_averages_sums_calls_and_times_per_name(clock):
    averages = {event.key: event for event in seed_like_ops(clock, calls=3).key_averages()}
    div = averages["aten::div"]
    assert (div.count, div.cpu_time_total, div.self_cpu_time_total, div.cpu_time) == (3, 6, 6, 2)
    assert averages["aten::mul"].count == 3


def test_table_matches_pytorchs_layout_exactly(clock):
    table = seed_like_ops(clock, calls=1000).key_averages().table(sort_by="self_cpu_time_total")
    expected = [
        "-------------  ------------  ------------  ------------  ------------  ------------  ------------  ",
        "         Name    Self CPU %      Self CPU   CPU total %     CPU total  CPU time avg    # of Calls  ",
        "-------------  ------------  ------------  ------------  ------------  ------------  ------------  ",
        "    aten::div        66.67%       2.000ms        66.67%       2.000ms       2.000us          1000  ",
        "    aten::mul        33.33%       1.000ms        33.33%       1.000ms       1.000us          1000  ",
        "-------------  ------------  ------------  ------------  ------------  ------------  ------------  ",
        "Self CPU time total: 3.000ms",
    ]
    assert table == "\n".join(expected) + "\n"


def test_table_rows_keep_first_seen_order_without_sort_by(clock):
    with profiler.profile() as prof:
        op(clock, "aten::mul", 1)
        op(clock, "aten::div", 5)
    assert [row[0] for row in table_cells(prof.key_averages().table())[1:]] == ["aten::mul", "aten::div"]


@pytest.mark.parametrize(
    ("sort_by", "expected"),
    [
        ("self_cpu_time_total", ["aten::div", "aten::linear", "aten::mul"]),
        ("cpu_time_total", ["aten::linear", "aten::div", "aten::mul"]),
        ("cpu_time", ["aten::linear", "aten::div", "aten::mul"]),
        ("count", ["aten::mul", "aten::linear", "aten::div"]),
    ],
)
def test_table_sort_by_orders_rows_largest_first(clock, sort_by, expected):
    with profiler.profile() as prof:
        with _profiling.record("aten::linear", ()):
            op(clock, "aten::mul", 1)
            clock.advance(3)
            op(clock, "aten::mul", 1)
        op(clock, "aten::div", 4.5)
        op(clock, "aten::mul", 1)
    rows = table_cells(prof.key_averages().table(sort_by=sort_by))[1:]
    assert [row[0] for row in rows] == expected


def test_table_sort_by_device_names_maps_to_device_time(clock):
    prof = seed_like_ops(clock)
    assert prof.key_averages().table(sort_by="cuda_time_total") == prof.key_averages().table()


def test_row_limit_caps_the_rows_but_not_the_total(clock):
    table = seed_like_ops(clock).key_averages().table(sort_by="cpu_time_total", row_limit=1)
    assert [row[0] for row in table_cells(table)[1:]] == ["aten::div"]
    assert table.endswith("Self CPU time total: 9.000us\n")


def test_group_by_input_shape_splits_rows_and_adds_the_shapes_column(clock):
    with profiler.profile(record_shapes=True) as prof:
        op(clock, "aten::mul", 1, (FakeTensor(2, 3), FakeTensor(2, 3)))
        op(clock, "aten::mul", 1, (FakeTensor(4), 2))
        op(clock, "aten::mul", 1, (FakeTensor(2, 3), FakeTensor(2, 3)))
    grouped = table_cells(prof.key_averages(group_by_input_shape=True).table())
    assert grouped[0][-1] == "Input Shapes"
    assert [(row[0], row[-2], row[-1]) for row in grouped[1:]] == [
        ("aten::mul", "2", "[[2, 3], [2, 3]]"),
        ("aten::mul", "1", "[[4], []]"),
    ]
    merged = table_cells(prof.key_averages().table())
    assert merged[0][-1] == "# of Calls" and [row[-1] for row in merged[1:]] == ["3"]


def test_group_by_stack_n_adds_the_source_location_column(clock):
    with profiler.profile(with_stack=True) as prof:
        op(clock, "aten::add", 1)
    table = prof.key_averages(group_by_stack_n=1).table()
    header = table.splitlines()[1]
    assert header.rstrip().endswith("Source Location")
    assert re.search(r"test_profiler\.py\(\d+\): op", table)


def test_header_and_top_level_only_lines(clock):
    with profiler.profile() as prof:
        with record_function("forward"):
            op(clock, "aten::mul", 1)
    lines = prof.key_averages().table(header="my run", top_level_events_only=True).splitlines()
    width = len(lines[4]) - 2
    assert lines[:4] == [
        "=" * width,
        "my run",
        "=" * width,
        "This report only display top-level ops statistics",
    ]
    assert [row[0] for row in table_cells("\n".join(lines))[1:]] == ["forward"]


def test_long_names_are_cut_to_the_name_column(clock):
    with profiler.profile() as prof:
        op(clock, "x" * 60, 1)
    cells = table_cells(prof.key_averages().table(max_name_column_width=20))
    assert cells[1][0] == "x" * 17 + "..."


def test_profile_memory_adds_memory_columns(clock):
    with profiler.profile(profile_memory=True) as prof:
        with _profiling.record("aten::linear", ()) as linear:
            linear.cpu_memory_usage = 3 * 1024 * 1024
            with _profiling.record("aten::empty", ()) as empty:
                empty.cpu_memory_usage = 1024 * 1024
    cells = table_cells(prof.key_averages().table())
    assert cells[0][-3:] == ["CPU Mem", "Self CPU Mem", "# of Calls"]
    assert cells[1][-3:-1] == ["3.00 MB", "2.00 MB"]


def test_time_and_share_formatting():
    assert [format_time(t) for t in (0.5, 999.9994, 1000, 1_234_567)] == [
        "0.500us",
        "999.999us",
        "1.000ms",
        "1.235s",
    ]
    assert format_time(1500, "us") == "1500.000us" and format_time(1500, "s") == "0.002s"
    assert format_time_share(1, 3) == "33.33%" and format_time_share(0, 0) == "NaN"
    with pytest.raises(ValueError, match="time_unit"):
        format_time(1, "ns")


def test_empty_profile_gives_an_empty_table():
    with profiler.profile() as prof:
        pass
    assert prof.key_averages().table() == ""


def test_results_before_the_profiler_stops_raise():
    with profiler.profile() as prof:
        with pytest.raises(RuntimeError, match="didn't finish running"):
            prof.key_averages()


def test_profile_is_not_reentrant():
    prof = profiler.profile()
    with prof:
        pass
    with pytest.raises(RuntimeError, match="not reentrant"):
        with prof:
            pass


# --- record_function ---------------------------------------------------------------------------------------


def test_record_function_labels_a_block_and_parents_its_ops(clock):
    with profiler.profile() as prof:
        with profiler.record_function("label-z"):
            op(clock, "aten::pow", 2)
            clock.advance(1)
    label, power = prof.function_events
    assert (label.name, label.is_user_annotation, label.self_cpu_time_total) == ("label-z", True, 1)
    assert power.cpu_parent is label


def test_record_function_decorates_each_call(clock):
    @record_function("step")
    def step(n: int) -> int:
        op(clock, "aten::add", 1)
        return n + 1

    with profiler.profile() as prof:
        assert step(step(0)) == 2
    averages = {event.key: event.count for event in prof.key_averages()}
    assert averages == {"step": 2, "aten::add": 2}


def test_record_function_outside_a_profiler_is_a_no_op():
    with record_function("idle"):
        assert _profiling.enabled is False
    with pytest.raises(TypeError, match="must be str"):
        record_function(3)  # type: ignore[arg-type]


# --- Chrome trace ------------------------------------------------------------------------------------------


def test_chrome_trace_holds_complete_events_with_times_in_microseconds(clock, tmp_path):
    with profiler.profile(record_shapes=True) as prof:
        clock.advance(10)
        with record_function("forward"):
            op(clock, "aten::mul", 2.5, (FakeTensor(2, 3), 2.0))
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())
    complete = [event for event in trace["traceEvents"] if event["ph"] == "X"]
    forward, mul = complete
    assert [(event["name"], event["cat"], event["ts"], event["dur"]) for event in complete] == [
        ("forward", "user_annotation", 10, 2.5),
        ("aten::mul", "cpu_op", 10, 2.5),
    ]
    assert mul["args"]["Input Dims"] == [[2, 3], []]
    assert "Input Dims" not in forward["args"]
    assert mul["tid"] == forward["tid"] == threading.get_native_id()
    assert isinstance(mul["pid"], int)
    names = {event["name"] for event in trace["traceEvents"] if event["ph"] == "M"}
    assert names == {"process_name", "thread_name"}


def test_chrome_trace_of_averages_is_refused(clock, tmp_path):
    prof = seed_like_ops(clock)
    with pytest.raises(TypeError, match="averages"):
        prof.key_averages().export_chrome_trace(str(tmp_path / "trace.json"))


# --- devices -----------------------------------------------------------------------------------------------


def fake_backend(has_queue: bool, available: bool, synchronized: list[int] | None = None):
    """What ``ember.plugins.manager.get_backend`` returns, for a device type with two devices."""
    device_type = types.SimpleNamespace(
        has_queue=has_queue,
        is_available=lambda: available,
        device_count=lambda: 2,
        synchronize=lambda index: synchronized.append(index) if synchronized is not None else None,
    )
    return types.SimpleNamespace(device_type=device_type)


def test_device_time_attached_by_the_backend_adds_the_device_columns(clock, monkeypatch):
    synchronized: list[int] = []
    monkeypatch.setattr(
        "ember.plugins.manager.get_backend", lambda name: fake_backend(True, True, synchronized)
    )
    with profiler.profile(use_device="cuda") as prof:
        with record_function("block"):
            for _ in range(2):
                with _profiling.record("aten::mul", ()) as event:
                    clock.advance(1)
                    event.device_time_us = 4.0
    assert synchronized == [0, 1]
    table = prof.key_averages().table()
    assert table_cells(table)[0] == [
        "Name",
        "Self CPU %",
        "Self CPU",
        "CPU total %",
        "CPU total",
        "CPU time avg",
        "Self CUDA",
        "Self CUDA %",
        "CUDA total",
        "CUDA time avg",
        "# of Calls",
    ]
    block, mul = table_cells(table)[1:]
    assert block[6:10] == ["0.000us", "0.00%", "8.000us", "8.000us"]
    assert mul[6:10] == ["8.000us", "100.00%", "8.000us", "4.000us"]
    assert table.endswith("Self CPU time total: 2.000us\nSelf CUDA time total: 8.000us\n")


def test_use_cuda_without_cuda_warns_and_profiles_the_host_only(clock, monkeypatch):
    monkeypatch.setattr("ember.plugins.manager.get_backend", lambda name: fake_backend(True, False))
    with (
        pytest.warns(FutureWarning, match="use_cuda"),
        pytest.warns(UserWarning, match="^CUDA is not available, disabling CUDA profiling$"),
    ):
        prof = seed_like_ops(clock, use_cuda=True)
    assert prof.use_device is None
    assert "CUDA" not in prof.key_averages().table()


def test_a_device_without_a_queue_is_not_a_valid_device_option(monkeypatch):
    monkeypatch.setattr("ember.plugins.manager.get_backend", lambda name: fake_backend(False, True))
    with pytest.warns(UserWarning, match="^The cpu is not a valid device option.$"):
        prof = profiler.profile(use_device="cpu")
    assert prof.use_device is None


def test_an_unknown_device_without_a_backend_is_not_valid(monkeypatch):
    def no_backend(name: str):
        raise RuntimeError(f"Expected one of cpu device type at start of device string: {name}")

    monkeypatch.setattr("ember.plugins.manager.get_backend", no_backend)
    with pytest.warns(UserWarning, match="^The foo is not a valid device option.$"):
        profiler.profile(use_device="foo")
    with pytest.warns(UserWarning, match="^OPENCL is not available, disabling OPENCL profiling$"):
        profiler.profile(use_device="opencl")


# --- ember.profiler (torch.profiler's API) -----------------------------------------------------------------


def test_new_api_profile_records_with_cpu_activity(clock):
    with new_profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        with record_function("model_inference"):
            op(clock, "aten::mul", 1, (FakeTensor(2, 3), FakeTensor(2, 3)))
    counts = {event.key: event.count for event in prof.key_averages()}
    assert counts == {"model_inference": 1, "aten::mul": 1}
    assert prof.events()[1].input_shapes == [[2, 3], [2, 3]]


def test_new_api_requires_the_cpu_activity():
    with pytest.raises(ValueError, match="ProfilerActivity.CPU"):
        new_profile(activities=[ProfilerActivity.CUDA])
    with pytest.raises(TypeError, match="ProfilerActivity"):
        new_profile(activities=["cpu"])


def test_schedule_cycles_through_wait_warmup_and_active_steps():
    steps = schedule(wait=1, warmup=1, active=2, repeat=1)
    assert [steps(n) for n in range(6)] == [
        ProfilerAction.NONE,
        ProfilerAction.WARMUP,
        ProfilerAction.RECORD,
        ProfilerAction.RECORD_AND_SAVE,
        ProfilerAction.NONE,
        ProfilerAction.NONE,
    ]
    with pytest.warns(UserWarning, match="warmup"):
        schedule(wait=0, warmup=0, active=1)
    with pytest.raises(ValueError, match="active=0"):
        schedule(wait=0, warmup=1, active=0)


def test_scheduled_profile_records_the_active_steps_and_hands_them_over(clock):
    ready = []

    def on_trace_ready(prof) -> None:
        counts = {event.key: event.count for event in prof.key_averages()}
        ready.append((counts, [event.trace_name for event in prof.events() if event.is_user_annotation]))

    with new_profile(schedule=schedule(wait=1, warmup=1, active=2), on_trace_ready=on_trace_ready) as prof:
        for _ in range(5):
            op(clock, "aten::add", 1)
            prof.step()
    assert ready == [({"ProfilerStep*": 2, "aten::add": 2}, ["ProfilerStep#2", "ProfilerStep#3"])]


def test_new_api_results_before_any_recording_raise():
    with pytest.raises(RuntimeError, match="started"):
        new_profile().key_averages()


# --- against PyTorch ---------------------------------------------------------------------------------------


def torch_seed_table(torch, **table_kwargs) -> str:
    x = torch.randn(2, 3, requires_grad=True)
    y = torch.rand(2, 3, requires_grad=True)
    z = torch.ones(2, 3, requires_grad=True)
    record_shapes = table_kwargs.pop("group_by_input_shape", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.autograd.profiler.profile(record_shapes=record_shapes) as prf:
            for _ in range(1000):
                z = (z / x) * y
    return prf.key_averages(group_by_input_shape=record_shapes).table(**table_kwargs)


def assert_same_structure(ours: str, theirs: str) -> None:
    """Same header lines and separators, same rows by name and count, every cell formatted alike."""
    our_lines, their_lines = ours.splitlines(), theirs.splitlines()
    separator = next(line for line in their_lines if line.startswith("-"))
    header_end = their_lines.index(separator) + 3
    assert our_lines[:header_end] == their_lines[:header_end]
    assert len(our_lines) == len(their_lines) and our_lines[-2] == separator
    assert re.fullmatch(r"Self CPU time total: \d+\.\d{3}(us|ms|s)", our_lines[-1])
    our_rows, their_rows = table_cells(ours)[1:], table_cells(theirs)[1:]
    assert sorted(row[0] for row in our_rows) == sorted(row[0] for row in their_rows)
    key = {"Self CPU %": "%", "CPU total %": "%", "Self CPU": "t", "CPU total": "t", "CPU time avg": "t"}
    patterns = {"%": r"\d+\.\d{2}%", "t": r"\d+\.\d{3}(us|ms|s)"}
    headers = table_cells(theirs)[0]
    for our_row, their_row in zip(sorted(our_rows), sorted(their_rows)):
        for header, our_cell, their_cell in zip(headers, our_row, their_row):
            if header in key:
                assert re.fullmatch(patterns[key[header]], our_cell), (header, our_cell)
            else:
                assert our_cell == their_cell, (header, our_cell, their_cell)


def test_table_structure_matches_torch_for_the_seed_example(clock):
    torch = pytest.importorskip("torch")
    theirs = torch_seed_table(torch, sort_by="self_cpu_time_total")
    ours = seed_like_ops(clock, calls=1000).key_averages().table(sort_by="self_cpu_time_total")
    assert_same_structure(ours, theirs)


def test_input_shapes_table_structure_matches_torch(clock):
    torch = pytest.importorskip("torch")
    theirs = torch_seed_table(torch, group_by_input_shape=True, sort_by="count")
    prof = seed_like_ops(clock, calls=1000, record_shapes=True)
    ours = prof.key_averages(group_by_input_shape=True).table(sort_by="count")
    assert_same_structure(ours, theirs)


def test_header_and_top_level_lines_match_torch(clock):
    torch = pytest.importorskip("torch")
    kwargs = {"header": "seed", "top_level_events_only": True, "row_limit": 1}
    theirs = torch_seed_table(torch, **kwargs)
    ours = seed_like_ops(clock, calls=1000).key_averages().table(**kwargs)
    assert ours.splitlines()[:7] == theirs.splitlines()[:7]


def test_time_formatting_matches_torch():
    pytest.importorskip("torch")
    from torch.autograd.profiler_util import _format_memory, _format_time, _format_time_share

    from ember.profiler._table import format_memory

    for time_us in (0.0, 0.0004, 1.5, 999.9996, 1000.0, 54321.123, 999_999.9, 3_600_000_000.0):
        assert format_time(time_us) == _format_time(time_us)
        assert format_time_share(time_us, 4_000_000_000.0) == _format_time_share(time_us, 4_000_000_000.0)
    for nbytes in (0, 1023, 1024, -2048, 5 * 1024**2 + 1, 3 * 1024**3):
        assert format_memory(nbytes) == _format_memory(nbytes)


def test_use_cuda_warnings_match_torch_on_a_machine_without_cuda(monkeypatch):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("torch sees a CUDA device here")
    monkeypatch.setattr("ember.plugins.manager.get_backend", lambda name: fake_backend(True, False))

    def messages(profile_class) -> list[tuple[type, str]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            profile_class(use_cuda=True)
        return [(w.category, str(w.message)) for w in caught]

    assert messages(profiler.profile) == messages(torch.autograd.profiler.profile)


# --- through ember's core ----------------------------------------------------------------------------------


def test_seed_profiler_example_through_ember():
    import ember as torch

    run_on_gpu = torch.cuda.is_available()
    x = torch.randn(2, 3, requires_grad=True)
    y = torch.rand(2, 3, requires_grad=True)
    z = torch.ones(2, 3, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with torch.autograd.profiler.profile(use_cuda=run_on_gpu) as prf:
            for _ in range(1000):
                z = (z / x) * y
    table = prf.key_averages().table(sort_by="self_cpu_time_total")
    rows = {row[0]: row for row in table_cells(table)[1:]}
    assert rows["aten::div"][-1] == "1000"
    assert rows["aten::mul"][-1] == "1000"
