"""Fixtures shared by the cross-package tests."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from ember.plugins.manager import ENTRY_POINT_GROUP, _reset_for_tests


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
def no_pending_checks():
    """No deferred value check left over from another test, nor left behind for the next one."""
    from ember import _checks

    _checks.pending.clear()
    yield
    _checks.pending.clear()
