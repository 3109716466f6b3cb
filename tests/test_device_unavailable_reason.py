"""A device type says why it cannot be used by raising ember.DeviceUnavailableError from is_available:
core reports that reason as it is (no traceback) in `.to()`'s error and `python -m ember info`, and the
kit skips every check with it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ember
from ember.plugins import DeviceType, Registry, hookimpl, plugin_report, register_plugin
from ember.plugins.manager import _reset_for_tests

WHY = "no usable widget: driver 1.2 is older than runtime 1.3"


class _NoWidget:
    """A plugin whose device type is installed but unusable here."""

    @hookimpl
    def ember_register_devices(self, registry: Registry) -> None:
        def is_available() -> bool:
            raise ember.DeviceUnavailableError(WHY)

        registry.add_device(DeviceType(name="widget", is_available=is_available, device_count=lambda: 0,
                                       synchronize=lambda index: None, new_generator=lambda seed, index: None,
                                       dtypes={"float32"}, has_queue=True))


@pytest.fixture
def widget():
    _reset_for_tests()
    register_plugin(_NoWidget(), "widget")
    yield
    _reset_for_tests()


def test_the_reason_is_reported_as_it_is(widget):
    with pytest.raises(ember.DeviceUnavailableError) as error:
        ember.ones(2).to("widget")
    assert str(error.value) == f"backend 'widget' is installed but unavailable: {WHY}"
    status = next(device for device in plugin_report().devices if device.name == "widget")
    assert not status.available and status.error == WHY


def test_the_kit_skips_an_unavailable_device_with_its_reason():
    code = ("import sys, pytest; from ember.plugins import register_plugin; "
            "from tests.test_device_unavailable_reason import _NoWidget; "
            "register_plugin(_NoWidget(), 'widget'); "
            "sys.exit(pytest.main(['--pyargs', 'ember.testing', '--ember-device=widget', '-q', '-rs', "
            "'-p', 'no:cacheprovider', '-k', 'test_device']))")
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"device 'widget' is not available on this machine: {WHY}" in done.stdout
    assert "passed" not in done.stdout
