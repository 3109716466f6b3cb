"""DeviceType.notes: a backend's own lines under its device type in ``python -m ember info`` (which
hardware each index is, why a driver was skipped)."""
from __future__ import annotations

from ember.__main__ import format_report
from ember.plugins import DeviceType, KernelTable
from ember.plugins.manager import PluginReport, _device_status


def _device_type(available: bool, notes=None) -> DeviceType:
    return DeviceType(name="toy", is_available=lambda: available, device_count=lambda: 1 if available else 0,
                      synchronize=lambda index: None, new_generator=lambda seed, index: None,
                      dtypes=frozenset({"float32"}), notes=notes)


def _report(device_type: DeviceType) -> str:
    status = _device_status("toy", device_type, "toy", KernelTable("toy", {}, {}))
    return format_report(PluginReport((), (status,), True))


def test_notes_are_printed_under_an_unavailable_device():
    text = _report(_device_type(False, lambda: ("platform 0 (Broken) skipped: RuntimeError: no target",)))
    assert ("  toy  unavailable: no toy device is available (is_available() returned False)\n"
            "         platform 0 (Broken) skipped: RuntimeError: no target\n") in text


def test_notes_are_printed_under_an_available_device():
    text = _report(_device_type(True, lambda: ("toy:0 first", "toy:1 second")))
    lines = text.splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith("  toy  available"))
    assert lines[at + 1:at + 3] == ["         toy:0 first", "         toy:1 second"]


def test_a_device_type_without_notes_prints_its_line_alone():
    lines = _report(_device_type(True)).splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith("  toy  available"))
    assert lines[at + 1] == ""
