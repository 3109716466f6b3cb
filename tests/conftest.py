"""Fixtures shared by the cross-package tests."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from ember.plugins.manager import ENTRY_POINT_GROUP, _reset_for_tests


def _default_device_unavailable() -> str | None:
    """Why the default device (EMBER_DEFAULT_DEVICE) cannot be used here, such as cuda without a GPU; None
    when it can."""
    import ember

    try:
        ember.empty(0)
    except ember.DeviceUnavailableError as error:
        return f"the default device {ember.get_default_device()} is unavailable: {error}"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With a default device this machine cannot use, every test skips with the reason instead of failing
    on its first tensor."""
    reason = _default_device_unavailable()
    if reason is not None:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    """A test module that makes tensors when imported skips too, with the reason, on such a device."""
    report = yield
    if report.failed and "DeviceUnavailableError" in str(report.longrepr):
        reason = _default_device_unavailable()
        if reason is not None:
            report.outcome = "skipped"
            report.longrepr = (str(collector.path), 0, f"Skipped: {reason}")
    return report


@pytest.fixture
def cpu_only_install(monkeypatch: pytest.MonkeyPatch):
    """ember as installed with the CPU backend alone: every other installed backend plugin is blocked
    (EMBER_DISABLED_PLUGINS) for the test, so tests of a CPU-only install hold where ember-opencl is
    installed too."""
    others = sorted({point.name for point in entry_points(group=ENTRY_POINT_GROUP)} - {"cpu"})
    monkeypatch.setenv("EMBER_DISABLED_PLUGINS", ",".join(others))
    _reset_for_tests()
    yield
    monkeypatch.undo()
    _reset_for_tests()


@pytest.fixture
def without_installed_cuda(monkeypatch: pytest.MonkeyPatch):
    """An installed ember-cuda blocked (EMBER_DISABLED_PLUGINS) for the test, so that a test plugin's fake
    device type named "cuda" takes its place instead of conflicting with it."""
    monkeypatch.setenv("EMBER_DISABLED_PLUGINS", "cuda")
    yield


@pytest.fixture
def cuda_plugin():
    """ember-cuda's plugin registered, by hand where tests run from the source tree without its entry point."""
    from ember_cuda import plugin

    from ember.plugins import plugin_report, register_plugin

    _reset_for_tests()
    if not any(device.name == "cuda" for device in plugin_report().devices):  # no installed entry point
        register_plugin(plugin, "cuda")
    yield
    _reset_for_tests()


@pytest.fixture
def no_pending_checks():
    """No deferred value check left over from another test, nor left behind for the next one."""
    from ember import _checks

    _checks.pending.clear()
    yield
    _checks.pending.clear()
